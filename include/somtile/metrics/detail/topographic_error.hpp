#pragma once
// The one topographic-error count of every map (classic, online, growing): samples whose two
// best units are not neighbours under the map's own adjacency rule.

#include "somtile/core/types.hpp"

namespace somtile::detail {

/// Samples whose best and second-best units are not neighbours, with `adjacent(a, b)` the
/// map's neighbour rule (Grid::adjacent for a classic map, touching cells for the growing
/// one). A second unit of -1 (a map with a single unit) never counts. Every topographic error
/// in somtile is this count over the number of samples.
template <typename Adjacent>
Index topographic_error_count(const Labels& bmu, const Labels& second, const Adjacent& adjacent) {
  Index errors = 0;
  for (Index i = 0; i < bmu.size(); ++i)
    if (second[i] >= 0 && !adjacent(bmu[i], second[i])) ++errors;
  return errors;
}

/// topographic_error_count as a fraction of the samples; 0 without samples or second units.
template <typename Adjacent>
double topographic_error_rate(const Labels& bmu, const Labels& second, const Adjacent& adjacent) {
  const Index n = bmu.size();
  if (n == 0 || second.size() != n) return 0.0;
  return double(topographic_error_count(bmu, second, adjacent)) / double(n);
}

}  // namespace somtile::detail
