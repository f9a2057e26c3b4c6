#pragma once
// Principal axes of sparse rows without forming the features x features covariance: subspace
// iteration (subspace_principal_axes, kernels/detail/pca.hpp) on the implicit covariance
//   C v = (X^T (X v) - n mu (mu . v)) / (n - 1),
// O(nnz) per vector and iteration. Same result as principal_axes to the iteration's tolerance,
// with its sign rule: each axis's largest component is positive.

#include "somtile/kernels/detail/pca.hpp"
#include "somtile/kernels/detail/sparse_bmu.hpp"

#include <algorithm>
#include <cmath>

namespace somtile::detail {

template <typename Scalar>
PrincipalAxes sparse_principal_axes(const CsrView<Scalar>& X, Index k, int max_iterations = 300,
                                    double tolerance = 1e-10) {
  const Index n = X.rows, F = X.cols;
  PrincipalAxes out;
  out.mean = Eigen::RowVectorXd::Zero(F);
  for (Index i = 0; i < n; ++i)
    for (Index q = X.begin(i); q < X.end(i); ++q) out.mean(X.inner[q]) += double(X.values[q]);
  out.mean /= double(std::max<Index>(n, 1));
  const double denominator = double(std::max<Index>(n - 1, 1));
  RowMatrix<double> XV;
  const auto apply = [&](const RowMatrix<double>& V, RowMatrix<double>& Y) {
    XV.resize(n, V.cols());
    for (Index i = 0; i < n; ++i) {
      auto r = XV.row(i);
      r.setZero();
      for (Index q = X.begin(i); q < X.end(i); ++q) r += double(X.values[q]) * V.row(X.inner[q]);
    }
    Y.setZero();
    for (Index i = 0; i < n; ++i)
      for (Index q = X.begin(i); q < X.end(i); ++q) Y.row(X.inner[q]) += double(X.values[q]) * XV.row(i);
    const Eigen::RowVectorXd mu_v = out.mean.lazyProduct(V);
    Y -= (double(n) * out.mean.transpose()).lazyProduct(mu_v);
    Y /= denominator;
  };
  subspace_principal_axes(F, k, apply, out, max_iterations, tolerance);
  return out;
}

}  // namespace somtile::detail
