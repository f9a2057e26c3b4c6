#pragma once
// Internal clustering quality metrics with scikit-learn's definitions: silhouette
// (samples and score), Davies–Bouldin and Calinski–Harabasz, all with Euclidean distances.
//
// Labels are any integers >= -1; -1 marks noise and those samples are dropped before scoring
// (scikit-learn has no noise label; dropping them is what density clusterers need).
// The remaining labels must form 2 <= n_labels <= n_samples - 1 groups, as in scikit-learn,
// otherwise the call throws InputError. X may be any Eigen matrix or block (float or double);
// all arithmetic is in double.

#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/types.hpp"
#include "somtile/metrics/detail/labelling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string_view>
#include <vector>

namespace somtile {

/// Silhouette coefficient of every sample, (b - a) / max(a, b) with a the mean distance to the
/// other members of its cluster and b the mean distance to the nearest other cluster.
/// Members of singleton clusters score 0; noise samples (label -1) get NaN.
template <typename Derived>
Vector<double> silhouette_samples(const Eigen::MatrixBase<Derived>& X, const Labels& labels, int n_threads = 0) {
  const auto d = detail::dense_labelling("silhouette_samples", X, labels);
  const Vector<double> kept = detail::silhouette_kept(detail::kept_rows(X, d), d, n_threads);
  Vector<double> out = Vector<double>::Constant(X.rows(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t k = 0; k < d.rows.size(); ++k) out[d.rows[k]] = kept[Index(k)];
  return out;
}

/// Mean silhouette coefficient of the non-noise samples; in [-1, 1], higher is better.
template <typename Derived>
double silhouette_score(const Eigen::MatrixBase<Derived>& X, const Labels& labels, int n_threads = 0) {
  const auto d = detail::dense_labelling("silhouette_score", X, labels);
  return detail::silhouette_kept(detail::kept_rows(X, d), d, n_threads).mean();
}

/// Davies–Bouldin index: mean over clusters of max_j (s_i + s_j) / |c_i - c_j|, s the mean
/// distance of a cluster's samples to its centroid. >= 0, lower is better; 0 when all
/// clusters are points or all centroids coincide (as scikit-learn).
template <typename Derived>
double davies_bouldin_score(const Eigen::MatrixBase<Derived>& X, const Labels& labels) {
  const auto d = detail::dense_labelling("davies_bouldin_score", X, labels);
  const RowMatrix<double> Xk = detail::kept_rows(X, d);
  RowMatrix<double> centroids;
  Vector<double> counts;
  detail::cluster_centroids(Xk, d, centroids, counts);
  const Index k = d.n_labels;
  Vector<double> scatter = Vector<double>::Zero(k);
  for (Index i = 0; i < Xk.rows(); ++i) {
    const Index c = d.label[std::size_t(i)];
    scatter[c] += (Xk.row(i) - centroids.row(c)).norm();
  }
  scatter.array() /= counts.array();
  RowMatrix<double> separation(k, k);
  for (Index a = 0; a < k; ++a)
    for (Index b = 0; b < k; ++b) separation(a, b) = (centroids.row(a) - centroids.row(b)).norm();
  // scikit-learn's np.allclose(x, 0) test: |x| <= 1e-8 everywhere.
  if (scatter.cwiseAbs().maxCoeff() <= 1e-8 || separation.cwiseAbs().maxCoeff() <= 1e-8) return 0.0;
  double total = 0;
  for (Index a = 0; a < k; ++a) {
    double worst = 0;
    for (Index b = 0; b < k; ++b)
      if (b != a && separation(a, b) > 0) worst = std::max(worst, (scatter[a] + scatter[b]) / separation(a, b));
    total += worst;
  }
  return total / double(k);
}

/// Calinski–Harabasz index (variance ratio): [B / (k - 1)] / [W / (n - k)] with B the
/// between-cluster and W the within-cluster dispersion. Higher is better; 1 when W = 0
/// (as scikit-learn).
template <typename Derived>
double calinski_harabasz_score(const Eigen::MatrixBase<Derived>& X, const Labels& labels) {
  const auto d = detail::dense_labelling("calinski_harabasz_score", X, labels);
  const RowMatrix<double> Xk = detail::kept_rows(X, d);
  RowMatrix<double> centroids;
  Vector<double> counts;
  detail::cluster_centroids(Xk, d, centroids, counts);
  const Eigen::RowVectorXd mean = Xk.colwise().mean();
  double between = 0, within = 0;
  for (Index c = 0; c < d.n_labels; ++c) between += counts[c] * (centroids.row(c) - mean).squaredNorm();
  for (Index i = 0; i < Xk.rows(); ++i) within += (Xk.row(i) - centroids.row(d.label[std::size_t(i)])).squaredNorm();
  const double n = double(Xk.rows()), k = double(d.n_labels);
  return within == 0 ? 1.0 : between * (n - k) / (within * (k - 1));
}

}  // namespace somtile
