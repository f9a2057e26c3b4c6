#pragma once
// Maps of a trained classic SOM, as rows x cols matrices (entry (r, c) is unit r * cols + c)
// or plain containers indexed by unit. NaN marks units without samples where a value needs
// samples.

#include "somtile/core/detail/validate.hpp"
#include "somtile/grid/detail/u_matrix.hpp"
#include "somtile/kernels/bmu_data_map.hpp"
#include "somtile/kernels/detail/masked_distance.hpp"  // masked_pair_distance
#include "somtile/som/detail/map_helpers.hpp"
#include "somtile/som/detail/retrieval.hpp"
#include "somtile/som/som.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <vector>

namespace somtile {

/// How the values of a unit combine: the U-matrix takes sum or mean, metric_map mean or std.
enum class Reduction { sum, mean, std };

/// Number of samples per unit.
template <typename Scalar>
RowMatrix<double> hit_map(const Som<Scalar>& som, DataRef<Scalar> X) {
  const Labels bmu = som.predict(X);
  RowMatrix<double> hits = detail::empty_map(som.grid(), 0.0);
  for (Index i = 0; i < bmu.size(); ++i) hits.data()[bmu[i]] += 1.0;
  return hits;
}

/// Options of u_matrix(Som) and viz::plot_u_matrix, TorchSOM's plot_distance_map(distance_metric,
/// neighborhood_order, scaling), except that the neighbour distances are averaged by default:
/// summed, a border unit (fewer neighbours) reads lower than an interior unit with the same
/// distances to each neighbour, a frame that is the grid's, not the data's.
struct UMatrixOptions {
  std::optional<Distance> distance;     ///< metric between neighbouring weight vectors; none = the SOM's
  Index neighborhood_order = 0;         ///< rings of neighbours; 0 = the SOM's neighborhood_order
  Reduction scaling = Reduction::mean;  ///< mean over the neighbours (the classic U-matrix height) or
                                        ///< sum (TorchSOM's default distance map)
  bool normalize = true;                ///< divide by the largest value, so the map peaks at 1 (an
                                        ///< all-zero map stays 0)
};

/// U-matrix: per unit, the mean (or sum) of the distances from its weight vector to those of its
/// neighbours up to `neighborhood_order` rings, divided by the largest value when normalize is
/// set. Neighbours wrap on a torus and are clipped at the border otherwise, so with
/// Reduction::sum border units add fewer terms and look closer to their neighbours than they are
/// (TorchSOM's distance map: sum, scaled to max 1); the mean does not depend on the count.
/// \throws ParameterError if neighborhood_order < 0 or scaling is Reduction::std.
template <typename Scalar>
RowMatrix<double> u_matrix(const Som<Scalar>& som, const UMatrixOptions& options = {}) {
  detail::require(options.neighborhood_order >= 0, "u_matrix", "neighborhood_order must be >= 0, got ",
                  options.neighborhood_order);
  detail::require(options.scaling != Reduction::std, "u_matrix", "scaling must be sum or mean, got std");
  const auto& W = som.weights();
  const Grid& g = som.grid();
  const Index order = options.neighborhood_order > 0 ? options.neighborhood_order : som.params().neighborhood_order;
  const Distance metric = options.distance.value_or(som.params().distance);
  // The SOM's own metric, unlike the Lattice's Euclidean U-matrix (grid/detail/u_matrix.hpp).
  Vector<double> u = detail::neighbor_distances(
      g.size(), [&g, order](Index unit) { return g.neighbors(unit, order); },
      [&W, metric](Index a, Index b) { return double(distance<Scalar>(metric, W.row(a), W.row(b))); },
      options.scaling == Reduction::mean);
  if (options.normalize && u.size() > 0) {
    const double top = u.maxCoeff();
    if (top > 0) u /= top;
  }
  return Eigen::Map<const RowMatrix<double>>(u.data(), g.rows(), g.cols());
}

/// Unit -> indices of its samples.
template <typename Scalar>
BmuDataMap bmus_data_map(const Som<Scalar>& som, DataRef<Scalar> X) {
  return detail::samples_by_unit(som.predict(X), som.n_units());
}

/// Majority label per unit (NaN without samples). A tie is broken by the labels of the samples
/// of the neighbouring units up to `order` rings (0 = the SOM's neighborhood_order), then by the
/// smallest label.
template <typename Scalar>
RowMatrix<double> classification_map(const Som<Scalar>& som, const BmuDataMap& map, const Labels& y, Index order = 0) {
  const char* call = "classification_map";
  detail::check_bmu_map(call, som, map);
  detail::check_map_targets(call, map, y.size());
  if (order == 0) order = som.params().neighborhood_order;
  const Grid& g = som.grid();
  RowMatrix<double> out = detail::empty_map(g, std::numeric_limits<double>::quiet_NaN());
  auto count = [&](const std::vector<Index>& samples, std::map<Index, Index>& votes) {
    for (Index i : samples) ++votes[y[i]];
  };
  for (Index unit = 0; unit < g.size(); ++unit) {
    const auto& samples = map[std::size_t(unit)];
    if (samples.empty()) continue;
    std::map<Index, Index> votes;
    count(samples, votes);
    Index best = 0;
    for (const auto& [label, n] : votes) best = std::max(best, n);
    std::vector<Index> tied;
    for (const auto& [label, n] : votes)
      if (n == best) tied.push_back(label);
    if (tied.size() > 1) {
      std::map<Index, Index> around;
      for (Index v : g.neighbors(unit, order)) count(map[std::size_t(v)], around);
      Index best_around = -1;
      Index winner = tied.front();
      for (Index label : tied)  // ascending, so equal support keeps the smallest label
        if (around[label] > best_around) {
          best_around = around[label];
          winner = label;
        }
      tied = {winner};
    }
    out.data()[unit] = double(tied.front());
  }
  return out;
}

/// Per-unit mean or unbiased standard deviation (0 for a single sample) of a target.
template <typename Scalar>
RowMatrix<double> metric_map(const Som<Scalar>& som, const BmuDataMap& map,
                             const Eigen::Ref<const Eigen::VectorXd>& target, Reduction reduction = Reduction::mean) {
  const char* call = "metric_map";
  detail::check_bmu_map(call, som, map);
  detail::check_map_targets(call, map, target.size());
  detail::require(reduction != Reduction::sum, call, "reduction must be mean or std");
  RowMatrix<double> out = detail::empty_map(som.grid(), std::numeric_limits<double>::quiet_NaN());
  for (Index unit = 0; unit < som.n_units(); ++unit) {
    const auto v = detail::gather_targets(map[std::size_t(unit)], target);
    if (v.empty()) continue;
    out.data()[unit] = reduction == Reduction::mean ? std::accumulate(v.begin(), v.end(), 0.0) / double(v.size())
                                                    : detail::unbiased_std(v);
  }
  return out;
}

/// Representativeness score per unit, lower is better: (std / sqrt(n)) * ln(N / n), with n the
/// unit's samples, std their targets' unbiased standard deviation (0 for one sample) and N the
/// total number of samples (0 = the samples in the map). NaN without samples.
template <typename Scalar>
RowMatrix<double> score_map(const Som<Scalar>& som, const BmuDataMap& map,
                            const Eigen::Ref<const Eigen::VectorXd>& target, Index total_samples = 0) {
  const char* call = "score_map";
  detail::check_bmu_map(call, som, map);
  detail::check_map_targets(call, map, target.size());
  Index in_map = 0;
  for (const auto& s : map) in_map += Index(s.size());
  const Index N = total_samples > 0 ? total_samples : in_map;
  detail::require(N >= in_map, call, "total_samples (", total_samples, ") is smaller than the samples in the map (",
                  in_map, ")");
  RowMatrix<double> out = detail::empty_map(som.grid(), std::numeric_limits<double>::quiet_NaN());
  for (Index unit = 0; unit < som.n_units(); ++unit) {
    const auto v = detail::gather_targets(map[std::size_t(unit)], target);
    if (v.empty()) continue;
    const double n = double(v.size());
    out.data()[unit] = detail::unbiased_std(v) / std::sqrt(n) * std::log(double(N) / n);
  }
  return out;
}

/// Rank of the K units with samples by the spread (unbiased std) of their targets: rank 1 = the
/// smallest spread (the most homogeneous unit). Equal spreads share a rank, the lowest of the
/// places they take (1, 2, 2, 4: "competition" ranking), so two units with the same spread never
/// read as one better than the other. NaN without samples.
template <typename Scalar>
RowMatrix<double> rank_map(const Som<Scalar>& som, const BmuDataMap& map,
                           const Eigen::Ref<const Eigen::VectorXd>& target) {
  const RowMatrix<double> spread = metric_map(som, map, target, Reduction::std);
  std::vector<Index> active;
  for (Index u = 0; u < som.n_units(); ++u)
    if (!std::isnan(spread.data()[u])) active.push_back(u);
  std::sort(active.begin(), active.end(), [&](Index a, Index b) { return spread.data()[a] < spread.data()[b]; });
  RowMatrix<double> out = detail::empty_map(som.grid(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t k = 0; k < active.size(); ++k) {
    const bool tied = k > 0 && spread.data()[active[k]] == spread.data()[active[k - 1]];
    out.data()[active[k]] = tied ? out.data()[active[k - 1]] : double(k + 1);
  }
  return out;
}

/// Component plane of one feature: the weight of every unit for that feature, in the data's
/// units (mapped back through som.scaler() when the Som scales its data).
template <typename Scalar>
RowMatrix<double> component_plane(const Som<Scalar>& som, Index feature) {
  detail::require(feature >= 0 && feature < som.n_features(), "component_plane", "feature must be in [0, ",
                  som.n_features(), "), got ", feature);
  RowMatrix<double> out(som.grid().rows(), som.grid().cols());
  const auto& W = som.weights();
  for (Index u = 0; u < som.n_units(); ++u) out.data()[u] = som.scaler().to_data_units(double(W(u, feature)), feature);
  return out;
}

/// Every component plane, one per feature.
template <typename Scalar>
std::vector<RowMatrix<double>> component_planes(const Som<Scalar>& som) {
  std::vector<RowMatrix<double>> planes;
  for (Index j = 0; j < som.n_features(); ++j) planes.push_back(component_plane(som, j));
  return planes;
}

/// The k features whose component planes vary most over the units (population variance of the
/// weights in the data's units, as component_plane draws them), in feature order; equal
/// variances keep the lower feature. k >= n_features gives every feature. For a picture of a
/// wide map that draws the planes worth looking at, not thousands of flat ones.
/// \throws ParameterError if k < 0.
template <typename Scalar>
std::vector<Index> high_variance_features(const Som<Scalar>& som, Index k) {
  detail::require(k >= 0, "high_variance_features", "k must be >= 0, got ", k);
  const Index D = som.n_features(), n = som.n_units();
  std::vector<Index> order(static_cast<std::size_t>(D));
  std::iota(order.begin(), order.end(), Index(0));
  if (k >= D) return order;
  const auto& W = som.weights();
  std::vector<double> variance(order.size());
  for (Index j = 0; j < D; ++j) {
    double mean = 0, m2 = 0;  // Welford: planes of large values with a small spread stay exact
    for (Index u = 0; u < n; ++u) {
      const double x = som.scaler().to_data_units(double(W(u, j)), j), delta = x - mean;
      mean += delta / double(u + 1);
      m2 += delta * (x - mean);
    }
    variance[std::size_t(j)] = m2 / double(n);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](Index a, Index b) { return variance[std::size_t(a)] > variance[std::size_t(b)]; });
  order.resize(std::size_t(k));
  std::sort(order.begin(), order.end());
  return order;
}

/// Where collect_samples looks for samples beyond the query's BMU.
enum class Retrieval {
  bmu_only,             ///< the BMU's samples
  bmu_neighborhood,     ///< plus those of the units up to neighborhood_order rings away
  bmu_neighborhood_knn  ///< plus, while the buffer is not larger than min_buffer, whole units
                        ///< in order of weight-space distance from the BMU's weight vector
};

/// Just-in-time retrieval: the indices of the historical samples (rows of X, mapped by `map`)
/// near a query, nearest first: the BMU's samples, then its grid neighbourhood, then further
/// units by codebook distance; within each tier by distance to the query.
/// With params().missing == mask, query and X may hold NaN cells: a sample's distance to the
/// query is the masked distance over the features present in both (after all samples that
/// share a present feature with the query where they share none).
template <typename Scalar>
std::vector<Index> collect_samples(const Som<Scalar>& som, DataRef<Scalar> query, DataRef<Scalar> X,
                                   const BmuDataMap& map, Index min_buffer = 50,
                                   Retrieval mode = Retrieval::bmu_neighborhood_knn) {
  const char* call = "collect_samples";
  detail::require<InputError>(query.rows() == 1, call, "query must be one sample (1 row), got ", query.rows(), " rows");
  const Missing missing = som.params().missing;
  detail::check_data(call, query, som.n_features(), "Som", missing, "query");
  detail::check_data(call, X, som.n_features(), "Som", missing);
  detail::check_bmu_map(call, som, map);
  detail::check_map_targets(call, map, X.rows());
  detail::check_non_negative(call, "min_buffer", min_buffer);
  const Distance metric = som.params().distance;
  return detail::collect_in_tiers(som, som.predict(query)[0], map, min_buffer, mode, [&](Index i) {
    return missing == Missing::mask ? detail::masked_pair_distance<Scalar>(metric, query.row(0), X.row(i))
                                    : double(distance<Scalar>(metric, query.row(0), X.row(i)));
  });
}

}  // namespace somtile
