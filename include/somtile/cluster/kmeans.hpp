#pragma once
// K-means clustering, following scikit-learn's KMeans (algorithm "lloyd"):
// - k-means++ seeding, greedy: each new centre is the best of 2 + floor(ln k) candidates drawn
//   with probability proportional to the squared distance to the nearest chosen centre;
// - Lloyd iterations until the labels stop changing, or the total squared centre shift is
//   <= tol * (mean per-feature variance of X), or max_iter;
// - n_init independent seedings, keeping the run with the lowest inertia; a warning
//   (core/warning.hpp) when that run stopped at max_iter without converging.
// Nearest-centre search is the shared GEMM BMU kernel and centre sums are unit_sums, so the
// result is identical for any number of threads.
//
// Empty clusters: as in scikit-learn, an empty cluster's centre is moved onto the sample that
// is farthest from its own centre (the worst-fitted sample), one distinct sample per empty
// cluster, largest distance first (ties: lowest index); unlike scikit-learn, never the last
// sample of a cluster. That sample then belongs to it, which lowers the inertia and leaves no
// cluster empty after the update. (Centres that coincide exactly can still tie in the next
// assignment, where the lower index wins, as in scikit-learn.)

#include "somtile/cluster/detail/lloyd.hpp"
#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/detail/precompiled.hpp"  // SOMTILE_OUTLINE
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/random.hpp"
#include "somtile/core/types.hpp"
#include "somtile/core/warning.hpp"
#include "somtile/kernels/batch.hpp"
#include "somtile/kernels/bmu.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

namespace somtile {

/// Parameters of KMeans (scikit-learn's KMeans: k-means++ seeding, Lloyd iterations).
struct KMeansParams {
  /// Number of clusters (>= 1, at most the number of samples).
  Index n_clusters = 8;
  /// Seedings to run; the lowest-inertia one is kept. 10 is scikit-learn 1.2's default
  /// (later versions use 1 with k-means++); more restarts cost time linearly.
  int n_init = 10;
  /// Lloyd iterations per seeding.
  int max_iter = 300;
  /// Convergence threshold on the total squared centre shift, relative to the mean
  /// per-feature variance of X (scikit-learn's definition).
  double tol = 1e-4;
  /// Seed of the k-means++ seedings.
  std::uint64_t seed = 0;
  int n_threads = 0;  ///< 0 = all available
};

/// Throws ParameterError, naming `call`, unless every field of p is in range.
inline void validate(const KMeansParams& p, const char* call = "KMeans") {
  detail::check_positive(call, "n_clusters", p.n_clusters);
  detail::check_positive(call, "n_init", p.n_init);
  detail::check_positive(call, "max_iter", p.max_iter);
  detail::check_non_negative(call, "tol", p.tol);
  detail::check_non_negative(call, "n_threads", p.n_threads);
}

namespace detail {

// Kept here: it builds the public KMeansParams above (GaussianMixture and som_cluster.hpp use it).
/// KMeansParams with the other fields at their defaults (GMM seeding, clustering a map's units).
inline KMeansParams kmeans_params(Index k, int n_init, std::uint64_t seed, int n_threads) {
  KMeansParams p;
  p.n_clusters = k;
  p.n_init = n_init;
  p.seed = seed;
  p.n_threads = n_threads;
  return p;
}

}  // namespace detail

/// k-means with k-means++ seeding and Lloyd iterations (scikit-learn's KMeans, algorithm
/// "lloyd"): of n_init seedings the run with the lowest inertia is kept.
/// \tparam Scalar float or double, the type of the data and the centres.
/// \throws ParameterError from the constructor when a parameter is out of range (validate);
///         InputError from fit() for empty or non-finite data or fewer samples than clusters,
///         and from predict()/transform() for data with another number of features;
///         NotFittedError from any accessor before fit().
/// \code
/// KMeans<double> km({.n_clusters = 3});
/// const Labels labels = km.fit(X).labels();
/// const double inertia = km.inertia();
/// \endcode
template <typename Scalar>
class KMeans {
 public:
  KMeans() = default;
  /// A clusterer with these parameters. \throws ParameterError when validate(params) fails.
  explicit KMeans(const KMeansParams& params) : params_(params) { validate(params_); }

  /// The parameters the clusterer was built with.
  const KMeansParams& params() const { return params_; }

  /// Clusters the rows of X (n_init seedings, the lowest inertia kept); returns *this.
  KMeans& fit(DataRef<Scalar> X);

  /// Cluster of every training sample.
  const Labels& labels() const {
    fitted("labels");
    return labels_;
  }
  /// n_clusters x n_features.
  const RowMatrix<Scalar>& cluster_centers() const {
    fitted("cluster_centers");
    return centers_;
  }
  /// Sum of squared distances of the training samples to their centres.
  double inertia() const {
    fitted("inertia");
    return inertia_;
  }
  /// Lloyd iterations of the kept run.
  int n_iter() const {
    fitted("n_iter");
    return n_iter_;
  }
  /// True after a successful fit() (or a load).
  bool is_fitted() const { return centers_.size() > 0; }

  /// Nearest centre of every row of X.
  Labels predict(DataRef<Scalar> X) const;

  /// Euclidean distance of every row of X to every centre (n_samples x n_clusters).
  RowMatrix<Scalar> transform(DataRef<Scalar> X) const;

  /// fit(X), then the cluster of every row.
  Labels fit_predict(DataRef<Scalar> X);

  /// Writes or reads the fitted model (io/detail/archive.hpp, io/model_io.hpp).
  template <typename Archive>
  void serialize(Archive& ar) {
    KMeansParams& p = params_;
    ar(p.n_clusters, p.n_init, p.max_iter, p.tol, p.seed, p.n_threads, centers_, labels_, inertia_, n_iter_);
    if constexpr (Archive::loading) {
      validate(p, "load_kmeans");
      const Index k = centers_.rows();
      ar.check(k >= 1 && k == p.n_clusters && centers_.cols() >= 1 && centers_.allFinite(), "the centres are a ", k,
               " x ", centers_.cols(), " matrix, expected ", p.n_clusters, " finite rows");
      ar.check(labels_.size() == 0 || (labels_.minCoeff() >= 0 && labels_.maxCoeff() < k),
               "a training label is not a cluster id");
      ar.check(p.n_threads >= 0 && std::isfinite(inertia_) && inertia_ >= 0, "invalid n_threads ", p.n_threads,
               " or inertia ", inertia_);
    }
  }

 private:
  void fitted(const char* what) const {
    detail::require<NotFittedError>(is_fitted(), std::string("KMeans::") + what,
                                    "this KMeans is not fitted yet; call fit() first");
  }
  void check_input(const char* call, ConstRowRef<Scalar> X) const {
    detail::require<NotFittedError>(is_fitted(), call, "this KMeans is not fitted yet; call fit() first");
    detail::check_data(call, X, centers_.cols(), "KMeans");
  }

  KMeansParams params_;
  RowMatrix<Scalar> centers_;
  Labels labels_;
  double inertia_ = 0;
  int n_iter_ = 0;
};

// KMeans's members, defined outside the class so that a program linking
// somtile::precompiled does not instantiate them (core/detail/precompiled.hpp).
/// \cond INTERNAL

template <typename Scalar>
auto KMeans<Scalar>::fit(DataRef<Scalar> X) -> KMeans& {
  const char* call = "KMeans::fit";
  detail::check_data(call, X);
  detail::require(params_.n_clusters <= X.rows(), call, "n_clusters must be <= n_samples (", X.rows(), "), got ",
                  params_.n_clusters);

  const int threads = params_.n_threads;
  const Eigen::RowVectorXd mean = X.template cast<double>().colwise().mean();
  const double variance =
      (X.template cast<double>().rowwise() - mean).array().square().sum() / double(X.rows() * X.cols());
  const double tol = params_.tol * variance;

  const Random root(params_.seed);
  detail::KMeansRun<Scalar> best;
  for (int init = 0; init < params_.n_init; ++init) {
    Random rng = root.fork(std::uint64_t(init));
    auto seeds = detail::kmeans_plusplus<Scalar>(X, params_.n_clusters, rng, threads);
    auto run = detail::lloyd<Scalar>(X, std::move(seeds), params_.max_iter, tol, threads);
    if (run.inertia < best.inertia) best = std::move(run);
  }
  // A run that fits the data exactly (inertia 0 up to rounding) cannot improve: with fewer
  // distinct points than clusters the empty-cluster moves keep relabelling coincident
  // centres without changing anything, which is not a failure to converge.
  const double total = variance * double(X.rows()) * double(X.cols());
  if (!best.converged && best.inertia > 1e-12 * total)
    detail::warn(call, "the kept run (best of n_init = ", params_.n_init,
                 ") did not converge within max_iter = ", params_.max_iter, " iterations (inertia ", best.inertia,
                 "); increase max_iter or tol");
  centers_.swap(best.centers);
  labels_.swap(best.labels);
  inertia_ = best.inertia;
  n_iter_ = best.n_iter;
  return *this;
}

template <typename Scalar>
auto KMeans<Scalar>::predict(DataRef<Scalar> X) const -> Labels {
  check_input("KMeans::predict", X);
  return detail::dense_bmus<Scalar>(X, centers_, Distance::euclidean, false, params_.n_threads).bmu;
}

template <typename Scalar>
auto KMeans<Scalar>::transform(DataRef<Scalar> X) const -> RowMatrix<Scalar> {
  check_input("KMeans::transform", X);
  RowMatrix<Scalar> out(X.rows(), centers_.rows());
  detail::parallel_for_chunks(X.rows(), 1024, params_.n_threads, [&](Index begin, Index end) {
    for (Index i = begin; i < end; ++i)
      for (Index c = 0; c < centers_.rows(); ++c) out(i, c) = detail::robust_norm(X.row(i) - centers_.row(c));
  });
  return out;
}

template <typename Scalar>
auto KMeans<Scalar>::fit_predict(DataRef<Scalar> X) -> Labels {
  return fit(X).labels();
}
/// \endcond

}  // namespace somtile
