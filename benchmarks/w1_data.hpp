// W1's data set, shared by bench_som, bench_io and peer_w1 so that all three time the same
// samples: isotropic Gaussian blobs (unit variance, centres uniform in [-10, 10]), standardised.
#pragma once

#include <somtile/core/random.hpp>
#include <somtile/core/types.hpp>

#include <cstdint>

namespace bench {

/// n samples of isotropic unit-variance Gaussian blobs around `centers` centres drawn uniformly
/// in [-box, box] (scikit-learn's make_blobs), unscaled: the centres first, then per sample its
/// centre and its features.
inline somtile::RowMatrix<float> blobs(somtile::Index n, somtile::Index f, somtile::Index centers, double box,
                                       std::uint64_t seed) {
  using somtile::Index;
  somtile::Random rng(seed);
  somtile::RowMatrix<float> C(centers, f), X(n, f);
  for (Index i = 0; i < C.size(); ++i) C.data()[i] = float(rng.uniform(-box, box));
  for (Index i = 0; i < n; ++i) {
    const Index c = rng.uniform_index(centers);
    for (Index j = 0; j < f; ++j) X(i, j) = C(c, j) + float(rng.normal());
  }
  return X;
}

/// W1's data: blobs with centres in [-10, 10], standardised.
inline somtile::RowMatrix<float> w1_blobs(somtile::Index n, somtile::Index f, somtile::Index centers,
                                          std::uint64_t seed) {
  somtile::RowMatrix<float> X = blobs(n, f, centers, 10, seed);
  X = X.rowwise() - X.colwise().mean();
  X.array().rowwise() /= (X.array().square().colwise().sum() / float(n - 1)).sqrt();
  return X;
}

}  // namespace bench
