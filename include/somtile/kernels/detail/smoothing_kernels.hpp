#pragma once
// The inner loops of neighbourhood smoothing (kernels/detail/smoother.hpp) and of the
// mini-batch update that applies it, compiled for each instruction-set level (kernels/isa.hpp):
// a default build runs them with AVX2+FMA or AVX-512 where the CPU has them. Eigen picks its
// vector width when the program is compiled, so an Eigen product inside a function with a
// target attribute would still run SSE2 code; these loops are GCC/Clang generic vectors and
// plain loops, which take the width of the function they are compiled in.
//
// Results: every entry of a product is one sum over k in ascending order, acc = a_i0 b_0j,
// acc += a_i1 b_1j, ..., whatever the tile, the block or the thread; the update is one
// expression per entry. So results never depend on the thread count or the vector width, and
// levels differ only where a multiply-add is fused: AVX2 and AVX-512 fuse them (FMA) and give
// the same bits, also in a build for a CPU with FMA (-march=native); baseline x86-64 rounds
// the product first. Other compilers get the scalar loops, in the same order.

#include "somtile/core/types.hpp"
#include "somtile/kernels/isa.hpp"

#include <cstring>

namespace somtile::detail {

/// c = a b for row-major a (m x k), b (k x n) and c (m x n), with leading dimensions; c may
/// not overlap a or b. Shaped for the smoother: m and k small (grid rows, active units), n long.
template <typename Scalar>
struct Product {
  const Scalar* a;
  Index lda;
  const Scalar* b;
  Index ldb;
  Scalar* c;
  Index ldc;
  Index m, n, k;
};

/// The mini-batch update of `rows` units from their smoothed sums: w_uj += step (s_uj - s_uF w_uj),
/// s_u = [numerator | denominator] (features + 1 entries).
template <typename Scalar>
struct MinibatchStep {
  Scalar* w;
  Index ldw;
  const Scalar* s;
  Index lds;
  Index rows, features;
  Scalar step;
};

/// The kernels of one level, picked by smoothing_kernels().
template <typename Scalar>
struct SmoothingKernels {
  void (*product)(const Product<Scalar>&);
  void (*minibatch_step)(const MinibatchStep<Scalar>&);
};

/// One entry of the product, the order every variant follows.
template <typename Scalar>
Scalar product_entry(const Product<Scalar>& p, Index i, Index j) {
  Scalar acc = Scalar(0);
  for (Index q = 0; q < p.k; ++q) acc += p.a[i * p.lda + q] * p.b[q * p.ldb + j];
  return acc;
}

template <typename Scalar>
void minibatch_step_loop(const MinibatchStep<Scalar>& m) {
  const Index F = m.features;
  const Scalar step = m.step;
  for (Index u = 0; u < m.rows; ++u) {
    Scalar* __restrict w = m.w + u * m.ldw;
    const Scalar* __restrict s = m.s + u * m.lds;
    const Scalar den = s[F];
    for (Index j = 0; j < F; ++j) w[j] += step * (s[j] - den * w[j]);
  }
}

template <typename Scalar>
void product_scalar(const Product<Scalar>& p) {
  for (Index i = 0; i < p.m; ++i)
    for (Index j = 0; j < p.n; ++j) p.c[i * p.ldc + j] = product_entry(p, i, j);
}

#if defined(__GNUC__)
/// Copies the first `count` (< Lanes) of Lanes scalars as at most log2(Lanes) copies of fixed
/// sizes: a copy of a variable length would be a library call.
template <int Lanes, typename Scalar>
SOMTILE_ALWAYS_INLINE void copy_first(Scalar* to, const Scalar* from, Index count) {
  Index done = 0;
#pragma GCC unroll 8
  for (int part = Lanes / 2; part > 0; part /= 2)
    if (count & part) {
      std::memcpy(to + done, from + done, std::size_t(part) * sizeof(Scalar));
      done += part;
    }
}

/// The first `count` (<= lanes) entries at p, the rest zero; and their store. Tails go through
/// these, so every entry is computed by the same vector instructions (a scalar tail could be
/// fused differently, or vectorised by the compiler with the products rounded first).
template <typename V, typename Scalar>
SOMTILE_ALWAYS_INLINE void load_first(V& v, const Scalar* p, Index count) {  // not returned: see -Wpsabi
  constexpr int L = int(sizeof(V) / sizeof(Scalar));
  if (count == L) {
    std::memcpy(&v, p, sizeof(V));
    return;
  }
  Scalar lanes[L] = {};
  copy_first<L>(lanes, p, count);
  std::memcpy(&v, lanes, sizeof(V));
}
template <typename V, typename Scalar>
SOMTILE_ALWAYS_INLINE void store_first(Scalar* p, const V& v, Index count) {
  constexpr int L = int(sizeof(V) / sizeof(Scalar));
  if (count == L) {
    std::memcpy(p, &v, sizeof(V));
    return;
  }
  Scalar lanes[L];
  std::memcpy(lanes, &v, sizeof(V));
  copy_first<L>(p, lanes, count);
}

/// R rows x NV vectors of c from (i0, j0), accumulated in registers over k; the last vector
/// holds `last` (<= lanes) columns.
template <typename Scalar, int Bytes, int R, int NV>
SOMTILE_ALWAYS_INLINE void product_tile(const Product<Scalar>& p, Index i0, Index j0, Index last) {
  constexpr int L = Bytes / int(sizeof(Scalar));
  typedef Scalar V __attribute__((vector_size(Bytes)));
  const Scalar* const a = p.a + i0 * p.lda;
  const Scalar* const b = p.b + j0;
  const Index lda = p.lda, ldb = p.ldb, K = p.k;
  V acc[R][NV];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = V{};
  for (Index q = 0; q < K; ++q) {
    V bq[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      if (v + 1 < NV || last == L)
        load_first(bq[v], b + q * ldb + v * L, L);
      else
        load_first(bq[v], b + q * ldb + v * L, last);
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const Scalar ar = a[r * lda + q];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] += bq[v] * ar;
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) store_first(p.c + (i0 + r) * p.ldc + j0 + v * L, acc[r][v], v + 1 < NV ? L : last);
}

/// The last `rest` (< MR) rows, from i0: the tile with exactly that many rows.
template <typename Scalar, int Bytes, int R, int NV>
SOMTILE_ALWAYS_INLINE void product_rest(const Product<Scalar>& p, Index i0, Index j0, Index last, Index rest) {
  if constexpr (R > 0) {
    if (rest == R)
      product_tile<Scalar, Bytes, R, NV>(p, i0, j0, last);
    else
      product_rest<Scalar, Bytes, R - 1, NV>(p, i0, j0, last, rest);
  }
}

/// Every row of the NV vectors of columns from j0 (the last one `last` columns wide), MR rows
/// at a time: the b panel (k x NV vectors) stays in L1 while the rows pass over it.
template <typename Scalar, int Bytes, int MR, int NV>
SOMTILE_ALWAYS_INLINE void product_columns(const Product<Scalar>& p, Index j0, Index last) {
  Index i = 0;
  for (; i + MR <= p.m; i += MR) product_tile<Scalar, Bytes, MR, NV>(p, i, j0, last);
  product_rest<Scalar, Bytes, MR - 1, NV>(p, i, j0, last, p.m - i);
}

template <typename Scalar, int Bytes, int MR, int NV>
SOMTILE_ALWAYS_INLINE void product_vector(const Product<Scalar>& p) {
  constexpr Index L = Bytes / Index(sizeof(Scalar)), panel = L * NV;
  Index j = 0;
  for (; j + panel <= p.n; j += panel) product_columns<Scalar, Bytes, MR, NV>(p, j, L);
  for (; j + L <= p.n; j += L) product_columns<Scalar, Bytes, MR, 1>(p, j, L);
  if (j < p.n) product_columns<Scalar, Bytes, MR, 1>(p, j, p.n - j);  // a partial vector
}

/// minibatch_step_loop in vectors, the last one partial.
template <typename Scalar, int Bytes>
SOMTILE_ALWAYS_INLINE void minibatch_step_vector(const MinibatchStep<Scalar>& m) {
  constexpr Index L = Bytes / Index(sizeof(Scalar));
  typedef Scalar V __attribute__((vector_size(Bytes)));
  const Index F = m.features;
  const Scalar step = m.step;
  for (Index u = 0; u < m.rows; ++u) {
    Scalar* w = m.w + u * m.ldw;
    const Scalar* s = m.s + u * m.lds;
    const Scalar den = s[F];
    Index j = 0;
    for (; j + L <= F; j += L) {
      V wj, sj;
      load_first(wj, w + j, L);
      load_first(sj, s + j, L);
      store_first(w + j, wj + step * (sj - den * wj), L);
    }
    for (; j < F; ++j) w[j] = w[j] + step * (s[j] - den * w[j]);  // as update_span_vector's tail
  }
}

/// Register blocking per vector width: up to 6 rows x NV vectors of accumulators, with the NV
/// vectors of b and a broadcast beside them (16 registers up to AVX2, 32 with AVX-512).
template <int Bytes>
struct ProductShape {
  static constexpr int mr = 6, nv = Bytes == 64 ? 4 : 2;
};

template <typename Scalar>
SOMTILE_WIDE_VECTORS void product_compiled(const Product<Scalar>& p) {
  constexpr int B = native_vector_bytes;
  product_vector<Scalar, B, ProductShape<B>::mr, ProductShape<B>::nv>(p);
}
template <typename Scalar>
SOMTILE_WIDE_VECTORS void minibatch_step_compiled(const MinibatchStep<Scalar>& m) {
  minibatch_step_vector<Scalar, native_vector_bytes>(m);
}

#if SOMTILE_X86_DISPATCH
template <typename Scalar>
SOMTILE_TARGET_AVX2 void product_avx2(const Product<Scalar>& p) {
  product_vector<Scalar, 32, ProductShape<32>::mr, ProductShape<32>::nv>(p);
}
template <typename Scalar>
SOMTILE_TARGET_AVX2 void minibatch_step_avx2(const MinibatchStep<Scalar>& m) {
  minibatch_step_vector<Scalar, 32>(m);
}
template <typename Scalar>
SOMTILE_TARGET_AVX512 void product_avx512(const Product<Scalar>& p) {
  product_vector<Scalar, 64, ProductShape<64>::mr, ProductShape<64>::nv>(p);
}
template <typename Scalar>
SOMTILE_TARGET_AVX512 void minibatch_step_avx512(const MinibatchStep<Scalar>& m) {
  minibatch_step_vector<Scalar, 64>(m);
}
#endif
#endif  // __GNUC__

/// The kernels for the level active_isa() names now.
template <typename Scalar>
SmoothingKernels<Scalar> smoothing_kernels() {
#if SOMTILE_X86_DISPATCH
  return {isa_variant(product_compiled<Scalar>, product_avx2<Scalar>, product_avx512<Scalar>),
          isa_variant(minibatch_step_compiled<Scalar>, minibatch_step_avx2<Scalar>, minibatch_step_avx512<Scalar>)};
#elif defined(__GNUC__)
  return {product_compiled<Scalar>, minibatch_step_compiled<Scalar>};
#else
  return {product_scalar<Scalar>, minibatch_step_loop<Scalar>};
#endif
}

}  // namespace somtile::detail
