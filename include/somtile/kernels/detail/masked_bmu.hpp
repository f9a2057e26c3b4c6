#pragma once
// The masked BMU search behind find_bmus (kernels/bmu.hpp) with Missing::mask: complete rows
// go through the dense GEMM search (dense_bmu.hpp), gathered in a block. Rows with NaN take,
// for euclidean distance, the GEMM micro-kernel on a masked score form (MaskedScoreForm below)
// with near ties settled by exact masked distances, and for the other metrics an exact loop over
// the units (MaskedRow::distances, kernels/detail/masked_distance.hpp). Either way the result is
// the exact loop's: ties to the lowest unit index, as the dense search. With Missing::reject, or
// with no NaN in X, it is the dense search itself.

#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/types.hpp"
#include "somtile/kernels/bmu_result.hpp"
#include "somtile/kernels/detail/bmu_search.hpp"
#include "somtile/kernels/detail/dense_bmu.hpp"
#include "somtile/kernels/detail/masked_distance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace somtile::detail {

/// The masked euclidean score as one product. For a row x with mask m (1 present, 0 missing)
/// and x0 (x with 0 in the missing cells), sum_P (x_j - w_j)^2 = |x0|^2 + [x0 | m].[-2w | w∘w].
/// |x0|^2 and the factor F / p are the same for every unit of a row, so the argmin over the
/// units of score(u) = [x0 | m].[-2w_u | w_u∘w_u] is the masked BMU: the scores of a group of
/// rows against all units are one 2F-wide pass of the score kernel (bias 0, scale -1).
template <typename Scalar>
struct MaskedScoreForm {
  std::vector<Scalar> panels;  ///< rows [-2w | w∘w], packed for the kernel
  Vector<Scalar> bias;         ///< zeros
  Scalar max_norm2 = Scalar(0);
  bool usable = false;  ///< W finite and its squares too: otherwise the exact loop

  void build(ConstRowRef<Scalar> W, Index mr) {
    const Index U = W.rows(), F = W.cols();
    usable = W.allFinite();
    if (!usable) return;
    RowMatrix<Scalar> P(U, 2 * F);
    P.leftCols(F) = Scalar(-2) * W;
    P.rightCols(F) = W.array().square().matrix();
    max_norm2 = U ? W.rowwise().squaredNorm().maxCoeff() : Scalar(0);
    usable = std::isfinite(Scalar(2) * max_norm2) && P.allFinite();
    if (!usable) return;
    pack_panels<Scalar>(P, mr, panels);
    bias.setZero(U);
  }

  /// How far apart two scores of a row can be and still be misordered by rounding: the terms of
  /// the sum are bounded by |x0|^2 + 2 max|w|^2, as rounding_slack (bmu_search.hpp) bounds the
  /// dense scores. Not finite when the row's squares overflow (then the row takes the exact loop).
  Scalar slack(Scalar x0_squared_norm) const {
    return Scalar(64) * std::numeric_limits<Scalar>::epsilon() * (x0_squared_norm + Scalar(2) * max_norm2 + Scalar(1));
  }
};

/// Per-thread buffers of the masked search.
template <typename Scalar>
struct MaskedScratch {
  BmuScratch<Scalar> group;
  MaskedRow<Scalar> row;
  std::vector<Scalar> d, scratch, count, scale, slack, x0, mask;
};

/// The exact masked top two of a prepared row over all units (the loop's answer).
template <typename Scalar>
TopTwo<Scalar> masked_top_two(const MaskedRow<Scalar>& row, Distance metric, ConstRowRef<Scalar> W,
                              const RowMatrix<Scalar>& Wt, MaskedScratch<Scalar>& b) {
  const Index U = W.rows();
  b.d.resize(std::size_t(U));
  b.scratch.resize(std::size_t(U));
  row.distances(metric, W, Wt, b.d.data(), b.scratch.data());
  TopTwo<Scalar> t;
  for (Index u = 0; u < U; ++u) t.offer(b.d[std::size_t(u)], u);
  if (t.best_unit < 0) t.best_unit = 0;  // every distance overflowed: a tie, lowest unit
  return t;
}

/// For every lane l of a score tile (unit-major, G lanes a unit), the number of units whose score
/// is <= limit[l], into count (G entries). Lanes count in vector registers, with no reduction
/// across them; the body is inlined into one function per instruction-set level, as the kernel.
template <typename Scalar>
using CountFn = void (*)(const Scalar* scores, Index n_units, const Scalar* limit, Scalar* count);

template <typename Scalar>
void count_within_scalar(const Scalar* scores, Index n_units, const Scalar* limit, Scalar* count) {
  count[0] = Scalar(0);
  for (Index u = 0; u < n_units; ++u) count[0] += scores[u] <= limit[0] ? Scalar(1) : Scalar(0);
}

#if defined(__GNUC__)
template <typename Scalar, int Bytes, int NV>
SOMTILE_ALWAYS_INLINE void count_within_vector(const Scalar* scores, Index n_units, const Scalar* limit,
                                               Scalar* count) {
  constexpr int L = Bytes / int(sizeof(Scalar)), G = L * NV;
  typedef Scalar V __attribute__((vector_size(Bytes)));
  V lim[NV], c[NV];
  const V zero = V{}, one = V{} + Scalar(1);
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v) {
    std::memcpy(&lim[v], limit + v * L, sizeof(V));
    c[v] = zero;
  }
  for (Index u = 0; u < n_units; ++u) {
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      V s;
      std::memcpy(&s, scores + u * G + v * L, sizeof(V));
      const V margin = lim[v] - s;  // float selects only, as collect_group_vector
      c[v] += margin >= zero ? one : zero;
    }
  }
  for (int v = 0; v < NV; ++v) std::memcpy(count + v * L, &c[v], sizeof(V));
}

template <typename Scalar>
SOMTILE_WIDE_VECTORS void count_within_compiled(const Scalar* scores, Index n_units, const Scalar* limit,
                                                Scalar* count) {
  count_within_vector<Scalar, native_vector_bytes, VectorShape<native_vector_bytes>::nv>(scores, n_units, limit, count);
}
#if SOMTILE_X86_DISPATCH
template <typename Scalar>
SOMTILE_TARGET_AVX2 void count_within_avx2(const Scalar* scores, Index n_units, const Scalar* limit, Scalar* count) {
  count_within_vector<Scalar, 32, VectorShape<32>::nv>(scores, n_units, limit, count);
}
template <typename Scalar>
SOMTILE_TARGET_AVX512 void count_within_avx512(const Scalar* scores, Index n_units, const Scalar* limit,
                                               Scalar* count) {
  count_within_vector<Scalar, 64, VectorShape<64>::nv>(scores, n_units, limit, count);
}
#endif
#endif  // __GNUC__

/// The count for the tile shape of `kernel` (score_kernel picks by the same rule).
template <typename Scalar>
CountFn<Scalar> count_within_for(const ScoreKernel<Scalar>& kernel) {
#if defined(__GNUC__)
#if SOMTILE_X86_DISPATCH
  if (kernel.isa != compiled_isa) {
    if (kernel.isa == Isa::avx512) return count_within_avx512<Scalar>;
    if (kernel.isa == Isa::avx2) return count_within_avx2<Scalar>;
  }
#endif
  (void)kernel;
  return count_within_compiled<Scalar>;
#else
  (void)kernel;
  return count_within_scalar<Scalar>;
#endif
}

/// MaskedRow::distance (euclidean) of a prepared row (x0, mask; scale = F / p) to the units wa and
/// wb at once, by the same operations: two independent sums, in feature order. Not finite where
/// the squares overflow (MaskedRow::distance then rescales).
template <typename Scalar>
void masked_euclidean_pair(const Scalar* x0, const Scalar* mask, Index F, Scalar scale, const Scalar* wa,
                           const Scalar* wb, Scalar& da, Scalar& db) {
  Scalar sa = Scalar(0), sb = Scalar(0);
  for (Index j = 0; j < F; ++j) {
    const Scalar a = mask[j] * (x0[j] - wa[j]), b = mask[j] * (x0[j] - wb[j]);
    sa += a * a;
    sb += b * b;
  }
  da = std::sqrt(scale * sa);
  db = std::sqrt(scale * sb);
}

/// Euclidean masked search of `count` rows of X (indices rows[0..count), count <= kernel.group)
/// in one pass of the kernel. Near ties are settled by exact masked distances: every unit whose
/// score is within the slack of the best (with second BMUs: of the runner-up) is a candidate,
/// which holds the exact best (and second) whatever the rounding; they are compared by the
/// loop's masked distances, ties to the lowest unit index. Mostly the candidates are the
/// kernel's own two best, which the count of units within the limit tells.
template <typename Scalar>
void masked_search_group(const ScoreKernel<Scalar>& kernel, CountFn<Scalar> count_within,
                         const MaskedScoreForm<Scalar>& form, ConstRowRef<Scalar> X, const Index* rows, Index count,
                         ConstRowRef<Scalar> W, const RowMatrix<Scalar>& Wt, bool with_second, MaskedScratch<Scalar>& s,
                         BmuResult<Scalar>& out) {
  const Index G = kernel.group, F = X.cols(), K = 2 * F, U = W.rows();
  BmuScratch<Scalar>& b = s.group;
  b.xt.resize(std::size_t(K * G));
  b.scores.resize(std::size_t(U * G));
  b.top.resize(std::size_t(G));
  b.limit.assign(std::size_t(G), -std::numeric_limits<Scalar>::infinity());
  s.count.resize(std::size_t(G));
  s.scale.resize(std::size_t(G));
  s.slack.resize(std::size_t(G));
  s.x0.resize(std::size_t(G * F));
  s.mask.resize(std::size_t(G * F));
  if (count < G) std::fill(b.xt.begin(), b.xt.end(), Scalar(0));  // lanes past the rows: zeros
  for (Index l = 0; l < count; ++l) {
    const Scalar* x = X.row(rows[l]).data();
    Scalar* x0 = s.x0.data() + l * F;
    Scalar* mask = s.mask.data() + l * F;
    for (Index k = 0; k < F; ++k) {  // branch-free: vectorises
      const bool here = x[k] == x[k];
      x0[k] = here ? x[k] : Scalar(0);
      mask[k] = here ? Scalar(1) : Scalar(0);
    }
    Scalar* xt = b.xt.data() + l;  // [x0 | mask], transposed: K x G
    for (Index k = 0; k < F; ++k) {
      xt[k * G] = x0[k];
      xt[(F + k) * G] = mask[k];
    }
    const Eigen::Map<const Vector<Scalar>> x0v(x0, F), maskv(mask, F);
    s.scale[std::size_t(l)] = Scalar(F) / maskv.sum();
    s.slack[std::size_t(l)] = form.slack(x0v.squaredNorm());
  }
  kernel.score({form.panels.data(), b.xt.data(), form.bias.data(), Scalar(-1), U, K, b.scores.data(), G, b.top.data()});
  const auto exact_pair = [&](Index l, Index ua, Index ub, Scalar& da, Scalar& db) {
    const std::size_t o = std::size_t(l * F);
    masked_euclidean_pair(s.x0.data() + o, s.mask.data() + o, F, s.scale[std::size_t(l)], W.row(ua).data(),
                          W.row(ub).data(), da, db);
    if (!std::isfinite(da)) da = masked_distance<Scalar>(Distance::euclidean, X.row(rows[l]), W.row(ua));
    if (!std::isfinite(db)) db = masked_distance<Scalar>(Distance::euclidean, X.row(rows[l]), W.row(ub));
  };
  const auto exact = [&](Index l, Index u) {
    Scalar d, unused;
    exact_pair(l, u, u, d, unused);
    return d;
  };
  const auto finish = [&](Index l, const TopTwo<Scalar>& t) {
    const Index i = rows[l];
    out.bmu[i] = t.best_unit;
    out.distance[i] = t.best;
    if (with_second) out.second[i] = t.next_unit;
  };
  const auto loop = [&](Index l) {  // the exact loop over all units
    MaskedRow<Scalar>& row = s.row;
    row.set(X.row(rows[l]));
    finish(l, masked_top_two(row, Distance::euclidean, W, Wt, s));
  };
  bool ties = false;
  for (Index l = 0; l < count; ++l) {
    const TopTwo<Scalar>& t = b.top[std::size_t(l)];
    const Scalar slack = s.slack[std::size_t(l)];
    if (!std::isfinite(slack) || t.best_unit < 0) {
      loop(l);
    } else if (!with_second && t.next - t.best > slack) {  // no near tie: the best is the exact best
      TopTwo<Scalar> e;
      e.offer(exact(l, t.best_unit), t.best_unit);
      finish(l, e);
    } else {
      b.limit[std::size_t(l)] = (with_second && t.next_unit >= 0 ? t.next : t.best) + slack;
      ties = true;
    }
  }
  if (!ties) return;
  count_within(b.scores.data(), U, b.limit.data(), s.count.data());
  for (Index l = 0; l < count; ++l) {
    const Scalar limit = b.limit[std::size_t(l)];
    if (!(limit > -std::numeric_limits<Scalar>::infinity())) continue;
    const TopTwo<Scalar>& k = b.top[std::size_t(l)];
    TopTwo<Scalar> t;
    const Index known = 1 + (k.next_unit >= 0 && k.next <= limit ? 1 : 0);
    if (s.count[std::size_t(l)] == Scalar(known)) {  // the candidates are the kernel's two best
      Scalar d_best, d_next;
      exact_pair(l, k.best_unit, known == 2 ? k.next_unit : k.best_unit, d_best, d_next);
      t.offer(d_best, k.best_unit);
      if (known == 2) t.offer(d_next, k.next_unit);
    } else {
      for (Index u = 0; u < U; ++u)
        if (b.scores[std::size_t(u * G + l)] <= limit) t.offer(exact(l, u), u);
    }
    if (t.best_unit < 0)
      loop(l);
    else
      finish(l, t);
  }
}

template <typename Scalar>
BmuResult<Scalar> masked_bmus(ConstRowRef<Scalar> X, ConstRowRef<Scalar> W, Distance metric, bool with_second,
                              int n_threads, Missing missing) {
  if (missing == Missing::reject) return dense_bmus<Scalar>(X, W, metric, with_second, n_threads);
  const Index n = X.rows(), n_units = W.rows(), F = X.cols();
  std::vector<Index> complete, incomplete;
  for (Index i = 0; i < n; ++i) (X.row(i).hasNaN() ? incomplete : complete).push_back(i);
  if (incomplete.empty()) return dense_bmus<Scalar>(X, W, metric, with_second, n_threads);

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
  const RowMatrix<Scalar> Wt = W.transpose();  // features x units: MaskedRow::distances runs along units
  std::vector<MaskedScratch<Scalar>> scratch(static_cast<std::size_t>(threads));
  if (metric == Distance::euclidean) {
    const ScoreKernel<Scalar> kernel = score_kernel<Scalar>();
    const CountFn<Scalar> count_within = count_within_for(kernel);
    MaskedScoreForm<Scalar> form;
    form.build(W, kernel.mr);
    if (form.usable) {
      const Index G = kernel.group, groups = (m + G - 1) / G;
      const Index block = std::clamp<Index>(groups / (4 * threads), 1, std::max<Index>(1, 1024 / G));
      detail::parallel_for_chunks(
          groups, block, n_threads,
          [&](Index g0, Index g1) {
            MaskedScratch<Scalar>& s = scratch[std::size_t(detail::thread_slot())];
            for (Index gi = g0; gi < g1; ++gi) {
              const Index begin = gi * G;
              masked_search_group(kernel, count_within, form, X, incomplete.data() + begin, std::min(G, m - begin), W,
                                  Wt, with_second, s, out);
            }
          },
          double(G) * double(n_units) * double(2 * F));
      return out;
    }
  }
  // Other metrics (cosine's norm over the present features of w differs per row: no one product)
  // and codebooks whose squares overflow: the exact loop.
  const Index block = std::max<Index>(16, (m + 4 * threads - 1) / (4 * threads));
  detail::parallel_for_chunks(
      m, block, n_threads,
      [&](Index begin, Index end) {
        MaskedScratch<Scalar>& s = scratch[std::size_t(detail::thread_slot())];
        MaskedRow<Scalar> row;
        for (Index k = begin; k < end; ++k) {
          const Index i = incomplete[std::size_t(k)];
          row.set(X.row(i));
          const TopTwo<Scalar> t = masked_top_two(row, metric, W, Wt, s);
          out.bmu[i] = t.best_unit;
          out.distance[i] = t.best;
          if (with_second) out.second[i] = t.next_unit;
        }
      },
      double(n_units) * double(F));
  return out;
}

}  // namespace somtile::detail
