#pragma once
// Internal clustering quality metrics with scikit-learn's definitions: silhouette
// (samples and score), Davies–Bouldin and Calinski–Harabasz, all with Euclidean distances.
//
// Labels are any integers >= -1; -1 marks noise and those samples are dropped before scoring
// (scikit-learn has no noise label; dropping them is what density clusterers need).
// The remaining labels must form 2 <= n_labels <= n_samples - 1 groups, as in scikit-learn,
// otherwise the call throws InputError. X may be any Eigen matrix or block (float or double);
// all arithmetic is in double.

#include "somtile/core/types.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/detail/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string_view>
#include <vector>

namespace somtile {

namespace detail {

/// The non-noise samples of (X, labels) with their labels renumbered 0..k-1 in increasing
/// order of the original label.
struct DenseLabelling {
  std::vector<Index> rows;   ///< indices of the kept samples in X
  std::vector<Index> label;  ///< 0..k-1 per kept sample
  Index n_labels = 0;
};

template <typename Derived>
DenseLabelling dense_labelling(std::string_view call, const Eigen::MatrixBase<Derived>& X,
                               const Labels& labels) {
  check_data(call, X);
  check_labels(call, labels, X.rows(), "labels");
  std::map<Index, Index> ids;
  for (Index i = 0; i < labels.size(); ++i) {
    require<InputError>(labels[i] >= -1, call, "labels must be >= -1 (-1 = noise), got labels[", i,
                        "] = ", labels[i]);
    if (labels[i] >= 0) ids.emplace(labels[i], 0);
  }
  DenseLabelling out;
  for (auto& id : ids) id.second = out.n_labels++;
  for (Index i = 0; i < labels.size(); ++i)
    if (labels[i] >= 0) {
      out.rows.push_back(i);
      out.label.push_back(ids[labels[i]]);
    }
  const auto n = static_cast<Index>(out.rows.size());
  require<InputError>(out.n_labels >= 2 && out.n_labels <= n - 1, call,
                      "the number of clusters must be between 2 and the number of non-noise samples - 1 (",
                      n - 1, "), got ", out.n_labels);
  return out;
}

template <typename Derived>
RowMatrix<double> kept_rows(const Eigen::MatrixBase<Derived>& X, const DenseLabelling& d) {
  RowMatrix<double> out(static_cast<Index>(d.rows.size()), X.cols());
  for (std::size_t k = 0; k < d.rows.size(); ++k)
    out.row(Index(k)) = X.row(d.rows[k]).template cast<double>();
  return out;
}

/// Per-cluster counts and centroids.
template <typename = void>
void cluster_centroids(const RowMatrix<double>& X, const DenseLabelling& d,
                       RowMatrix<double>& centroids, Vector<double>& counts) {
  centroids = RowMatrix<double>::Zero(d.n_labels, X.cols());
  counts = Vector<double>::Zero(d.n_labels);
  for (Index i = 0; i < X.rows(); ++i) {
    const Index c = d.label[std::size_t(i)];
    centroids.row(c) += X.row(i);
    counts[c] += 1;
  }
  for (Index c = 0; c < d.n_labels; ++c) centroids.row(c) /= counts[c];
}

/// Silhouette of the kept samples (in kept order).
template <typename = void>
Vector<double> silhouette_kept(const RowMatrix<double>& X, const DenseLabelling& d,
                               int n_threads) {
  const Index n = X.rows(), k = d.n_labels;
  Vector<double> counts = Vector<double>::Zero(k);
  for (Index c : d.label) counts[c] += 1;
  const Vector<double> sq = X.rowwise().squaredNorm();
  Vector<double> s(n);
  // Distances by blocks of rows as a GEMM (scikit-learn's euclidean_distances uses the same
  // expanded form in double); a sample's distance to itself is exactly 0.
  const Index block = std::clamp<Index>((Index(1) << 20) / std::max<Index>(n, 1), 8, 256);  // <= 8 MiB per block
  parallel_for_chunks(n, block, n_threads, [&](Index begin, Index end) {
    RowMatrix<double> D = X.middleRows(begin, end - begin) * X.transpose();
    RowMatrix<double> sums = RowMatrix<double>::Zero(end - begin, k);
    for (Index i = begin; i < end; ++i) {
      double* row = D.data() + (i - begin) * n;
      for (Index j = 0; j < n; ++j) {
        const double d2 = i == j ? 0.0 : std::max(0.0, sq[i] - 2 * row[j] + sq[j]);
        sums(i - begin, d.label[std::size_t(j)]) += std::sqrt(d2);
      }
      const Index own = d.label[std::size_t(i)];
      if (counts[own] <= 1) {  // a singleton cluster's silhouette is 0 by definition
        s[i] = 0;
        continue;
      }
      const double a = sums(i - begin, own) / (counts[own] - 1);
      double b = std::numeric_limits<double>::infinity();
      for (Index c = 0; c < k; ++c)
        if (c != own) b = std::min(b, sums(i - begin, c) / counts[c]);
      const double denom = std::max(a, b);
      s[i] = denom > 0 ? (b - a) / denom : 0.0;
    }
  });
  return s;
}

}  // namespace detail

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
      if (b != a && separation(a, b) > 0)
        worst = std::max(worst, (scatter[a] + scatter[b]) / separation(a, b));
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
  for (Index i = 0; i < Xk.rows(); ++i)
    within += (Xk.row(i) - centroids.row(d.label[std::size_t(i)])).squaredNorm();
  const double n = double(Xk.rows()), k = double(d.n_labels);
  return within == 0 ? 1.0 : between * (n - k) / (within * (k - 1));
}

}  // namespace somtile
