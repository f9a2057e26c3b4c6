#pragma once
// The searches behind the lattice helpers of online/lattice.hpp: NumbaSOM's `normalize`
// (X and the lattice min-max scaled by X), the nearest unit to every sample, and the nearest
// sample to every unit when X has missing cells.

#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/types.hpp"
#include "somtile/kernels/bmu.hpp"
#include "somtile/kernels/detail/masked_distance.hpp"
#include "somtile/online/detail/online_step.hpp"  // present_range

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace somtile::detail {

/// NumbaSOM's `normalize`: every feature min-max scaled to [0, 1] by the min and max of X (a
/// constant feature becomes 0), applied to X and to the lattice's vectors alike, so distances
/// are measured in the [0, 1] units a normalize = true training used (OnlineSom::train returns
/// its lattice in the data's units; NumbaSOM returns it scaled).
template <typename Scalar>
std::pair<RowMatrix<Scalar>, RowMatrix<Scalar>> minmax_scaled(DataRef<Scalar> X, const RowMatrix<Scalar>& W) {
  // NaN cells of X (Missing::mask) stay NaN and do not count towards the min and max.
  std::pair<RowMatrix<Scalar>, RowMatrix<Scalar>> out{X, W};
  const auto [lows, highs] = present_range<Scalar>(out.first);
  for (Index j = 0; j < X.cols(); ++j) {
    const Scalar lo = lows[j], hi = highs[j];
    const Scalar range = hi - lo;
    for (RowMatrix<Scalar>* M : {&out.first, &out.second}) {
      if (range > Scalar(0)) {
        M->col(j).array() = (M->col(j).array() - lo) / range;
      } else {
        for (Index i = 0; i < M->rows(); ++i)
          if (!std::isnan((*M)(i, j))) (*M)(i, j) = Scalar(0);
      }
    }
  }
  return out;
}

/// The nearest unit of `codebook` (a Lattice's) to every row of X, Euclidean, lowest unit on
/// ties; with normalize, in minmax_scaled units.
template <typename Scalar>
Labels lattice_bmus(DataRef<Scalar> X, const RowMatrix<Scalar>& codebook, bool normalize, int n_threads,
                    Missing missing) {
  if (!normalize) return detail::masked_bmus<Scalar>(X, codebook, Distance::euclidean, false, n_threads, missing).bmu;
  const auto [Xs, Ws] = minmax_scaled<Scalar>(X, codebook);
  return detail::masked_bmus<Scalar>(Xs, Ws, Distance::euclidean, false, n_threads, missing).bmu;
}

/// Per row of W, the index of the nearest row of X (Euclidean, lowest index on ties), where X
/// has NaN cells (Missing::mask): the rows of X without NaN by the GEMM search, the others by
/// the masked distance, each unit keeping the nearer of the two (the lower index on equal
/// distances).
template <typename Scalar>
Labels nearest_samples_masked(DataRef<Scalar> X, const RowMatrix<Scalar>& W, int n_threads) {
  std::vector<Index> complete, gapped;
  for (Index i = 0; i < X.rows(); ++i) (X.row(i).array().isNaN().any() ? gapped : complete).push_back(i);
  const Index units = W.rows();
  Labels best = Labels::Constant(units, -1);
  Vector<Scalar> best_d = Vector<Scalar>::Constant(units, std::numeric_limits<Scalar>::infinity());
  if (!complete.empty()) {
    RowMatrix<Scalar> Xc(Index(complete.size()), X.cols());
    for (std::size_t k = 0; k < complete.size(); ++k) Xc.row(Index(k)) = X.row(complete[k]);
    const BmuResult<Scalar> r = detail::dense_bmus<Scalar>(W, Xc, Distance::euclidean, false, n_threads);
    for (Index u = 0; u < units; ++u) {
      best[u] = complete[std::size_t(r.bmu[u])];
      best_d[u] = r.distance[u];
    }
  }
  parallel_for(units, n_threads, [&](Index u) {
    for (Index i : gapped) {
      const Scalar d = masked_distance<Scalar>(Distance::euclidean, X.row(i), W.row(u));
      if (d < best_d[u] || (d == best_d[u] && (best[u] < 0 || i < best[u]))) {
        best_d[u] = d;
        best[u] = i;
      }
    }
    if (best[u] < 0) best[u] = gapped.front();  // every distance overflowed: lowest index
  });
  return best;
}

}  // namespace somtile::detail
