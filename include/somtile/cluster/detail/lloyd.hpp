#pragma once
// The k-means algorithm behind KMeans (cluster/kmeans.hpp): k-means++ seeding, nearest-centre
// assignment through the GEMM BMU kernel, centre update with scikit-learn's empty-cluster rule,
// and Lloyd's iterations with its convergence test.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <string>
#include <vector>
#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/random.hpp"
#include "somtile/core/types.hpp"
#include "somtile/core/warning.hpp"
#include "somtile/kernels/batch.hpp"
#include "somtile/kernels/bmu.hpp"
#include "somtile/kernels/detail/bounded_bmu.hpp"

namespace somtile::detail {

template <typename Scalar>
struct KMeansRun {
  RowMatrix<Scalar> centers;
  Labels labels;
  double inertia = std::numeric_limits<double>::infinity();
  int n_iter = 0;
  bool converged = false;                  ///< labels stable or centre shift <= tol before max_iter ran out
  std::vector<double> distances_computed;  ///< per assignment pass with bounds: the fraction scored
};

/// Squared distances from every sample to one point, accumulated in double. A plain loop:
/// Eigen's dynamic-size row expressions cost more than the arithmetic for few features.
template <typename Scalar, typename Point>
void squared_distances_to(ConstRowRef<Scalar> X, const Point& p, Vector<double>& out, int n_threads) {
  const Index d = X.cols();
  const Eigen::VectorXd point = p.transpose().template cast<double>();
  out.resize(X.rows());
  parallel_for_chunks(X.rows(), 4096, n_threads, [&](Index begin, Index end) {
    for (Index i = begin; i < end; ++i) {
      const Scalar* x = X.row(i).data();
      double sum = 0;
      for (Index j = 0; j < d; ++j) {
        const double t = double(x[j]) - point[j];
        sum += t * t;
      }
      out[i] = sum;
    }
  });
}

/// Greedy k-means++ (scikit-learn's _kmeans_plusplus).
template <typename Scalar>
RowMatrix<Scalar> kmeans_plusplus(ConstRowRef<Scalar> X, Index k, Random& rng, int n_threads) {
  const Index n = X.rows();
  const Index trials = 2 + static_cast<Index>(std::log(double(k)));
  RowMatrix<Scalar> centers(k, X.cols());
  centers.row(0) = X.row(rng.uniform_index(n));
  Vector<double> closest;
  squared_distances_to<Scalar>(X, centers.row(0), closest, n_threads);
  std::vector<double> cumulative(static_cast<std::size_t>(n));
  Vector<double> candidate_dist, best_dist;
  for (Index c = 1; c < k; ++c) {
    std::partial_sum(closest.data(), closest.data() + n, cumulative.begin());
    const double potential = cumulative.back();
    double best_potential = std::numeric_limits<double>::infinity();
    Index best_candidate = 0;
    for (Index t = 0; t < trials; ++t) {
      const double target = rng.uniform() * potential;
      Index id = Index(std::lower_bound(cumulative.begin(), cumulative.end(), target) - cumulative.begin());
      id = std::min(id, n - 1);
      squared_distances_to<Scalar>(X, X.row(id), candidate_dist, n_threads);
      candidate_dist = candidate_dist.cwiseMin(closest);
      const double candidate_potential = candidate_dist.sum();
      if (candidate_potential < best_potential) {
        best_potential = candidate_potential;
        best_candidate = id;
        best_dist.swap(candidate_dist);
      }
    }
    centers.row(c) = X.row(best_candidate);
    closest.swap(best_dist);
  }
  return centers;
}

/// Labels and inertia of X against fixed centres.
/// With `bounded`, the search keeps bounds from the previous call on the same X (the same
/// labels and distances, fewer distances computed).
/// Without `distances` (bounded only) dist2 is left empty and 0 returned.
template <typename Scalar>
double assign(ConstRowRef<Scalar> X, const RowMatrix<Scalar>& centers, Labels& labels, Vector<double>& dist2,
              int n_threads, BoundedBmuSearch<Scalar>* bounded = nullptr, bool distances = true) {
  BmuResult<Scalar> r;
  if (bounded)
    bounded->search(X, centers, r, distances);
  else
    r = detail::dense_bmus<Scalar>(X, centers, Distance::euclidean, false, n_threads);
  labels.swap(r.bmu);
  dist2 = r.distance.template cast<double>().array().square();
  return dist2.sum();
}

/// The squared distances assign() gives, for given labels (the same values: find_bmus's
/// distance to the BMU).
template <typename Scalar>
void label_distances(ConstRowRef<Scalar> X, const RowMatrix<Scalar>& centers, const Labels& labels,
                     Vector<double>& dist2, int n_threads) {
  Vector<Scalar> d;
  distances_to_units<Scalar>(X, centers, labels, d, n_threads);
  dist2 = d.template cast<double>().array().square();
}

/// Cluster sums carried from one Lloyd iteration to the next. A cluster whose members did not
/// change keeps its sum, the same sample-order sum a full pass would form again, so late
/// iterations read only the rows of the few clusters that gained or lost samples.
template <typename Scalar>
struct ClusterSums {
  UnitSums<Scalar> sums;
  Labels labels;             ///< the labels the sums belong to
  std::vector<char> edited;  ///< 1 where an empty-cluster move changed the sum out of sample order
};

/// Re-sums, in sample order, the clusters whose members differ between `labels` and the
/// cache's labels (or whose sum was edited); a full unit_sums when the cache is empty.
template <typename Scalar>
void refresh_cluster_sums(ConstRowRef<Scalar> X, const Labels& labels, Index k, ClusterSums<Scalar>& cache,
                          int n_threads) {
  const Index n = X.rows();
  if (cache.labels.size() != n || cache.sums.sums.rows() != k || cache.sums.sums.cols() != X.cols()) {
    cache.sums = unit_sums<Scalar>(X, labels, k, n_threads);
  } else {
    std::vector<char> stale(cache.edited);
    stale.resize(static_cast<std::size_t>(k), 0);
    for (Index i = 0; i < n; ++i)
      if (labels[i] != cache.labels[i]) stale[std::size_t(labels[i])] = stale[std::size_t(cache.labels[i])] = 1;
    sum_unit_rows<Scalar>(X, labels, stale, cache.sums, n_threads);  // only their rows, in sample order
  }
  cache.labels = labels;
  cache.edited.assign(static_cast<std::size_t>(k), 0);
}

/// New centres as cluster means; empty clusters move onto the worst-fitted samples.
/// dist2 may be empty: then it is computed here, when a cluster is empty (the only use).
/// With a cache (Lloyd's loop) only the clusters whose members changed are summed again.
template <typename Scalar>
RowMatrix<Scalar> update_centers(ConstRowRef<Scalar> X, Labels& labels, Vector<double>& dist2,
                                 const RowMatrix<Scalar>& old_centers, Index k, int n_threads,
                                 ClusterSums<Scalar>* cache = nullptr) {
  ClusterSums<Scalar> local;
  ClusterSums<Scalar>& sums = cache ? *cache : local;
  refresh_cluster_sums<Scalar>(X, labels, k, sums, n_threads);
  UnitSums<Scalar>& s = sums.sums;
  std::vector<Index> empty;
  for (Index c = 0; c < k; ++c)
    if (s.counts[c] == Scalar(0)) empty.push_back(c);
  if (!empty.empty()) {
    if (dist2.size() != X.rows()) label_distances<Scalar>(X, old_centers, labels, dist2, n_threads);
    std::vector<Index> order(static_cast<std::size_t>(X.rows()));
    std::iota(order.begin(), order.end(), Index(0));
    std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) { return dist2[a] > dist2[b]; });
    // n_samples >= k and a cluster is empty, so some cluster has two or more samples to give.
    std::size_t next = 0;
    for (const Index to : empty) {
      while (next < order.size() && s.counts[labels[order[next]]] <= Scalar(1)) ++next;
      if (next == order.size()) break;
      const Index i = order[next++], from = labels[i];
      s.sums.row(from) -= X.row(i);
      s.counts[from] -= Scalar(1);
      s.sums.row(to) = X.row(i);
      s.counts[to] = Scalar(1);
      labels[i] = to;
      sums.labels[i] = to;
      sums.edited[std::size_t(from)] = sums.edited[std::size_t(to)] = 1;
    }
  }
  RowMatrix<Scalar> centers = s.sums;
  for (Index c = 0; c < k; ++c)
    if (s.counts[c] > Scalar(0)) centers.row(c) /= s.counts[c];
  return centers;
}

/// One Lloyd run from given centres (scikit-learn's lloyd_iter loop).
template <typename Scalar>
KMeansRun<Scalar> lloyd(ConstRowRef<Scalar> X, RowMatrix<Scalar> centers, int max_iter, double tol, int n_threads) {
  const Index k = centers.rows();
  KMeansRun<Scalar> run;
  Labels labels, previous;
  Vector<double> dist2;
  ClusterSums<Scalar> sums;
  // Yinyang k-means: bounds on each sample's distance to groups of nearby centres
  // (kernels/detail/bounded_bmu.hpp), the groups fixed from the starting centres.
  std::unique_ptr<BoundedBmuSearch<Scalar>> bounded;
  if (k >= min_bounded_units && bounded_search_enabled())
    bounded =
        std::make_unique<BoundedBmuSearch<Scalar>>(nearby_groups<Scalar>(centers, kmeans_group_size), false, n_threads);
  for (int it = 0; it < max_iter; ++it) {
    assign<Scalar>(X, centers, labels, dist2, n_threads, bounded.get(), !bounded);
    if (bounded) run.distances_computed.push_back(bounded->stats().scored_fraction);
    RowMatrix<Scalar> next = update_centers<Scalar>(X, labels, dist2, centers, k, n_threads, &sums);
    run.n_iter = it + 1;
    if (previous.size() == labels.size() && previous == labels) {
      centers.swap(next);
      run.converged = true;
      break;
    }
    const double shift = (next - centers).template cast<double>().squaredNorm();
    centers.swap(next);
    previous = labels;
    if (shift <= tol) {
      run.converged = true;
      break;
    }
  }
  // Labels and inertia of the final centres, so they are consistent with each other.
  run.inertia = assign<Scalar>(X, centers, labels, dist2, n_threads, bounded.get());
  run.labels.swap(labels);
  run.centers.swap(centers);
  return run;
}

}  // namespace somtile::detail
