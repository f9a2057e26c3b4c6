#pragma once
// Non-negative least squares (internal): the coefficients behind SomVQ::transform and
// SomClassifier::transform (GrowingSomEstimator::transform).

#include "somtile/core/types.hpp"

#include <Eigen/QR>

#include <algorithm>
#include <limits>
#include <vector>

namespace somtile::detail {

/// Non-negative least squares min ||A c - x||, c >= 0, with A = W^T (features x neurons), by the
/// Lawson–Hanson active-set method. Each passive-set subproblem is solved by column-pivoting QR
/// of A's passive columns (not the normal equations), so prototypes that are linearly dependent
/// (more neurons than features) stay well handled. Stops when the dual gradient A^T(x - Ac) is
/// <= tol on every zero coefficient, or after 3 * neurons outer steps.
template <typename Scalar>
Vector<Scalar> nnls(const RowMatrix<Scalar>& W, const Eigen::Ref<const Vector<Scalar>>& x) {
  using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Index K = W.rows(), D = W.cols();
  const Scalar tol = Scalar(10) * std::numeric_limits<Scalar>::epsilon() * Scalar(std::max(K, D)) *
                     W.cwiseAbs().rowwise().sum().maxCoeff() * std::max(x.cwiseAbs().maxCoeff(), Scalar(1));
  Vector<Scalar> c = Vector<Scalar>::Zero(K);
  std::vector<char> passive(static_cast<std::size_t>(K), 0);
  Vector<Scalar> gradient = W * x;  // A^T (x - A c) at c = 0
  std::vector<Index> P;
  Mat A_P;
  Vector<Scalar> z;
  auto solve_passive = [&] {
    P.clear();
    for (Index i = 0; i < K; ++i)
      if (passive[std::size_t(i)]) P.push_back(i);
    A_P.resize(D, Index(P.size()));
    for (std::size_t m = 0; m < P.size(); ++m) A_P.col(Index(m)) = W.row(P[m]).transpose();
    const Vector<Scalar> z_P = A_P.colPivHouseholderQr().solve(x);
    z = Vector<Scalar>::Zero(K);
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
      Scalar alpha = Scalar(1);
      bool feasible = true;
      for (Index i : P)
        if (z[i] <= Scalar(0)) {
          feasible = false;
          alpha = std::min(alpha, c[i] / (c[i] - z[i]));
        }
      if (feasible) {
        c = z;
        break;
      }
      // Step toward z until a coefficient hits zero, then release the zeros.
      c += alpha * (z - c);
      for (Index i : P)
        if (c[i] <= tol) {
          c[i] = Scalar(0);
          passive[std::size_t(i)] = 0;
        }
    }
    gradient = W * (x - W.transpose() * c);
  }
  return c;
}

}  // namespace somtile::detail
