#pragma once
// Clustering the units (neurons) of a map, the work behind Som::cluster(), independent of any
// map class: it takes the codebook and the units' grid positions.
//
// Differences from TorchSOM's cluster(), on purpose:
// - labels are 0-based, noise is -1 (TorchSOM: 1-based);
// - FeatureSpace::combined standardises both blocks so neither dominates (TorchSOM
//   concatenates raw weights and grid coordinates, and the coordinates win);
// - HDBSCAN ignores a non-zero n_clusters with a warning (TorchSOM: silently), and finding no
//   cluster gives all -1 and n_clusters = 0 instead of inventing one cluster (set
//   allow_single_cluster for one cluster);
// - HDBSCAN's min_samples defaults to 2 rather than min_cluster_size (see ClusterParams);
// - the automatic k of k-means is the best silhouette by default (TorchSOM: the elbow,
//   AutoK::elbow), over k = 1..K (TorchSOM: k = 2..K) with the same cap K;
// - metrics that are undefined (fewer than 2 clusters left after dropping noise) are NaN
//   rather than an arbitrary 0 or infinity;
// - the seed is a parameter (TorchSOM hard-codes 42).

#include "somtile/cluster/detail/unit_clustering.hpp"
#include "somtile/cluster/gaussian_mixture.hpp"
#include "somtile/cluster/hdbscan.hpp"
#include "somtile/cluster/kmeans.hpp"
#include "somtile/cluster/som_cluster_types.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/types.hpp"
#include "somtile/core/warning.hpp"
#include "somtile/metrics/clustering.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace somtile {

// The public functions below are declared, with their documentation, in som_cluster_types.hpp.

template <typename Scalar>
RowMatrix<double> cluster_features(DataRef<Scalar> weights, const RowMatrix<double>& positions, FeatureSpace space) {
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

template <typename>
std::vector<double> elbow_inertias(ConstRowRef<double> features, Index max_k, std::uint64_t seed, int n_init,
                                   int n_threads) {
  const char* call = "elbow_inertias";
  detail::check_data(call, features, "features");
  detail::check_positive(call, "max_k", max_k);
  detail::require(max_k <= features.rows(), call, "max_k must be <= the number of samples (", features.rows(),
                  "), got ", max_k);
  std::vector<double> out;
  for (Index k = 1; k <= max_k; ++k)
    out.push_back(KMeans<double>(detail::kmeans_params(k, n_init, seed, n_threads)).fit(features).inertia());
  return out;
}

template <typename>
Index elbow_k(const std::vector<double>& inertias) {
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
// Stays here: it tells som/som.hpp that this header, which defines cluster_units, is included.
template <typename Scalar>
struct NeuronClusteringIncluded<Scalar, void> : std::true_type {};
}  // namespace detail

template <typename Scalar>
ClusterResult cluster_units(DataRef<Scalar> weights, const RowMatrix<double>& positions, const ClusterParams& params,
                            const char* call) {
  detail::check_data(call, weights, "weights");
  const Index n_units = weights.rows();
  detail::require<InputError>(n_units >= 2, call, "clustering needs at least 2 units, got ", n_units);
  detail::check_non_negative(call, "n_clusters", params.n_clusters);
  detail::require(params.n_clusters <= n_units, call, "n_clusters must be <= the number of units (", n_units, "), got ",
                  params.n_clusters);
  detail::check_positive(call, "max_k", params.max_k);
  detail::check_non_negative(call, "min_samples", params.min_samples);
  detail::require(params.min_samples <= n_units, call, "min_samples must be <= the number of units (", n_units,
                  "), got ", params.min_samples);
  detail::check_positive(call, "n_init", params.n_init);
  detail::check_non_negative(call, "max_iter", params.max_iter);
  detail::check_non_negative(call, "reg_covar", params.reg_covar);
  detail::check_non_negative(call, "n_threads", params.n_threads);
  detail::require(params.min_cluster_size == 0 || params.min_cluster_size >= 2, call,
                  "min_cluster_size must be 0 (automatic) or >= 2, got ", params.min_cluster_size);
  detail::require(params.min_cluster_size <= n_units, call, "min_cluster_size must be <= the number of units (",
                  n_units, "), got ", params.min_cluster_size);
  if (params.method == ClusterMethod::hdbscan && params.n_clusters != 0)
    detail::warn(call, "n_clusters = ", params.n_clusters,
                 " is ignored by hdbscan, which finds the number of clusters itself");

  ClusterResult r;
  r.method = params.method;
  r.feature_space = params.feature_space;
  r.features = cluster_features<Scalar>(weights, positions, params.feature_space);
  const RowMatrix<double>& F = r.features;
  // Automatic k: at most sqrt(units) clusters (TorchSOM), at most max_k, fewer than the units.
  const Index root = Index(std::floor(std::sqrt(double(n_units))));
  const Index k_limit = std::max<Index>(1, std::min({params.max_k, std::max<Index>(2, root), n_units - 1}));

  switch (params.method) {
    case ClusterMethod::kmeans: {
      const auto model = [&](Index k) {
        KMeansParams kp = detail::kmeans_params(k, params.n_init, params.seed, params.n_threads);
        if (params.max_iter > 0) kp.max_iter = params.max_iter;
        return KMeans<double>(kp);
      };
      Index k = params.n_clusters;
      if (k == 0 && params.auto_k == AutoK::elbow) {
        r.k_criterion = "inertia";
        for (Index c = 1; c <= k_limit; ++c) r.k_scores.push_back(model(c).fit(F).inertia());
        k = std::min(elbow_k(r.k_scores), n_units);
      } else if (k == 0) {
        // The highest silhouette over k = 2..K, ties to the smaller k; 2 when K < 2.
        r.k_criterion = "silhouette";
        r.k_scores.push_back(std::numeric_limits<double>::quiet_NaN());
        k = 2;
        double best = -std::numeric_limits<double>::infinity();
        const auto candidate = [&](Index c, int threads) {
          KMeans<double> km = model(c);
          KMeansParams kp = km.params();
          kp.n_threads = threads;
          return KMeans<double>(kp);
        };
        const std::vector<double> scores = detail::silhouette_k_scores(F, k_limit, candidate, params.n_threads);
        for (Index c = 2; c <= k_limit; ++c) {
          const double s = scores[std::size_t(c - 2)];
          r.k_scores.push_back(s);
          if (s > best) {
            best = s;
            k = c;
          }
        }
      }
      KMeans<double> km = model(k);
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
        gp.reg_covar = params.reg_covar;
        if (params.max_iter > 0) gp.max_iter = params.max_iter;
        gp.seed = params.seed;
        gp.n_threads = params.n_threads;
        return GaussianMixture<double>(gp);
      };
      Index k = params.n_clusters;
      if (k == 0) {
        r.k_criterion = "bic";
        double lowest = std::numeric_limits<double>::infinity();
        for (Index c = 1; c <= k_limit; ++c) {
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
      hp.min_cluster_size =
          params.min_cluster_size > 0 ? params.min_cluster_size : std::min(n_units, std::max<Index>(5, n_units / 20));
      hp.min_samples = params.min_samples > 0 ? params.min_samples : detail::unit_min_samples;
      hp.cluster_selection_method = params.cluster_selection_method;
      hp.allow_single_cluster = params.allow_single_cluster;
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
