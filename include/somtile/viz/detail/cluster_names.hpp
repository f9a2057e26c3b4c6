#pragma once
// Display names of a clustering (method and feature space) in titles and bar labels. Apart from
// names.hpp only for compile time: it needs ClusterResult and so the clustering header.

#include "somtile/cluster/som_cluster.hpp"

#include <cctype>
#include <string>

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
