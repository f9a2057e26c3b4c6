#pragma once
// Map quality from one BMU pass.
//   quantization error: mean distance from each sample to its BMU (in the map's metric).
//   topographic error:  share of samples whose two best units are not grid neighbours
//                       (the 8 surrounding cells on a rectangular grid, 6 on a hexagonal one).
// The topographic function and product live in metrics/topographic_function.hpp.

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/error.hpp"
#include "somtile/grid/grid.hpp"
#include "somtile/kernels/bmu.hpp"
#include "somtile/metrics/detail/topographic_error.hpp"

namespace somtile {

/// Mean BMU distance, summed in sample order (deterministic).
template <typename Scalar>
double quantization_error(const BmuResult<Scalar>& r) {
  double sum = 0.0;
  for (Index i = 0; i < r.distance.size(); ++i) sum += double(r.distance[i]);
  return r.distance.size() ? sum / double(r.distance.size()) : 0.0;
}

/// Fraction in [0, 1]; needs a BmuResult computed with the second-best unit. A map with a
/// single unit has no second unit (-1) and a topographic error of 0.
/// \throws InputError if `r` has no second-best units (searched with with_second = false):
///         a silent 0 would look like a perfect map.
template <typename Scalar>
double topographic_error(const BmuResult<Scalar>& r, const Grid& grid) {
  detail::require<InputError>(r.second.size() == r.bmu.size(), "topographic_error",
                              "the BmuResult has no second-best units (", r.second.size(), " for ", r.bmu.size(),
                              " samples); search with with_second = true, e.g. Som::bmus(X, true)");
  return detail::topographic_error_rate(r.bmu, r.second, [&grid](Index a, Index b) { return grid.adjacent(a, b); });
}

}  // namespace somtile
