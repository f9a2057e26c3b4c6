#pragma once
// Pieces of clustering a map's units (cluster/som_cluster.hpp): the diagnostics of a
// labelling and the mean feature vector of each cluster.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>
#include "somtile/cluster/gaussian_mixture.hpp"
#include "somtile/cluster/hdbscan.hpp"
#include "somtile/cluster/kmeans.hpp"
#include "somtile/cluster/som_cluster_types.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/types.hpp"
#include "somtile/core/warning.hpp"
#include "somtile/kernels/detail/pca.hpp"
#include "somtile/metrics/clustering.hpp"

#include <exception>

namespace somtile::detail {

/// HDBSCAN's min_samples on a map's units when ClusterParams::min_samples = 0 (see there).
constexpr Index unit_min_samples = 2;

template <typename = void>
ClusterMetrics unit_cluster_metrics(const RowMatrix<double>& features, const Labels& labels, int n_threads) {
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

/// Coordinates of the rows of X (n x F, F >= n) in n dimensions with the same pairwise
/// distances: Z = U sqrt(L) from the Gram matrix of the centred rows, C C^T = U L U^T, so that
/// Z Z^T = C C^T. k-means, which only needs distances and means of rows, then works on n
/// coordinates instead of F.
template <typename = void>
RowMatrix<double> distance_preserving_coordinates(const RowMatrix<double>& X) {
  const RowMatrix<double> C = X.rowwise() - X.colwise().mean();
  const Eigen::MatrixXd G = C * C.transpose();
  const SymmetricEigen eig = symmetric_eigen(G);
  const Index n = X.rows();
  RowMatrix<double> Z(n, n);
  for (Index a = 0; a < n; ++a) Z.col(a) = eig.vectors.col(a) * std::sqrt(std::max(0.0, eig.values(a)));
  return Z;
}

/// The automatic k of k-means by silhouette: for k = 2..k_limit, k-means labels of `features`
/// (model(k, n_threads) builds the clusterer) and their mean silhouette, entry k-2. The distances
/// are computed once for all k; the candidates run in parallel, each on one thread (KMeans gives
/// the same result on any number of threads, so the scores do not depend on it). A codebook with
/// at least twice as many features as units (up to 1 024 units) is clustered on
/// distance_preserving_coordinates, with k-means' tolerance rescaled to the same absolute
/// value: the same labels up to rounding at a fraction of the cost.
template <typename Model>
std::vector<double> silhouette_k_scores(const RowMatrix<double>& features, Index k_limit, const Model& model,
                                        int n_threads) {
  const Index n = features.rows();
  const int threads = resolve_threads(n_threads);
  const bool reduce = n <= 1024 && features.cols() >= 2 * n;
  const RowMatrix<double> reduced = reduce ? distance_preserving_coordinates(features) : RowMatrix<double>();
  const RowMatrix<double>& X = reduce ? reduced : features;
  const double tol_scale = double(X.cols()) / double(features.cols());
  // The full distance matrix when it is small (64 MiB); otherwise each silhouette computes its own.
  const bool shared = n <= 2896;
  const RowMatrix<double> D = shared ? distance_matrix(features, threads) : RowMatrix<double>();
  const Index candidates = std::max<Index>(0, k_limit - 1);
  std::vector<double> scores(std::size_t(candidates), std::numeric_limits<double>::quiet_NaN());
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(candidates));
  // Each candidate's warnings are held and emitted afterwards in the order of k, from this
  // thread, so they do not depend on the thread count or the schedule.
  std::vector<std::vector<std::string>> warnings(static_cast<std::size_t>(candidates));
  const bool across = threads > 1 && candidates > 1;
  const auto run = [&](Index t) {
    const WarningCapture capture(warnings[std::size_t(t)]);
    try {
      const Index k = t + 2;
      auto km = model(k, across ? 1 : threads);
      KMeansParams p = km.params();
      p.tol *= tol_scale;
      const Labels labels = decltype(km)(p).fit(X).labels();
      std::vector<Index> distinct(labels.data(), labels.data() + labels.size());
      std::sort(distinct.begin(), distinct.end());
      const Index n_labels = Index(std::unique(distinct.begin(), distinct.end()) - distinct.begin());
      if (n_labels < 2 || n_labels > n - 1) return;  // undefined, as unit_cluster_metrics
      scores[std::size_t(t)] = shared ? silhouette_from_distances(D, dense_labelling("cluster_units", D, labels))
                                      : silhouette_score(features, labels, across ? 1 : threads);
    } catch (...) {
      errors[std::size_t(t)] = std::current_exception();
    }
  };
  if (across)
    parallel_for(candidates, threads, run, double(n) * double(X.cols()) * double(k_limit) * 1e3);
  else
    for (Index t = 0; t < candidates; ++t) run(t);
  for (const auto& w : warnings) emit_warnings(w);
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  return scores;
}

template <typename = void>
RowMatrix<double> member_means(const RowMatrix<double>& features, const Labels& labels, Index k) {
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

}  // namespace somtile::detail
