#pragma once
// A growing SOM as a network: where its neurons go (lattice, weights or PCA of the weights)
// and which per-neuron statistics give colour and size, handed to plot_network.

#include "somtile/core/types.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/detail/pca.hpp"
#include "somtile/som/growing_som.hpp"
#include "somtile/viz/detail/names.hpp"
#include "somtile/viz/network.hpp"
#include "somtile/viz/plot_options.hpp"

#include <algorithm>
#include <string>

namespace somtile::detail {

/// Rows of W projected on their first two principal components (n x 2; signs fixed so that
/// layouts are reproducible).
template <typename = void>
RowMatrix<double> pca_2d(const RowMatrix<double>& W) {
  const PrincipalAxes pca = principal_axes(W, 2);
  return (W.rowwise() - pca.mean) * pca.axes;
}

template <typename Scalar>
Eigen::VectorXd node_statistic(const GrowingSomEstimator<Scalar>& model, viz::NodeStatistic s) {
  switch (s) {
    case viz::NodeStatistic::hit_count:
      return model.hit_count();
    case viz::NodeStatistic::error:
      return model.error();
    case viz::NodeStatistic::average_distance:
      return model.average_distance();
    case viz::NodeStatistic::density:
      return model.density();
    case viz::NodeStatistic::epoch_created:
      return model.epoch_created().template cast<double>();
    case viz::NodeStatistic::label:
      throw ParameterError(
          "plot_growing_som(): NodeStatistic::label needs a SomClassifier (a SomVQ has no labels)");
    case viz::NodeStatistic::none:
      break;
  }
  return {};
}

template <typename Scalar>
void plot_growing_network(const GrowingSomEstimator<Scalar>& model, const std::string& path,
                          const viz::GrowingSomPlotOptions& options, const Labels* neuron_labels) {
  using namespace viz;
  detail::require(options.size != NodeStatistic::label, "plot_growing_som",
                  "size must be a numeric statistic, not NodeStatistic::label");
  const RowMatrix<double> W = model.weights().template cast<double>();
  RowMatrix<double> points;
  switch (options.layout) {
    case NetworkLayout::lattice:
      points = model.positions().template cast<double>();
      break;
    case NetworkLayout::weights:
      detail::require<InputError>(W.cols() >= 2, "plot_growing_som",
                                  "the weights layout needs >= 2 features, got ", W.cols());
      points = W.leftCols(2);
      break;
    case NetworkLayout::pca:
      points = detail::pca_2d(W);
      break;
  }
  NetworkPlotOptions o = options.network;
  if (options.color == NodeStatistic::label) {
    o.category = neuron_labels
                     ? *neuron_labels
                     : detail::node_statistic(model, options.color).template cast<Index>();
  } else if (options.color != NodeStatistic::none) {
    o.color = detail::node_statistic(model, options.color);
  }
  if (o.color_label.empty()) o.color_label = detail::statistic_name(options.color);
  if (options.size != NodeStatistic::none) o.size = detail::node_statistic(model, options.size);
  if (o.size_label.empty()) o.size_label = detail::statistic_name(options.size);
  if (o.title.empty()) o.title = "Growing SOM: " + std::to_string(model.n_neurons()) + " neurons";
  if (o.x_label == "x" && o.y_label == "y") {
    const bool pca = options.layout == NetworkLayout::pca,
               lattice = options.layout == NetworkLayout::lattice;
    o.x_label = pca ? "PC 1" : lattice ? "lattice x" : "weight 1";
    o.y_label = pca ? "PC 2" : lattice ? "lattice y" : "weight 2";
  }
  plot_network(points, model.edges(), path, o);
}

}  // namespace somtile::detail
