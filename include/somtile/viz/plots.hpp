#pragma once
// One function per picture, each writing an SVG file. The core functions take plain data (a
// Grid and a rows x cols matrix, labels per unit, curves, points and edges) so any model can be
// drawn; thin overloads for Som compute the map and call the core.
//
// Conventions shared by every map: row 0 at the top (as in TorchSOM and imshow), rectangular
// units as squares, hexagonal units as pointy-top hexagons that tile exactly (odd rows shifted
// right by half a unit, as in Grid), NaN = "no value" drawn hatched with a legend entry, so an
// empty unit never looks like a zero.

#include "somtile/cluster/som_cluster.hpp"
#include "somtile/core/types.hpp"
#include "somtile/core/validate.hpp"
#include "somtile/grid/topology.hpp"
#include "somtile/metrics/clustering.hpp"
#include "somtile/som/growing_som.hpp"
#include "somtile/som/lattice.hpp"
#include "somtile/som/maps.hpp"
#include "somtile/som/som.hpp"
#include "somtile/som/som_classifier.hpp"
#include "somtile/som/som_vq.hpp"
#include "somtile/viz/charts.hpp"
#include "somtile/viz/grid_maps.hpp"
#include "somtile/viz/network.hpp"
#include "somtile/viz/plot_options.hpp"
#include "somtile/viz/rgb_map.hpp"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace somtile::detail {
inline const char* plot_distance_name(Distance d) {
  switch (d) {
    case Distance::cosine:
      return "cosine";
    case Distance::manhattan:
      return "manhattan";
    case Distance::chebyshev:
      return "chebyshev";
    case Distance::euclidean:
      break;
  }
  return "euclidean";
}
}  // namespace somtile::detail

namespace somtile::viz {

/// U-matrix of a Som (mean distance to the neighbours up to neighborhood_order rings).
template <typename Scalar>
void plot_u_matrix(const Som<Scalar>& som, const std::string& path, MapPlotOptions options = {}) {
  const Index order = som.params().neighborhood_order;
  if (options.title.empty())
    options.title = "U-matrix (distance map), order " + std::to_string(order);
  if (options.colorbar_label.empty())
    options.colorbar_label =
        std::string("mean ") + detail::plot_distance_name(som.params().distance) + " distance";
  plot_grid_map(som.grid(), u_matrix(som), path, options);
}

/// Samples per unit; units without samples are drawn as empty, not as zero.
template <typename Scalar>
void plot_hit_map(const Som<Scalar>& som, DataRef<Scalar> X, const std::string& path,
                  MapPlotOptions options = {}) {
  RowMatrix<double> hits = hit_map(som, X);
  for (Index i = 0; i < hits.size(); ++i)
    if (hits.data()[i] == 0) hits.data()[i] = std::numeric_limits<double>::quiet_NaN();
  if (options.title.empty()) options.title = "Hit map";
  if (options.colorbar_label.empty()) options.colorbar_label = "samples per unit";
  if (options.empty_label == "no value") options.empty_label = "no hits";
  plot_grid_map(som.grid(), hits, path, options);
}

/// Every component plane (one weight per feature) as panels of one file.
template <typename Scalar>
void plot_component_planes(const Som<Scalar>& som, const std::string& path,
                           MultiMapPlotOptions options = {}) {
  if (options.title.empty()) options.title = "Component planes";
  if (options.name_prefix == "map") options.name_prefix = "feature";
  plot_grid_maps(som.grid(), component_planes(som), path, options);
}

/// Majority label of the samples per unit, with a legend of the classes. Labels may be any
/// integers (negative, not starting at 0, not contiguous): a class is coloured by its rank
/// among the distinct labels of y and named by its value (or options.class_names[label]), so
/// -1 is a class here, not noise. For labels 0..C-1 rank and label coincide.
template <typename Scalar>
void plot_classification_map(const Som<Scalar>& som, const BmuDataMap& map, const Labels& y,
                             const std::string& path, CategoryPlotOptions options = {}) {
  RowMatrix<double> classes = classification_map(som, map, y);
  std::vector<Index> labels(y.data(), y.data() + y.size());
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  std::vector<std::string> names;
  for (const Index label : labels)
    names.push_back(label >= 0 && std::size_t(label) < options.class_names.size()
                        ? options.class_names[std::size_t(label)]
                        : options.name_prefix + " " + std::to_string(label));
  for (Index u = 0; u < classes.size(); ++u) {
    double& v = classes.data()[u];
    if (!std::isnan(v))
      v = double(std::lower_bound(labels.begin(), labels.end(), Index(v)) - labels.begin());
  }
  options.class_names = std::move(names);
  plot_classification_map(som.grid(), classes, path, options);
}

/// Mean (or unbiased std, with Reduction::std) of a target per unit.
template <typename Scalar>
void plot_metric_map(const Som<Scalar>& som, const BmuDataMap& map,
                     const Eigen::Ref<const Eigen::VectorXd>& target, const std::string& path,
                     MapPlotOptions options = {}, Reduction reduction = Reduction::mean) {
  const bool mean = reduction == Reduction::mean;
  if (options.title.empty())
    options.title =
        mean ? "Mean target value per unit" : "Standard deviation of the target per unit";
  if (options.colorbar_label.empty()) options.colorbar_label = mean ? "mean target" : "target std";
  plot_grid_map(som.grid(), metric_map(som, map, target, reduction), path, options);
}

/// Representativeness score per unit (lower = better).
template <typename Scalar>
void plot_score_map(const Som<Scalar>& som, const BmuDataMap& map,
                    const Eigen::Ref<const Eigen::VectorXd>& target, const std::string& path,
                    MapPlotOptions options = {}, Index total_samples = 0) {
  if (options.title.empty()) options.title = "Unit representativeness";
  if (options.colorbar_label.empty()) options.colorbar_label = "score (lower = better)";
  plot_grid_map(som.grid(), score_map(som, map, target, total_samples), path, options);
}

/// Units ranked by the spread of their targets (1 = most homogeneous), the rank printed in
/// each cell that is large enough.
template <typename Scalar>
void plot_rank_map(const Som<Scalar>& som, const BmuDataMap& map,
                   const Eigen::Ref<const Eigen::VectorXd>& target, const std::string& path,
                   MapPlotOptions options = {}) {
  if (options.title.empty()) options.title = "Units ranked by target std";
  if (options.colorbar_label.empty()) options.colorbar_label = "rank (1 = lowest std)";
  options.show_values = true;
  options.value_decimals = 0;
  plot_grid_map(som.grid(), rank_map(som, map, target), path, options);
}

/// U-matrix of an online-SOM lattice (mean distance to the up to 8 neighbours).
template <typename Scalar>
void plot_u_matrix(const Lattice<Scalar>& lattice, const std::string& path,
                   MapPlotOptions options = {}) {
  if (options.title.empty()) options.title = "U-matrix";
  if (options.colorbar_label.empty()) options.colorbar_label = "mean euclidean distance";
  plot_grid_map(lattice.grid(), u_matrix(lattice), path, options);
}

/// A 3-feature lattice as an RGB image (NumbaSOM's imshow(lattice)).
template <typename Scalar>
void plot_rgb_map(const Lattice<Scalar>& lattice, const std::string& path,
                  RgbPlotOptions options = {}) {
  detail::require<InputError>(lattice.n_features() == 3, "plot_rgb_map",
                              "an RGB image needs a lattice of 3 features, got ",
                              lattice.n_features());
  if (options.title.empty()) options.title = "Lattice as RGB";
  plot_rgb_map(lattice.grid(), lattice.codebook().template cast<double>(), path, options);
}

/// Activation maps of the samples in X on a lattice (lattice_activations), one panel each.
template <typename Scalar>
void plot_activation_maps(const Lattice<Scalar>& lattice, DataRef<Scalar> X,
                          const std::string& path, const MultiMapPlotOptions& options = {},
                          double exponent = 1.0) {
  plot_activation_maps(lattice.grid(), lattice_activations(X, lattice, exponent), path, options);
}

// ---- clustering of the units -------------------------------------------------------------------

}  // namespace somtile::viz

namespace somtile::detail {
inline std::string cluster_name(const ClusterResult& r, bool upper) {
  std::string method = r.method == ClusterMethod::gmm       ? "gmm"
                       : r.method == ClusterMethod::hdbscan ? "hdbscan"
                                                            : "kmeans";
  const char* space = r.feature_space == FeatureSpace::positions  ? "positions"
                      : r.feature_space == FeatureSpace::combined ? "combined"
                                                                  : "weights";
  if (upper) {
    for (char& c : method) c = char(std::toupper(static_cast<unsigned char>(c)));
    return method + " clustering (" + space + " space), " + std::to_string(r.n_clusters) +
           " clusters";
  }
  return method + "_" + space;
}
}  // namespace somtile::detail

namespace somtile::viz {

/// Cluster label of every unit of a Som (Som::cluster / cluster_units), noise as "Uncertain".
template <typename Scalar>
void plot_cluster_map(const Som<Scalar>& som, const ClusterResult& result, const std::string& path,
                      CategoryPlotOptions options = {}) {
  if (options.title.empty()) options.title = detail::cluster_name(result, true);
  plot_cluster_map(som.grid(), result.labels, path, options);
}

/// Silhouette analysis of a clustering of units, in the feature space that was clustered.
inline void plot_silhouette(const ClusterResult& result, const std::string& path,
                            ChartOptions options = {}) {
  if (options.title.empty()) options.title = "Silhouette: " + detail::cluster_name(result, true);
  plot_silhouette(silhouette_samples(result.features, result.labels), result.labels, path, options);
}

/// Silhouette, Davies–Bouldin, Calinski–Harabasz and cluster count of several clusterings,
/// labelled method_space.
inline void plot_cluster_quality_comparison(const std::vector<ClusterResult>& results,
                                            const std::string& path,
                                            const ChartOptions& options = {}) {
  std::vector<ClusterQuality> q;
  for (const auto& r : results)
    q.push_back({detail::cluster_name(r, false), r.metrics.silhouette, r.metrics.davies_bouldin,
                 r.metrics.calinski_harabasz, r.n_clusters});
  plot_cluster_quality_comparison(q, path, options);
}

/// Elbow analysis of a Som's units (Som::elbow): k-means inertia for k = 1..max_k in a feature
/// space, the elbow (elbow_k) marked. max_k = 0: up to 10, no more than the map has units.
template <typename Scalar>
void plot_elbow(const Som<Scalar>& som, const std::string& path, Index max_k = 0,
                FeatureSpace space = FeatureSpace::weights, std::uint64_t seed = 0,
                const ChartOptions& options = {}) {
  const std::vector<double> inertias = som.elbow(max_k, space, seed);
  std::vector<Index> k(inertias.size());
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = Index(i + 1);
  plot_elbow(k, inertias, inertias.size() >= 2 ? elbow_k(inertias) : 0, path, options);
}

/// QE and TE per epoch of a Som's training.
inline void plot_training_errors(const TrainingHistory& history, const std::string& path,
                                 const ChartOptions& options = {}) {
  plot_training_errors(history.quantization_errors, history.topographic_errors, path, options);
}

// ---- growing SOM -----------------------------------------------------------------------------

}  // namespace somtile::viz

namespace somtile::detail {

/// Rows of W projected on their first two principal components (n x 2).
inline RowMatrix<double> pca_2d(const RowMatrix<double>& W) {
  const RowMatrix<double> centred = W.rowwise() - W.colwise().mean();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(centred.transpose() * centred);  // ascending
  RowMatrix<double> out = RowMatrix<double>::Zero(W.rows(), 2);
  for (Index k = 0; k < std::min<Index>(2, W.cols()); ++k) {
    Eigen::VectorXd axis = eig.eigenvectors().col(W.cols() - 1 - k);
    Index biggest = 0;
    axis.cwiseAbs().maxCoeff(&biggest);
    if (axis[biggest] < 0) axis = -axis;  // fix the eigenvector's sign, so layouts are reproducible
    out.col(k) = centred * axis;
  }
  return out;
}

inline const char* statistic_name(viz::NodeStatistic s) {
  switch (s) {
    case viz::NodeStatistic::hit_count:
      return "hit count";
    case viz::NodeStatistic::error:
      return "error";
    case viz::NodeStatistic::average_distance:
      return "average distance";
    case viz::NodeStatistic::density:
      return "density";
    case viz::NodeStatistic::epoch_created:
      return "epoch created";
    case viz::NodeStatistic::label:
      return "label";
    case viz::NodeStatistic::none:
      break;
  }
  return "";
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

}  // namespace somtile::detail

namespace somtile::viz {}  // namespace somtile::viz

namespace somtile::detail {

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

namespace somtile::viz {

/// A growing SOM as a network: neurons placed by `layout`, lattice edges as grey lines, colour
/// and size by per-neuron statistics.
template <typename Scalar>
void plot_growing_som(const SomVQ<Scalar>& model, const std::string& path,
                      const GrowingSomPlotOptions& options = {}) {
  detail::plot_growing_network(model, path, options, nullptr);
}

/// As above; NodeStatistic::label colours the neurons by class with a legend (unlabelled
/// neurons as "Uncertain").
template <typename Scalar>
void plot_growing_som(const SomClassifier<Scalar>& model, const std::string& path,
                      const GrowingSomPlotOptions& options = {}) {
  GrowingSomPlotOptions o = options;
  if (o.network.class_names.empty())
    for (Index k = 0; k < model.classes().size(); ++k)
      o.network.class_names.push_back("class " + std::to_string(model.classes()[k]));
  if (o.network.noise_label == "Uncertain") o.network.noise_label = "no hits";
  detail::plot_growing_network(
      model, path, o, options.color == NodeStatistic::label ? &model.neuron_labels() : nullptr);
}

}  // namespace somtile::viz
