#pragma once
// Map quality from one BMU pass.
//   quantization error: mean distance from each sample to its BMU (in the map's metric).
//   topographic error:  share of samples whose two best units are not grid neighbours
//                       (the 8 surrounding cells on a rectangular grid, 6 on a hexagonal one).

#include "somtile/grid/topology.hpp"
#include "somtile/kernels/bmu.hpp"

namespace somtile {

/// Mean BMU distance, summed in sample order (deterministic).
template <typename Scalar>
double quantization_error(const BmuResult<Scalar>& r) {
  double sum = 0.0;
  for (Index i = 0; i < r.distance.size(); ++i) sum += double(r.distance[i]);
  return r.distance.size() ? sum / double(r.distance.size()) : 0.0;
}

/// Fraction in [0, 1]; needs a BmuResult computed with the second-best unit. A map with a
/// single unit has no second unit and a topographic error of 0.
template <typename Scalar>
double topographic_error(const BmuResult<Scalar>& r, const Grid& grid) {
  const Index n = r.bmu.size();
  if (n == 0 || r.second.size() != n) return 0.0;
  Index errors = 0;
  for (Index i = 0; i < n; ++i)
    if (r.second[i] >= 0 && !grid.adjacent(r.bmu[i], r.second[i])) ++errors;
  return double(errors) / double(n);
}

}  // namespace somtile
