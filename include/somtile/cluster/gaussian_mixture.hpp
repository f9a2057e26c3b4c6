#pragma once
// Gaussian mixture model fitted by expectation–maximisation, following scikit-learn's
// GaussianMixture: k-means initialisation (responsibilities = hard k-means labels), E-steps in
// log space with log-sum-exp, covariances through their Cholesky factors (Eigen::LLT), and
// convergence when the change of the lower bound (the mean log-likelihood) is below tol.
// Of n_init runs the one with the highest lower bound is kept; as scikit-learn, a warning
// (core/warning.hpp) when it did not converge within max_iter. All arithmetic is in double;
// the fitted parameters are returned in the model's scalar type.

#include "somtile/cluster/detail/gaussian_em.hpp"
#include "somtile/cluster/kmeans.hpp"
#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/detail/precompiled.hpp"  // SOMTILE_OUTLINE
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/random.hpp"
#include "somtile/core/types.hpp"
#include "somtile/core/warning.hpp"

#include <Eigen/Cholesky>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace somtile {

/// Parameters of GaussianMixture (scikit-learn's GaussianMixture).
struct GaussianMixtureParams {
  /// Number of mixture components (>= 1, at most the number of samples).
  Index n_components = 1;
  /// Shape of each component's covariance: full, diag, spherical or tied.
  Covariance covariance_type = Covariance::full;
  /// Added to the covariance diagonals so they stay positive definite.
  double reg_covar = 1e-6;
  /// EM iterations per run.
  int max_iter = 100;
  /// Convergence threshold on the change of the lower bound (mean log-likelihood).
  double tol = 1e-3;
  /// EM runs from different k-means starts; the one with the highest lower bound is kept.
  int n_init = 1;
  /// Seed of the k-means initialisation.
  std::uint64_t seed = 0;
  int n_threads = 0;  ///< 0 = all available
};

/// Throws ParameterError, naming `call`, unless every field of p is in range.
inline void validate(const GaussianMixtureParams& p, const char* call = "GaussianMixture") {
  detail::check_positive(call, "n_components", p.n_components);
  detail::check_non_negative(call, "reg_covar", p.reg_covar);
  detail::check_positive(call, "max_iter", p.max_iter);
  detail::check_non_negative(call, "tol", p.tol);
  detail::check_positive(call, "n_init", p.n_init);
  detail::check_non_negative(call, "n_threads", p.n_threads);
}

/// Gaussian mixture fitted by expectation-maximisation (scikit-learn's GaussianMixture with
/// init_params="kmeans"), full, tied, diagonal or spherical covariances.
/// \tparam Scalar float or double, the type of the data and the fitted parameters (the
///         arithmetic is in double).
/// \throws ParameterError from the constructor when a parameter is out of range (validate);
///         InputError from fit() for empty or non-finite data, fewer than 2 samples or a
///         covariance that is not positive definite, and from predict() and the scores for
///         data with another number of features; NotFittedError from any accessor before fit().
/// \code
/// GaussianMixture<double> gm({.n_components = 3, .covariance_type = Covariance::diag});
/// const Labels labels = gm.fit(X).predict(X);
/// const double bic = gm.bic(X);
/// \endcode
template <typename Scalar>
class GaussianMixture {
 public:
  GaussianMixture() = default;
  /// A mixture with these parameters. \throws ParameterError when validate(params) fails.
  explicit GaussianMixture(const GaussianMixtureParams& params) : params_(params) { validate(params_); }

  /// The parameters the mixture was built with.
  const GaussianMixtureParams& params() const { return params_; }

  /// Fits the mixture to the rows of X by EM (n_init runs, the best lower bound kept); returns *this.
  GaussianMixture& fit(DataRef<Scalar> X);

  /// Most likely component of every row of X.
  Labels predict(DataRef<Scalar> X) const;

  /// Posterior probability of every component for every row of X (n_samples x n_components).
  RowMatrix<Scalar> predict_proba(DataRef<Scalar> X) const;

  /// Log-likelihood log p(x) of every row of X.
  Vector<double> score_samples(DataRef<Scalar> X) const;

  /// Mean log-likelihood of the rows of X.
  double score(DataRef<Scalar> X) const;

  /// Bayesian information criterion on X: -2 n score(X) + n_parameters ln n. Lower is better.
  double bic(DataRef<Scalar> X) const;

  /// Akaike information criterion on X: -2 n score(X) + 2 n_parameters. Lower is better.
  double aic(DataRef<Scalar> X) const;

  /// Free parameters: k d means, k - 1 weights and the covariance entries
  /// (full: k d(d+1)/2, tied: d(d+1)/2, diag: k d, spherical: k).
  Index n_parameters() const {
    fitted("n_parameters");
    const Index k = params_.n_components, d = n_features_;
    Index cov = 0;
    switch (params_.covariance_type) {
      case Covariance::full:
        cov = k * d * (d + 1) / 2;
        break;
      case Covariance::tied:
        cov = d * (d + 1) / 2;
        break;
      case Covariance::diag:
        cov = k * d;
        break;
      case Covariance::spherical:
        cov = k;
        break;
    }
    return cov + k * d + k - 1;
  }

  /// True after a successful fit() (or a load).
  bool is_fitted() const { return state_.means.size() > 0; }

  /// Writes or reads the fitted model (io/detail/archive.hpp, io/model_io.hpp); on reading the
  /// Cholesky factors are recomputed from the covariances, which must be positive definite.
  template <typename Archive>
  void serialize(Archive& ar) {
    GaussianMixtureParams& p = params_;
    ar(p.n_components);
    ar.choice(p.covariance_type);
    ar(p.reg_covar, p.max_iter, p.tol, p.n_init, p.seed, p.n_threads);
    detail::MixtureState& s = state_;
    ar(n_features_, s.weights, s.means, s.cov, s.lower_bound, s.n_iter, s.converged);
    if constexpr (Archive::loading) {
      validate(p, "load_gaussian_mixture");
      const Index k = p.n_components, d = n_features_;
      ar.check(k >= 1 && d >= 1 && s.weights.size() == k && s.means.rows() == k && s.means.cols() == d,
               "the weights and means do not fit ", k, " components of ", d, " features");
      const bool tied = p.covariance_type == Covariance::tied;
      const bool square = tied || p.covariance_type == Covariance::full;
      const Index rows = square ? d : 1, cols = p.covariance_type == Covariance::spherical ? 1 : d;
      bool shapes = Index(s.cov.size()) == (tied ? 1 : k);
      for (const auto& C : s.cov) shapes = shapes && C.rows() == rows && C.cols() == cols && C.allFinite();
      ar.check(shapes, "the covariances do not have the shapes of ", k, " components of ", d, " features");
      ar.check(s.weights.allFinite() && (s.weights.array() >= 0).all() && s.means.allFinite(),
               "the weights or means hold NaN, infinite or negative values");
      ar.check(p.n_threads >= 0, "n_threads must be >= 0, got ", p.n_threads);
      ar.check(detail::factor_covariances(p.covariance_type, s), detail::mixture_failure());
    }
  }
  /// Whether the kept run reached tol before max_iter.
  bool converged() const {
    fitted("converged");
    return state_.converged;
  }
  /// EM iterations of the kept run.
  int n_iter() const {
    fitted("n_iter");
    return state_.n_iter;
  }
  /// Mean log-likelihood of the training data at the start of the last EM iteration.
  double lower_bound() const {
    fitted("lower_bound");
    return state_.lower_bound;
  }
  /// Mixing weights (n_components), summing to 1.
  Vector<Scalar> weights() const {
    fitted("weights");
    return state_.weights.template cast<Scalar>();
  }
  /// Component means (n_components x n_features).
  RowMatrix<Scalar> means() const {
    fitted("means");
    return state_.means.template cast<Scalar>();
  }
  /// Covariances with scikit-learn's shapes, one matrix per entry:
  /// full: n_components entries of d x d; tied: one d x d entry;
  /// diag: n_components entries of 1 x d (the variances); spherical: n_components entries of 1 x 1.
  std::vector<RowMatrix<Scalar>> covariances() const {
    fitted("covariances");
    std::vector<RowMatrix<Scalar>> out;
    for (const auto& c : state_.cov) out.push_back(c.template cast<Scalar>());
    return out;
  }

 private:
  [[noreturn]] static void fail(const char* call) {
    throw InputError(detail::concat(call, "(): ", detail::mixture_failure()));
  }
  void fitted(const char* what) const {
    detail::require<NotFittedError>(is_fitted(), std::string("GaussianMixture::") + what,
                                    "this GaussianMixture is not fitted yet; call fit() first");
  }
  RowMatrix<double> checked(const char* call, ConstRowRef<Scalar> X) const {
    detail::require<NotFittedError>(is_fitted(), call, "this GaussianMixture is not fitted yet; call fit() first");
    detail::check_data(call, X, n_features_, "GaussianMixture");
    return X.template cast<double>();
  }
  RowMatrix<double> log_resp(const char* call, ConstRowRef<Scalar> X) const {
    const RowMatrix<double> Xd = checked(call, X);
    RowMatrix<double> r;
    detail::log_likelihoods(Xd, params_.covariance_type, state_, params_.n_threads, &r);
    return r;
  }

  GaussianMixtureParams params_;
  detail::MixtureState state_;
  Index n_features_ = 0;
};

// GaussianMixture's members, defined outside the class so that a program linking
// somtile::precompiled does not instantiate them (core/detail/precompiled.hpp).
/// \cond INTERNAL

template <typename Scalar>
auto GaussianMixture<Scalar>::fit(DataRef<Scalar> X) -> GaussianMixture& {
  const char* call = "GaussianMixture::fit";
  detail::check_data(call, X);
  detail::require(params_.n_components <= X.rows(), call, "n_components must be <= n_samples (", X.rows(), "), got ",
                  params_.n_components);
  detail::require<InputError>(X.rows() >= 2, call, "X needs at least 2 samples, got ", X.rows());

  const RowMatrix<double> Xd = X.template cast<double>();
  const Index n = Xd.rows(), k = params_.n_components;
  const Random root(params_.seed);
  detail::MixtureState best;
  bool have_best = false;
  for (int init = 0; init < params_.n_init; ++init) {
    // Initial responsibilities: one k-means seeding + Lloyd run (scikit-learn: n_init=1).
    KMeans<double> km(detail::kmeans_params(k, 1, root.fork(std::uint64_t(init))(), params_.n_threads));
    const Labels& assigned = km.fit(Xd).labels();
    RowMatrix<double> resp = RowMatrix<double>::Zero(n, k);
    for (Index i = 0; i < n; ++i) resp(i, assigned[i]) = 1.0;

    detail::MixtureState s;
    if (!detail::estimate_parameters(Xd, resp, params_.covariance_type, params_.reg_covar, s)) fail(call);
    for (int it = 1; it <= params_.max_iter; ++it) {
      const double previous = s.lower_bound;
      RowMatrix<double> log_resp;
      s.lower_bound = detail::log_likelihoods(Xd, params_.covariance_type, s, params_.n_threads, &log_resp).mean();
      if (!detail::estimate_parameters(Xd, log_resp.array().exp().matrix(), params_.covariance_type, params_.reg_covar,
                                       s))
        fail(call);
      s.n_iter = it;
      if (std::abs(s.lower_bound - previous) < params_.tol) {
        s.converged = true;
        break;
      }
    }
    if (!have_best || s.lower_bound > best.lower_bound) {
      best = std::move(s);
      have_best = true;
    }
  }
  if (!best.converged)
    detail::warn(call, "the kept run (best of n_init = ", params_.n_init,
                 ") did not converge within max_iter = ", params_.max_iter,
                 " iterations (change of the lower bound still >= tol = ", params_.tol,
                 "); increase max_iter or tol, or check the data");
  state_ = std::move(best);
  n_features_ = Xd.cols();
  return *this;
}

template <typename Scalar>
auto GaussianMixture<Scalar>::predict(DataRef<Scalar> X) const -> Labels {
  const RowMatrix<double> r = log_resp("GaussianMixture::predict", X);
  Labels out(r.rows());
  for (Index i = 0; i < r.rows(); ++i) r.row(i).maxCoeff(&out[i]);
  return out;
}

template <typename Scalar>
auto GaussianMixture<Scalar>::predict_proba(DataRef<Scalar> X) const -> RowMatrix<Scalar> {
  return log_resp("GaussianMixture::predict_proba", X).array().exp().matrix().template cast<Scalar>();
}

template <typename Scalar>
auto GaussianMixture<Scalar>::score_samples(DataRef<Scalar> X) const -> Vector<double> {
  const RowMatrix<double> Xd = checked("GaussianMixture::score_samples", X);
  return detail::log_likelihoods(Xd, params_.covariance_type, state_, params_.n_threads, nullptr);
}

template <typename Scalar>
auto GaussianMixture<Scalar>::score(DataRef<Scalar> X) const -> double {
  const RowMatrix<double> Xd = checked("GaussianMixture::score", X);
  return detail::log_likelihoods(Xd, params_.covariance_type, state_, params_.n_threads, nullptr).mean();
}

template <typename Scalar>
auto GaussianMixture<Scalar>::bic(DataRef<Scalar> X) const -> double {
  const double n = double(X.rows());
  return -2 * score(X) * n + double(n_parameters()) * std::log(n);
}

template <typename Scalar>
auto GaussianMixture<Scalar>::aic(DataRef<Scalar> X) const -> double {
  return -2 * score(X) * double(X.rows()) + 2 * double(n_parameters());
}
/// \endcond

}  // namespace somtile
