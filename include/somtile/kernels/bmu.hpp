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

/// Euclidean norm; when the squares overflow (huge values, above all in float), Eigen's
/// scaled stableNorm, so a representable norm is returned as such instead of inf.
template <typename Row>
auto robust_norm(const Row& v) {
  const auto n = v.norm();
  return std::isfinite(n) ? n : v.stableNorm();
}

/// The expanded scores that euclidean and cosine BMU searches compare, for the rows of W:
/// score(u) = bias[u] - scale * x.p_u, with p = w, bias = |w|^2, scale = 2 (euclidean: the
/// argmin of |x - w|^2 - |x|^2) or p = w / |w| (unit_rows), bias = 0, scale = 1 (cosine: |x| is
/// the same for every unit).
template <typename Scalar>
struct ScoreForm {
  RowMatrix<Scalar> unit_rows;  // cosine only
  Vector<Scalar> bias;
  Scalar scale = Scalar(2);
  Scalar max_bias = Scalar(0);  // max |bias[u]|, for rounding_slack

  void build(ConstRowRef<Scalar> W, Distance metric) {
    if (metric == Distance::cosine) {
      unit_rows = W;
      for (Index u = 0; u < W.rows(); ++u) {
        const Scalar norm = robust_norm(W.row(u));
        if (norm > Scalar(0)) unit_rows.row(u) /= norm;
      }
      bias.setZero(W.rows());
      scale = Scalar(1);
    } else {
      bias = W.rowwise().squaredNorm();
      scale = Scalar(2);
    }
    max_bias = bias.size() ? bias.cwiseAbs().maxCoeff() : Scalar(0);
  }

  /// The rows in the product: W itself, or its unit-length rows for cosine.
  ConstRowRef<Scalar> prototypes(ConstRowRef<Scalar> W, Distance metric) const {
    return metric == Distance::cosine ? ConstRowRef<Scalar>(unit_rows) : W;
  }
};

/// How far apart the expanded scores of x can be and still be misordered by rounding; not
/// finite when the squares overflowed. max_bias: the largest |bias| over all units searched.
template <typename Scalar, typename Row>
Scalar rounding_slack(const Row& x, Scalar max_bias) {
  return Scalar(64) * std::numeric_limits<Scalar>::epsilon() * (x.squaredNorm() + max_bias + Scalar(1));
}

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

namespace detail {

/// Per-thread buffers of a BMU pass, reused by the thread's blocks.
template <typename Scalar>
struct BmuScratch {
  RowMatrix<Scalar> scores;             ///< unit-major score tile, units x ld
  std::vector<TopTwo<Scalar>> top;
  std::vector<Index> recheck;           ///< rows of the block whose two best are within rounding
  std::vector<Scalar> limit;            ///< per recheck row: scores up to this are candidates
  std::vector<std::vector<Index>> candidates;
};

/// Appends to candidates[k] every unit u < units with bias[u] - scale * S(u, col[k]) <= limit[k]:
/// one pass over the unit-major tile S for all recheck rows (col ascending) together. With GCC
/// or Clang the comparisons run on the SIMD lanes of block_top_two (ld a multiple of scan_group).
template <typename Scalar>
void collect_candidates(const Scalar* S, Index ld, Index units, const Scalar* bias, Scalar scale,
                        const std::vector<Index>& col, const std::vector<Scalar>& limit,
                        std::vector<std::vector<Index>>& candidates) {
  std::size_t k0 = 0;
#if defined(__GNUC__)
  using Lane = std::conditional_t<sizeof(Scalar) == 4, std::int32_t, std::int64_t>;
  constexpr int width = 64 / int(sizeof(Scalar));
  typedef Scalar V __attribute__((vector_size(64)));
  typedef Lane L __attribute__((vector_size(64)));
  while (k0 < col.size()) {
    // The group of 2 * width columns holding col[k0], and the recheck rows inside it.
    const Index i0 = col[k0] / (2 * width) * (2 * width);
    V la, lc, sa, sc;
    int slot_of[2 * width];
    for (int l = 0; l < width; ++l) la[l] = lc[l] = -std::numeric_limits<Scalar>::infinity();
    std::size_t k1 = k0;
    for (; k1 < col.size() && col[k1] < i0 + 2 * width; ++k1) {
      const int l = int(col[k1] - i0);
      if (l < width) la[l] = limit[k1];
      else lc[l - width] = limit[k1];
      slot_of[l] = int(k1);
    }
    for (Index u = 0; u < units; ++u) {
      std::memcpy(&sa, S + u * ld + i0, sizeof(V));
      std::memcpy(&sc, S + u * ld + i0 + width, sizeof(V));
      const L ma = (bias[u] - scale * sa) <= la, mc = (bias[u] - scale * sc) <= lc;
      const L any = ma | mc;
      std::uint64_t words[sizeof(L) / 8], bits = 0;
      std::memcpy(words, &any, sizeof(L));
      for (std::size_t w = 0; w < sizeof(L) / 8; ++w) bits |= words[w];
      if (bits == 0) continue;
      for (int l = 0; l < width; ++l) {
        if (ma[l]) candidates[std::size_t(slot_of[l])].push_back(u);
        if (mc[l]) candidates[std::size_t(slot_of[l + width])].push_back(u);
      }
    }
    k0 = k1;
  }
#endif
  for (Index u = 0; u < units && k0 < col.size(); ++u) {
    const Scalar* row = S + u * ld;
    for (std::size_t k = k0; k < col.size(); ++k)
      if (bias[u] - scale * row[col[k]] <= limit[k]) candidates[k].push_back(u);
  }
}

}  // namespace detail

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
  detail::ScoreForm<Scalar> form;
  if (gemm) form.build(W, metric);
  const ConstRowRef<Scalar> P = form.prototypes(W, metric);  // rows in the product
  const Index threads = detail::resolve_threads(n_threads);
  // Scores go in tiles of units x (block of samples), unit-major, S = P X_block^T, so the scan
  // runs across samples. A tile holds about 2^19 scores but at least 64 samples: the GEMM packs
  // all prototypes for every block, which costs ~10% at 64. Blocks are whole groups of SIMD
  // lanes where possible, enough of them to keep every thread busy on small inputs
  // (mini-batches).
  const Index group = detail::simd_scan ? detail::scan_group<Scalar> : 1;
  const Index block = std::min(std::max<Index>(64, detail::bmu_block_rows(n_units) / group * group),
                               std::max<Index>(32, (n + 2 * threads - 1) / (2 * threads)));
  const Index ld = (block + group - 1) / group * group;
  std::vector<detail::BmuScratch<Scalar>> scratch(gemm ? std::size_t(threads) : 0);
  detail::parallel_for_chunks(n, block, n_threads, [&](Index begin, Index end) {
    const Index rows = end - begin;
    if (!gemm) {
      for (Index i = begin; i < end; ++i) {
        const auto x = X.row(i);
        detail::TopTwo<Scalar> top;
        for (Index u = 0; u < n_units; ++u) top.offer(detail::pair_distance<Scalar>(metric, x, W.row(u)), u);
        if (top.best_unit < 0) top.best_unit = 0;  // every distance overflowed: a tie, lowest unit
        out.bmu[i] = top.best_unit;
        out.distance[i] = detail::pair_distance<Scalar>(metric, x, W.row(top.best_unit));
        if (with_second) out.second[i] = top.next_unit;
      }
      return;
    }
    detail::BmuScratch<Scalar>& b = scratch[std::size_t(detail::thread_slot())];
    if (b.scores.size() == 0) {
      b.scores.resize(n_units, ld);
      b.top.resize(std::size_t(block));
    }
    if (rows < ld) b.scores.rightCols(ld - rows).setZero();  // lanes past the block stay finite
    Eigen::Map<RowMatrix<Scalar>, Eigen::Unaligned, Eigen::OuterStride<>>(b.scores.data(), n_units, rows,
                                                                          Eigen::OuterStride<>(ld))
        .noalias() = P * X.middleRows(begin, rows).transpose();
    detail::block_top_two(b.scores.data(), ld, rows, n_units, form.bias.data(), form.scale, b.top.data());
    // The expanded form rounds differently per unit; where the runner-up is within rounding of
    // the best, the units within that margin are decided by direct distances (ties: lowest
    // index). In dense maps that is a good share of the rows, so their candidates are collected
    // in one SIMD pass over the tile.
    b.recheck.clear();
    b.limit.clear();
    for (Index i = 0; i < rows; ++i) {
      detail::TopTwo<Scalar>& t = b.top[std::size_t(i)];
      const auto x = X.row(begin + i);
      const Scalar slack = detail::rounding_slack(x, form.max_bias);
      if (!std::isfinite(slack) || t.best_unit < 0) {
        // Squares overflowed (huge values): the expanded scores are inf or NaN, so compare
        // direct distances, which stay finite wherever the true distance is representable.
        t = detail::TopTwo<Scalar>{};
        for (Index u = 0; u < n_units; ++u) t.offer(detail::pair_distance<Scalar>(metric, x, W.row(u)), u);
        if (t.best_unit < 0) t.best_unit = 0;  // every distance overflowed: a tie, lowest unit
      } else if (t.next - t.best <= slack) {
        b.recheck.push_back(i);
        b.limit.push_back(t.best + slack);
      }
    }
    if (!b.recheck.empty()) {
      const std::size_t k = b.recheck.size();
      if (b.candidates.size() < k) b.candidates.resize(k);
      for (std::size_t j = 0; j < k; ++j) b.candidates[j].clear();
      detail::collect_candidates(b.scores.data(), ld, n_units, form.bias.data(), form.scale, b.recheck, b.limit,
                                 b.candidates);
      for (std::size_t j = 0; j < k; ++j) {
        const auto x = X.row(begin + b.recheck[j]);
        detail::TopTwo<Scalar> top;
        for (const Index u : b.candidates[j]) top.offer(detail::pair_distance<Scalar>(metric, x, W.row(u)), u);
        if (with_second && top.next_unit < 0)  // the runner-up fell outside the margin
          for (Index u = 0; u < n_units; ++u)
            if (u != top.best_unit) top.offer_second(detail::pair_distance<Scalar>(metric, x, W.row(u)), u);
        b.top[std::size_t(b.recheck[j])] = top;
      }
    }
    for (Index i = 0; i < rows; ++i) {
      const detail::TopTwo<Scalar>& t = b.top[std::size_t(i)];
      out.bmu[begin + i] = t.best_unit;
      out.distance[begin + i] = detail::pair_distance<Scalar>(metric, X.row(begin + i), W.row(t.best_unit));
      if (with_second) out.second[begin + i] = t.next_unit;
    }
  }, double(n_units) * double(X.cols()));
  return out;
}

}  // namespace somtile
