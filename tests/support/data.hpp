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

}  // namespace test_support
