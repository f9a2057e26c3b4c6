#pragma once
// Plots of a classic Som: each overload computes a map (som/maps.hpp) or a curve, titles it and
// calls the plain-data function. Includes the ClusterResult plots too, as Som::cluster returns
// one.

#include "somtile/cluster/som_cluster.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/types.hpp"
#include "somtile/som/maps.hpp"
#include "somtile/som/som.hpp"
#include "somtile/viz/charts.hpp"
#include "somtile/viz/cluster_plots.hpp"
#include "somtile/viz/detail/cluster_names.hpp"
#include "somtile/viz/detail/names.hpp"
#include "somtile/viz/detail/text.hpp"
#include "somtile/viz/grid_maps.hpp"
#include "somtile/viz/plot_options.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace somtile::viz {

/// U-matrix of a Som (u_matrix with `u`; by default the mean distance to the neighbours up to
/// neighborhood_order rings, scaled to max 1; u.scaling = Reduction::sum draws TorchSOM's
/// distance map, where border units look darker only for having fewer neighbours).
template <typename Scalar>
void plot_u_matrix(const Som<Scalar>& som, const std::string& path, const UMatrixOptions& u,
                   MapPlotOptions options = {}) {
  const Index order = u.neighborhood_order > 0 ? u.neighborhood_order : som.params().neighborhood_order;
  if (options.title.empty()) options.title = "U-matrix (distance map), order " + std::to_string(order);
  if (options.colorbar_label.empty())
    options.colorbar_label = std::string(u.scaling == Reduction::mean ? "mean " : "summed ") +
                             std::string(enum_name(u.distance.value_or(som.params().distance))) + " distance" +
                             (u.normalize ? " (max = 1)" : "");
  plot_grid_map(som.grid(), u_matrix(som, u), path, options);
}

/// U-matrix of a Som with the default UMatrixOptions (mean distance to the neighbours).
template <typename Scalar>
void plot_u_matrix(const Som<Scalar>& som, const std::string& path, MapPlotOptions options = {}) {
  plot_u_matrix(som, path, UMatrixOptions{}, std::move(options));
}

/// Samples per unit; units without samples are drawn as empty, not as zero.
template <typename Scalar>
void plot_hit_map(const Som<Scalar>& som, DataRef<Scalar> X, const std::string& path, MapPlotOptions options = {}) {
  RowMatrix<double> hits = hit_map(som, X);
  for (Index i = 0; i < hits.size(); ++i)
    if (hits.data()[i] == 0) hits.data()[i] = std::numeric_limits<double>::quiet_NaN();
  if (options.title.empty()) options.title = "Hit map";
  if (options.colorbar_label.empty()) options.colorbar_label = "samples per unit";
  if (options.empty_label == "no value") options.empty_label = "no hits";
  plot_grid_map(som.grid(), hits, path, options);
}

/// Component planes (one weight per feature) as panels of one file, in the data's units (a Som
/// with params().scaling maps its scaled codebook back, see component_plane()). Draws
/// options.features, or with more than options.max_planes features (64 by default) the
/// max_planes of largest variance over the units (high_variance_features); the title then says
/// how many of how many ("64 of 11 441 features, largest variance").
/// \throws ParameterError if max_planes < 0 or a feature is not in [0, n_features).
template <typename Scalar>
void plot_component_planes(const Som<Scalar>& som, const std::string& path, ComponentPlaneOptions options = {}) {
  const char* call = "plot_component_planes";
  const Index D = som.n_features();
  detail::require(options.max_planes >= 0, call, "max_planes must be >= 0 (0 = every feature), got ",
                  options.max_planes);
  for (std::size_t k = 0; k < options.features.size(); ++k)
    detail::require(options.features[k] >= 0 && options.features[k] < D, call, "features[", k,
                    "] = ", options.features[k], " is not a feature of the Som (0 to ", D - 1, ")");
  const bool chosen = !options.features.empty();
  const std::vector<Index> features =
      chosen ? options.features : high_variance_features(som, options.max_planes > 0 ? options.max_planes : D);
  if (options.title.empty())
    options.title =
        som.params().scaling == Scaling::none ? "Component planes" : "Component planes (in the data's units)";
  if (Index(features.size()) < D)
    options.title += ": " + detail::grouped_count(Index(features.size())) + " of " + detail::grouped_count(D) +
                     " features" + (chosen ? "" : ", largest variance");
  if (options.name_prefix == "map") options.name_prefix = "feature";
  std::vector<RowMatrix<double>> planes;
  std::vector<std::string> names;
  for (const Index j : features) {
    planes.push_back(component_plane(som, j));
    names.push_back(std::size_t(j) < options.names.size() ? options.names[std::size_t(j)]
                                                          : options.name_prefix + " " + std::to_string(j + 1));
  }
  options.names = std::move(names);
  plot_grid_maps(som.grid(), planes, path, options);
}

/// Majority label of the samples per unit, with a legend of the classes. Labels may be any
/// integers (negative, not starting at 0, not contiguous): a class is coloured by its rank
/// among the distinct labels of y and named by its value (or options.class_names[label]), so
/// -1 is a class here, not noise. For labels 0..C-1 rank and label coincide.
template <typename Scalar>
void plot_classification_map(const Som<Scalar>& som, const BmuDataMap& map, const Labels& y, const std::string& path,
                             CategoryPlotOptions options = {}) {
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
    if (!std::isnan(v)) v = double(std::lower_bound(labels.begin(), labels.end(), Index(v)) - labels.begin());
  }
  options.class_names = std::move(names);
  plot_classification_map(som.grid(), classes, path, options);
}

/// Mean (or unbiased std, with Reduction::std) of a target per unit.
template <typename Scalar>
void plot_metric_map(const Som<Scalar>& som, const BmuDataMap& map, const Eigen::Ref<const Eigen::VectorXd>& target,
                     const std::string& path, MapPlotOptions options = {}, Reduction reduction = Reduction::mean) {
  const bool mean = reduction == Reduction::mean;
  if (options.title.empty())
    options.title = mean ? "Mean target value per unit" : "Standard deviation of the target per unit";
  if (options.colorbar_label.empty()) options.colorbar_label = mean ? "mean target" : "target std";
  plot_grid_map(som.grid(), metric_map(som, map, target, reduction), path, options);
}

/// Representativeness score per unit (lower = better).
template <typename Scalar>
void plot_score_map(const Som<Scalar>& som, const BmuDataMap& map, const Eigen::Ref<const Eigen::VectorXd>& target,
                    const std::string& path, MapPlotOptions options = {}, Index total_samples = 0) {
  if (options.title.empty()) options.title = "Unit representativeness";
  if (options.colorbar_label.empty()) options.colorbar_label = "score (lower = better)";
  plot_grid_map(som.grid(), score_map(som, map, target, total_samples), path, options);
}

/// Units ranked by the spread of their targets (1 = most homogeneous), the rank printed in
/// each cell that is large enough.
template <typename Scalar>
void plot_rank_map(const Som<Scalar>& som, const BmuDataMap& map, const Eigen::Ref<const Eigen::VectorXd>& target,
                   const std::string& path, MapPlotOptions options = {}) {
  if (options.title.empty()) options.title = "Units ranked by target std";
  if (options.colorbar_label.empty()) options.colorbar_label = "rank (1 = lowest std)";
  options.show_values = true;
  options.value_decimals = 0;
  plot_grid_map(som.grid(), rank_map(som, map, target), path, options);
}

/// Cluster label of every unit of a Som (Som::cluster / cluster_units), noise as "Uncertain".
template <typename Scalar>
void plot_cluster_map(const Som<Scalar>& som, const ClusterResult& result, const std::string& path,
                      CategoryPlotOptions options = {}) {
  if (options.title.empty()) options.title = detail::cluster_name(result, true);
  plot_cluster_map(som.grid(), result.labels, path, options);
}

/// Elbow analysis of a Som's units (Som::elbow): k-means inertia for k = 1..max_k in a feature
/// space, the elbow (elbow_k) marked. max_k = 0: up to 10; any max_k is capped at the units.
template <typename Scalar>
void plot_elbow(const Som<Scalar>& som, const std::string& path, Index max_k = 0,
                FeatureSpace space = FeatureSpace::weights, std::uint64_t seed = 0, const ChartOptions& options = {}) {
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

}  // namespace somtile::viz
