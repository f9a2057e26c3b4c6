#pragma once
// Grouping sample indices by their BMU: the BmuDataMap of a BMU pass.

#include "somtile/core/types.hpp"

#include <vector>

namespace somtile::detail {

/// The BmuDataMap (kernels/bmu_data_map.hpp) of a BMU pass over a map of n_units units.
template <typename = void>
std::vector<std::vector<Index>> samples_by_unit(const Labels& bmu, Index n_units) {
  std::vector<std::vector<Index>> map(static_cast<std::size_t>(n_units));
  for (Index i = 0; i < bmu.size(); ++i) map[std::size_t(bmu[i])].push_back(i);
  return map;
}

}  // namespace somtile::detail
