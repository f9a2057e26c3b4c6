#pragma once
// Best-matching-unit search: for every sample, the nearest unit of a codebook W
// (units x features) and optionally the second nearest.
//
// Euclidean and cosine distances are a GEMM: ||x - w||^2 = ||x||^2 - 2 x.w + ||w||^2, so the
// argmin over units of (||w||^2 - 2 x.w) needs one matrix product. Samples are processed in
// blocks of a few hundred rows, so memory stays O(block x units) and blocks run in parallel.
// The reported distance to the BMU is recomputed directly from x - w, which keeps it exact
// where the expanded form would cancel. Manhattan and Chebyshev use a plain loop.
// Ties go to the lowest unit index.

#include "somtile/core/types.hpp"
#include "somtile/kernels/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace somtile {

template <typename Scalar>
struct BmuResult {
  Labels bmu;                ///< nearest unit per sample
  Labels second;             ///< second-nearest unit per sample (empty unless requested; -1 with one unit)
  Vector<Scalar> distance;   ///< distance from each sample to its BMU, in the chosen metric
};

namespace detail {

/// Rows per block so that one block of scores holds about 2^19 values (4 MiB in double).
inline Index bmu_block_rows(Index n_units) {
  return std::clamp<Index>((Index(1) << 19) / std::max<Index>(n_units, 1), 32, 4096);
}

/// Tracks the smallest and second-smallest score; strict '<' keeps the lowest index on ties.
template <typename Scalar>
struct TopTwo {
  Scalar best = std::numeric_limits<Scalar>::infinity();
  Scalar next = std::numeric_limits<Scalar>::infinity();
  Index best_unit = -1;
  Index next_unit = -1;
  void offer(Scalar score, Index unit) {
    if (score < best) {
      next = best;
      next_unit = best_unit;
      best = score;
      best_unit = unit;
    } else if (score < next) {
      next = score;
      next_unit = unit;
    }
  }
  void offer_second(Scalar score, Index unit) {
    if (score < next) {
      next = score;
      next_unit = unit;
    }
  }
};

/// Euclidean norm; when the squares overflow (huge values, above all in float), Eigen's
/// scaled stableNorm, so a representable norm is returned as such instead of inf.
template <typename Row>
auto robust_norm(const Row& v) {
  const auto n = v.norm();
  return std::isfinite(n) ? n : v.stableNorm();
}

template <typename Scalar, typename RowA, typename RowB>
Scalar pair_distance(Distance metric, const RowA& x, const RowB& w) {
  switch (metric) {
    case Distance::euclidean: return robust_norm(x - w);
    case Distance::manhattan: return (x - w).cwiseAbs().sum();
    case Distance::chebyshev: return (x - w).cwiseAbs().maxCoeff();
    case Distance::cosine: {
      const Scalar nx = robust_norm(x), nw = robust_norm(w);
      if (nx == Scalar(0) || nw == Scalar(0)) return Scalar(1);
      Scalar cosine = x.dot(w) / (nx * nw);
      if (!std::isfinite(cosine)) cosine = (x / nx).dot(w / nw);  // the product overflowed
      return std::clamp(Scalar(1) - cosine, Scalar(0), Scalar(2));
    }
  }
  return Scalar(0);
}

}  // namespace detail

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

  const bool gemm = metric == Distance::euclidean || metric == Distance::cosine;
  // For cosine, compare against unit-length prototypes: argmax x.w/|w| (|x| is constant per row).
  RowMatrix<Scalar> W_unit;
  Vector<Scalar> bias(n_units);  // score = bias - scale * x.w
  Scalar scale = Scalar(2);
  if (metric == Distance::cosine) {
    W_unit = W;
    for (Index u = 0; u < n_units; ++u) {
      const Scalar norm = detail::robust_norm(W.row(u));
      if (norm > Scalar(0)) W_unit.row(u) /= norm;
    }
    bias.setZero();
    scale = Scalar(1);
  } else if (gemm) {
    bias = W.rowwise().squaredNorm();
  }
  const ConstRowRef<Scalar> P =  // prototypes in the product
      metric == Distance::cosine ? ConstRowRef<Scalar>(W_unit) : W;

  const Scalar max_bias = gemm && n_units ? bias.cwiseAbs().maxCoeff() : Scalar(0);
  const Scalar rounding_scale = Scalar(64) * std::numeric_limits<Scalar>::epsilon();
  // Enough blocks to keep every thread busy on small inputs (mini-batches).
  const Index threads = detail::resolve_threads(n_threads);
  const Index block = std::min(detail::bmu_block_rows(n_units),
                               std::max<Index>(32, (n + 2 * threads - 1) / (2 * threads)));
  detail::parallel_for_chunks(n, block, n_threads, [&](Index begin, Index end) {
    const Index rows = end - begin;
    RowMatrix<Scalar> scores;
    if (gemm) {
      scores.resize(rows, n_units);
      scores.noalias() = X.middleRows(begin, rows) * P.transpose();
    }
    for (Index i = 0; i < rows; ++i) {
      const auto x = X.row(begin + i);
      detail::TopTwo<Scalar> top;
      if (gemm) {
        const Scalar* s = scores.data() + i * n_units;
        for (Index u = 0; u < n_units; ++u) top.offer(bias[u] - scale * s[u], u);
        // The expanded form rounds differently per unit; when the runners-up are within
        // rounding of the best, decide among them with direct distances (ties: lowest index).
        const Scalar slack = rounding_scale * (x.squaredNorm() + max_bias + Scalar(1));
        if (!std::isfinite(slack) || top.best_unit < 0) {
          // Squares overflowed (huge values): the expanded scores are inf or NaN, so compare
          // direct distances, which stay finite wherever the true distance is representable.
          top = detail::TopTwo<Scalar>{};
          for (Index u = 0; u < n_units; ++u) top.offer(detail::pair_distance<Scalar>(metric, x, W.row(u)), u);
        } else if (top.next - top.best <= slack) {
          const Scalar limit = top.best + slack;
          top = detail::TopTwo<Scalar>{};
          for (Index u = 0; u < n_units; ++u)
            if (bias[u] - scale * s[u] <= limit)
              top.offer(detail::pair_distance<Scalar>(metric, x, W.row(u)), u);
          if (with_second && top.next_unit < 0)  // the runner-up lies outside the slack
            for (Index u = 0; u < n_units; ++u)
              if (u != top.best_unit) top.offer_second(bias[u] - scale * s[u], u);
        }
      } else {
        for (Index u = 0; u < n_units; ++u)
          top.offer(detail::pair_distance<Scalar>(metric, x, W.row(u)), u);
      }
      if (top.best_unit < 0) top.best_unit = 0;  // every distance overflowed: a tie, lowest unit
      out.bmu[begin + i] = top.best_unit;
      out.distance[begin + i] = detail::pair_distance<Scalar>(metric, x, W.row(top.best_unit));
      if (with_second) out.second[begin + i] = top.next_unit;
    }
  }, double(n_units) * double(X.cols()));
  return out;
}

}  // namespace somtile
