#pragma once
// Every picture of a trained Som in one call (TorchSOM's plot_all, plus the pictures TorchSOM
// leaves out of it: the classification map and the clustering plots).

#include "somtile/cluster/som_cluster.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/som/maps.hpp"
#include "somtile/som/som.hpp"
#include "somtile/viz/cluster_plots.hpp"
#include "somtile/viz/som_plots.hpp"

#include <cmath>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace somtile::viz {

/// What plot_all draws besides the maps it always draws.
struct PlotAllOptions {
  std::vector<std::string> feature_names;  ///< component plane titles; empty = "feature 1", ...
  /// A numeric target per sample (a price, a yield: values whose mean and spread mean something),
  /// for mean_target_map, std_target_map, score_map and rank_map; empty = none of them. Class
  /// labels are not such a target: the mean of digits 1 and 7 is no digit 4. For labels that are
  /// numbers (an ordinal rating), pass them here as values.
  Eigen::VectorXd target;
  TrainingHistory history;  ///< Som::fit's result; empty = no training_errors.svg
  ClusterParams cluster;    ///< the clustering behind cluster_map.svg and silhouette.svg
  UMatrixOptions u_matrix;  ///< u_matrix.svg (mean distance to the neighbours by default)
  /// component_planes.svg: which planes (at most 64, the largest variance, by default) and
  /// their look; names empty = feature_names.
  ComponentPlaneOptions component_planes;
};

/// Draws every picture of a trained Som into `dir` (created if missing) and returns the paths
/// written, in this order:
///   u_matrix.svg, component_planes.svg, hit_map.svg          always
///   training_errors.svg                                       when options.history has errors
///   classification_map.svg                                    when y has one label per sample
///   mean_target_map.svg, std_target_map.svg,                  when options.target has one value
///   score_map.svg, rank_map.svg                               per sample
///   elbow.svg, cluster_map.svg, silhouette.svg                when the map has at least 2 units
/// y may be empty (no classification map). The silhouette file says so when the clustering
/// found fewer than two clusters.
/// \throws InputError if X does not fit the Som, y or options.target is neither empty nor one
///         per sample, the target is not finite, or dir cannot be created; NotFittedError before
///         the Som has weights.
template <typename Scalar>
std::vector<std::string> plot_all(const Som<Scalar>& som, DataRef<Scalar> X, const Labels& y, const std::string& dir,
                                  const PlotAllOptions& options = {}) {
  const char* call = "plot_all";
  detail::check_data(call, X, som.n_features(), "Som", som.params().missing);
  detail::require<InputError>(y.size() == 0 || y.size() == X.rows(), call, "y has ", y.size(), " labels, but X has ",
                              X.rows(), " samples (pass an empty y for no classification map)");
  const Eigen::VectorXd& target = options.target;
  detail::require<InputError>(target.size() == 0 || target.size() == X.rows(), call, "options.target has ",
                              target.size(), " values, but X has ", X.rows(),
                              " samples (leave it empty for no target maps)");
  for (Index i = 0; i < target.size(); ++i)
    detail::require<InputError>(std::isfinite(target[i]), call, "options.target must be finite, but sample ", i, " is ",
                                target[i]);
  (void)som.weights();  // NotFittedError before anything is written
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  detail::require<InputError>(!ec, call, "cannot create directory '", dir, "': ", ec.message());
  std::vector<std::string> written;
  auto file = [&](const char* name) -> const std::string& {
    return written.emplace_back((std::filesystem::path(dir) / name).string());
  };

  plot_u_matrix(som, file("u_matrix.svg"), options.u_matrix);
  ComponentPlaneOptions planes = options.component_planes;
  if (planes.names.empty()) planes.names = options.feature_names;
  plot_component_planes(som, file("component_planes.svg"), planes);
  plot_hit_map(som, X, file("hit_map.svg"));
  if (!options.history.quantization_errors.empty() || !options.history.topographic_errors.empty())
    plot_training_errors(options.history, file("training_errors.svg"));
  const BmuDataMap map = y.size() > 0 || target.size() > 0 ? bmus_data_map(som, X) : BmuDataMap{};
  if (y.size() > 0) plot_classification_map(som, map, y, file("classification_map.svg"));
  if (target.size() > 0) {
    plot_metric_map(som, map, target, file("mean_target_map.svg"), {}, Reduction::mean);
    plot_metric_map(som, map, target, file("std_target_map.svg"), {}, Reduction::std);
    plot_score_map(som, map, target, file("score_map.svg"));
    plot_rank_map(som, map, target, file("rank_map.svg"));
  }
  if (som.n_units() >= 2) {
    const ClusterParams& c = options.cluster;
    plot_elbow(som, file("elbow.svg"), c.max_k, c.feature_space, c.seed);
    const ClusterResult r = som.cluster(c);
    plot_cluster_map(som, r, file("cluster_map.svg"));
    plot_silhouette(r, file("silhouette.svg"));
  }
  return written;
}

}  // namespace somtile::viz
