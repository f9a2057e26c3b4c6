#pragma once
// The BMU search's inner kernel: the expanded scores of a group of samples against every unit
// and each sample's two best units, in one pass. It is a GEMM micro-kernel (a block of `mr`
// units times a group of samples held in vector registers, accumulated over the features) with
// the top-two scan fused into it, so the scores are compared while they are still in registers.
//
// Vector code uses GCC/Clang generic vectors whose width comes from the target: the build's own
// (16 bytes for baseline x86-64 and NEON, 32 for AVX2, 64 for AVX-512), and on x86-64 also AVX2
// and AVX-512 variants compiled with target attributes and picked at run time (kernels/isa.hpp), so a
// default-flags build runs FMA code on the CPUs that have it. Other compilers get a scalar loop.
//
// Every score is the same sum over the features in the same order whatever the group, block
// or thread, so results never depend on the thread count. Levels differ only in rounding (FMA
// or not), which the search's near-tie margin absorbs.

#include "somtile/core/types.hpp"
#include "somtile/kernels/isa.hpp"

#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

namespace somtile::detail {

/// Tracks the smallest and second-smallest score. Candidates compare by (score, unit), so the
/// lowest unit wins ties whatever order they are offered in.
template <typename Scalar>
struct TopTwo {
  Scalar best = std::numeric_limits<Scalar>::infinity();
  Scalar next = std::numeric_limits<Scalar>::infinity();
  Index best_unit = -1;
  Index next_unit = -1;
  static bool before(Scalar a, Index ua, Scalar b, Index ub) { return a < b || (a == b && ub >= 0 && ua < ub); }
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

/// One call of the kernel: a group of samples against all units.
template <typename Scalar>
struct ScoreGroup {
  const Scalar* panels;  ///< prototypes in panels of mr units: panel p is n_features x mr, k-major, zero past n_units
  const Scalar* xt;      ///< the group's samples, n_features x group, k-major, zero past the last sample
  const Scalar* bias;    ///< per unit
  Scalar scale;          ///< score(u, i) = bias[u] - scale * p_u . x_i
  Index n_units;
  Index n_features;
  Scalar* scores;  ///< out: score(u, i) at scores[u * ld + i], i < group
  Index ld;
  TopTwo<Scalar>* top;  ///< out: group entries
};

/// Unit numbers in the lanes of the vector code: integers as wide as Scalar.
template <typename Scalar>
using LaneIndex = std::conditional_t<sizeof(Scalar) == 4, std::int32_t, std::int64_t>;

/// Top twos of a group of samples as arrays of `group` entries each (unit -1: none).
template <typename Scalar>
struct LaneTopTwos {
  Scalar* best;
  Scalar* next;
  LaneIndex<Scalar>* best_unit;
  LaneIndex<Scalar>* next_unit;
};

/// One call of the bounded search's kernel: ScoreGroup (its `top` unused) for a group of units
/// numbered units[0, n_units), ascending; the group's own top twos go to `group_top` and are
/// merged into `running` (the top twos of the groups scored before), all in the lanes' vectors.
template <typename Scalar>
struct ScoreMergeGroup {
  ScoreGroup<Scalar> g;
  const LaneIndex<Scalar>* units;
  LaneTopTwos<Scalar> group_top, running;
};

/// Near-tie candidates of a group: every unit u with scores[u * ld + i] <= limit[i] is appended
/// to lists[slot[i]] (lanes with limit -inf take none).
template <typename Scalar>
struct CandidateGroup {
  const Scalar* scores;
  Index ld;
  Index n_units;
  const Scalar* limit;  ///< group entries
  const int* slot;      ///< group entries
  std::vector<Index>* lists;
};

/// A compiled variant of the kernel and the shapes its inputs are packed in.
template <typename Scalar>
struct ScoreKernel {
  void (*score)(const ScoreGroup<Scalar>&);
  void (*collect)(const CandidateGroup<Scalar>&);
  void (*score_merge)(const ScoreMergeGroup<Scalar>&);
  Index mr;     ///< units per panel
  Index group;  ///< samples per call
  Isa isa;
};

/// Scalar version: the same sums in the same order, one sample at a time.
template <typename Scalar, int MR>
void score_group_scalar(const ScoreGroup<Scalar>& g) {
  const Index K = g.n_features;
  TopTwo<Scalar> t;
  for (Index u0 = 0; u0 < g.n_units; u0 += MR)
    for (Index m = 0; m < MR && u0 + m < g.n_units; ++m) {
      const Scalar* w = g.panels + u0 * K + m;
      Scalar acc = Scalar(0);
      for (Index k = 0; k < K; ++k) acc += g.xt[k] * w[k * MR];
      const Scalar s = g.bias[u0 + m] - g.scale * acc;
      g.scores[(u0 + m) * g.ld] = s;
      if (s < t.best) {  // strict: units arrive in increasing order, the earlier one wins ties
        t.next = t.best;
        t.next_unit = t.best_unit;
        t.best = s;
        t.best_unit = u0 + m;
      } else if (s < t.next) {
        t.next = s;
        t.next_unit = u0 + m;
      }
    }
  g.top[0] = t;
}

/// Merges the top two (b1, i1; b2, i2) into (r1, j1; r2, j2), lane by lane: the top two of a union
/// are the top two of the parts' top twos. Entries compare as TopTwo::before (equal scores: the
/// lower unit first; a unit's score is below inf, so equal scores are two units or two empty
/// entries). Integer order comes from the sign of the difference (units in [-1, 2^31 - 1)):
/// GCC 12 lowers an integer vector comparison in the always-inline body to scalar code.
template <typename V, typename L>
SOMTILE_ALWAYS_INLINE void lane_merge_top_two(const V& b1, const L& i1, const V& b2, const L& i2, V& r1, L& j1, V& r2,
                                              L& j2) {
  constexpr int sign = int(8 * sizeof(i1[0])) - 1;
  const L first = (b1 < r1) | ((b1 == r1) & ((i1 - j1) >> sign));  // the part's best leads
  const V x = first ? r1 : b1, y = first ? b2 : r2;                // the lead's loser, the winner's second
  const L ux = first ? j1 : i1, uy = first ? i2 : j2;
  r1 = first ? b1 : r1;
  j1 = first ? i1 : j1;
  const L second = (x < y) | ((x == y) & ((ux - uy) >> sign));
  r2 = second ? x : y;
  j2 = second ? ux : uy;
}

template <typename Scalar>
void score_merge_scalar(const ScoreMergeGroup<Scalar>& m) {
  TopTwo<Scalar> t;
  ScoreGroup<Scalar> g = m.g;
  g.top = &t;
  score_group_scalar<Scalar, 4>(g);
  using Lane = LaneIndex<Scalar>;
  const Lane i1 = t.best_unit >= 0 ? m.units[t.best_unit] : Lane(-1),
             i2 = t.next_unit >= 0 ? m.units[t.next_unit] : Lane(-1);
  m.group_top.best[0] = t.best, m.group_top.next[0] = t.next, m.group_top.best_unit[0] = i1,
  m.group_top.next_unit[0] = i2;
  TopTwo<Scalar> r{m.running.best[0], m.running.next[0], Index(m.running.best_unit[0]), Index(m.running.next_unit[0])};
  if (i1 >= 0) r.offer(t.best, i1);
  if (i2 >= 0) r.offer(t.next, i2);
  m.running.best[0] = r.best, m.running.next[0] = r.next;
  m.running.best_unit[0] = Lane(r.best_unit), m.running.next_unit[0] = Lane(r.next_unit);
}

template <typename Scalar>
void collect_group_scalar(const CandidateGroup<Scalar>& c) {
  for (Index u = 0; u < c.n_units; ++u)
    if (c.scores[u * c.ld] <= c.limit[0]) c.lists[c.slot[0]].push_back(u);
}

#if defined(__GNUC__)

/// One step of a lane-wise top two: every lane keeps its own best and second-best (value,
/// unit); units arrive in increasing order and strict '<' keeps the earlier one on ties.
template <typename V, typename L>
SOMTILE_ALWAYS_INLINE void lane_top_two_step(const V& v, const L& u, V& b1, L& i1, V& b2, L& i2) {
  const L first = v < b1, second = v < b2;
  i2 = first ? i1 : (second ? u : i2);
  b2 = first ? b1 : (second ? v : b2);
  i1 = first ? u : i1;
  b1 = first ? v : b1;
}

/// The kernel for vectors of Bytes bytes: MR units x NV vectors of samples in registers.
/// Inlined into each target-specific variant below, which decides the instructions.
/// With Merge, the units are numbered by merge->units and the top twos go to merge's arrays.
template <typename Scalar, int Bytes, int MR, int NV, bool Merge = false>
SOMTILE_ALWAYS_INLINE void score_group_vector(const ScoreGroup<Scalar>& g,
                                              const ScoreMergeGroup<Scalar>* merge = nullptr) {
  using Lane = LaneIndex<Scalar>;
  constexpr int L = Bytes / int(sizeof(Scalar));
  constexpr int G = L * NV;
  typedef Scalar V __attribute__((vector_size(Bytes)));
  typedef Lane LV __attribute__((vector_size(Bytes)));
  // Locals, so the stores to the score tile cannot make the compiler reload them.
  const Index K = g.n_features, n_units = g.n_units, ld = g.ld;
  const Scalar* const panels = g.panels;
  const Scalar* const xt = g.xt;
  const Scalar* const bias_of = g.bias;
  const Scalar scale = g.scale;
  Scalar* const scores = g.scores;
  V b1[NV], b2[NV];
  LV i1[NV], i2[NV];
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v) {
    b1[v] = b2[v] = V{} + std::numeric_limits<Scalar>::infinity();
    i1[v] = i2[v] = LV{} - 1;
  }
  for (Index u0 = 0; u0 < n_units; u0 += MR) {
    const Scalar* w = panels + u0 * K;
    V acc[MR][NV];
#pragma GCC unroll 16
    for (int m = 0; m < MR; ++m)
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) acc[m][v] = V{};
    for (Index k = 0; k < K; ++k) {
      V x[NV];
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) std::memcpy(&x[v], xt + k * G + v * L, sizeof(V));  // memcpy: unaligned
#pragma GCC unroll 16
      for (int m = 0; m < MR; ++m) {
        const Scalar wk = w[k * MR + m];
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) acc[m][v] += x[v] * wk;
      }
    }
#pragma GCC unroll 16
    for (int m = 0; m < MR; ++m) {
      const Index u = u0 + m;
      if (u >= n_units) break;
      const LV unit = LV{} + (Merge ? merge->units[u] : Lane(u));
      const Scalar bias = bias_of[u];
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) {
        const V s = bias - scale * acc[m][v];
        std::memcpy(scores + u * ld + v * L, &s, sizeof(V));
        lane_top_two_step(s, unit, b1[v], i1[v], b2[v], i2[v]);
      }
    }
  }
  if constexpr (Merge) {
    const LaneTopTwos<Scalar>&gt = merge->group_top, &run = merge->running;
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      std::memcpy(gt.best + v * L, &b1[v], sizeof(V));
      std::memcpy(gt.next + v * L, &b2[v], sizeof(V));
      std::memcpy(gt.best_unit + v * L, &i1[v], sizeof(LV));
      std::memcpy(gt.next_unit + v * L, &i2[v], sizeof(LV));
      V r1, r2;
      LV j1, j2;
      std::memcpy(&r1, run.best + v * L, sizeof(V));
      std::memcpy(&r2, run.next + v * L, sizeof(V));
      std::memcpy(&j1, run.best_unit + v * L, sizeof(LV));
      std::memcpy(&j2, run.next_unit + v * L, sizeof(LV));
      lane_merge_top_two(b1[v], i1[v], b2[v], i2[v], r1, j1, r2, j2);
      std::memcpy(run.best + v * L, &r1, sizeof(V));
      std::memcpy(run.next + v * L, &r2, sizeof(V));
      std::memcpy(run.best_unit + v * L, &j1, sizeof(LV));
      std::memcpy(run.next_unit + v * L, &j2, sizeof(LV));
    }
  } else {
    for (int v = 0; v < NV; ++v)
      for (int l = 0; l < L; ++l) g.top[v * L + l] = {b1[v][l], b2[v][l], Index(i1[v][l]), Index(i2[v][l])};
  }
}

template <typename Scalar, int Bytes, int NV>
SOMTILE_ALWAYS_INLINE void collect_group_vector(const CandidateGroup<Scalar>& c) {
  constexpr int L = Bytes / int(sizeof(Scalar));
  typedef Scalar V __attribute__((vector_size(Bytes)));
  const Scalar* const scores = c.scores;
  const Scalar* const limit = c.limit;
  const Index ld = c.ld, n_units = c.n_units;
  for (Index u = 0; u < n_units; ++u) {
    // Vectors only say whether any lane of this unit is a candidate (the largest limit - score
    // is >= 0); the rare hits are sorted out lane by lane. Float selects only: GCC 12 lowers a
    // comparison that yields an integer vector before the target's variant inlines this body,
    // so that form would run one scalar compare per lane.
    const Scalar* row = scores + u * ld;
    V most = V{} - std::numeric_limits<Scalar>::infinity();
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      V s, lim;
      std::memcpy(&s, row + v * L, sizeof(V));
      std::memcpy(&lim, limit + v * L, sizeof(V));
      const V margin = lim - s;
      most = margin > most ? margin : most;
    }
    Scalar top = most[0];
    for (int l = 1; l < L; ++l) top = most[l] > top ? most[l] : top;
    if (!(top >= Scalar(0))) continue;
    for (int l = 0; l < NV * L; ++l)
      if (row[l] <= limit[l]) c.lists[c.slot[l]].push_back(u);
  }
}

/// Register blocking per vector width: MR units x NV vectors of accumulators, leaving registers
/// for the NV sample vectors and a broadcast (16 registers up to AVX2, 32 with AVX-512).
template <int Bytes>
struct VectorShape {
  static constexpr int mr = 3, nv = 3;
};  // SSE2, NEON: 9 (best of 4x2 .. 6x2)
template <>
struct VectorShape<32> {
  static constexpr int mr = 6, nv = 2;
};  // AVX2: 12 accumulators
template <>
struct VectorShape<64> {
  static constexpr int mr = 8, nv = 3;
};  // AVX-512: 24

template <typename Scalar, int Bytes>
ScoreKernel<Scalar> make_score_kernel(void (*score)(const ScoreGroup<Scalar>&),
                                      void (*collect)(const CandidateGroup<Scalar>&),
                                      void (*score_merge)(const ScoreMergeGroup<Scalar>&), Isa isa) {
  return {
      score, collect, score_merge, VectorShape<Bytes>::mr, Index(VectorShape<Bytes>::nv * Bytes / int(sizeof(Scalar))),
      isa};
}

// The build's own target.
template <typename Scalar>
SOMTILE_WIDE_VECTORS void score_group_compiled(const ScoreGroup<Scalar>& g) {
  constexpr int B = native_vector_bytes;
  score_group_vector<Scalar, B, VectorShape<B>::mr, VectorShape<B>::nv>(g);
}
template <typename Scalar>
SOMTILE_WIDE_VECTORS void collect_group_compiled(const CandidateGroup<Scalar>& c) {
  collect_group_vector<Scalar, native_vector_bytes, VectorShape<native_vector_bytes>::nv>(c);
}
template <typename Scalar>
SOMTILE_WIDE_VECTORS void score_merge_compiled(const ScoreMergeGroup<Scalar>& m) {
  constexpr int B = native_vector_bytes;
  score_group_vector<Scalar, B, VectorShape<B>::mr, VectorShape<B>::nv, true>(m.g, &m);
}

#if SOMTILE_X86_DISPATCH
template <typename Scalar>
SOMTILE_TARGET_AVX2 void score_group_avx2(const ScoreGroup<Scalar>& g) {
  score_group_vector<Scalar, 32, VectorShape<32>::mr, VectorShape<32>::nv>(g);
}
template <typename Scalar>
SOMTILE_TARGET_AVX2 void collect_group_avx2(const CandidateGroup<Scalar>& c) {
  collect_group_vector<Scalar, 32, VectorShape<32>::nv>(c);
}
template <typename Scalar>
SOMTILE_TARGET_AVX2 void score_merge_avx2(const ScoreMergeGroup<Scalar>& m) {
  score_group_vector<Scalar, 32, VectorShape<32>::mr, VectorShape<32>::nv, true>(m.g, &m);
}
template <typename Scalar>
SOMTILE_TARGET_AVX512 void score_group_avx512(const ScoreGroup<Scalar>& g) {
  score_group_vector<Scalar, 64, VectorShape<64>::mr, VectorShape<64>::nv>(g);
}
template <typename Scalar>
SOMTILE_TARGET_AVX512 void collect_group_avx512(const CandidateGroup<Scalar>& c) {
  collect_group_vector<Scalar, 64, VectorShape<64>::nv>(c);
}
template <typename Scalar>
SOMTILE_TARGET_AVX512 void score_merge_avx512(const ScoreMergeGroup<Scalar>& m) {
  score_group_vector<Scalar, 64, VectorShape<64>::mr, VectorShape<64>::nv, true>(m.g, &m);
}
#endif
#endif  // __GNUC__

/// The kernel for the level active_isa() names now.
template <typename Scalar>
ScoreKernel<Scalar> score_kernel() {
#if defined(__GNUC__)
  const Isa isa = active_isa();
#if SOMTILE_X86_DISPATCH
  if (isa != compiled_isa) {
    if (isa == Isa::avx512)
      return make_score_kernel<Scalar, 64>(score_group_avx512<Scalar>, collect_group_avx512<Scalar>,
                                           score_merge_avx512<Scalar>, isa);
    if (isa == Isa::avx2)
      return make_score_kernel<Scalar, 32>(score_group_avx2<Scalar>, collect_group_avx2<Scalar>,
                                           score_merge_avx2<Scalar>, isa);
  }
#endif
  return make_score_kernel<Scalar, native_vector_bytes>(score_group_compiled<Scalar>, collect_group_compiled<Scalar>,
                                                        score_merge_compiled<Scalar>, isa);
#else
  return {score_group_scalar<Scalar, 4>, collect_group_scalar<Scalar>, score_merge_scalar<Scalar>, 4, 1, Isa::baseline};
#endif
}

/// Packs the rows of P (units x features) into panels of mr units for the kernel.
template <typename Scalar>
void pack_panels(ConstRowRef<Scalar> P, Index mr, std::vector<Scalar>& panels) {
  const Index units = P.rows(), K = P.cols(), padded = (units + mr - 1) / mr * mr;
  panels.assign(std::size_t(padded * K), Scalar(0));
  for (Index u = 0; u < units; ++u) {
    Scalar* panel = panels.data() + (u / mr) * mr * K + u % mr;
    for (Index k = 0; k < K; ++k) panel[k * mr] = P(u, k);
  }
}

/// Packs `count` <= group rows (pointers to K values each) transposed into xt (K x group), zero
/// past count. Feature by feature: the writes are contiguous and each row is read in order, so
/// its cache line serves the next features (the other way round, every write of a 300-feature
/// group lands on a different cache line).
template <typename Scalar>
void pack_rows(const Scalar* const* rows, Index count, Index K, Index group, Scalar* out) {
  for (Index k = 0; k < K; ++k, out += group) {
    for (Index l = 0; l < count; ++l) out[l] = rows[l][k];
    for (Index l = count; l < group; ++l) out[l] = Scalar(0);
  }
}

/// Packs rows [begin, begin + count) of X, count <= group, transposed into xt (features x group).
template <typename Scalar>
void pack_group(ConstRowRef<Scalar> X, Index begin, Index count, Index group, std::vector<Scalar>& xt) {
  const Scalar* rows[64];  // a group is at most 3 vectors of 64 bytes: 48 floats
  for (Index l = 0; l < count; ++l) rows[l] = X.row(begin + l).data();
  xt.resize(std::size_t(X.cols() * group));
  pack_rows(rows, count, X.cols(), group, xt.data());
}

}  // namespace somtile::detail
