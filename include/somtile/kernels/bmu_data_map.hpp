#pragma once
// The unit -> samples map shared by the classic SOM's maps (bmus_data_map, som/maps.hpp) and
// the online trainer's projection (project_on_lattice, online/lattice.hpp).

#include "somtile/core/types.hpp"

#include <vector>

namespace somtile {

/// Unit -> indices of the samples whose BMU it is, ascending sample order; every unit has an
/// entry (empty without samples). LatticeProjection is the same type under NumbaSOM's name.
using BmuDataMap = std::vector<std::vector<Index>>;

namespace detail {

/// The BmuDataMap of a BMU pass over a map of n_units units.
template <typename = void>
BmuDataMap samples_by_unit(const Labels& bmu, Index n_units) {
  BmuDataMap map(static_cast<std::size_t>(n_units));
  for (Index i = 0; i < bmu.size(); ++i) map[std::size_t(bmu[i])].push_back(i);
  return map;
}

}  // namespace detail
}  // namespace somtile
