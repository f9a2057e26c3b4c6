#pragma once
// Best-matching-unit search: for every sample, the nearest unit of a codebook W
// (units x features) and optionally the second nearest.
//
// Euclidean and cosine distances are a GEMM: ||x - w||^2 = ||x||^2 - 2 x.w + ||w||^2, so the
// argmin over units of (||w||^2 - 2 x.w) needs one matrix product. Its micro-kernel
// (kernels/detail/score_kernel.hpp) takes a group of a few dozen samples at a time and scans
// the scores for the two best units while they are in registers, so memory stays
// O(group x units) per thread; blocks of groups run in parallel.
// The reported distance to the BMU is recomputed directly from x - w, which keeps it exact
// where the expanded form would cancel. Manhattan and Chebyshev use a plain loop.
// Ties go to the lowest unit index.
// With missing values (NaN cells, BmuSearch::missing = Missing::mask) the GEMM search serves the
// complete rows; the others take the same micro-kernel on [x0 | mask] for euclidean distance
// (exact masked distances settle its near ties) and an exact masked loop for the other metrics.
// The bodies are kernels/detail/dense_bmu.hpp and kernels/detail/masked_bmu.hpp.

#include "somtile/core/types.hpp"
#include "somtile/kernels/bmu_result.hpp"
#include "somtile/kernels/detail/bmu_search.hpp"  // pair_distance
#include "somtile/kernels/detail/dense_bmu.hpp"
#include "somtile/kernels/detail/masked_bmu.hpp"

#include <algorithm>
#include <vector>

namespace somtile {

/// Distance between two vectors in the given metric (the naive definition the kernels match).
template <typename Scalar, typename RowA, typename RowB>
Scalar distance(Distance metric, const RowA& a, const RowB& b) {
  return detail::pair_distance<Scalar>(metric, a, b);
}

/// Nearest (and, with SecondBmu::find, second-nearest) unit of W for every row of X:
/// `find_bmus<double>(X, W, {Distance::cosine, SecondBmu::find})`.
/// X and W must have the same number of columns and W at least one row (callers validate).
/// With Missing::mask, NaN cells of X are missing values and distances are masked: over the
/// present features p of F, scaled by F / p (definitions at the top of
/// kernels/detail/masked_distance.hpp); every row then needs a present feature and X no
/// infinite value, and the reported distances are masked distances. The masked search is
/// bit-identical to the dense one when X has no NaN. Identical for any thread count.
template <typename Scalar>
BmuResult<Scalar> find_bmus(ConstRowRef<Scalar> X, ConstRowRef<Scalar> W, const BmuSearch& search = {}) {
  const bool with_second = search.second == SecondBmu::find;
  return search.missing == Missing::mask
             ? detail::masked_bmus<Scalar>(X, W, search.metric, with_second, search.n_threads, search.missing)
             : detail::dense_bmus<Scalar>(X, W, search.metric, with_second, search.n_threads);
}

/// find_bmus with this distance and the other settings at their defaults (no second BMU);
/// also what `find_bmus(X, W, {metric})` calls.
template <typename Scalar>
BmuResult<Scalar> find_bmus(ConstRowRef<Scalar> X, ConstRowRef<Scalar> W, Distance metric) {
  return find_bmus<Scalar>(X, W, BmuSearch{metric});
}

/// Deprecated: find_bmus(X, W, {metric, SecondBmu::find, n_threads}) says what the flag means.
template <typename Scalar>
[[deprecated("use find_bmus(X, W, BmuSearch{metric, SecondBmu::find or skip, n_threads})")]] BmuResult<Scalar>
find_bmus(ConstRowRef<Scalar> X, ConstRowRef<Scalar> W, Distance metric, bool with_second, int n_threads = 0) {
  return detail::dense_bmus<Scalar>(X, W, metric, with_second, n_threads);
}

/// Deprecated: find_bmus(X, W, {metric, SecondBmu::find, n_threads, missing}).
template <typename Scalar>
[[deprecated("use find_bmus(X, W, BmuSearch{metric, SecondBmu::find or skip, n_threads, missing})")]] BmuResult<Scalar>
find_bmus(ConstRowRef<Scalar> X, ConstRowRef<Scalar> W, Distance metric, bool with_second, int n_threads,
          Missing missing) {
  return detail::masked_bmus<Scalar>(X, W, metric, with_second, n_threads, missing);
}

}  // namespace somtile
