#pragma once
// Batch-style updates from per-unit sums: smooth_unit_sums, the neighbourhood-weighted
// statistics every batch update (classic batch SOM, growing SOM, distributed training) uses.

#include "somtile/grid/neighborhood.hpp"
#include "somtile/kernels/detail/smoother.hpp"
#include "somtile/kernels/unit_sums.hpp"

namespace somtile {

/// Smooths per-unit sums with the kernel table h (separable fast path for the Gaussian).
template <typename Scalar>
SmoothedSums<Scalar> smooth_unit_sums(const NeighborhoodTable& h, const UnitSums<Scalar>& s, int n_threads = 0) {
  RowMatrix<Scalar> out;
  detail::Smoother<Scalar>(h).smooth(detail::compact(s), out, n_threads);
  const Index F = s.sums.cols();
  return {out.leftCols(F), out.col(F)};
}

}  // namespace somtile
