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
//   gigabytes). Data whose columns are mostly one value (sparse data, also once scaled) are
//   first gathered into compressed rows, so the cost follows the other cells; the sparse path
//   (kernels/detail/sparse_pca.hpp) uses the same iteration on its own compressed rows.

#include "somtile/core/detail/parallel.hpp"
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

/// Y = C V for the covariance C of the rows of dense X with mean `mean`, without forming C.
/// The covariance does not change when a column is shifted by a constant, so each column is
/// shifted by its common value (the majority of its first three cells: 0 for sparse data, the
/// image of 0 for scaled sparse data). When at most a quarter of the shifted cells are nonzero
/// they are gathered into compressed rows and columns and
///   C V = (S^T (S V) - n m^T (m V)) / (n - 1),   S = X shifted, m = its mean;
/// otherwise X is read with each cell centred, C V = X_c^T (X_c V) / (n - 1). Rows of S V and
/// of Y are each computed by one thread in a fixed order: the same result on any number of
/// threads.
template <typename Derived>
struct DenseCovarianceProduct {
  const Eigen::MatrixBase<Derived>& X;
  const Eigen::RowVectorXd& mean;
  int n_threads = 0;
  Eigen::RowVectorXd shifted_mean;
  // The shifted nonzeros by rows (row_start, row_column, row_value) and by columns.
  std::vector<Index> row_start{0}, row_column, column_start, column_row;
  std::vector<double> row_value, column_value;
  bool sparse = false;
  mutable RowMatrix<double> XV;

  DenseCovarianceProduct(const Eigen::MatrixBase<Derived>& X_, const Eigen::RowVectorXd& mean_, int threads)
      : X(X_), mean(mean_), n_threads(threads) {
    const Index n = X.rows(), F = X.cols();
    Eigen::RowVectorXd shift = Eigen::RowVectorXd::Zero(F);
    for (Index j = 0; j < F && n > 0; ++j) {
      const double a = double(X(0, j)), b = double(X(std::min<Index>(1, n - 1), j)),
                   c = double(X(std::min<Index>(2, n - 1), j));
      shift(j) = b == c ? b : a;
    }
    std::vector<Index> per_column(std::size_t(F), 0);
    Index count = 0;
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < F; ++j)
        if (double(X(i, j)) != shift(j)) ++count, ++per_column[std::size_t(j)];
    sparse = 4 * count <= n * F;
    if (!sparse) return;
    shifted_mean = mean - shift;
    row_column.reserve(std::size_t(count));
    row_value.reserve(std::size_t(count));
    column_start.assign(std::size_t(F) + 1, 0);
    for (Index j = 0; j < F; ++j)
      column_start[std::size_t(j) + 1] = column_start[std::size_t(j)] + per_column[std::size_t(j)];
    column_row.resize(std::size_t(count));
    column_value.resize(std::size_t(count));
    std::vector<Index> next(column_start.begin(), column_start.end() - 1);
    for (Index i = 0; i < n; ++i) {
      for (Index j = 0; j < F; ++j)
        if (double(X(i, j)) != shift(j)) {
          const double v = double(X(i, j)) - shift(j);
          row_column.push_back(j);
          row_value.push_back(v);
          const auto at = std::size_t(next[std::size_t(j)]++);
          column_row[at] = i;
          column_value[at] = v;
        }
      row_start.push_back(Index(row_column.size()));
    }
  }

  void operator()(const RowMatrix<double>& V, RowMatrix<double>& Y) const {
    const Index n = X.rows(), F = X.cols(), b = V.cols();
    XV.resize(n, b);
    const double denominator = double(std::max<Index>(n - 1, 1));
    if (sparse) {
      const double work = double(row_value.size()) / double(std::max<Index>(n, 1)) * double(b);
      parallel_for_chunks(
          n, 64, n_threads,
          [&](Index begin, Index end) {
            for (Index i = begin; i < end; ++i) {
              double* xv = XV.data() + i * b;
              std::fill(xv, xv + b, 0.0);
              for (Index q = row_start[std::size_t(i)]; q < row_start[std::size_t(i) + 1]; ++q) {
                const double x = row_value[std::size_t(q)];
                const double* v = V.data() + row_column[std::size_t(q)] * b;
                for (Index c = 0; c < b; ++c) xv[c] += x * v[c];
              }
            }
          },
          work);
      const Eigen::RowVectorXd m_v = shifted_mean.lazyProduct(V);
      parallel_for_chunks(
          F, 256, n_threads,
          [&](Index begin, Index end) {
            for (Index j = begin; j < end; ++j) {
              double* y = Y.data() + j * b;
              std::fill(y, y + b, 0.0);
              for (Index q = column_start[std::size_t(j)]; q < column_start[std::size_t(j) + 1]; ++q) {
                const double x = column_value[std::size_t(q)];
                const double* xv = XV.data() + column_row[std::size_t(q)] * b;
                for (Index c = 0; c < b; ++c) y[c] += x * xv[c];
              }
              const double m = double(n) * shifted_mean(j);
              for (Index c = 0; c < b; ++c) y[c] = (y[c] - m * m_v(c)) / denominator;
            }
          },
          work * double(n) / double(std::max<Index>(F, 1)));
    } else {
      parallel_for_chunks(
          n, 16, n_threads,
          [&](Index begin, Index end) {
            for (Index i = begin; i < end; ++i) {
              double* xv = XV.data() + i * b;
              std::fill(xv, xv + b, 0.0);
              for (Index j = 0; j < F; ++j) {
                const double x = double(X(i, j)) - mean(j);
                const double* v = V.data() + j * b;
                for (Index c = 0; c < b; ++c) xv[c] += x * v[c];
              }
            }
          },
          double(F * b));
      parallel_for_chunks(
          F, 64, n_threads,
          [&](Index begin, Index end) {
            for (Index j = begin; j < end; ++j) std::fill(Y.data() + j * b, Y.data() + (j + 1) * b, 0.0);
            for (Index i = 0; i < n; ++i) {
              const double* xv = XV.data() + i * b;
              for (Index j = begin; j < end; ++j) {
                const double x = double(X(i, j)) - mean(j);
                double* y = Y.data() + j * b;
                for (Index c = 0; c < b; ++c) y[c] += x * xv[c];
              }
            }
            for (Index j = begin; j < end; ++j)
              for (Index c = 0; c < b; ++c) Y(j, c) /= denominator;
          },
          double(n * b));
    }
  }
};

/// Mean, then the leading k principal axes of the rows of X and their variances (see the top of
/// this file for the two methods; they agree to the iteration's tolerance). Axes beyond the
/// number of features are zero; each axis's sign follows signed_axis. `n_threads` (0 = all)
/// serves the subspace iteration, whose result does not depend on it. `max_full_features` moves
/// the switch between the methods (the tests check one against the other on small data).
template <typename Derived>
PrincipalAxes principal_axes(const Eigen::MatrixBase<Derived>& X, Index k, int n_threads = 0,
                             Index max_full_features = full_eigen_max_features) {
  const Index n = X.rows(), F = X.cols();
  PrincipalAxes out;
  out.mean = Eigen::RowVectorXd::Zero(F);
  for (Index i = 0; i < n; ++i) out.mean += X.row(i).template cast<double>();
  out.mean /= double(std::max<Index>(n, 1));
  if (F > max_full_features) {
    subspace_principal_axes(F, k, DenseCovarianceProduct<Derived>(X, out.mean, n_threads), out);
    return out;
  }
  // Upper triangle of sum_i c_i^T c_i over centred rows c_i, four rows per pass over the
  // covariance (four multiply-adds per element loaded). Its rows in one chunk of about equal
  // area per thread, each chunk over all samples: every element is the same sum in the same
  // order whatever the thread count.
  RowMatrix<double> cov = RowMatrix<double>::Zero(F, F);
  const Index chunks = std::clamp<Index>(resolve_threads(n_threads), 1, std::max<Index>(F, 1));
  std::vector<Index> edge(std::size_t(chunks + 1), F);
  edge[0] = 0;
  for (Index t = 1, j = 0; t < chunks; ++t) {  // area of rows [0, j): j F - j (j - 1) / 2
    const double target = double(t) * double(F) * double(F + 1) / 2.0 / double(chunks);
    while (j < F && double(j) * double(F) - double(j) * double(j - 1) / 2.0 < target) ++j;
    edge[std::size_t(t)] = j;
  }
  parallel_for(
      chunks, n_threads,
      [&](Index t) {
        RowMatrix<double> c(4, F);
        const Index j0 = edge[std::size_t(t)], j1 = edge[std::size_t(t + 1)];
        if (j0 >= j1) return;
        for (Index i = 0; i < n; i += 4) {
          const Index rows = std::min<Index>(4, n - i);
          for (Index r = 0; r < 4; ++r) {
            if (r < rows)
              c.row(r) = X.row(i + r).template cast<double>() - out.mean;
            else
              c.row(r).setZero();
          }
          for (Index j = j0; j < j1; ++j) {
            const Index len = F - j;
            cov.row(j).tail(len) += c(0, j) * c.row(0).tail(len) + c(1, j) * c.row(1).tail(len) +
                                    c(2, j) * c.row(2).tail(len) + c(3, j) * c.row(3).tail(len);
          }
        }
      },
      double(n) * double(F) * double(F) / 2.0 / double(chunks));
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
