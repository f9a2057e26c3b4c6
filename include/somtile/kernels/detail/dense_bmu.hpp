#pragma once
// The dense BMU search behind find_bmus (kernels/bmu.hpp): the GEMM micro-kernel for euclidean
// and cosine distances, a direct loop for manhattan and chebyshev. X and W have the same number
// of columns and W at least one row (callers validate).

#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/types.hpp"
#include "somtile/kernels/bmu_result.hpp"
#include "somtile/kernels/detail/bmu_search.hpp"

#include <algorithm>
#include <vector>

namespace somtile::detail {

template <typename Scalar>
BmuResult<Scalar> dense_bmus(ConstRowRef<Scalar> X, ConstRowRef<Scalar> W, Distance metric, bool with_second,
                             int n_threads) {
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
    detail::parallel_for_chunks(
        n, block, n_threads,
        [&](Index begin, Index end) {
          for (Index i = begin; i < end; ++i) {
            detail::TopTwo<Scalar> t = detail::direct_top_two<Scalar>(metric, X.row(i), W);
            if (t.best_unit < 0) t.best_unit = 0;  // every distance overflowed: a tie, lowest unit
            finish(i, t);
          }
        },
        double(n_units) * double(X.cols()));
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
  detail::parallel_for_chunks(
      groups, block, n_threads,
      [&](Index g0, Index g1) {
        detail::BmuScratch<Scalar>& b = scratch[std::size_t(detail::thread_slot())];
        for (Index gi = g0; gi < g1; ++gi) {
          const Index begin = gi * G, rows = std::min(G, n - begin);
          detail::search_group(kernel, form, panels, X, begin, rows, W, metric, with_second, b);
          for (Index l = 0; l < rows; ++l) finish(begin + l, b.top[std::size_t(l)]);
        }
      },
      double(G) * double(n_units) * double(X.cols()));
  return out;
}

}  // namespace somtile::detail
