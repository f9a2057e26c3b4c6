#pragma once
// Map quality from one BMU pass.
//   quantization error: mean distance from each sample to its BMU (in the map's metric).
//   topographic error:  share of samples whose two best units are not grid neighbours
//                       (the 8 surrounding cells on a rectangular grid, 6 on a hexagonal one).
// The topographic function and product live in metrics/topographic_function.hpp.

#include "somtile/core/error.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/grid/grid.hpp"
#include "somtile/kernels/bmu.hpp"

namespace somtile {

namespace detail {

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

}  // namespace detail

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
                              "the BmuResult has no second-best units (", r.second.size(), " for ",
                              r.bmu.size(), " samples); search with with_second = true, e.g. Som::bmus(X, true)");
  return detail::topographic_error_rate(r.bmu, r.second,
                                        [&grid](Index a, Index b) { return grid.adjacent(a, b); });
}

}  // namespace somtile
