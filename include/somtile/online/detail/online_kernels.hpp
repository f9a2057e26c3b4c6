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

/// The kernels of one level, picked by online_kernels().
template <typename Scalar>
struct OnlineKernels {
  /// Squared distances of every unit (into `distances`, units long) and the nearest unit; an
  /// infinite distance when every square overflowed.
  Nearest<Scalar> (*nearest)(const StepFeatures<Scalar>&, Index units, Scalar* distances);
  void (*update)(const SpanUpdate<Scalar>&);
};

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
void update_span_loop(const SpanUpdate<Scalar>& s) {
  const Scalar rf = s.row_factor;
  const Scalar* __restrict rate = s.col_rate;
  const Index len = s.len;
  for (Index k = 0; k < s.count; ++k) {
    Scalar* __restrict w = s.rows[k] + s.first;
    const Scalar xk = s.x[k];
    for (Index c = 0; c < len; ++c) w[c] += (rf * rate[c]) * (xk - w[c]);
  }
}

#if defined(__GNUC__)
/// nearest_scalar with vectors of Bytes bytes; NF features known at compile time (0: any count).
template <typename Scalar, int Bytes, int NF>
SOMTILE_ALWAYS_INLINE Nearest<Scalar> nearest_vector(const StepFeatures<Scalar>& f, Index units, Scalar* distances) {
  constexpr int L = Bytes / int(sizeof(Scalar));
  typedef Scalar V __attribute__((vector_size(Bytes)));
  const Index count = NF > 0 ? Index(NF) : f.count;
  // Locals, so the stores of the distances cannot make the compiler reload them.
  const Scalar* rows[NF > 0 ? NF : 1];
  Scalar x[NF > 0 ? NF : 1];
  for (int k = 0; k < NF; ++k) {
    rows[k] = f.rows[k];
    x[k] = f.x[k];
  }
  const Scalar* const* const row_of = NF > 0 ? rows : f.rows;
  const Scalar* const x_of = NF > 0 ? x : f.x;
  constexpr Scalar inf = std::numeric_limits<Scalar>::infinity();
  Scalar best = inf;
  Index best_chunk = 0;
  for (Index b = 0; b < units; b += nearest_chunk) {
    const Index e = b + nearest_chunk < units ? b + nearest_chunk : units;
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
      std::memcpy(distances + u, &acc0, sizeof(V));
      std::memcpy(distances + u + L, &acc1, sizeof(V));
      m0 = acc0 < m0 ? acc0 : m0;  // float selects (see collect_group_vector in score_kernel.hpp)
      m1 = acc1 < m1 ? acc1 : m1;
    }
    for (; u < e; u += L) {  // the last vector may be partial: its missing lanes count as +inf
      const Index n = e - u < L ? e - u : L;
      V acc = V{};
#pragma GCC unroll 4
      for (Index k = 0; k < count; ++k) {
        V d;
        if (n == L)
          load_first(d, row_of[k] + u, L);
        else
          load_first(d, row_of[k] + u, n);
        d -= x_of[k];
        acc += d * d;
      }
      store_first(distances + u, acc, n);
      for (Index l = n; l < L; ++l) acc[l] = inf;
      m0 = acc < m0 ? acc : m0;
    }
    const V m = m1 < m0 ? m1 : m0;
    Scalar least = m[0];
    for (int l = 1; l < L; ++l) least = m[l] < least ? m[l] : least;
    if (least < best) {
      best = least;
      best_chunk = b;
    }
  }
  if (!(best < inf)) return {best, 0};
  return nearest_in_chunk(distances, best_chunk, best);
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
  for (Index c = 0; c < len; c += L) {
    const Index n = len - c < L ? len - c : L;
    V rate, w;
    if (n == L)
      load_first(rate, col_rate + c, L);
    else
      load_first(rate, col_rate + c, n);
    rate = rf * rate;
#pragma GCC unroll 4
    for (Index k = 0; k < count; ++k) {
      Scalar* const wk = row_of[k] + offset + c;
      if (n == L) {
        load_first(w, wk, L);
        store_first(wk, w + rate * (x_of[k] - w), L);
      } else {
        load_first(w, wk, n);
        store_first(wk, w + rate * (x_of[k] - w), n);
      }
    }
  }
}

/// update_span_vector with the common feature counts unrolled.
template <typename Scalar, int Bytes>
SOMTILE_ALWAYS_INLINE void update_span_any(const SpanUpdate<Scalar>& s) {
  switch (s.count) {
    case 3:
      return update_span_vector<Scalar, Bytes, 3>(s);
    case 4:
      return update_span_vector<Scalar, Bytes, 4>(s);
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

template <typename Scalar>
Nearest<Scalar> nearest_compiled(const StepFeatures<Scalar>& f, Index units, Scalar* distances) {
  return nearest_any<Scalar, native_vector_bytes>(f, units, distances);
}
template <typename Scalar>
void update_span_compiled(const SpanUpdate<Scalar>& s) {
  update_span_any<Scalar, native_vector_bytes>(s);
}

#if SOMTILE_X86_DISPATCH
template <typename Scalar>
SOMTILE_TARGET_AVX2 Nearest<Scalar> nearest_avx2(const StepFeatures<Scalar>& f, Index units, Scalar* distances) {
  return nearest_any<Scalar, 32>(f, units, distances);
}
template <typename Scalar>
SOMTILE_TARGET_AVX2 void update_span_avx2(const SpanUpdate<Scalar>& s) {
  update_span_any<Scalar, 32>(s);
}
template <typename Scalar>
SOMTILE_TARGET_AVX512 Nearest<Scalar> nearest_avx512(const StepFeatures<Scalar>& f, Index units, Scalar* distances) {
  return nearest_any<Scalar, 64>(f, units, distances);
}
template <typename Scalar>
SOMTILE_TARGET_AVX512 void update_span_avx512(const SpanUpdate<Scalar>& s) {
  update_span_any<Scalar, 64>(s);
}
#endif
#endif  // __GNUC__

/// The kernels for the level active_isa() names now.
template <typename Scalar>
OnlineKernels<Scalar> online_kernels() {
#if SOMTILE_X86_DISPATCH
  return {isa_variant(nearest_compiled<Scalar>, nearest_avx2<Scalar>, nearest_avx512<Scalar>),
          isa_variant(update_span_compiled<Scalar>, update_span_avx2<Scalar>, update_span_avx512<Scalar>)};
#elif defined(__GNUC__)
  return {nearest_compiled<Scalar>, update_span_compiled<Scalar>};
#else
  return {nearest_scalar<Scalar>, update_span_loop<Scalar>};
#endif
}

}  // namespace somtile::detail
