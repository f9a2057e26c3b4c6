#pragma once
// A clustering's name in titles and bar labels, from the enums' name tables.

#include "somtile/cluster/som_cluster_types.hpp"

#include <cctype>
#include <string>

namespace somtile::detail {

inline std::string cluster_name(const ClusterResult& r, bool upper) {
  std::string method(enum_name(r.method));
  const std::string space(enum_name(r.feature_space));
  if (upper) {
    for (char& c : method) c = char(std::toupper(static_cast<unsigned char>(c)));
    return method + " clustering (" + space + " space), " + std::to_string(r.n_clusters) +
           " clusters";
  }
  return method + "_" + space;
}

}  // namespace somtile::detail
