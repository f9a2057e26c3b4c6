#pragma once
// The two loops of an online step (online/detail/online_step.hpp), compiled for each
// instruction-set level (kernels/isa.hpp), so a default build runs them with AVX2+FMA or
// AVX-512 where the CPU has them: the squared distances of a sample to every unit of a
// feature-major codebook with the nearest unit, and the update of one grid row's span of units.
// Plain loops and GCC/Clang generic vectors, which take the width of the function they are
// compiled in (Eigen's expressions keep the width the program was compiled for).
//
// Results: each distance is (w_0 - x_0)^2 + (w_1 - x_1)^2 + ... added in the order of the
// features, and each update one expression per entry, at every level; levels differ only where
// a multiply-add is fused (AVX2 and AVX-512 fuse them and give the same bits, also in a build
// for a CPU with FMA; baseline x86-64 rounds the product first).

#include "somtile/core/types.hpp"
#include "somtile/kernels/detail/smoothing_kernels.hpp"  // load_first, store_first
#include "somtile/kernels/isa.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace somtile::detail {

/// The features a step reads and moves: codebook rows (each `units` long) and the sample's values.
template <typename Scalar>
struct StepFeatures {
  const Scalar* const* rows;  ///< per listed feature, its codebook row (features x units, feature-major)
  const Scalar* x;            ///< per listed feature, the sample's value
  Index count;
};

/// The nearest unit: the least squared distance and the lowest unit that has it.
template <typename Scalar>
struct Nearest {
  Scalar distance;
  Index unit;
};

/// One grid row's span of units [first, first + len) moved toward the sample:
/// w += (row_factor * col_rate[c]) (x - w) for unit first + c, in every listed feature.
template <typename Scalar>
struct SpanUpdate {
  Scalar* const* rows;  ///< per listed feature, its codebook row
  const Scalar* x;      ///< per listed feature, the sample's value
  Index count;
  Index first, len;
  Scalar row_factor;
  const Scalar* col_rate;  ///< len entries
};

/// The window of one step: grid rows [row_begin[p], row_end[p]) times columns [col_begin[q],
/// col_end[q]) (two parts where a torus window wraps), each unit moved as a SpanUpdate with
/// row_factor[r] and the rates rate + r * rate_stride (per column: stride 0; per unit: cols).
template <typename Scalar>
struct WindowUpdate {
  Scalar* const* rows;
  const Scalar* x;
  Index count;
  Index cols;
  Index row_begin[2], row_end[2], col_begin[2], col_end[2];
  int row_parts, col_parts;
  const Scalar* row_factor;
  const Scalar* rate;
  Index rate_stride;
};

/// The kernels of one level, picked by online_kernels().
template <typename Scalar>
struct OnlineKernels {
  /// The nearest unit and its squared distance (infinite when every square overflowed);
  /// `distances` (units long) is scratch.
  Nearest<Scalar> (*nearest)(const StepFeatures<Scalar>&, Index units, Scalar* distances);
  void (*update)(const WindowUpdate<Scalar>&);
  /// out[i] = exp(scale * in[i]) for i < n, scale * in[i] <= 0 (the Gaussian's factors).
  void (*exp_scaled)(const double* in, Index n, double scale, double* out);
};

// A product whose rounding is kept: not fused into the addition that takes it (GCC 12 on;
// elsewhere the FMA levels fuse alike, so they still agree with each other).
#if defined(__has_builtin)
#if __has_builtin(__builtin_assoc_barrier)
#define SOMTILE_ROUNDED(product) __builtin_assoc_barrier(product)
#endif
#endif
#ifndef SOMTILE_ROUNDED
#define SOMTILE_ROUNDED(product) (product)
#endif

/// x = exp(x) for x in [-700, 0], lane by lane (V: double or a vector of doubles, I: the
/// unsigned integers of the same width, whose shift into the exponent cannot overflow; in
/// place, not returned: see -Wpsabi): Cephes' rational form as
/// Eigen evaluates it (pexp_double), every product rounded on its own, so every level gives the
/// bits Eigen's SSE2 exp gives.
template <typename V, typename I>
SOMTILE_ALWAYS_INLINE void exp_cephes(V& x) {
  constexpr double round_shift = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
  V fx = SOMTILE_ROUNDED(1.4426950408889634073599 * x) + 0.5;
  const V nearest = (fx + round_shift) - round_shift;
  fx = nearest > fx ? nearest - 1.0 : nearest;  // floor
  x = x - SOMTILE_ROUNDED(fx * 0.693145751953125);
  x = x - SOMTILE_ROUNDED(fx * 1.42860682030941723212e-6);
  const V x2 = x * x;
  V px = SOMTILE_ROUNDED(1.26177193074810590878e-4 * x2) + 3.02994407707441961300e-2;
  px = SOMTILE_ROUNDED(px * x2) + 9.99999999999999999910e-1;
  px = SOMTILE_ROUNDED(px * x);
  V qx = SOMTILE_ROUNDED(3.00198505138664455042e-6 * x2) + 2.52448340349684104192e-3;
  qx = SOMTILE_ROUNDED(qx * x2) + 2.27265548208155028766e-1;
  qx = SOMTILE_ROUNDED(qx * x2) + 2.00000000000000000009e0;
  x = px / (qx - px);
  x = 2.0 * x + 1.0;  // exact product
  // 2^fx from its bits: fx + 1023 sits in the low bits of fx + 1023 + 1.5 * 2^52.
  const V biased = fx + (round_shift + 1023.0);
  I bits;
  std::memcpy(&bits, &biased, sizeof(V));
  bits = bits << 52;
  V scale;
  std::memcpy(&scale, &bits, sizeof(V));
  x = x * scale;  // exact: the result is a normal number for x >= -700
}

/// exp_scaled lane by lane: exp_cephes down to -700, std::exp below (and for NaN).
inline void exp_scaled_scalar(const double* in, Index n, double scale, double* out) {
  for (Index i = 0; i < n; ++i) {
    double a = SOMTILE_ROUNDED(scale * in[i]);
    if (a >= -700.0)
      exp_cephes<double, std::uint64_t>(a);
    else
      a = std::exp(a);
    out[i] = a;
  }
}

// Units go in chunks whose distances stay in L1: each chunk's minimum is kept in registers as
// the distances are computed, and only the winning chunk is searched again for the index.
inline constexpr Index nearest_chunk = 256;

template <typename Scalar>
Scalar squared_distance_at(const StepFeatures<Scalar>& f, Index u) {
  Scalar acc = Scalar(0);
  for (Index k = 0; k < f.count; ++k) {
    const Scalar d = f.rows[k][u] - f.x[k];
    acc += d * d;
  }
  return acc;
}

/// The lowest unit from `chunk` on whose distance is `best` (it is there).
template <typename Scalar>
Nearest<Scalar> nearest_in_chunk(const Scalar* distances, Index chunk, Scalar best) {
  Index u = chunk;
  while (!(distances[u] == best)) ++u;
  return {best, u};
}

template <typename Scalar>
Nearest<Scalar> nearest_scalar(const StepFeatures<Scalar>& f, Index units, Scalar* distances) {
  Scalar best = std::numeric_limits<Scalar>::infinity();
  Index best_chunk = 0;
  for (Index b = 0; b < units; b += nearest_chunk) {
    const Index e = b + nearest_chunk < units ? b + nearest_chunk : units;
    Scalar m = std::numeric_limits<Scalar>::infinity();
    for (Index u = b; u < e; ++u) {
      distances[u] = squared_distance_at(f, u);
      m = distances[u] < m ? distances[u] : m;
    }
    if (m < best) {
      best = m;
      best_chunk = b;
    }
  }
  if (!(best < std::numeric_limits<Scalar>::infinity())) return {best, 0};
  return nearest_in_chunk(distances, best_chunk, best);
}

template <typename Scalar>
SOMTILE_ALWAYS_INLINE void update_span_loop(const SpanUpdate<Scalar>& s) {
  const Scalar rf = s.row_factor;
  const Scalar* __restrict rate = s.col_rate;
  const Index len = s.len;
  for (Index k = 0; k < s.count; ++k) {
    Scalar* __restrict w = s.rows[k] + s.first;
    const Scalar xk = s.x[k];
    for (Index c = 0; c < len; ++c) w[c] += (rf * rate[c]) * (xk - w[c]);
  }
}

/// Every span of the window, moved by `span` (one call per step: the spans are short).
template <typename Scalar, typename Span>
SOMTILE_ALWAYS_INLINE void update_window(const WindowUpdate<Scalar>& w, Span&& span) {
  for (int rp = 0; rp < w.row_parts; ++rp)
    for (Index r = w.row_begin[rp]; r < w.row_end[rp]; ++r)
      for (int cp = 0; cp < w.col_parts; ++cp) {
        const Index b = w.col_begin[cp];
        span(SpanUpdate<Scalar>{w.rows, w.x, w.count, r * w.cols + b, w.col_end[cp] - b, w.row_factor[r],
                                w.rate + r * w.rate_stride + b});
      }
}

template <typename Scalar>
void update_window_scalar(const WindowUpdate<Scalar>& w) {
  update_window(w, [](const SpanUpdate<Scalar>& s) { update_span_loop(s); });
}

#if defined(__GNUC__)
/// Per lane, the least squared distance over units [b, e) (lanes beyond e: +inf), and with
/// Store each unit's distance in distances[u]. NF features known at compile time (0: any
/// count). The sums start at 0, so that an FMA level fuses every square into the sum before
/// it (with d0^2 + d1^2 the compiler may fuse either product).
template <typename Scalar, int Bytes, int NF, bool Store, typename V>
SOMTILE_ALWAYS_INLINE void least_in_chunk(const Scalar* const* row_of, const Scalar* x_of, Index count, Index b,
                                          Index e, Scalar* distances, V& least) {
  constexpr int L = Bytes / int(sizeof(Scalar));
  constexpr Scalar inf = std::numeric_limits<Scalar>::infinity();
  V m0 = V{} + inf, m1 = m0;
  Index u = b;
  for (; u + 2 * L <= e; u += 2 * L) {  // two vectors at a time: independent chains
    V acc0 = V{}, acc1 = V{};
#pragma GCC unroll 4
    for (Index k = 0; k < count; ++k) {
      V d0, d1;
      std::memcpy(&d0, row_of[k] + u, sizeof(V));  // memcpy: unaligned
      std::memcpy(&d1, row_of[k] + u + L, sizeof(V));
      d0 -= x_of[k];
      d1 -= x_of[k];
      acc0 += d0 * d0;
      acc1 += d1 * d1;
    }
    if (Store) {
      std::memcpy(distances + u, &acc0, sizeof(V));
      std::memcpy(distances + u + L, &acc1, sizeof(V));
    }
    m0 = acc0 < m0 ? acc0 : m0;  // float selects (see collect_group_vector in score_kernel.hpp)
    m1 = acc1 < m1 ? acc1 : m1;
  }
  for (; u + L <= e; u += L) {
    V acc = V{};
#pragma GCC unroll 4
    for (Index k = 0; k < count; ++k) {
      V d;
      std::memcpy(&d, row_of[k] + u, sizeof(V));
      d -= x_of[k];
      acc += d * d;
    }
    if (Store) std::memcpy(distances + u, &acc, sizeof(V));
    m0 = acc < m0 ? acc : m0;
  }
  if (u < e) {  // a partial vector (the last of the codebook): missing lanes count as +inf
    const Index n = e - u;
    V acc = V{};
    for (Index k = 0; k < count; ++k) {
      V d;
      load_first(d, row_of[k] + u, n);
      d -= x_of[k];
      acc += d * d;
    }
    if (Store) store_first(distances + u, acc, n);
    for (Index l = n; l < L; ++l) acc[l] = inf;
    m0 = acc < m0 ? acc : m0;
  }
  least = m1 < m0 ? m1 : m0;
}

/// nearest_scalar with vectors of Bytes bytes: per lane the least distance so far and the
/// first chunk that has it (no reduction across lanes per chunk), then the first chunk with
/// the least of all again, stored, for the index (the same instructions give the same
/// values). NF features known at compile time (0: any count).
template <typename Scalar, int Bytes, int NF>
SOMTILE_ALWAYS_INLINE Nearest<Scalar> nearest_vector(const StepFeatures<Scalar>& f, Index units, Scalar* distances) {
  constexpr int L = Bytes / int(sizeof(Scalar));
  typedef Scalar V __attribute__((vector_size(Bytes)));
  const Index count = NF > 0 ? Index(NF) : f.count;
  // Locals, so that stores cannot make the compiler reload them.
  const Scalar* rows[NF > 0 ? NF : 1];
  Scalar x[NF > 0 ? NF : 1];
  for (int k = 0; k < NF; ++k) {
    rows[k] = f.rows[k];
    x[k] = f.x[k];
  }
  const Scalar* const* const row_of = NF > 0 ? rows : f.rows;
  const Scalar* const x_of = NF > 0 ? x : f.x;
  constexpr Scalar inf = std::numeric_limits<Scalar>::infinity();
  V best = V{} + inf, best_chunk = V{};  // chunk numbers, exact in Scalar
  Index c = 0;
  for (Index b = 0; b < units; b += nearest_chunk, ++c) {
    const Index e = b + nearest_chunk < units ? b + nearest_chunk : units;
    V least;
    least_in_chunk<Scalar, Bytes, NF, false>(row_of, x_of, count, b, e, distances, least);
    const V chunk = V{} + Scalar(c);
    best_chunk = least < best ? chunk : best_chunk;  // float selects, as in least_in_chunk
    best = least < best ? least : best;
  }
  Scalar least = best[0];
  for (int l = 1; l < L; ++l) least = best[l] < least ? best[l] : least;
  if (!(least < inf)) return {least, 0};
  Scalar first = inf;
  for (int l = 0; l < L; ++l)
    if (best[l] == least && best_chunk[l] < first) first = best_chunk[l];
  const Index b = Index(first) * nearest_chunk;
  const Index e = b + nearest_chunk < units ? b + nearest_chunk : units;
  V unused;
  least_in_chunk<Scalar, Bytes, NF, true>(row_of, x_of, count, b, e, distances, unused);
  return nearest_in_chunk(distances, b, least);
}

/// update_span_loop in vectors, the last one partial: each vector of rates is formed once and
/// moves every feature. NF features known at compile time (0: any count).
template <typename Scalar, int Bytes, int NF>
SOMTILE_ALWAYS_INLINE void update_span_vector(const SpanUpdate<Scalar>& s) {
  constexpr Index L = Bytes / Index(sizeof(Scalar));
  typedef Scalar V __attribute__((vector_size(Bytes)));
  const Index count = NF > 0 ? Index(NF) : s.count;
  // Locals, so the stores of the weights cannot make the compiler reload them.
  Scalar* rows[NF > 0 ? NF : 1];
  Scalar x[NF > 0 ? NF : 1];
  for (int k = 0; k < NF; ++k) {
    rows[k] = s.rows[k] + s.first;
    x[k] = s.x[k];
  }
  Scalar* const* const row_of = NF > 0 ? rows : s.rows;
  const Scalar* const x_of = NF > 0 ? x : s.x;
  const Index offset = NF > 0 ? 0 : s.first;
  const Scalar rf = s.row_factor;
  const Scalar* const col_rate = s.col_rate;
  const Index len = s.len;
  Index c = 0;
  for (; c + L <= len; c += L) {
    V rate;
    load_first(rate, col_rate + c, L);
    rate = rf * rate;
#pragma GCC unroll 4
    for (Index k = 0; k < count; ++k) {
      Scalar* const wk = row_of[k] + offset + c;
      V w;
      load_first(w, wk, L);
      store_first(wk, w + rate * (x_of[k] - w), L);
    }
  }
  // The last entries one by one, in the same expression: an update is one entry's own
  // arithmetic, so the compiler fuses it as it fuses the vectors (a vector built from a partial
  // copy stalls on the store it is read back from, once per span and feature).
  for (; c < len; ++c) {
    const Scalar rate = rf * col_rate[c];
    for (Index k = 0; k < count; ++k) {
      Scalar& w = row_of[k][offset + c];
      w = w + rate * (x_of[k] - w);
    }
  }
}

/// update_span_loop in whole vectors for NF features (NF > 0), the stores on vector boundaries
/// of the first feature's row (the working codebook's rows share them): the first and the last
/// vector of the span are computed from the old weights before anything is stored, the whole
/// vectors between them from the first boundary on, then the first and the last stored. An
/// entry two of them cover is written twice with the same value (each entry's update reads
/// that entry only), so no entry is split off into a scalar or partial step. Spans shorter
/// than a vector go one entry at a time.
template <typename Scalar, int Bytes, int NF>
SOMTILE_ALWAYS_INLINE void update_span_aligned(const SpanUpdate<Scalar>& s) {
  constexpr Index L = Bytes / Index(sizeof(Scalar));
  typedef Scalar V __attribute__((vector_size(Bytes)));
  Scalar* w[NF];
  Scalar x[NF];
  for (int k = 0; k < NF; ++k) {
    w[k] = s.rows[k] + s.first;
    x[k] = s.x[k];
  }
  const Scalar rf = s.row_factor;
  const Scalar* const col_rate = s.col_rate;
  const Index len = s.len;
  if (len < L) {
    for (Index c = 0; c < len; ++c) {
      const Scalar rate = rf * col_rate[c];
      for (int k = 0; k < NF; ++k) w[k][c] = w[k][c] + rate * (x[k] - w[k][c]);
    }
    return;
  }
  // Entries before the first vector boundary of w[0], and where the last whole vector ends.
  const Index lead = Index((L - (reinterpret_cast<std::uintptr_t>(w[0]) / sizeof(Scalar)) % L) % L);
  const Index end = lead + (len - lead) / L * L;
  V head[NF] = {}, tail[NF] = {}, rate, v;  // initialised: GCC cannot see that each is set before its store
  if (lead > 0) {
    load_first(rate, col_rate, L);
    rate = rf * rate;
#pragma GCC unroll 4
    for (int k = 0; k < NF; ++k) {
      load_first(v, w[k], L);
      head[k] = v + rate * (x[k] - v);
    }
  }
  if (end < len) {
    load_first(rate, col_rate + len - L, L);
    rate = rf * rate;
#pragma GCC unroll 4
    for (int k = 0; k < NF; ++k) {
      load_first(v, w[k] + len - L, L);
      tail[k] = v + rate * (x[k] - v);
    }
  }
  for (Index c = lead; c < end; c += L) {
    load_first(rate, col_rate + c, L);
    rate = rf * rate;
#pragma GCC unroll 4
    for (int k = 0; k < NF; ++k) {
      load_first(v, w[k] + c, L);
      store_first(w[k] + c, v + rate * (x[k] - v), L);
    }
  }
  if (lead > 0)
#pragma GCC unroll 4
    for (int k = 0; k < NF; ++k) store_first(w[k], head[k], L);
  if (end < len)
#pragma GCC unroll 4
    for (int k = 0; k < NF; ++k) store_first(w[k] + len - L, tail[k], L);
}

/// update_span_vector with the common feature counts unrolled.
template <typename Scalar, int Bytes>
SOMTILE_ALWAYS_INLINE void update_span_any(const SpanUpdate<Scalar>& s) {
  switch (s.count) {
    case 3:
      return update_span_aligned<Scalar, Bytes, 3>(s);
    case 4:
      return update_span_aligned<Scalar, Bytes, 4>(s);
    default:
      return update_span_vector<Scalar, Bytes, 0>(s);
  }
}

/// nearest_vector with the common feature counts unrolled.
template <typename Scalar, int Bytes>
SOMTILE_ALWAYS_INLINE Nearest<Scalar> nearest_any(const StepFeatures<Scalar>& f, Index units, Scalar* distances) {
  switch (f.count) {
    case 2:
      return nearest_vector<Scalar, Bytes, 2>(f, units, distances);
    case 3:
      return nearest_vector<Scalar, Bytes, 3>(f, units, distances);
    case 4:
      return nearest_vector<Scalar, Bytes, 4>(f, units, distances);
    default:
      return nearest_vector<Scalar, Bytes, 0>(f, units, distances);
  }
}

/// update_window with update_span_any (not through a lambda: a lambda's body is a function of
/// its own, compiled without the caller's target once it is too large to inline).
template <typename Scalar, int Bytes>
SOMTILE_ALWAYS_INLINE void update_window_vector(const WindowUpdate<Scalar>& w) {
  for (int rp = 0; rp < w.row_parts; ++rp)
    for (Index r = w.row_begin[rp]; r < w.row_end[rp]; ++r)
      for (int cp = 0; cp < w.col_parts; ++cp) {
        const Index b = w.col_begin[cp];
        update_span_any<Scalar, Bytes>(SpanUpdate<Scalar>{w.rows, w.x, w.count, r * w.cols + b, w.col_end[cp] - b,
                                                          w.row_factor[r], w.rate + r * w.rate_stride + b});
      }
}

/// exp_scaled_scalar in vectors of Bytes bytes, the last one partial; the vector where an
/// argument first falls below -700 and the rest go to exp_scaled_scalar (the arguments
/// decrease along the offsets).
template <int Bytes, typename D = double, typename N = std::uint64_t>  // D, N: dependent, or GCC drops vector_size
SOMTILE_ALWAYS_INLINE void exp_scaled_vector(const double* in, Index n, double scale, double* out) {
  constexpr Index L = Bytes / Index(sizeof(double));
  typedef D V __attribute__((vector_size(Bytes)));
  typedef N I __attribute__((vector_size(Bytes)));
  for (Index i = 0; i < n; i += L) {
    const Index m = i + L <= n ? L : n - i;
    V a;
    load_first(a, in + i, m);  // missing lanes 0: exp(0)
    a = SOMTILE_ROUNDED(scale * a);
    bool all = true;  // lane by lane: a vector comparison would yield integers (see least_in_chunk)
    for (Index l = 0; l < L; ++l) all = all && a[l] >= -700.0;
    if (!all) return exp_scaled_scalar(in + i, n - i, scale, out + i);
    exp_cephes<V, I>(a);
    store_first(out + i, a, m);
  }
}

template <typename Scalar>
Nearest<Scalar> nearest_compiled(const StepFeatures<Scalar>& f, Index units, Scalar* distances) {
  return nearest_any<Scalar, native_vector_bytes>(f, units, distances);
}
template <typename Scalar>
SOMTILE_WIDE_VECTORS void update_window_compiled(const WindowUpdate<Scalar>& w) {
  update_window_vector<Scalar, native_vector_bytes>(w);
}

SOMTILE_WIDE_VECTORS inline void exp_scaled_compiled(const double* in, Index n, double scale, double* out) {
  exp_scaled_vector<native_vector_bytes>(in, n, scale, out);
}

#if SOMTILE_X86_DISPATCH
inline SOMTILE_TARGET_AVX2 void exp_scaled_avx2(const double* in, Index n, double scale, double* out) {
  exp_scaled_vector<32>(in, n, scale, out);
}
inline SOMTILE_TARGET_AVX512 void exp_scaled_avx512(const double* in, Index n, double scale, double* out) {
  exp_scaled_vector<64>(in, n, scale, out);
}
template <typename Scalar>
SOMTILE_TARGET_AVX2 Nearest<Scalar> nearest_avx2(const StepFeatures<Scalar>& f, Index units, Scalar* distances) {
  return nearest_any<Scalar, 32>(f, units, distances);
}
template <typename Scalar>
SOMTILE_TARGET_AVX2 void update_window_avx2(const WindowUpdate<Scalar>& w) {
  update_window_vector<Scalar, 32>(w);
}
template <typename Scalar>
SOMTILE_TARGET_AVX512 Nearest<Scalar> nearest_avx512(const StepFeatures<Scalar>& f, Index units, Scalar* distances) {
  return nearest_any<Scalar, 64>(f, units, distances);
}
template <typename Scalar>
SOMTILE_TARGET_AVX512 void update_window_avx512(const WindowUpdate<Scalar>& w) {
  update_window_vector<Scalar, 64>(w);
}
#endif
#endif  // __GNUC__

/// The kernels for the level active_isa() names now.
template <typename Scalar>
OnlineKernels<Scalar> online_kernels() {
#if SOMTILE_X86_DISPATCH
  return {isa_variant(nearest_compiled<Scalar>, nearest_avx2<Scalar>, nearest_avx512<Scalar>),
          isa_variant(update_window_compiled<Scalar>, update_window_avx2<Scalar>, update_window_avx512<Scalar>),
          isa_variant(exp_scaled_compiled, exp_scaled_avx2, exp_scaled_avx512)};
#elif defined(__GNUC__)
  return {nearest_compiled<Scalar>, update_window_compiled<Scalar>, exp_scaled_compiled};
#else
  return {nearest_scalar<Scalar>, update_window_scalar<Scalar>, exp_scaled_scalar};
#endif
}

}  // namespace somtile::detail
