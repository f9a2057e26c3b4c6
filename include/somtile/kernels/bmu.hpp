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
// With missing values (NaN cells, Missing::mask) the overload taking a Missing keeps the GEMM
// search for complete rows and takes an exact masked loop for the others.

#include "somtile/core/types.hpp"
#include "somtile/kernels/detail/bmu_search.hpp"
#include "somtile/core/detail/parallel.hpp"

#include <algorithm>
#include <vector>

namespace somtile {

template <typename Scalar>
/// Best-matching units of every sample (find_bmus).
struct BmuResult {
  Labels bmu;                ///< nearest unit per sample
  Labels second;             ///< second-nearest unit per sample (empty unless requested; -1 with one unit)
  Vector<Scalar> distance;   ///< distance from each sample to its BMU, in the chosen metric
};

/// Distance between two vectors in the given metric (the naive definition the kernels match).
template <typename Scalar, typename RowA, typename RowB>
Scalar distance(Distance metric, const RowA& a, const RowB& b) {
  return detail::pair_distance<Scalar>(metric, a, b);
}

/// Nearest (and optionally second-nearest) unit of W for every row of X.
/// X and W must have the same number of columns and W at least one row (callers validate).
template <typename Scalar>
BmuResult<Scalar> find_bmus(ConstRowRef<Scalar> X, ConstRowRef<Scalar> W,
                            Distance metric = Distance::euclidean, bool with_second = false,
                            int n_threads = 0) {
  const Index n = X.rows(), n_units = W.rows();
  BmuResult<Scalar> out;
  out.bmu.resize(n);
  out.distance.resize(n);
  if (with_second) out.second.resize(n);
  const auto finish = [&](Index i, const detail::TopTwo<Scalar>& t) {
    out.bmu[i] = t.best_unit;
    out.distance[i] = detail::pair_distance<Scalar>(metric, X.row(i), W.row(t.best_unit));
    if (with_second) out.second[i] = t.next_unit;
  };
  const Index threads = detail::resolve_threads(n_threads);
  if (metric != Distance::euclidean && metric != Distance::cosine) {
    const Index block = std::max<Index>(32, (n + 4 * threads - 1) / (4 * threads));
    detail::parallel_for_chunks(n, block, n_threads, [&](Index begin, Index end) {
      for (Index i = begin; i < end; ++i) {
        detail::TopTwo<Scalar> t = detail::direct_top_two<Scalar>(metric, X.row(i), W);
        if (t.best_unit < 0) t.best_unit = 0;  // every distance overflowed: a tie, lowest unit
        finish(i, t);
      }
    }, double(n_units) * double(X.cols()));
    return out;
  }
  detail::ScoreForm<Scalar> form;
  form.build(W, metric);
  const detail::ScoreKernel<Scalar> kernel = detail::score_kernel<Scalar>();
  std::vector<Scalar> panels;
  detail::pack_panels(form.prototypes(W, metric), kernel.mr, panels);
  // Samples go through the kernel a group at a time (its tile of scores stays in cache); the
  // groups are split into blocks, enough of them to keep every thread busy.
  const Index G = kernel.group, groups = (n + G - 1) / G;
  const Index block = std::clamp<Index>(groups / (4 * threads), 1, std::max<Index>(1, 1024 / G));
  std::vector<detail::BmuScratch<Scalar>> scratch(static_cast<std::size_t>(threads));
  detail::parallel_for_chunks(groups, block, n_threads, [&](Index g0, Index g1) {
    detail::BmuScratch<Scalar>& b = scratch[std::size_t(detail::thread_slot())];
    for (Index gi = g0; gi < g1; ++gi) {
      const Index begin = gi * G, rows = std::min(G, n - begin);
      detail::search_group(kernel, form, panels, X, begin, rows, W, metric, with_second, b);
      for (Index l = 0; l < rows; ++l) finish(begin + l, b.top[std::size_t(l)]);
    }
  }, double(G) * double(n_units) * double(X.cols()));
  return out;
}

/// find_bmus where, with Missing::mask, NaN cells of X are missing values and distances are
/// masked: over the present features p of F, scaled by F / p (definitions at the top of
/// kernels/detail/masked_distance.hpp). Every row needs a present feature and X no infinite
/// value (callers validate: detail::check_data with Missing). Reported distances are masked
/// distances. Bit-identical to find_bmus when missing is reject or X has no NaN, and identical
/// for any thread count.
template <typename Scalar>
BmuResult<Scalar> find_bmus(ConstRowRef<Scalar> X, ConstRowRef<Scalar> W, Distance metric, bool with_second,
                            int n_threads, Missing missing);

}  // namespace somtile

// The masked overload's body (after the dense search it calls).
#include "somtile/kernels/detail/masked_bmu.hpp"
