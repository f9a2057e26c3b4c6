#pragma once
// The unit -> samples map shared by the classic SOM's maps (bmus_data_map, som/maps.hpp) and
// the online trainer's projection (project_on_lattice, online/lattice.hpp).

#include "somtile/core/types.hpp"
#include "somtile/kernels/detail/samples_by_unit.hpp"

#include <vector>

namespace somtile {

/// Unit -> indices of the samples whose BMU it is, ascending sample order; every unit has an
/// entry (empty without samples). LatticeProjection is the same type under NumbaSOM's name.
using BmuDataMap = std::vector<std::vector<Index>>;

}  // namespace somtile
