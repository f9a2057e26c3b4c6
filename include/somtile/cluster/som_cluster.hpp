#pragma once
// Clustering the units (neurons) of a map, the work behind Som::cluster(), independent of any
// map class: it takes the codebook and the units' grid positions.
//
// Differences from TorchSOM's cluster(), on purpose:
// - labels are 0-based, noise is -1 (TorchSOM: 1-based);
// - FeatureSpace::combined standardises both blocks so neither dominates (TorchSOM
//   concatenates raw weights and grid coordinates, and the coordinates win);
// - HDBSCAN rejects a non-zero n_clusters instead of silently ignoring it, and finding no
//   cluster gives all -1 and n_clusters = 0 instead of inventing one cluster;
// - metrics that are undefined (fewer than 2 clusters left after dropping noise) are NaN
//   rather than an arbitrary 0 or infinity;
// - the seed is a parameter (TorchSOM hard-codes 42).

#include "somtile/cluster/gaussian_mixture.hpp"
#include "somtile/cluster/hdbscan.hpp"
#include "somtile/cluster/kmeans.hpp"
#include "somtile/core/types.hpp"
#include "somtile/core/validate.hpp"
#include "somtile/metrics/clustering.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace somtile {

enum class ClusterMethod { kmeans, gmm, hdbscan };

/// What describes a unit for clustering.
enum class FeatureSpace {
  weights,    ///< its codebook vector: groups units that encode similar inputs
  positions,  ///< its grid coordinates: groups units that are close on the map
  combined    ///< both, each block standardised to equal total variance (see cluster_features)
};

struct ClusterParams {
  ClusterMethod method = ClusterMethod::kmeans;
  /// Clusters for k-means / components for GMM. 0 = automatic: the elbow of the k-means
  /// inertia curve (largest second difference) or the GMM with the lowest BIC, over
  /// k = 1..min(max_k, n_units - 1). Must stay 0 for HDBSCAN, which finds the number itself.
  Index n_clusters = 0;
  FeatureSpace feature_space = FeatureSpace::weights;
  std::uint64_t seed = 0;
  /// Largest k tried by the automatic choice.
  Index max_k = 10;
  /// HDBSCAN's min_cluster_size; 0 = TorchSOM's max(5, n_units / 20), capped at n_units.
  Index min_cluster_size = 0;
  /// HDBSCAN's min_samples (the unit itself included); 0 = min_cluster_size.
  Index min_samples = 0;
  Covariance covariance_type = Covariance::full;  ///< GMM only
  int n_init = 10;                                ///< k-means restarts (GMM: EM runs)
  int n_threads = 0;                              ///< 0 = all available
};

/// Quality of a clustering of the units, on the clustered features with noise units dropped.
/// NaN where undefined: fewer than 2 distinct labels, or not fewer labels than non-noise units.
struct ClusterMetrics {
  double silhouette = std::numeric_limits<double>::quiet_NaN();
  double davies_bouldin = std::numeric_limits<double>::quiet_NaN();
  double calinski_harabasz = std::numeric_limits<double>::quiet_NaN();
  Index n_noise = 0;
  double noise_ratio = 0.0;
};

struct ClusterResult {
  Labels labels;  ///< one per unit, 0..n_clusters-1, -1 = noise (HDBSCAN only)
  Index n_clusters = 0;
  ClusterMethod method = ClusterMethod::kmeans;
  FeatureSpace feature_space = FeatureSpace::weights;
  ClusterMetrics metrics;
  RowMatrix<double> centers;    ///< n_clusters x features: centre / mean / member mean per cluster
  RowMatrix<double> features;   ///< the matrix that was clustered (units x features)
  double inertia = std::numeric_limits<double>::quiet_NaN();  ///< k-means only
  double bic = std::numeric_limits<double>::quiet_NaN();      ///< GMM only
  double aic = std::numeric_limits<double>::quiet_NaN();      ///< GMM only
  /// Automatic k: the inertia (k-means) or BIC (GMM) for k = 1, 2, ...; empty otherwise.
  std::vector<double> k_scores;
};

/// Feature matrix of the units for a feature space. `combined` z-scores every column of both
/// blocks (constant columns become 0) and then scales each block by 1/sqrt(its column count),
/// so each block's column variances sum to 1: the map's geometry and the codebook weigh the
/// same, whatever the number of features or the size of the grid.
template <typename Scalar>
RowMatrix<double> cluster_features(DataRef<Scalar> weights, const RowMatrix<double>& positions,
                                   FeatureSpace space) {
  const char* call = "cluster_features";
  detail::check_data(call, weights, "weights");
  if (space != FeatureSpace::weights) {
    detail::check_data(call, positions, "positions");
    detail::require<InputError>(positions.rows() == weights.rows(), call, "positions has ", positions.rows(),
                                " rows, but weights has ", weights.rows(), " units");
  }
  if (space == FeatureSpace::weights) return weights.template cast<double>();
  if (space == FeatureSpace::positions) return positions;
  const auto standardised = [](RowMatrix<double> block) {
    const Eigen::RowVectorXd mean = block.colwise().mean();
    block.rowwise() -= mean;
    for (Index j = 0; j < block.cols(); ++j) {
      const double sd = std::sqrt(block.col(j).squaredNorm() / double(block.rows()));
      if (sd > 0) block.col(j) /= sd;
    }
    return RowMatrix<double>(block / std::sqrt(double(block.cols())));
  };
  RowMatrix<double> out(weights.rows(), weights.cols() + positions.cols());
  out.leftCols(weights.cols()) = standardised(weights.template cast<double>());
  out.rightCols(positions.cols()) = standardised(positions);
  return out;
}

/// k-means inertia for k = 1..max_k (entry k-1), each the best of n_init restarts.
inline std::vector<double> elbow_inertias(ConstRowRef<double> features, Index max_k, std::uint64_t seed = 0,
                                          int n_init = 10, int n_threads = 0) {
  const char* call = "elbow_inertias";
  detail::check_data(call, features, "features");
  detail::check_positive(call, "max_k", max_k);
  detail::require(max_k <= features.rows(), call, "max_k must be <= the number of samples (", features.rows(),
                  "), got ", max_k);
  std::vector<double> out;
  for (Index k = 1; k <= max_k; ++k)
    out.push_back(KMeans<double>({k, n_init, 300, 1e-4, seed, n_threads}).fit(features).inertia());
  return out;
}

/// The elbow of an inertia curve (entry k-1 = inertia for k clusters): the k in 2..K-1 with
/// the largest second difference I(k-1) - 2 I(k) + I(k+1), ties to the smaller k; 2 when the
/// curve has fewer than 3 points.
inline Index elbow_k(const std::vector<double>& inertias) {
  if (inertias.size() < 3) return 2;
  Index best = 2;
  double best_bend = -std::numeric_limits<double>::infinity();
  for (std::size_t k = 2; k < inertias.size(); ++k) {
    const double bend = inertias[k - 2] - 2 * inertias[k - 1] + inertias[k];
    if (bend > best_bend) {
      best_bend = bend;
      best = Index(k);
    }
  }
  return best;
}

namespace detail {

inline ClusterMetrics unit_cluster_metrics(const RowMatrix<double>& features, const Labels& labels,
                                           int n_threads) {
  ClusterMetrics m;
  m.n_noise = (labels.array() < 0).count();
  m.noise_ratio = double(m.n_noise) / double(labels.size());
  const Index kept = labels.size() - m.n_noise;
  std::vector<Index> distinct;
  for (Index i = 0; i < labels.size(); ++i)
    if (labels[i] >= 0) distinct.push_back(labels[i]);
  std::sort(distinct.begin(), distinct.end());
  const Index n_labels = Index(std::unique(distinct.begin(), distinct.end()) - distinct.begin());
  if (n_labels >= 2 && n_labels <= kept - 1) {
    m.silhouette = silhouette_score(features, labels, n_threads);
    m.davies_bouldin = davies_bouldin_score(features, labels);
    m.calinski_harabasz = calinski_harabasz_score(features, labels);
  }
  return m;
}

inline RowMatrix<double> member_means(const RowMatrix<double>& features, const Labels& labels, Index k) {
  RowMatrix<double> centers = RowMatrix<double>::Zero(k, features.cols());
  Vector<double> counts = Vector<double>::Zero(k);
  for (Index i = 0; i < labels.size(); ++i)
    if (labels[i] >= 0) {
      centers.row(labels[i]) += features.row(i);
      counts[labels[i]] += 1;
    }
  for (Index c = 0; c < k; ++c)
    if (counts[c] > 0) centers.row(c) /= counts[c];
  return centers;
}

}  // namespace detail

/// Clusters the units of a map. `weights` is the codebook (units x features), `positions` the
/// units' grid coordinates (units x 2, may be empty for FeatureSpace::weights). `call` names
/// the public entry point in error messages (Som::cluster passes its own name).
template <typename Scalar>
ClusterResult cluster_units(DataRef<Scalar> weights, const RowMatrix<double>& positions,
                            const ClusterParams& params, const char* call = "cluster_units") {
  detail::check_data(call, weights, "weights");
  const Index n_units = weights.rows();
  detail::require<InputError>(n_units >= 2, call, "clustering needs at least 2 units, got ", n_units);
  detail::check_non_negative(call, "n_clusters", params.n_clusters);
  detail::require(params.n_clusters <= n_units, call, "n_clusters must be <= the number of units (", n_units,
                  "), got ", params.n_clusters);
  detail::check_positive(call, "max_k", params.max_k);
  detail::check_non_negative(call, "min_samples", params.min_samples);
  detail::check_positive(call, "n_init", params.n_init);
  detail::check_non_negative(call, "n_threads", params.n_threads);
  detail::require(params.min_cluster_size == 0 || params.min_cluster_size >= 2, call,
                  "min_cluster_size must be 0 (automatic) or >= 2, got ", params.min_cluster_size);
  detail::require(params.min_cluster_size <= n_units, call, "min_cluster_size must be <= the number of units (",
                  n_units, "), got ", params.min_cluster_size);
  detail::require(params.method != ClusterMethod::hdbscan || params.n_clusters == 0, call,
                  "n_clusters must be 0 for hdbscan, which finds the number of clusters itself, got ",
                  params.n_clusters);

  ClusterResult r;
  r.method = params.method;
  r.feature_space = params.feature_space;
  r.features = cluster_features<Scalar>(weights, positions, params.feature_space);
  const RowMatrix<double>& F = r.features;
  const Index k_limit = std::min(params.max_k, n_units - 1);

  switch (params.method) {
    case ClusterMethod::kmeans: {
      Index k = params.n_clusters;
      if (k == 0) {
        r.k_scores = elbow_inertias(F, std::max<Index>(k_limit, 1), params.seed, params.n_init, params.n_threads);
        k = std::min(elbow_k(r.k_scores), n_units);
      }
      KMeans<double> km({k, params.n_init, 300, 1e-4, params.seed, params.n_threads});
      km.fit(F);
      r.labels = km.labels();
      r.centers = km.cluster_centers();
      r.inertia = km.inertia();
      r.n_clusters = k;
      break;
    }
    case ClusterMethod::gmm: {
      const auto model = [&](Index k) {
        GaussianMixtureParams gp;
        gp.n_components = k;
        gp.covariance_type = params.covariance_type;
        gp.seed = params.seed;
        gp.n_threads = params.n_threads;
        return GaussianMixture<double>(gp);
      };
      Index k = params.n_clusters;
      if (k == 0) {
        double lowest = std::numeric_limits<double>::infinity();
        for (Index c = 1; c <= std::max<Index>(k_limit, 1); ++c) {
          const double bic = model(c).fit(F).bic(F);
          r.k_scores.push_back(bic);
          if (bic < lowest) {
            lowest = bic;
            k = c;
          }
        }
      }
      GaussianMixture<double> gm = model(k);
      gm.fit(F);
      r.labels = gm.predict(F);
      r.centers = gm.means();
      r.bic = gm.bic(F);
      r.aic = gm.aic(F);
      r.n_clusters = k;
      break;
    }
    case ClusterMethod::hdbscan: {
      HDBSCANParams hp;
      hp.min_cluster_size = params.min_cluster_size > 0 ? params.min_cluster_size
                                                        : std::min(n_units, std::max<Index>(5, n_units / 20));
      hp.min_samples = std::min(params.min_samples, n_units);
      hp.n_threads = params.n_threads;
      HDBSCAN<double> hd(hp);
      r.labels = hd.fit(F).labels();
      r.n_clusters = hd.n_clusters();
      r.centers = detail::member_means(F, r.labels, r.n_clusters);
      break;
    }
  }
  r.metrics = detail::unit_cluster_metrics(F, r.labels, params.n_threads);
  return r;
}

}  // namespace somtile
