#pragma once
// Principal axes of a sample matrix: the classic SOM's PCA initialisation, suggest_som_params and
// the network plot's PCA layout. Written with plain loops and coefficient-wise products on
// purpose: Eigen's general product and its SelfAdjointEigenSolver cost every translation unit that
// trains a Som about 10 s of compiling for a few milliseconds of work on a features x features
// matrix.
//
// Two methods, chosen by the number of features F:
// - F <= full_eigen_max_features: the covariance (F x F, in double) and all its eigenvectors
//   (symmetric_eigen), O(n F^2 + F^3);
// - wider data: subspace iteration on the implicit covariance (subspace_principal_axes),
//   O(n F) per iteration and O(n F) memory at most, so that a 4 000 x 11 000 TF-IDF matrix
//   takes a fraction of a second instead of an 11 000 x 11 000 eigendecomposition (minutes,
//   gigabytes). Rows with few nonzeros are first gathered into compressed rows, so the cost
//   follows the nonzeros; the sparse path (kernels/detail/sparse_pca.hpp) uses the same
//   iteration on its own compressed rows.

#include "somtile/core/random.hpp"
#include "somtile/core/types.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

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

/// Up to this many features, principal_axes eigendecomposes the full covariance; beyond, it
/// iterates on a subspace (a 1 024 x 1 024 eigendecomposition takes about a second).
constexpr Index full_eigen_max_features = 1024;

/// Each axis's sign is fixed (its largest component is positive) so that results are
/// reproducible whatever the eigen-solver's sign convention.
template <typename = void>
Eigen::VectorXd signed_axis(Eigen::VectorXd axis) {
  Index biggest = 0;
  axis.cwiseAbs().maxCoeff(&biggest);
  if (axis(biggest) < 0) axis = -axis;
  return axis;
}

/// Orthonormalises the columns of V (modified Gram-Schmidt, twice); a column that vanishes is
/// replaced by a random one.
template <typename = void>
void orthonormalize_columns(Eigen::MatrixXd& V, Random& rng) {
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

/// The leading k axes and variances of a covariance C known only through `apply(V, Y)`, which
/// sets Y = C V for an F x b block V: subspace iteration with a Rayleigh-Ritz step on a block of
/// k + 8 vectors (the extra vectors speed up convergence where the leading variances are close).
/// Stops when every wanted Ritz pair's residual |C a - lambda a| is below tolerance x the largest
/// variance, or after max_iterations (the current estimate is then used: this serves the PCA
/// initialisation, where a nearly converged plane is as good). Fills out.axes (F x k, the sign
/// rule of signed_axis, zero beyond F) and out.variances. The start block comes from a fixed
/// seed, so results are reproducible.
template <typename Apply>
void subspace_principal_axes(Index F, Index k, Apply&& apply, PrincipalAxes& out, int max_iterations = 300,
                             double tolerance = 1e-10) {
  out.axes = Eigen::MatrixXd::Zero(F, k);
  out.variances = Eigen::VectorXd::Zero(k);
  const Index wanted = std::min(k, F), b = std::min<Index>(F, k + 8);
  if (wanted == 0) return;
  // Column-major for the orthonormalisation and the Ritz step, row-major (a unit's b values
  // together) for apply.
  Eigen::MatrixXd V(F, b), Y(F, b);
  RowMatrix<double> V_rows(F, b), Y_rows(F, b);
  Random rng(0x5ca1ab1e);
  for (Index j = 0; j < F; ++j)
    for (Index c = 0; c < b; ++c) V(j, c) = rng.normal();
  orthonormalize_columns(V, rng);
  Eigen::MatrixXd ritz(F, wanted), T(b, b);
  for (int it = 0;; ++it) {
    V_rows = V;
    apply(V_rows, Y_rows);
    Y = Y_rows;
    for (Index a = 0; a < b; ++a)  // T = V^T Y, symmetric up to rounding
      for (Index c = 0; c <= a; ++c) T(a, c) = T(c, a) = 0.5 * (V.col(a).dot(Y.col(c)) + V.col(c).dot(Y.col(a)));
    const SymmetricEigen eig = symmetric_eigen(T);  // ascending
    const double top = std::max(eig.values(b - 1), 0.0);
    bool converged = true;
    for (Index a = 0; a < wanted; ++a) {
      const Eigen::VectorXd r = eig.vectors.col(b - 1 - a);
      ritz.col(a) = V.lazyProduct(r);
      out.variances(a) = std::max(eig.values(b - 1 - a), 0.0);
      const double residual = (Y.lazyProduct(r) - eig.values(b - 1 - a) * ritz.col(a)).norm();
      if (!(residual <= tolerance * top)) converged = false;
    }
    if (converged || it + 1 >= max_iterations) break;
    V.swap(Y);
    orthonormalize_columns(V, rng);
  }
  for (Index a = 0; a < wanted; ++a) out.axes.col(a) = signed_axis(ritz.col(a).normalized());
}

/// Compressed rows of a dense matrix's nonzeros, in double (the wide path of principal_axes).
struct DenseNonzeros {
  std::vector<Index> outer{0}, inner;
  std::vector<double> values;
};

/// Y = C V for the covariance of the rows of dense X with mean `mean`, without forming C:
/// sparse-looking X (at most a quarter nonzero) through its nonzeros,
///   C V = (X^T (X V) - n mu^T (mu V)) / (n - 1),
/// other X row by row with each cell centred, C V = sum_i c_i^T (c_i V) / (n - 1).
template <typename Derived>
struct DenseCovarianceProduct {
  const Eigen::MatrixBase<Derived>& X;
  const Eigen::RowVectorXd& mean;
  DenseNonzeros nz;
  bool sparse = false;

  DenseCovarianceProduct(const Eigen::MatrixBase<Derived>& X_, const Eigen::RowVectorXd& mean_) : X(X_), mean(mean_) {
    Index count = 0;
    for (Index i = 0; i < X.rows(); ++i)
      for (Index j = 0; j < X.cols(); ++j) count += X(i, j) != 0;
    sparse = 4 * count <= X.rows() * X.cols();
    if (!sparse) return;
    nz.inner.reserve(std::size_t(count));
    nz.values.reserve(std::size_t(count));
    for (Index i = 0; i < X.rows(); ++i) {
      for (Index j = 0; j < X.cols(); ++j)
        if (X(i, j) != 0) {
          nz.inner.push_back(j);
          nz.values.push_back(double(X(i, j)));
        }
      nz.outer.push_back(Index(nz.inner.size()));
    }
  }

  void operator()(const RowMatrix<double>& V, RowMatrix<double>& Y) const {
    const Index n = X.rows(), F = X.cols(), b = V.cols();
    Y.setZero();
    Eigen::RowVectorXd xv(b);
    if (sparse) {
      for (Index i = 0; i < n; ++i) {
        xv.setZero();
        const Index begin = nz.outer[std::size_t(i)], end = nz.outer[std::size_t(i) + 1];
        for (Index q = begin; q < end; ++q) {
          const double x = nz.values[std::size_t(q)];
          const double* v = V.data() + nz.inner[std::size_t(q)] * b;
          for (Index c = 0; c < b; ++c) xv(c) += x * v[c];
        }
        for (Index q = begin; q < end; ++q) {
          const double x = nz.values[std::size_t(q)];
          double* y = Y.data() + nz.inner[std::size_t(q)] * b;
          for (Index c = 0; c < b; ++c) y[c] += x * xv(c);
        }
      }
      const Eigen::RowVectorXd mu_v = mean.lazyProduct(V);
      Y -= (double(n) * mean.transpose()).lazyProduct(mu_v);
    } else {
      Eigen::RowVectorXd c(F);
      for (Index i = 0; i < n; ++i) {
        for (Index j = 0; j < F; ++j) c(j) = double(X(i, j)) - mean(j);
        xv.setZero();
        for (Index j = 0; j < F; ++j) xv += c(j) * V.row(j);
        for (Index j = 0; j < F; ++j) Y.row(j) += c(j) * xv;
      }
    }
    Y /= double(std::max<Index>(n - 1, 1));
  }
};

/// Mean, then the leading k principal axes of the rows of X and their variances (see the top of
/// this file for the two methods; they agree to the iteration's tolerance). Axes beyond the
/// number of features are zero; each axis's sign follows signed_axis. `max_full_features` moves
/// the switch between the methods (the tests check one against the other on small data).
template <typename Derived>
PrincipalAxes principal_axes(const Eigen::MatrixBase<Derived>& X, Index k,
                             Index max_full_features = full_eigen_max_features) {
  const Index n = X.rows(), F = X.cols();
  PrincipalAxes out;
  out.mean = Eigen::RowVectorXd::Zero(F);
  for (Index i = 0; i < n; ++i) out.mean += X.row(i).template cast<double>();
  out.mean /= double(std::max<Index>(n, 1));
  if (F > max_full_features) {
    subspace_principal_axes(F, k, DenseCovarianceProduct<Derived>(X, out.mean), out);
    return out;
  }
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
    out.axes.col(a) = signed_axis(eig.vectors.col(F - 1 - a));
    out.variances(a) = std::max(0.0, eig.values(F - 1 - a));
  }
  return out;
}

}  // namespace somtile::detail
