#pragma once
// The EM steps behind GaussianMixture (cluster/gaussian_mixture.hpp): the fitted state,
// Cholesky factors of the covariances, the M-step (parameters from responsibilities) and the
// log-probabilities of the E-step, for every Covariance type, as scikit-learn computes them.

#include <Eigen/Cholesky>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>
#include "somtile/cluster/kmeans.hpp"
#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/random.hpp"
#include "somtile/core/types.hpp"
#include "somtile/core/warning.hpp"

namespace somtile::detail {

struct MixtureState {
  Vector<double> weights;              // k
  RowMatrix<double> means;             // k x d
  std::vector<RowMatrix<double>> cov;  // scikit-learn shapes, see GaussianMixture::covariances
  std::vector<Eigen::MatrixXd> chol;   // lower Cholesky factors of full/tied covariances
  double lower_bound = -std::numeric_limits<double>::infinity();
  int n_iter = 0;
  bool converged = false;
};

inline const char* mixture_failure() {
  return "the covariance of a component is not positive definite (singleton or collapsed samples); "
         "decrease n_components or increase reg_covar";
}

/// Fills s.chol with the lower Cholesky factors of full and tied covariances. False when a
/// covariance is not positive definite (a variance <= 0 for diag and spherical).
template <typename = void>
bool factor_covariances(Covariance type, MixtureState& s) {
  s.chol.clear();
  for (const RowMatrix<double>& C : s.cov) {
    if (type == Covariance::diag || type == Covariance::spherical) {
      if (!(C.array() > 0).all()) return false;
      continue;
    }
    Eigen::LLT<Eigen::MatrixXd> llt(C);
    if (llt.info() != Eigen::Success) return false;
    s.chol.push_back(llt.matrixL());
  }
  return true;
}

/// M-step: weights, means and covariances from responsibilities (scikit-learn's
/// _estimate_gaussian_parameters). Returns false when a Cholesky factorisation fails.
template <typename Real>
bool estimate_parameters(const RowMatrix<Real>& X, const RowMatrix<double>& resp, Covariance type, double reg,
                         MixtureState& s) {
  const Index n = X.rows(), d = X.cols(), k = resp.cols();
  const Vector<double> nk =
      (resp.colwise().sum().transpose().array() + 10 * std::numeric_limits<double>::epsilon()).matrix();
  s.means = resp.transpose() * X;
  for (Index c = 0; c < k; ++c) s.means.row(c) /= nk[c];
  s.weights = nk / double(n);
  s.cov.clear();
  switch (type) {
    case Covariance::full:
      for (Index c = 0; c < k; ++c) {
        const RowMatrix<double> diff = X.rowwise() - s.means.row(c);
        RowMatrix<double> C = (diff.array().colwise() * resp.col(c).array()).matrix().transpose() * diff / nk[c];
        C.diagonal().array() += reg;
        s.cov.push_back(C);
      }
      break;
    case Covariance::tied: {
      RowMatrix<double> C = X.transpose() * X;
      C -= s.means.transpose() * nk.asDiagonal() * s.means;
      C /= nk.sum();
      C.diagonal().array() += reg;
      s.cov.push_back(C);
      break;
    }
    case Covariance::diag:
    case Covariance::spherical: {
      RowMatrix<double> avg_x2 = resp.transpose() * X.array().square().matrix();
      for (Index c = 0; c < k; ++c) avg_x2.row(c) /= nk[c];
      const RowMatrix<double> var = (avg_x2.array() - s.means.array().square() + reg).matrix();
      for (Index c = 0; c < k; ++c) {
        if (type == Covariance::diag)
          s.cov.push_back(var.row(c));
        else
          s.cov.push_back(RowMatrix<double>::Constant(1, 1, var.row(c).mean()));
      }
      break;
    }
  }
  (void)d;
  return factor_covariances(type, s);
}

/// log(weight_c) + log N(x_i | mean_c, cov_c) for every sample and component.
template <typename Real>
RowMatrix<double> weighted_log_prob(const RowMatrix<Real>& X, Covariance type, const MixtureState& s, int n_threads) {
  const Index n = X.rows(), d = X.cols(), k = s.means.rows();
  const double log_2pi = std::log(2 * 3.14159265358979323846);
  RowMatrix<double> out(n, k);
  for (Index c = 0; c < k; ++c) {
    double log_det = 0;  // log |cov_c|
    const Eigen::MatrixXd* L = nullptr;
    Eigen::RowVectorXd inv_var;
    if (type == Covariance::full || type == Covariance::tied) {
      L = &s.chol[std::size_t(type == Covariance::tied ? 0 : c)];
      log_det = 2 * L->diagonal().array().log().sum();
    } else {
      const RowMatrix<double>& v = s.cov[std::size_t(c)];
      inv_var = type == Covariance::diag ? Eigen::RowVectorXd(v.row(0).cwiseInverse())
                                         : Eigen::RowVectorXd::Constant(d, 1.0 / v(0, 0));
      log_det = type == Covariance::diag ? v.array().log().sum() : double(d) * std::log(v(0, 0));
    }
    const double constant = std::log(s.weights[c]) - 0.5 * (double(d) * log_2pi + log_det);
    parallel_for_chunks(n, 2048, n_threads, [&](Index begin, Index end) {
      RowMatrix<double> diff = X.middleRows(begin, end - begin).rowwise() - s.means.row(c);
      Vector<double> mahalanobis;
      if (L) {
        // Rows of y = diff L^-T, i.e. L^-1 (x - mean) per sample.
        const Eigen::MatrixXd y = L->triangularView<Eigen::Lower>().solve(diff.transpose());
        mahalanobis = y.colwise().squaredNorm().transpose();
      } else {
        mahalanobis = (diff.array().square().rowwise() * inv_var.array()).rowwise().sum();
      }
      out.block(begin, c, end - begin, 1) = (constant - 0.5 * mahalanobis.array()).matrix();
    });
  }
  return out;
}

/// Per-sample log-likelihood (log-sum-exp over components); `log_resp` gets the normalised
/// log responsibilities when non-null.
template <typename Real>
Vector<double> log_likelihoods(const RowMatrix<Real>& X, Covariance type, const MixtureState& s, int n_threads,
                               RowMatrix<double>* log_resp) {
  RowMatrix<double> w = weighted_log_prob(X, type, s, n_threads);
  Vector<double> norm(X.rows());
  for (Index i = 0; i < X.rows(); ++i) {
    const double top = w.row(i).maxCoeff();
    norm[i] = top + std::log((w.row(i).array() - top).exp().sum());
    if (log_resp) w.row(i).array() -= norm[i];
  }
  if (log_resp) log_resp->swap(w);
  return norm;
}

}  // namespace somtile::detail
