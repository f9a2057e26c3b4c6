#pragma once
// ClusterSelection: how HDBSCAN reads flat clusters off its condensed tree. Its own header so
// that the parameters of clustering a map's units (som_cluster_types.hpp) can name it without
// including HDBSCAN.

#include "somtile/core/enum_names.hpp"

#include <array>
#include <string_view>

namespace somtile {

/// How flat clusters are read off the condensed tree.
enum class ClusterSelection {
  eom,  ///< excess of mass: the most persistent clusters (the usual choice)
  leaf  ///< the leaves of the condensed tree: many small homogeneous clusters
};
template <>
struct EnumNames<ClusterSelection> {
  static constexpr std::array<std::string_view, 2> names{"eom", "leaf"};
};

}  // namespace somtile
