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

/// Silhouette of the kept samples (in kept order).
template <typename = void>
Vector<double> silhouette_kept(const RowMatrix<double>& X, const DenseLabelling& d, int n_threads) {
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

}  // namespace somtile::detail
