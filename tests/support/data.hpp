#pragma once
// Data generators shared by the test files. Header-only: tools/check-aarch64.sh compiles a test
// file on its own, without the support library.
#include <somtile/core/random.hpp>
#include <somtile/core/types.hpp>

#include <cstdint>

namespace test_support {

/// rows x cols of standard normal draws of Random(seed), in storage order, converted to S.
template <typename S = double>
somtile::RowMatrix<S> normal_matrix(somtile::Index rows, somtile::Index cols, std::uint64_t seed) {
  somtile::Random rng(seed);
  somtile::RowMatrix<S> M(rows, cols);
  for (somtile::Index i = 0; i < M.size(); ++i) M.data()[i] = S(rng.normal());
  return M;
}

/// rows x cols of uniform [0, 1) draws of Random(seed), in storage order, converted to S.
template <typename S = double>
somtile::RowMatrix<S> uniform_matrix(somtile::Index rows, somtile::Index cols, std::uint64_t seed) {
  somtile::Random rng(seed);
  somtile::RowMatrix<S> M(rows, cols);
  for (somtile::Index i = 0; i < M.size(); ++i) M.data()[i] = S(rng.uniform());
  return M;
}

/// Three interleaved blobs: row i is standard normal noise of Random(seed), drawn row by row,
/// plus 4 on the features j with j % 3 == i % 3; with `widening`, feature j's noise is scaled
/// by 1 + j (features of different spreads, for the scalers).
template <typename S = double>
somtile::RowMatrix<S> three_blobs(somtile::Index n, somtile::Index f, std::uint64_t seed, bool widening = false) {
  somtile::Random rng(seed);
  somtile::RowMatrix<S> X(n, f);
  for (somtile::Index i = 0; i < n; ++i)
    for (somtile::Index j = 0; j < f; ++j) {
      const double noise = widening ? rng.normal() * (1.0 + double(j)) : rng.normal();
      X(i, j) = S(noise + 4.0 * double((i % 3) == j % 3));
    }
  return X;
}

}  // namespace test_support
