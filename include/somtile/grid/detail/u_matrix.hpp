#pragma once
// The one U-matrix computation behind every map: per unit, the mean (or sum) of the distances
// from its weight vector to those of its neighbours. The callers differ on purpose only in
// what they pass in:
//   u_matrix(Som)          neighbours: Grid rings up to `order` (wrapped on a torus);
//                          distance: the SOM's metric (TorchSOM's definition); sum or mean
//   u_matrix(Lattice)      neighbours: the 8 surrounding cells (wrapped on a torus);
//                          distance: Euclidean in the codebook's scalar (NumbaSOM's); mean
//   growing average_distance  neighbours: the 4 lattice links; distance: Euclidean in double
//                          (dbgsom's average distance); mean

#include "somtile/core/types.hpp"

namespace somtile::detail {

/// Per unit u in [0, n_units): the distances distance(u, v) for v in neighbors(u), added in
/// list order and divided by their number when `mean`; 0 for a unit without neighbours.
template <typename Neighbors, typename Distance>
Vector<double> neighbor_distances(Index n_units, const Neighbors& neighbors, const Distance& distance, bool mean) {
  Vector<double> out(n_units);
  for (Index unit = 0; unit < n_units; ++unit) {
    const auto around = neighbors(unit);
    double sum = 0;
    for (Index v : around) sum += distance(unit, v);
    out[unit] = mean && !around.empty() ? sum / double(around.size()) : sum;
  }
  return out;
}

}  // namespace somtile::detail
