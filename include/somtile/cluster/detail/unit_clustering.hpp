#pragma once
// Pieces of clustering a map's units (cluster/som_cluster.hpp): the diagnostics of a
// labelling and the mean feature vector of each cluster.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>
#include "somtile/cluster/gaussian_mixture.hpp"
#include "somtile/cluster/hdbscan.hpp"
#include "somtile/cluster/kmeans.hpp"
#include "somtile/cluster/som_cluster_types.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/types.hpp"
#include "somtile/core/warning.hpp"
#include "somtile/metrics/clustering.hpp"

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
