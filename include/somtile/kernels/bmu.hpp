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
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

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

/// Tracks the smallest and second-smallest score. Candidates compare by (score, unit), so the
/// lowest unit wins ties whatever order they are offered in.
template <typename Scalar>
struct TopTwo {
  Scalar best = std::numeric_limits<Scalar>::infinity();
  Scalar next = std::numeric_limits<Scalar>::infinity();
  Index best_unit = -1;
  Index next_unit = -1;
  static bool before(Scalar a, Index ua, Scalar b, Index ub) {
    return a < b || (a == b && ub >= 0 && ua < ub);
  }
  void offer(Scalar score, Index unit) {
    if (before(score, unit, best, best_unit)) {
      next = best;
      next_unit = best_unit;
      best = score;
      best_unit = unit;
    } else if (before(score, unit, next, next_unit)) {
      next = score;
      next_unit = unit;
    }
  }
  void offer_second(Scalar score, Index unit) {
    if (before(score, unit, next, next_unit)) {
      next = score;
      next_unit = unit;
    }
  }
};

#if defined(__GNUC__)
inline constexpr bool simd_scan = true;
/// One step of a lane-wise top two: every lane keeps its own best and second-best (value,
/// unit); units arrive in increasing order and strict '<' keeps the earlier one on ties.
template <typename V, typename L>
inline void lane_top_two_step(const V& v, const L& u, V& b1, L& i1, V& b2, L& i2) {
  const L first = v < b1, second = v < b2;
  i2 = first ? i1 : (second ? u : i2);
  b2 = first ? b1 : (second ? v : b2);
  i1 = first ? u : i1;
  b1 = first ? v : b1;
}
#else
inline constexpr bool simd_scan = false;
#endif

/// Samples a SIMD scan handles together (block_top_two): two 64-byte vectors of lanes.
template <typename Scalar>
inline constexpr Index scan_group = 128 / Index(sizeof(Scalar));

/// Top two, for each sample i in [0, rows), of bias[u] - scale * S(u, i) over the units u in
/// [0, n_units); S is unit-major (row u at S + u * ld), so the scores of consecutive samples for
/// one unit are contiguous. With GCC or Clang, scan_group samples go through SIMD lanes
/// together, one lane per sample (generic vectors, lowered to the target's instructions), and
/// need no merging; ld must then be a multiple of scan_group and S finite up to it.
template <typename Scalar>
void block_top_two(const Scalar* S, Index ld, Index rows, Index n_units, const Scalar* bias, Scalar scale,
                   TopTwo<Scalar>* top) {
  Index i0 = 0;
#if defined(__GNUC__)
  // Unit numbers as wide as the scalar, so values and units share one vector shape.
  using Lane = std::conditional_t<sizeof(Scalar) == 4, std::int32_t, std::int64_t>;
  constexpr int width = 64 / int(sizeof(Scalar));
  typedef Scalar V __attribute__((vector_size(64)));
  typedef Lane L __attribute__((vector_size(64)));
  if (n_units < Index(std::numeric_limits<Lane>::max())) {
    for (; i0 < rows; i0 += 2 * width) {
      V a1, a2, c1, c2, sa, sc;
      L ai1, ai2, ci1, ci2, unit;
      for (int l = 0; l < width; ++l) {
        a1[l] = a2[l] = c1[l] = c2[l] = std::numeric_limits<Scalar>::infinity();
        ai1[l] = ai2[l] = ci1[l] = ci2[l] = -1;
        unit[l] = 0;
      }
      for (Index u = 0; u < n_units; ++u, unit += 1) {
        std::memcpy(&sa, S + u * ld + i0, sizeof(V));  // memcpy: unaligned loads
        std::memcpy(&sc, S + u * ld + i0 + width, sizeof(V));
        const V va = bias[u] - scale * sa, vc = bias[u] - scale * sc;
        lane_top_two_step(va, unit, a1, ai1, a2, ai2);
        lane_top_two_step(vc, unit, c1, ci1, c2, ci2);
      }
      for (int l = 0; l < width; ++l) {
        if (i0 + l < rows) top[i0 + l] = {a1[l], a2[l], Index(ai1[l]), Index(ai2[l])};
        if (i0 + width + l < rows) top[i0 + width + l] = {c1[l], c2[l], Index(ci1[l]), Index(ci2[l])};
      }
    }
  }
#endif
  for (; i0 < rows; ++i0) {
    top[i0] = TopTwo<Scalar>{};
    for (Index u = 0; u < n_units; ++u) top[i0].offer(bias[u] - scale * S[u * ld + i0], u);
  }
}

template <typename Scalar, typename RowA, typename RowB>
Scalar pair_distance(Distance metric, const RowA& x, const RowB& w) {
  switch (metric) {
    case Distance::euclidean: return (x - w).norm();
    case Distance::manhattan: return (x - w).cwiseAbs().sum();
    case Distance::chebyshev: return (x - w).cwiseAbs().maxCoeff();
    case Distance::cosine: {
      const Scalar nx = x.norm(), nw = w.norm();
      if (nx == Scalar(0) || nw == Scalar(0)) return Scalar(1);
      return std::clamp(Scalar(1) - x.dot(w) / (nx * nw), Scalar(0), Scalar(2));
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
      const Scalar norm = W.row(u).norm();
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
  // Scores go unit-major, S = P X_block^T (units x block), so the scan runs across samples;
  // blocks are whole groups of SIMD lanes where possible. One buffer per thread, reused by its
  // blocks: allocating a block's worth per block costs page faults every time the allocator
  // hands the memory back to the system.
  const Index group = detail::simd_scan ? detail::scan_group<Scalar> : 1;
  const Index block = std::min(std::max(group, detail::bmu_block_rows(n_units) / group * group),
                               std::max<Index>(32, (n + 2 * threads - 1) / (2 * threads)));
  const Index ld = (block + group - 1) / group * group;
  std::vector<RowMatrix<Scalar>> scratch(gemm ? std::size_t(threads) : 0);
  std::vector<std::vector<detail::TopTwo<Scalar>>> tops(gemm ? std::size_t(threads) : 0);
  detail::parallel_for_chunks(n, block, n_threads, [&](Index begin, Index end) {
    const Index rows = end - begin;
    const int slot = detail::thread_slot();
    using Scores = Eigen::Map<RowMatrix<Scalar>, Eigen::Unaligned, Eigen::OuterStride<>>;
    Scores S(nullptr, 0, 0, Eigen::OuterStride<>(ld));
    if (gemm) {
      RowMatrix<Scalar>& buffer = scratch[std::size_t(slot)];
      if (buffer.size() == 0) buffer.resize(n_units, ld);
      if (rows < ld) buffer.rightCols(ld - rows).setZero();  // lanes past the block stay finite
      new (&S) Scores(buffer.data(), n_units, rows, Eigen::OuterStride<>(ld));
      S.noalias() = P * X.middleRows(begin, rows).transpose();
      tops[std::size_t(slot)].resize(std::size_t(block));
      detail::block_top_two(buffer.data(), ld, rows, n_units, bias.data(), scale, tops[std::size_t(slot)].data());
    }
    for (Index i = 0; i < rows; ++i) {
      const auto x = X.row(begin + i);
      detail::TopTwo<Scalar> top;
      if (gemm) {
        top = tops[std::size_t(slot)][std::size_t(i)];
        // The expanded form rounds differently per unit; when the runners-up are within
        // rounding of the best, decide among them with direct distances (ties: lowest index).
        const Scalar slack = rounding_scale * (x.squaredNorm() + max_bias + Scalar(1));
        if (top.next - top.best <= slack) {
          const Scalar limit = top.best + slack;
          top = detail::TopTwo<Scalar>{};
          for (Index u = 0; u < n_units; ++u)
            if (bias[u] - scale * S(u, i) <= limit)
              top.offer(detail::pair_distance<Scalar>(metric, x, W.row(u)), u);
          if (with_second && top.next_unit < 0)  // the runner-up lies outside the slack
            for (Index u = 0; u < n_units; ++u)
              if (u != top.best_unit) top.offer_second(bias[u] - scale * S(u, i), u);
        }
      } else {
        for (Index u = 0; u < n_units; ++u)
          top.offer(detail::pair_distance<Scalar>(metric, x, W.row(u)), u);
      }
      out.bmu[begin + i] = top.best_unit;
      out.distance[begin + i] = detail::pair_distance<Scalar>(metric, x, W.row(top.best_unit));
      if (with_second) out.second[begin + i] = top.next_unit;
    }
  }, double(n_units) * double(X.cols()));
  return out;
}

}  // namespace somtile
