#pragma once
// Plots of a clustering of the units (ClusterResult), whatever model it came from: silhouette
// analysis and a comparison of several clusterings.

#include "somtile/cluster/som_cluster_types.hpp"
#include "somtile/metrics/clustering.hpp"
#include "somtile/viz/charts.hpp"
#include "somtile/viz/detail/cluster_names.hpp"
#include "somtile/viz/detail/message_panel.hpp"
#include "somtile/viz/plot_options.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace somtile::viz {

/// Silhouette analysis of a clustering of units, in the feature space that was clustered. With
/// fewer than two clusters the file holds a panel saying so (no exception).
inline void plot_silhouette(const ClusterResult& result, const std::string& path, ChartOptions options = {}) {
  if (options.title.empty()) options.title = "Silhouette: " + detail::cluster_name(result, true);
  std::vector<Index> clusters;
  for (Index i = 0; i < result.labels.size(); ++i)
    if (result.labels[i] >= 0 && std::find(clusters.begin(), clusters.end(), result.labels[i]) == clusters.end())
      clusters.push_back(result.labels[i]);
  if (clusters.size() < 2) {
    detail::check_path("plot_silhouette", path);
    detail::message_panel(path, options.title,
                          clusters.empty() ? "Every unit is noise: no clusters, so no silhouette"
                                           : "Only one cluster: a silhouette needs at least two",
                          options);
    return;
  }
  plot_silhouette(silhouette_samples(result.features, result.labels), result.labels, path, options);
}

/// Silhouette, Davies–Bouldin, Calinski–Harabasz and cluster count of several clusterings,
/// labelled method_space.
inline void plot_cluster_quality_comparison(const std::vector<ClusterResult>& results, const std::string& path,
                                            const ChartOptions& options = {}) {
  std::vector<ClusterQuality> q;
  for (const auto& r : results)
    q.push_back({detail::cluster_name(r, false), r.metrics.silhouette, r.metrics.davies_bouldin,
                 r.metrics.calinski_harabasz, r.n_clusters});
  plot_cluster_quality_comparison(q, path, options);
}

}  // namespace somtile::viz
