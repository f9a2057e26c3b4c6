#pragma once
// The shared steps of the clustering metrics (metrics/clustering.hpp): noise dropped and labels
// renumbered, cluster centroids, and the silhouette of the kept samples.

#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/types.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string_view>
#include <vector>

namespace somtile::detail {

/// The non-noise samples of (X, labels) with their labels renumbered 0..k-1 in increasing
/// order of the original label.
struct DenseLabelling {
  std::vector<Index> rows;   ///< indices of the kept samples in X
  std::vector<Index> label;  ///< 0..k-1 per kept sample
  Index n_labels = 0;
};

template <typename Derived>
DenseLabelling dense_labelling(std::string_view call, const Eigen::MatrixBase<Derived>& X, const Labels& labels) {
  check_data(call, X);
  check_labels(call, labels, X.rows(), "labels");
  std::map<Index, Index> ids;
  for (Index i = 0; i < labels.size(); ++i) {
    require<InputError>(labels[i] >= -1, call, "labels must be >= -1 (-1 = noise), got labels[", i, "] = ", labels[i]);
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
                      "the number of clusters must be between 2 and the number of non-noise samples - 1 (", n - 1,
                      "), got ", out.n_labels);
  return out;
}

template <typename Derived>
RowMatrix<double> kept_rows(const Eigen::MatrixBase<Derived>& X, const DenseLabelling& d) {
  RowMatrix<double> out(static_cast<Index>(d.rows.size()), X.cols());
  for (std::size_t k = 0; k < d.rows.size(); ++k) out.row(Index(k)) = X.row(d.rows[k]).template cast<double>();
  return out;
}

/// Per-cluster counts and centroids.
template <typename = void>
void cluster_centroids(const RowMatrix<double>& X, const DenseLabelling& d, RowMatrix<double>& centroids,
                       Vector<double>& counts) {
  centroids = RowMatrix<double>::Zero(d.n_labels, X.cols());
  counts = Vector<double>::Zero(d.n_labels);
  for (Index i = 0; i < X.rows(); ++i) {
    const Index c = d.label[std::size_t(i)];
    centroids.row(c) += X.row(i);
    counts[c] += 1;
  }
  for (Index c = 0; c < d.n_labels; ++c) centroids.row(c) /= counts[c];
}

/// Rows begin..end-1 of the Euclidean distance matrix of X's rows, by a GEMM in the expanded
/// form |x|^2 - 2 x.y + |y|^2 (scikit-learn's euclidean_distances does the same in double); a
/// sample's distance to itself is exactly 0. `sq` holds the rows' squared norms.
template <typename = void>
RowMatrix<double> distance_rows(const RowMatrix<double>& X, const Vector<double>& sq, Index begin, Index end) {
  const Index n = X.rows();
  RowMatrix<double> D = X.middleRows(begin, end - begin) * X.transpose();
  for (Index i = begin; i < end; ++i) {
    double* row = D.data() + (i - begin) * n;
    for (Index j = 0; j < n; ++j) row[j] = i == j ? 0.0 : std::sqrt(std::max(0.0, sq[i] - 2 * row[j] + sq[j]));
  }
  return D;
}

/// Rows per block of distance_rows in the silhouette: at most 8 MiB per block.
inline Index distance_block(Index n) { return std::clamp<Index>((Index(1) << 20) / std::max<Index>(n, 1), 8, 256); }

/// Silhouette of samples begin..end-1 from their rows of the distance matrix (`D`, row i at
/// D + (i - begin) * n); `counts` holds the cluster sizes.
template <typename = void>
void silhouette_rows(const double* D, Index n, Index begin, Index end, const DenseLabelling& d,
                     const Vector<double>& counts, Vector<double>& s) {
  const Index k = d.n_labels;
  Eigen::RowVectorXd sums(k);
  for (Index i = begin; i < end; ++i) {
    const double* row = D + (i - begin) * n;
    sums.setZero();
    for (Index j = 0; j < n; ++j) sums(d.label[std::size_t(j)]) += row[j];
    const Index own = d.label[std::size_t(i)];
    if (counts[own] <= 1) {  // a singleton cluster's silhouette is 0 by definition
      s[i] = 0;
      continue;
    }
    const double a = sums(own) / (counts[own] - 1);
    double b = std::numeric_limits<double>::infinity();
    for (Index c = 0; c < k; ++c)
      if (c != own) b = std::min(b, sums(c) / counts[c]);
    const double denom = std::max(a, b);
    s[i] = denom > 0 ? (b - a) / denom : 0.0;
  }
}

template <typename = void>
Vector<double> cluster_sizes(const DenseLabelling& d) {
  Vector<double> counts = Vector<double>::Zero(d.n_labels);
  for (Index c : d.label) counts[c] += 1;
  return counts;
}

/// Silhouette of the kept samples (in kept order), computing the distances block by block.
template <typename = void>
Vector<double> silhouette_kept(const RowMatrix<double>& X, const DenseLabelling& d, int n_threads) {
  const Index n = X.rows();
  const Vector<double> counts = cluster_sizes(d);
  const Vector<double> sq = X.rowwise().squaredNorm();
  Vector<double> s(n);
  parallel_for_chunks(n, distance_block(n), n_threads, [&](Index begin, Index end) {
    const RowMatrix<double> D = distance_rows(X, sq, begin, end);
    silhouette_rows(D.data(), n, begin, end, d, counts, s);
  });
  return s;
}

/// The full distance matrix of X's rows, block by block as silhouette_kept computes it (so a
/// silhouette from it is the same to the bit).
template <typename = void>
RowMatrix<double> distance_matrix(const RowMatrix<double>& X, int n_threads) {
  const Index n = X.rows();
  const Vector<double> sq = X.rowwise().squaredNorm();
  RowMatrix<double> D(n, n);
  parallel_for_chunks(n, distance_block(n), n_threads, [&](Index begin, Index end) {
    D.middleRows(begin, end - begin) = distance_rows(X, sq, begin, end);
  });
  return D;
}

/// Mean silhouette of all samples from their full distance matrix D (no noise).
template <typename = void>
double silhouette_from_distances(const RowMatrix<double>& D, const DenseLabelling& d) {
  const Index n = D.rows();
  const Vector<double> counts = cluster_sizes(d);
  Vector<double> s(n);
  const Index block = distance_block(n);
  for (Index begin = 0; begin < n; begin += block) {
    const Index end = std::min(n, begin + block);
    silhouette_rows(D.data() + begin * n, n, begin, end, d, counts, s);
  }
  return s.mean();
}

}  // namespace somtile::detail
