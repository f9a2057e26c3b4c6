#pragma once
// Principal axes of a sample matrix: the classic SOM's PCA initialisation and the network plot's
// PCA layout. Written with plain loops on purpose: Eigen's general product and its
// SelfAdjointEigenSolver cost every translation unit that trains a Som about 10 s of compiling
// for a few milliseconds of work on a features x features matrix.

#include "somtile/core/types.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace somtile::detail {

/// Eigenvalues of a symmetric matrix in ascending order and its eigenvectors as the columns of
/// `vectors`, orthonormal.
struct SymmetricEigen {
  Eigen::VectorXd values;
  Eigen::MatrixXd vectors;
};

/// Householder reduction to tridiagonal form, then the implicit QL method (EISPACK's tred2 and
/// tql2, as in the public-domain JAMA library). Only the lower triangle of A is read.
template <typename = void>
SymmetricEigen symmetric_eigen(const Eigen::MatrixXd& A) {
  const Index n = A.rows();
  Eigen::MatrixXd V = A;  // column-major: the inner loops below run down columns
  for (Index j = 0; j < n; ++j)
    for (Index i = 0; i < j; ++i) V(i, j) = V(j, i);
  Eigen::VectorXd d(n), e = Eigen::VectorXd::Zero(n);
  if (n == 0) return {d, V};
  for (Index j = 0; j < n; ++j) d(j) = V(n - 1, j);

  // tred2: Householder reduction to tridiagonal form, accumulating the transformations in V.
  for (Index i = n - 1; i > 0; --i) {
    double scale = 0.0, h = 0.0;
    for (Index k = 0; k < i; ++k) scale += std::abs(d(k));
    if (scale == 0.0) {
      e(i) = d(i - 1);
      for (Index j = 0; j < i; ++j) {
        d(j) = V(i - 1, j);
        V(i, j) = 0.0;
        V(j, i) = 0.0;
      }
    } else {
      for (Index k = 0; k < i; ++k) {
        d(k) /= scale;
        h += d(k) * d(k);
      }
      double f = d(i - 1), g = std::sqrt(h);
      if (f > 0) g = -g;
      e(i) = scale * g;
      h -= f * g;
      d(i - 1) = f - g;
      for (Index j = 0; j < i; ++j) e(j) = 0.0;
      for (Index j = 0; j < i; ++j) {
        f = d(j);
        V(j, i) = f;
        g = e(j) + V(j, j) * f;
        for (Index k = j + 1; k <= i - 1; ++k) {
          g += V(k, j) * d(k);
          e(k) += V(k, j) * f;
        }
        e(j) = g;
      }
      f = 0.0;
      for (Index j = 0; j < i; ++j) {
        e(j) /= h;
        f += e(j) * d(j);
      }
      const double hh = f / (h + h);
      for (Index j = 0; j < i; ++j) e(j) -= hh * d(j);
      for (Index j = 0; j < i; ++j) {
        f = d(j);
        g = e(j);
        for (Index k = j; k <= i - 1; ++k) V(k, j) -= f * e(k) + g * d(k);
        d(j) = V(i - 1, j);
        V(i, j) = 0.0;
      }
    }
    d(i) = h;
  }
  for (Index i = 0; i < n - 1; ++i) {
    V(n - 1, i) = V(i, i);
    V(i, i) = 1.0;
    const double h = d(i + 1);
    if (h != 0.0) {
      for (Index k = 0; k <= i; ++k) d(k) = V(k, i + 1) / h;
      for (Index j = 0; j <= i; ++j) {
        double g = 0.0;
        for (Index k = 0; k <= i; ++k) g += V(k, i + 1) * V(k, j);
        for (Index k = 0; k <= i; ++k) V(k, j) -= g * d(k);
      }
    }
    for (Index k = 0; k <= i; ++k) V(k, i + 1) = 0.0;
  }
  for (Index j = 0; j < n; ++j) {
    d(j) = V(n - 1, j);
    V(n - 1, j) = 0.0;
  }
  V(n - 1, n - 1) = 1.0;
  e(0) = 0.0;

  // tql2: implicit QL iterations on the tridiagonal matrix (diagonal d, subdiagonal e).
  for (Index i = 1; i < n; ++i) e(i - 1) = e(i);
  e(n - 1) = 0.0;
  double f = 0.0, tst1 = 0.0;
  const double eps = std::ldexp(1.0, -52);
  for (Index l = 0; l < n; ++l) {
    tst1 = std::max(tst1, std::abs(d(l)) + std::abs(e(l)));
    Index m = l;
    while (m < n - 1 && std::abs(e(m)) > eps * tst1) ++m;  // e(n - 1) is 0
    if (m > l) {
      int iterations = 0;
      do {
        // Converges in two or three iterations per eigenvalue; the cap only guards against a
        // NaN in the input, which the callers rule out.
        if (++iterations > 60) throw std::runtime_error("symmetric_eigen(): no convergence");
        double g = d(l);
        double p = (d(l + 1) - g) / (2.0 * e(l));
        double r = std::hypot(p, 1.0);
        if (p < 0) r = -r;
        d(l) = e(l) / (p + r);
        d(l + 1) = e(l) * (p + r);
        const double dl1 = d(l + 1);
        double h = g - d(l);
        for (Index i = l + 2; i < n; ++i) d(i) -= h;
        f += h;
        p = d(m);
        double c = 1.0, c2 = 1.0, c3 = 1.0, s = 0.0, s2 = 0.0;
        const double el1 = e(l + 1);
        for (Index i = m - 1; i >= l; --i) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e(i);
          h = c * p;
          r = std::hypot(p, e(i));
          e(i + 1) = s * r;
          s = e(i) / r;
          c = p / r;
          p = c * d(i) - s * g;
          d(i + 1) = h + s * (c * g + s * d(i));
          for (Index k = 0; k < n; ++k) {
            h = V(k, i + 1);
            V(k, i + 1) = s * V(k, i) + c * h;
            V(k, i) = c * V(k, i) - s * h;
          }
        }
        p = -s * s2 * c3 * el1 * e(l) / dl1;
        e(l) = s * p;
        d(l) = c * p;
      } while (std::abs(e(l)) > eps * tst1);
    }
    d(l) += f;
    e(l) = 0.0;
  }

  // Ascending order (selection sort: n is a feature count).
  for (Index i = 0; i < n - 1; ++i) {
    Index k = i;
    for (Index j = i + 1; j < n; ++j)
      if (d(j) < d(k)) k = j;
    if (k != i) {
      std::swap(d(k), d(i));
      V.col(i).swap(V.col(k));
    }
  }
  return {d, V};
}

/// The first principal axes of the rows of X.
struct PrincipalAxes {
  Eigen::RowVectorXd mean;
  Eigen::MatrixXd axes;       ///< features x k, unit columns, largest variance first
  Eigen::VectorXd variances;  ///< sample variance along each axis (n - 1 denominator)
};

/// Mean, then the covariance in double, then its leading k eigenvectors. Axes beyond the number
/// of features are zero. Each axis's sign is fixed (its largest component is positive) so that
/// results are reproducible whatever the eigen-solver's sign convention.
template <typename Derived>
PrincipalAxes principal_axes(const Eigen::MatrixBase<Derived>& X, Index k) {
  const Index n = X.rows(), F = X.cols();
  PrincipalAxes out;
  out.mean = Eigen::RowVectorXd::Zero(F);
  for (Index i = 0; i < n; ++i) out.mean += X.row(i).template cast<double>();
  out.mean /= double(std::max<Index>(n, 1));
  // Upper triangle of sum_i c_i^T c_i over centred rows c_i, four rows per pass over the
  // covariance (four multiply-adds per element loaded).
  RowMatrix<double> cov = RowMatrix<double>::Zero(F, F), c(4, F);
  for (Index i = 0; i < n; i += 4) {
    const Index rows = std::min<Index>(4, n - i);
    for (Index r = 0; r < 4; ++r) {
      if (r < rows)
        c.row(r) = X.row(i + r).template cast<double>() - out.mean;
      else
        c.row(r).setZero();
    }
    for (Index j = 0; j < F; ++j) {
      const Index len = F - j;
      cov.row(j).tail(len) += c(0, j) * c.row(0).tail(len) + c(1, j) * c.row(1).tail(len) +
                              c(2, j) * c.row(2).tail(len) + c(3, j) * c.row(3).tail(len);
    }
  }
  cov /= double(std::max<Index>(n - 1, 1));
  const SymmetricEigen eig = symmetric_eigen(cov.transpose());  // lower triangle filled
  out.axes = Eigen::MatrixXd::Zero(F, k);
  out.variances = Eigen::VectorXd::Zero(k);
  for (Index a = 0; a < std::min(k, F); ++a) {
    Eigen::VectorXd axis = eig.vectors.col(F - 1 - a);
    Index biggest = 0;
    axis.cwiseAbs().maxCoeff(&biggest);
    if (axis(biggest) < 0) axis = -axis;
    out.axes.col(a) = axis;
    out.variances(a) = std::max(0.0, eig.values(F - 1 - a));
  }
  return out;
}

}  // namespace somtile::detail
