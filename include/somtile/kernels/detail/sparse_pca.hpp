#pragma once
// Principal axes of sparse rows without forming the features x features covariance: subspace
// iteration on the implicit covariance
//   C v = (X^T (X v) - n mu (mu . v)) / (n - 1),
// O(nnz) per vector and iteration, with a Rayleigh-Ritz step on a block of k + 8 vectors (the
// extra vectors speed up convergence where the leading variances are close). Stops when every
// wanted Ritz pair's residual |C a - lambda a| is below tolerance x the largest variance, or
// after max_iterations (the current estimate is then used: this serves the PCA
// initialisation, where a nearly converged plane is as good). Same result as principal_axes
// (kernels/detail/pca.hpp) to that tolerance, with its sign rule: each axis's largest component is
// positive. The start block comes from a fixed seed, so results are reproducible.

#include "somtile/core/random.hpp"
#include "somtile/kernels/detail/pca.hpp"
#include "somtile/kernels/detail/sparse_bmu.hpp"

#include <algorithm>
#include <cmath>

namespace somtile::detail {

/// Orthonormalises the columns of V (modified Gram-Schmidt, twice); a column that vanishes is
/// replaced by a random one.
template <typename = void>
void orthonormalize_columns(RowMatrix<double>& V, Random& rng) {
  const Index b = V.cols();
  for (Index c = 0; c < b; ++c) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      const double before = V.col(c).norm();
      for (int pass = 0; pass < 2; ++pass)
        for (Index q = 0; q < c; ++q) V.col(c) -= V.col(q).dot(V.col(c)) * V.col(q);
      const double after = V.col(c).norm();
      if (after > 1e-10 * before && after > 0.0) {
        V.col(c) /= after;
        break;
      }
      for (Index j = 0; j < V.rows(); ++j) V(j, c) = rng.normal();
    }
  }
}

template <typename Scalar>
PrincipalAxes sparse_principal_axes(const CsrView<Scalar>& X, Index k, int max_iterations = 300,
                                    double tolerance = 1e-10) {
  const Index n = X.rows, F = X.cols;
  PrincipalAxes out;
  out.mean = Eigen::RowVectorXd::Zero(F);
  for (Index i = 0; i < n; ++i)
    for (Index q = X.begin(i); q < X.end(i); ++q) out.mean(X.inner[q]) += double(X.values[q]);
  out.mean /= double(std::max<Index>(n, 1));
  out.axes = Eigen::MatrixXd::Zero(F, k);
  out.variances = Eigen::VectorXd::Zero(k);
  const Index wanted = std::min(k, F), b = std::min<Index>(F, k + 8);
  if (wanted == 0) return out;
  const double denominator = double(std::max<Index>(n - 1, 1));
  RowMatrix<double> XV(n, b), V(F, b), Y(F, b);
  // Y = C V
  auto apply = [&]() {
    for (Index i = 0; i < n; ++i) {
      auto r = XV.row(i);
      r.setZero();
      for (Index q = X.begin(i); q < X.end(i); ++q) r += double(X.values[q]) * V.row(X.inner[q]);
    }
    Y.setZero();
    for (Index i = 0; i < n; ++i)
      for (Index q = X.begin(i); q < X.end(i); ++q) Y.row(X.inner[q]) += double(X.values[q]) * XV.row(i);
    const Eigen::RowVectorXd mu_v = out.mean * V;
    Y.noalias() -= (double(n) * out.mean.transpose()) * mu_v;
    Y /= denominator;
  };
  Random rng(0x5ca1ab1e);
  for (Index j = 0; j < F; ++j)
    for (Index c = 0; c < b; ++c) V(j, c) = rng.normal();
  orthonormalize_columns(V, rng);
  Eigen::MatrixXd ritz(F, wanted);
  for (int it = 0;; ++it) {
    apply();
    const Eigen::MatrixXd T = V.transpose() * Y;    // b x b, symmetric
    const SymmetricEigen eig = symmetric_eigen(T);  // ascending
    const double top = std::max(eig.values(b - 1), 0.0);
    bool converged = true;
    for (Index a = 0; a < wanted; ++a) {
      const Eigen::VectorXd r = eig.vectors.col(b - 1 - a);
      ritz.col(a) = V * r;
      out.variances(a) = std::max(eig.values(b - 1 - a), 0.0);
      const double residual = (Y * r - eig.values(b - 1 - a) * ritz.col(a)).norm();
      if (!(residual <= tolerance * top)) converged = false;
    }
    if (converged || it + 1 >= max_iterations) break;
    V = Y;
    orthonormalize_columns(V, rng);
  }
  for (Index a = 0; a < wanted; ++a) {
    Eigen::VectorXd axis = ritz.col(a).normalized();
    Index biggest = 0;
    axis.cwiseAbs().maxCoeff(&biggest);
    if (axis(biggest) < 0) axis = -axis;
    out.axes.col(a) = axis;
  }
  return out;
}

}  // namespace somtile::detail
