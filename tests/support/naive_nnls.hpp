#pragma once
// Naive references for the growing map's NNLS (growing/detail/nnls.hpp): the per-sample
// Lawson–Hanson solver that refactors the passive columns from scratch at every step, the
// KKT conditions any NNLS solution meets, and SomClassifier's mixture probabilities computed
// sample by sample with that solver.

#include <somtile/core/types.hpp>

#include <Eigen/QR>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace naive {

using somtile::Index;
using somtile::RowMatrix;

/// min ||W^T c - x|| over c >= 0 (W: K x D) by Lawson–Hanson, each passive-set subproblem by a
/// new column-pivoting QR of W's passive rows; stops when the gradient W(x - W^T c) is <= tol on
/// every zero coefficient, or after 3 K outer steps.
inline Eigen::VectorXd nnls(const RowMatrix<double>& W, const Eigen::VectorXd& x) {
  const Index K = W.rows(), D = W.cols();
  const double tol = 10 * std::numeric_limits<double>::epsilon() * double(std::max(K, D)) *
                     W.cwiseAbs().rowwise().sum().maxCoeff() * std::max(x.cwiseAbs().maxCoeff(), 1.0);
  Eigen::VectorXd c = Eigen::VectorXd::Zero(K), z;
  std::vector<char> passive(std::size_t(K), 0);
  Eigen::VectorXd gradient = W * x;
  std::vector<Index> P;
  auto solve_passive = [&] {
    P.clear();
    for (Index i = 0; i < K; ++i)
      if (passive[std::size_t(i)]) P.push_back(i);
    Eigen::MatrixXd A_P(D, Index(P.size()));
    for (std::size_t m = 0; m < P.size(); ++m) A_P.col(Index(m)) = W.row(P[m]).transpose();
    const Eigen::VectorXd z_P = A_P.colPivHouseholderQr().solve(x);
    z = Eigen::VectorXd::Zero(K);
    for (std::size_t m = 0; m < P.size(); ++m) z[P[m]] = z_P[Index(m)];
  };
  for (Index step = 0; step < 3 * K; ++step) {
    Index j = -1;
    for (Index i = 0; i < K; ++i)
      if (!passive[std::size_t(i)] && gradient[i] > tol && (j < 0 || gradient[i] > gradient[j])) j = i;
    if (j < 0) break;
    passive[std::size_t(j)] = 1;
    for (Index inner = 0; inner <= K; ++inner) {
      solve_passive();
      double alpha = 1;
      bool feasible = true;
      for (Index i : P)
        if (z[i] <= 0) {
          feasible = false;
          alpha = std::min(alpha, c[i] / (c[i] - z[i]));
        }
      if (feasible) {
        c = z;
        break;
      }
      c += alpha * (z - c);
      for (Index i : P)
        if (c[i] <= tol) {
          c[i] = 0;
          passive[std::size_t(i)] = 0;
        }
    }
    gradient = W * (x - W.transpose() * c);
  }
  return c;
}

/// The largest violation of the KKT conditions of min 0.5 ||W^T c - x||^2 over c >= 0, with
/// g = W (W^T c - x): c >= 0; g >= 0 where c = 0; g = 0 where c > 0.
inline double kkt_violation(const RowMatrix<double>& W, const Eigen::VectorXd& x, const Eigen::VectorXd& c) {
  const Eigen::VectorXd g = W * (W.transpose() * c - x);
  double worst = 0;
  for (Index k = 0; k < W.rows(); ++k) {
    worst = std::max({worst, -c[k], -g[k]});
    if (c[k] > 0) worst = std::max(worst, std::abs(g[k]));
  }
  return worst;
}

/// SomClassifier's mixture probabilities (ProbaRule::mixture) sample by sample with nnls()
/// above: prototypes W (K x D, the model's space), class frequencies F (K x C), samples X (NaN
/// cells missing). The convex mixture is NNLS with the extra equation delta * sum(c) = delta,
/// after dividing W and x by the power of two s near the largest weight; a sample whose
/// coefficients sum to 0 takes its BMU's row (by the distance over its present features).
inline RowMatrix<double> mixture_proba(const RowMatrix<double>& W, const RowMatrix<double>& F,
                                       const RowMatrix<double>& X) {
  const Index K = W.rows(), D = W.cols();
  int exponent = 0;
  if (W.cwiseAbs().maxCoeff() > 0) std::frexp(W.cwiseAbs().maxCoeff(), &exponent);
  const double s = std::ldexp(1.0, exponent);
  RowMatrix<double> A(K, D + 1);
  A.leftCols(D) = W / s;
  const double delta = 100.0 * std::max(1.0, A.leftCols(D).rowwise().norm().maxCoeff());
  A.col(D).setConstant(delta);
  RowMatrix<double> P(X.rows(), F.cols());
  for (Index i = 0; i < X.rows(); ++i) {
    std::vector<Index> present;
    for (Index j = 0; j <= D; ++j)
      if (j == D || !std::isnan(X(i, j))) present.push_back(j);
    RowMatrix<double> Ap(K, Index(present.size()));
    Eigen::VectorXd xp(Index(present.size()));
    for (std::size_t k = 0; k < present.size(); ++k) {
      const Index j = present[k];
      Ap.col(Index(k)) = A.col(j);
      xp[Index(k)] = j == D ? delta : X(i, j) / s;
    }
    const Eigen::VectorXd c = nnls(Ap, xp);
    if (c.sum() > 0) {
      P.row(i) = (c.transpose() / c.sum()) * F;
      continue;
    }
    Index best = 0;
    double best_d = std::numeric_limits<double>::infinity();
    for (Index k = 0; k < K; ++k) {
      double d = 0;
      for (Index j = 0; j < D; ++j)
        if (!std::isnan(X(i, j))) d += (X(i, j) - W(k, j)) * (X(i, j) - W(k, j));
      if (d < best_d) best_d = d, best = k;
    }
    P.row(i) = F.row(best);
  }
  return P;
}

}  // namespace naive
