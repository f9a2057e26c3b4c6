#pragma once
// The masked BMU search behind find_bmus (kernels/bmu.hpp) with Missing::mask: complete rows
// go through the dense GEMM search (dense_bmu.hpp), gathered in a block; rows with NaN take an exact loop over the
// units (MaskedRow::distances, kernels/ detail/masked_distance.hpp; ties to the lowest unit index, as the dense
// search). With Missing::reject, or with no NaN in X, it is the dense search itself.

#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/detail/validate.hpp"  // has_missing
#include "somtile/core/types.hpp"
#include "somtile/kernels/bmu_result.hpp"
#include "somtile/kernels/detail/bmu_search.hpp"
#include "somtile/kernels/detail/dense_bmu.hpp"
#include "somtile/kernels/detail/masked_distance.hpp"

#include <algorithm>
#include <vector>

namespace somtile::detail {

template <typename Scalar>
BmuResult<Scalar> masked_bmus(ConstRowRef<Scalar> X, ConstRowRef<Scalar> W, Distance metric, bool with_second,
                              int n_threads, Missing missing) {
  if (missing == Missing::reject || !detail::has_missing(X))
    return dense_bmus<Scalar>(X, W, metric, with_second, n_threads);
  const Index n = X.rows(), n_units = W.rows(), F = X.cols();
  std::vector<Index> complete, incomplete;
  for (Index i = 0; i < n; ++i) (X.row(i).hasNaN() ? incomplete : complete).push_back(i);

  BmuResult<Scalar> out;
  out.bmu.resize(n);
  out.distance.resize(n);
  if (with_second) out.second.resize(n);
  if (!complete.empty()) {
    RowMatrix<Scalar> block(Index(complete.size()), F);
    for (std::size_t k = 0; k < complete.size(); ++k) block.row(Index(k)) = X.row(complete[k]);
    const BmuResult<Scalar> r = dense_bmus<Scalar>(block, W, metric, with_second, n_threads);
    for (std::size_t k = 0; k < complete.size(); ++k) {
      out.bmu[complete[k]] = r.bmu[Index(k)];
      out.distance[complete[k]] = r.distance[Index(k)];
      if (with_second) out.second[complete[k]] = r.second[Index(k)];
    }
  }
  const Index m = Index(incomplete.size());
  const Index threads = detail::resolve_threads(n_threads);
  const Index block = std::max<Index>(16, (m + 4 * threads - 1) / (4 * threads));
  const RowMatrix<Scalar> Wt = W.transpose();  // features x units: MaskedRow::distances runs along units
  detail::parallel_for_chunks(
      m, block, n_threads,
      [&](Index begin, Index end) {
        detail::MaskedRow<Scalar> row;
        std::vector<Scalar> d(static_cast<std::size_t>(n_units)), scratch(static_cast<std::size_t>(n_units));
        for (Index k = begin; k < end; ++k) {
          const Index i = incomplete[std::size_t(k)];
          row.set(X.row(i));
          row.distances(metric, W, Wt, d.data(), scratch.data());
          detail::TopTwo<Scalar> t;
          for (Index u = 0; u < n_units; ++u) t.offer(d[std::size_t(u)], u);
          if (t.best_unit < 0) t.best_unit = 0;  // every distance overflowed: a tie, lowest unit
          out.bmu[i] = t.best_unit;
          out.distance[i] = t.best;
          if (with_second) out.second[i] = t.next_unit;
        }
      },
      double(n_units) * double(F));
  return out;
}

}  // namespace somtile::detail
