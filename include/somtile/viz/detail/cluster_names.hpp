#pragma once
// A clustering's name in titles and bar labels, from the enums' name tables.

#include "somtile/cluster/som_cluster_types.hpp"

#include <string>

namespace somtile::detail {

/// A method as people write it: "k-means", "GMM", "HDBSCAN".
inline std::string method_display_name(ClusterMethod m) {
  switch (m) {
    case ClusterMethod::kmeans:
      return "k-means";
    case ClusterMethod::gmm:
      return "GMM";
    case ClusterMethod::hdbscan:
      return "HDBSCAN";
  }
  return std::string(enum_name(m));
}

/// display: "k-means clustering (weights), 3 clusters" for titles; otherwise "kmeans_weights"
/// (TorchSOM's bar labels, the enums' own names).
inline std::string cluster_name(const ClusterResult& r, bool display) {
  const std::string space(enum_name(r.feature_space));
  if (display)
    return method_display_name(r.method) + " clustering (" + space + "), " + std::to_string(r.n_clusters) +
           (r.n_clusters == 1 ? " cluster" : " clusters");
  return std::string(enum_name(r.method)) + "_" + space;
}

}  // namespace somtile::detail
