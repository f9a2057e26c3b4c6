#pragma once
// A growing SOM as a network: where its neurons go (lattice, weights or PCA of the weights)
// and which per-neuron statistics give colour and size, handed to plot_network.

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/types.hpp"
#include "somtile/growing/growing_som.hpp"
#include "somtile/kernels/detail/pca.hpp"
#include "somtile/viz/detail/names.hpp"
#include "somtile/viz/network.hpp"
#include "somtile/viz/plot_options.hpp"
#include "somtile/viz/rgb_map.hpp"

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
    case viz::NodeStatistic::pca_rgb:
    case viz::NodeStatistic::automatic:
    case viz::NodeStatistic::none:
      break;
  }
  return {};
}

template <typename Scalar>
void plot_growing_network(const GrowingSomEstimator<Scalar>& model, const std::string& path,
                          const viz::GrowingSomPlotOptions& options, const Labels* neuron_labels) {
  using namespace viz;
  const NodeStatistic size = options.size;
  detail::require(size != NodeStatistic::label && size != NodeStatistic::pca_rgb && size != NodeStatistic::automatic,
                  "plot_growing_som", "size must be a numeric statistic, not NodeStatistic::",
                  size == NodeStatistic::label     ? "label"
                  : size == NodeStatistic::pca_rgb ? "pca_rgb"
                                                   : "automatic");
  detail::require(options.color != NodeStatistic::automatic, "plot_growing_som",
                  "color = NodeStatistic::automatic must be resolved by the model's overload");
  detail::require<InputError>(options.labels.size() == 0 || options.labels.size() == model.n_neurons(),
                              "plot_growing_som", "labels has ", options.labels.size(), " values, but the map has ",
                              model.n_neurons(), " neurons");
  for (Index k = 0; k < options.labels.size(); ++k)
    detail::require<InputError>(options.labels[k] >= -1, "plot_growing_som", "labels must be >= -1, but neuron ", k,
                                " has ", options.labels[k]);
  const RowMatrix<double> W = model.weights().template cast<double>();
  RowMatrix<double> points;
  switch (options.layout) {
    case NetworkLayout::lattice:
      points = model.positions().template cast<double>();
      break;
    case NetworkLayout::weights:  // in the data's units, where samples drawn underneath lie
      detail::require<InputError>(W.cols() >= 2, "plot_growing_som", "the weights layout needs >= 2 features, got ",
                                  W.cols());
      points = model.weights_in_data_units().template cast<double>().leftCols(2);
      break;
    case NetworkLayout::pca:
      points = detail::pca_2d(W);
      break;
  }
  NetworkPlotOptions o = options.network;
  if (options.color == NodeStatistic::label) {
    o.category = options.labels.size() > 0 ? options.labels : *neuron_labels;
  } else if (options.color == NodeStatistic::pca_rgb) {
    o.rgb = viz::pca_rgb(W);
  } else if (options.color != NodeStatistic::none) {
    o.color = detail::node_statistic(model, options.color);
  }
  if (o.color_label.empty()) o.color_label = detail::statistic_name(options.color);
  if (options.size != NodeStatistic::none) o.size = detail::node_statistic(model, options.size);
  if (o.size_label.empty()) o.size_label = detail::statistic_name(options.size);
  if (o.title.empty()) o.title = "Growing SOM: " + std::to_string(model.n_neurons()) + " neurons";
  if (o.x_label == "x" && o.y_label == "y") {
    const bool pca = options.layout == NetworkLayout::pca, lattice = options.layout == NetworkLayout::lattice;
    o.x_label = pca ? "PC 1" : lattice ? "lattice x" : "weight 1";
    o.y_label = pca ? "PC 2" : lattice ? "lattice y" : "weight 2";
  }
  plot_network(points, model.edges(), path, o);
}

}  // namespace somtile::detail
