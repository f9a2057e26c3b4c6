#pragma once
// Non-negative least squares (internal): the coefficients behind SomVQ::transform,
// SomClassifier::transform (GrowingSomEstimator::transform) and SomClassifier's mixture
// probabilities.

#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/types.hpp"
#include "somtile/growing/detail/present_features.hpp"

#include <Eigen/Core>
#include <Eigen/Jacobi>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace somtile::detail {

/// The Gram matrix A A^T of the prototypes (K x K), column by column with matrix-vector
/// products: Eigen may split a matrix product over OpenMP threads, a matrix-vector product it
/// never does, so the result is the same for any thread count.
template <typename Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> nnls_gram(const RowMatrix<Scalar>& A) {
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> G(A.rows(), A.rows());
  for (Index k = 0; k < A.rows(); ++k) G.col(k).noalias() = A * A.row(k).transpose();
  return G;
}

/// Non-negative least squares min ||A^T c - x||, c >= 0, with A's rows the prototypes
/// (K x m), by the Lawson–Hanson active-set method. The passive columns' QR factorisation is
/// updated as columns enter (classical Gram-Schmidt, twice: orthogonal to rounding even for the
/// nearly parallel columns of the mixture's sum row) and leave (Givens rotations), so a step
/// costs O(m p) instead of a new factorisation's O(m p^2); least squares by QR, not the normal
/// equations, so nearly dependent prototypes stay well handled. A column numerically dependent
/// on the passive ones is not taken. With `gram` (A A^T, shared by a batch of samples) the dual
/// gradient A^T(x - Ac) costs O(K p) per step instead of O(K m). Stops when the gradient is <= tol
/// on every zero coefficient, or after 3 * K outer steps. One solver per thread: it holds the
/// workspace, so solving many samples allocates nothing per sample.
template <typename Scalar>
class NnlsSolver {
 public:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

  /// A solver against A (kept by reference); `gram`, when given, must be nnls_gram(A).
  explicit NnlsSolver(const RowMatrix<Scalar>& A, const Matrix* gram = nullptr)
      : A_(A),
        gram_(gram),
        K_(A.rows()),
        m_(A.cols()),
        cap_(std::min(A.rows(), A.cols())),
        row_abs_max_(A.size() ? A.cwiseAbs().rowwise().sum().maxCoeff() : Scalar(0)),
        Q_(A.cols(), cap_),
        R_(cap_, cap_),
        y_(cap_),
        z_(cap_),
        r_(cap_),
        v_(A.cols()),
        Ax_(A.rows()),
        gradient_(A.rows()),
        state_(std::size_t(A.rows())) {}

  /// The coefficients of x (length m) into c (length K).
  void solve(const Eigen::Ref<const Vector<Scalar>>& x, Eigen::Ref<Vector<Scalar>> c) {
    Ax_.noalias() = A_ * x;
    run(x, c);
  }

  /// As solve(x, c), given Ax = A x (from a block's matrix product).
  void solve(const Eigen::Ref<const Vector<Scalar>>& x, const Eigen::Ref<const Vector<Scalar>>& Ax,
             Eigen::Ref<Vector<Scalar>> c) {
    Ax_ = Ax;
    run(x, c);
  }

 private:
  static constexpr char free_ = 0, passive_ = 1, excluded_ = 2;

  void run(const Eigen::Ref<const Vector<Scalar>>& x, Eigen::Ref<Vector<Scalar>> c) {
    const Scalar tol = Scalar(10) * std::numeric_limits<Scalar>::epsilon() * Scalar(std::max(K_, m_)) * row_abs_max_ *
                       std::max(x.size() ? x.cwiseAbs().maxCoeff() : Scalar(0), Scalar(1));
    c.setZero();
    std::fill(state_.begin(), state_.end(), free_);
    P_.clear();
    gradient_ = Ax_;  // A (x - A^T c) at c = 0
    for (Index step = 0; step < 3 * K_; ++step) {
      const Index j = steepest(tol);
      if (j < 0) break;
      if (!add(j, x)) {  // dependent on the passive columns: not taken until c changes
        state_[std::size_t(j)] = excluded_;
        continue;
      }
      bool changed = true;
      for (Index inner = 0; inner <= K_; ++inner) {
        const Index p = Index(P_.size());
        z_.head(p) = R_.topLeftCorner(p, p).template triangularView<Eigen::Upper>().solve(y_.head(p));
        if (inner == 0 && z_[p - 1] <= Scalar(0)) {  // rounding: j does not improve the fit
          remove(p - 1);
          state_[std::size_t(j)] = excluded_;
          changed = false;
          break;
        }
        Scalar alpha = Scalar(1);
        bool feasible = true;
        for (Index m = 0; m < p; ++m)
          if (z_[m] <= Scalar(0)) {
            const Scalar ci = c[P_[std::size_t(m)]];
            feasible = false;
            alpha = std::min(alpha, ci / (ci - z_[m]));
          }
        if (feasible) {
          for (Index m = 0; m < p; ++m) c[P_[std::size_t(m)]] = z_[m];
          break;
        }
        // Step toward z until a coefficient hits zero, then release the zeros (from the
        // last column, so the positions of those still to visit stay valid).
        for (Index m = 0; m < p; ++m) c[P_[std::size_t(m)]] += alpha * (z_[m] - c[P_[std::size_t(m)]]);
        for (Index m = p - 1; m >= 0; --m)
          if (c[P_[std::size_t(m)]] <= tol) {
            c[P_[std::size_t(m)]] = Scalar(0);
            remove(m);
          }
        if (P_.empty()) break;
      }
      if (!changed) continue;
      for (auto& s : state_)
        if (s == excluded_) s = free_;
      update_gradient(x, c);
    }
  }

  // The free neuron of the largest gradient above tol (the first on ties), -1 if none.
  Index steepest(Scalar tol) const {
    const Scalar* g = gradient_.data();
    const char* state = state_.data();
    Scalar best = tol;
    Index j = -1;
    for (Index i = 0; i < K_; ++i)
      if (g[i] > best && state[i] == free_) {
        best = g[i];
        j = i;
      }
    return j;
  }

  // Appends A's row j as the last passive column: false (nothing changed) when it is
  // numerically in the span of the passive columns.
  bool add(Index j, const Eigen::Ref<const Vector<Scalar>>& x) {
    const Index p = Index(P_.size());
    if (p == cap_) return false;
    v_ = A_.row(j).transpose();
    const Scalar norm = v_.norm();
    r_.head(p).setZero();
    for (int pass = 0; pass < 2; ++pass) {  // p is small: plain dot products beat Eigen's GEMV calls
      for (Index k = 0; k < p; ++k) z_[k] = Q_.col(k).dot(v_);  // z_ as scratch
      for (Index k = 0; k < p; ++k) v_ -= z_[k] * Q_.col(k);
      r_.head(p) += z_.head(p);
    }
    const Scalar rho = v_.norm();
    if (!(rho > Scalar(m_) * std::numeric_limits<Scalar>::epsilon() * norm)) return false;
    Q_.col(p) = v_ * (Scalar(1) / rho);  // a multiply: vector divides are slow
    R_.col(p).head(p) = r_.head(p);
    R_(p, p) = rho;
    y_[p] = Q_.col(p).dot(x);
    P_.push_back(j);
    state_[std::size_t(j)] = passive_;
    return true;
  }

  // Drops the passive column at position k: the columns after it shift left, and Givens
  // rotations on R's rows (and Q's columns, y) bring R back to triangular.
  void remove(Index k) {
    const Index p = Index(P_.size());
    state_[std::size_t(P_[std::size_t(k)])] = free_;
    P_.erase(P_.begin() + k);
    for (Index col = k; col + 1 < p; ++col) R_.col(col).head(col + 2) = R_.col(col + 1).head(col + 2);
    for (Index i = k; i + 1 < p; ++i) {
      Eigen::JacobiRotation<Scalar> g;
      g.makeGivens(R_(i, i), R_(i + 1, i));
      R_.block(i, i, 2, p - 1 - i).applyOnTheLeft(0, 1, g.adjoint());
      R_(i + 1, i) = Scalar(0);
      Q_.middleCols(i, 2).applyOnTheRight(0, 1, g);
      y_.segment(i, 2).applyOnTheLeft(0, 1, g.adjoint());
    }
  }

  void update_gradient(const Eigen::Ref<const Vector<Scalar>>& x, const Eigen::Ref<Vector<Scalar>>& c) {
    if (gram_) {  // A x - (A A^T) c over the passive columns
      gradient_ = Ax_;
      for (const Index i : P_) gradient_ -= c[i] * gram_->col(i);
      return;
    }
    v_ = x;
    for (const Index i : P_) v_ -= c[i] * A_.row(i).transpose();
    gradient_.noalias() = A_ * v_;
  }

  const RowMatrix<Scalar>& A_;
  const Matrix* gram_;
  Index K_, m_, cap_;
  Scalar row_abs_max_;
  Matrix Q_, R_;                                  // A_P^T = Q R over the passive columns, in P_'s order
  Vector<Scalar> y_, z_, r_, v_, Ax_, gradient_;  // y = Q^T x; z the passive least-squares solution
  std::vector<char> state_;                       // free_, passive_ or excluded_, per neuron
  std::vector<Index> P_;                          // the passive neurons, in Q's column order
};

/// The coefficients of one sample: NnlsSolver without a shared Gram matrix.
template <typename Scalar>
Vector<Scalar> nnls(const RowMatrix<Scalar>& W, const Eigen::Ref<const Vector<Scalar>>& x) {
  Vector<Scalar> c(W.rows());
  NnlsSolver<Scalar>(W).solve(x, c);
  return c;
}

/// The coefficients of n samples against one A (K x m), in parallel blocks of 32 samples:
/// fill(i, x) writes sample i (length m; NaN cells are missing), use(i, c) takes its
/// coefficients (length K). A complete sample's A x comes from its block's matrix product and
/// its gradients from the Gram matrix, computed once; a sample with missing cells is solved
/// alone over its present features. Blocks are fixed, so results do not depend on `threads`.
template <typename Scalar, typename Fill, typename Use>
void nnls_samples(const RowMatrix<Scalar>& A, Index n, int threads, Fill&& fill, Use&& use) {
  constexpr Index block = 32;
  const Index K = A.rows(), m = A.cols();
  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> G = nnls_gram(A);
  parallel_for_chunks(n, block, threads, [&](Index b, Index e) {
    RowMatrix<Scalar> X(e - b, m), AX(e - b, K);
    for (Index i = b; i < e; ++i) {
      Eigen::Ref<Vector<Scalar>> x(X.row(i - b).transpose());
      fill(i, x);
    }
    AX.noalias() = X * A.transpose();  // single-threaded inside parallel_for (core/detail/parallel.hpp)
    NnlsSolver<Scalar> solver(A, &G);
    Vector<Scalar> c(K);
    for (Index i = b; i < e; ++i) {
      const auto x = X.row(i - b).transpose();
      if (!x.hasNaN()) {
        solver.solve(x, AX.row(i - b).transpose(), c);
      } else {  // the present features only
        const std::vector<Index> present = present_features(x);
        RowMatrix<Scalar> Ap(K, Index(present.size()));
        Vector<Scalar> xp(Index(present.size()));
        for (std::size_t k = 0; k < present.size(); ++k) {
          Ap.col(Index(k)) = A.col(present[k]);
          xp[Index(k)] = x[present[k]];
        }
        NnlsSolver<Scalar>(Ap).solve(xp, c);
      }
      use(i, c);
    }
  });
}

}  // namespace somtile::detail
