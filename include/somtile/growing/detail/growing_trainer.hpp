#pragma once
// The growing SOM's training engine (internal): GrowingTrainer runs the DBGSOM epochs
// described at the top of growing/growing_som.hpp and returns a GrowingMap, which
// GrowingSomEstimator (SomVQ, SomClassifier) commits and exposes.

#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/epoch_info.hpp"
#include "somtile/core/random.hpp"
#include "somtile/core/types.hpp"
#include "somtile/grid/detail/u_matrix.hpp"
#include "somtile/grid/neighborhood.hpp"
#include "somtile/grid/schedule.hpp"
#include "somtile/growing/detail/unit_graph.hpp"
#include "somtile/growing/growing_som_params.hpp"
#include "somtile/kernels/batch.hpp"
#include "somtile/kernels/bmu.hpp"
#include "somtile/kernels/bmu.hpp"  // find_bmus(..., Missing)
#include "somtile/metrics/som_quality.hpp"
#include "somtile/metrics/topographic_function.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <vector>

namespace somtile::detail {

/// Shannon entropy in bits of the class counts of one neuron.
inline double entropy_bits(const std::vector<Index>& counts) {
  Index total = 0;
  for (Index c : counts) total += c;
  double h = 0.0;
  for (Index c : counts)
    if (c > 0) {
      const double p = double(c) / double(total);
      h -= p * std::log2(p);
    }
  return h;
}

/// A fitted growing map: everything the estimators expose.
template <typename Scalar>
struct GrowingMap {
  RowMatrix<Scalar> weights;
  UnitGraph graph;  ///< the neurons' cells, links and hop distances
  std::vector<Index> epoch_created;
  double growing_threshold = 0.0;
  Index n_iter = 0;
  bool converged = false;
  bool hit_cap = false;  ///< growth was stopped by max_neurons (not saved in model files)
  // Statistics of the final map on the training data.
  Labels bmu;  ///< training samples' BMUs
  Vector<double> hit_count, error, average_distance, density;
  double quantization_error = 0.0, topographic_error = 0.0, topographic_product = 0.0;
};

/// The most neurons a map grown on n samples may have.
inline Index neuron_cap(const GrowingSomParams& p, Index n) {
  return p.max_neurons > 0 ? p.max_neurons : std::max<Index>(4, Index(5.0 * std::sqrt(double(n))));
}

template <typename Scalar>
class GrowingTrainer {
 public:
  /// `codes`: class codes 0..n_classes-1 per sample (entropy criterion only), else nullptr.
  GrowingTrainer(const GrowingSomParams& p, ConstRowRef<Scalar> X, const std::vector<Index>* codes, Index n_classes)
      : p_(p), X_(X), codes_(codes), n_classes_(n_classes), masked_(p.missing == Missing::mask && has_missing(X)) {}

  /// Trains; `on_epoch`, when set, is called after every epoch (the epoch's BMU pass then
  /// also finds second BMUs for the topographic error).
  GrowingMap<Scalar> run(const EpochCallback& on_epoch = {}) {
    const Index n = X_.rows(), D = X_.cols();
    const Index cap = neuron_cap(p_, n);
    GrowingMap<Scalar> map;
    map.graph = UnitGraph(std::min<Index>(cap, 256));  // the hop table grows on demand
    UnitGraph& graph = map.graph;

    // Growth threshold and the robust weights' scale from the per-feature spread.
    double total_variance = 0.0, sample_variance = 0.0;  // sum of the features' (n) and (n - 1) variances
    Eigen::RowVectorXd mean;
    if (!masked_) {
      mean = X_.template cast<double>().colwise().mean();
      const Eigen::RowVectorXd var = (X_.template cast<double>().rowwise() - mean).colwise().squaredNorm() / double(n);
      total_variance = var.sum();
      sample_variance = total_variance * double(n) / double(n - 1);
    } else {
      // Missing cells: each feature's mean and variances over its present values.
      const PresentMoments m = present_moments();
      mean = m.mean;
      for (Index j = 0; j < D; ++j) {
        if (m.count[j] > 0) total_variance += m.squares[j] / m.count[j];
        if (m.count[j] > 1) sample_variance += m.squares[j] / (m.count[j] - 1);
      }
    }
    const double lambda = p_.spreading_factor > 0 ? -150.0 * std::log(p_.spreading_factor) : p_.lambda_;
    map.growing_threshold =
        p_.growth_criterion == GrowthCriterion::entropy ? p_.entropy_threshold : lambda * std::sqrt(sample_variance);
    const double GT = map.growing_threshold;

    // Seed: a 2x2 square of distinct random samples (missing cells: the feature's mean).
    Random rng(p_.seed);
    const std::vector<Index> seeds = rng.sample_without_replacement(n, 4);
    RowMatrix<Scalar> W(4, D);
    const Index square[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    for (Index i = 0; i < 4; ++i) {
      graph.add(square[i][0], square[i][1]);
      W.row(i) = X_.row(seeds[std::size_t(i)]);
      if (masked_)
        for (Index j = 0; j < D; ++j)
          if (std::isnan(W(i, j))) W(i, j) = Scalar(mean[j]);
    }
    map.epoch_created.assign(4, 0);

    // convergence_iter > 0 (dbgsom 1.1): grow every convergence_iter coarse epochs, sigma
    // follows its schedule with the current neuron count every epoch. convergence_iter = 0
    // (dbgsom 1.3): grow when the coarse phase has converged, sigma moves only after growth.
    const bool periodic = p_.convergence_iter > 0;
    bool coarse = true, converged = false;
    double sigma_coarse = start_sigma(4);
    Labels previous_bmu;
    const double coarse_epochs = p_.coarse_training_frac * double(p_.max_iter);
    Index epoch = 0;
    for (; epoch < p_.max_iter; ++epoch) {
      if (coarse && double(epoch) > coarse_epochs) coarse = false;
      const Index K = W.rows();
      const BmuResult<Scalar> r = bmus(W, bool(on_epoch));
      std::vector<double> error = neuron_errors(r, K);
      const double sigma = !coarse ? fine_sigma(K) : periodic ? scheduled_sigma(epoch, K) : sigma_coarse;
      RowMatrix<Scalar> W_new = batch_update(r, W, graph, sigma, total_variance);
      const double change = (W_new - W).template cast<double>().norm();  // float squares overflow at ~1e19
      W.swap(W_new);
      if (on_epoch) {
        const double te =
            topographic_error_rate(r.bmu, r.second, [&graph](Index a, Index b) { return graph.touching(a, b); });
        on_epoch(EpochInfo{epoch, p_.max_iter, 0.0, sigma, somtile::quantization_error(r), te, K});
      }

      if (periodic || !coarse || p_.winner_stability_threshold <= 0) {
        const double threshold = coarse && !periodic ? decay(p_.sigma_decay, 100.0 * p_.convergence_threshold,
                                                             double(epoch) / p_.coarse_training_frac,
                                                             double(p_.max_iter), p_.convergence_threshold)
                                                     : p_.convergence_threshold;
        converged = change < threshold;
      }
      if (!periodic && coarse && p_.winner_stability_threshold > 0 && previous_bmu.size() == n)
        converged = double((r.bmu.array() != previous_bmu.array()).count()) / double(n) < p_.winner_stability_threshold;
      previous_bmu = r.bmu;
      if (converged && !coarse) break;
      if (!coarse) continue;
      if (periodic ? (epoch + 1) % p_.convergence_iter != 0 : !converged) continue;

      // Grow.
      const Index added = grow(graph, W, error, GT, cap, epoch, map.epoch_created, map.hit_cap);
      if (periodic) continue;  // the coarse phase runs its full length
      converged = false;
      if (added == 0) {
        coarse = false;  // nothing left to grow, or the cap is reached: fine-tune
      } else {
        sigma_coarse = decay(p_.sigma_decay, start_sigma(graph.size()), double(epoch) / p_.coarse_training_frac,
                             double(p_.max_iter), end_sigma(graph.size()), p_.sigma_decay_rate);
      }
    }
    map.n_iter = std::min(epoch + 1, p_.max_iter);
    map.converged = converged;
    map.weights = std::move(W);
    describe(map);
    return map;
  }

 private:
  double start_sigma(Index K) const { return p_.sigma_start > 0 ? p_.sigma_start : 0.2 * std::sqrt(double(K)); }
  double end_sigma(Index K) const {
    return p_.sigma_end > 0 ? p_.sigma_end : std::max(0.7, 0.05 * std::sqrt(double(K)));
  }
  /// Coarse-phase sigma of `epoch` on a map of K neurons (convergence_iter > 0).
  double scheduled_sigma(Index epoch, Index K) const {
    return decay(p_.sigma_decay, start_sigma(K), double(epoch) / p_.coarse_training_frac, double(p_.max_iter),
                 end_sigma(K), p_.sigma_decay_rate);
  }
  double fine_sigma(Index K) const { return p_.sigma_fine > 0 ? p_.sigma_fine : end_sigma(K); }

  /// BMU pass over the training data: distances are masked ones where rows have missing cells.
  BmuResult<Scalar> bmus(const RowMatrix<Scalar>& W, bool with_second) const {
    return masked_ ? detail::masked_bmus<Scalar>(X_, W, Distance::euclidean, with_second, p_.n_threads, Missing::mask)
                   : detail::dense_bmus<Scalar>(X_, W, Distance::euclidean, with_second, p_.n_threads);
  }

  /// Per feature, over its present (not NaN) values: count, mean (0 without any) and sum of
  /// squared deviations from the mean.
  struct PresentMoments {
    Eigen::RowVectorXd count, mean, squares;
  };
  PresentMoments present_moments() const {
    const Index n = X_.rows(), D = X_.cols();
    PresentMoments m{Eigen::RowVectorXd::Zero(D), Eigen::RowVectorXd::Zero(D), Eigen::RowVectorXd::Zero(D)};
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < D; ++j)
        if (!std::isnan(X_(i, j))) {
          m.count[j] += 1;
          m.mean[j] += double(X_(i, j));
        }
    for (Index j = 0; j < D; ++j)
      if (m.count[j] > 0) m.mean[j] /= m.count[j];
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < D; ++j)
        if (!std::isnan(X_(i, j))) m.squares[j] += (double(X_(i, j)) - m.mean[j]) * (double(X_(i, j)) - m.mean[j]);
    return m;
  }

  std::vector<double> neuron_errors(const BmuResult<Scalar>& r, Index K) const {
    std::vector<double> error(static_cast<std::size_t>(K), 0.0);
    if (p_.growth_criterion == GrowthCriterion::entropy) {
      std::vector<std::vector<Index>> counts(static_cast<std::size_t>(K),
                                             std::vector<Index>(static_cast<std::size_t>(n_classes_), 0));
      for (Index i = 0; i < r.bmu.size(); ++i) ++counts[std::size_t(r.bmu[i])][std::size_t((*codes_)[std::size_t(i)])];
      for (Index k = 0; k < K; ++k) error[std::size_t(k)] = entropy_bits(counts[std::size_t(k)]);
    } else {
      for (Index i = 0; i < r.bmu.size(); ++i) error[std::size_t(r.bmu[i])] += double(r.distance[i]);
    }
    return error;
  }

  /// w_i = sum_j h_ij n_j c_j / sum_j h_ij n_j; c_j the (robustly weighted) mean of j's samples.
  /// With missing cells, per feature f: n_jf counts j's samples with f present, c_jf is their
  /// weighted mean of f, and a neuron whose denominator for f is 0 keeps that weight.
  RowMatrix<Scalar> batch_update(const BmuResult<Scalar>& r, const RowMatrix<Scalar>& W, const UnitGraph& graph,
                                 double sigma, double total_variance) const {
    const Index n = X_.rows(), D = X_.cols(), K = W.rows();
    std::vector<Scalar> weight(static_cast<std::size_t>(n));  // robust sample weights s_j
    for (Index i = 0; i < n; ++i) {
      const double d = double(r.distance[i]);
      weight[std::size_t(i)] = Scalar(p_.robust_weights && total_variance > 0
                                          ? 1.0 - std::sqrt(std::max(0.0, 1.0 - std::exp(-d * d / total_variance)))
                                          : 1.0);
    }
    RowMatrix<Scalar> mass(K, D);      // n_j c_j
    Vector<Scalar> counts;             // n_j
    RowMatrix<Scalar> present_counts;  // n_jf (missing cells only)
    if (!masked_) {
      // One unit_sums pass over [s_j x_j, s_j] gives weighted sums and weight totals together.
      RowMatrix<Scalar> weighted(n, D + 1);
      for (Index i = 0; i < n; ++i) {
        weighted.row(i).head(D) = weight[std::size_t(i)] * X_.row(i);
        weighted(i, D) = weight[std::size_t(i)];
      }
      UnitSums<Scalar> sums = unit_sums<Scalar>(weighted, r.bmu, K, p_.n_threads);
      for (Index j = 0; j < K; ++j) {
        const Scalar hits = sums.counts[j], total = sums.sums(j, D);
        if (hits == Scalar(0)) {
          mass.row(j).setZero();
        } else if (total > Scalar(0)) {
          mass.row(j) = sums.sums.row(j).head(D) * (hits / total);
        } else {  // every weight underflowed: plain sum of the samples
          mass.row(j).setZero();
          for (Index i = 0; i < n; ++i)
            if (r.bmu[i] == j) mass.row(j) += X_.row(i);
        }
      }
      counts = std::move(sums.counts);
    } else {
      // [s_j x_j (0 where missing), s_j (0 where missing), 1 (0 where missing)] per feature.
      RowMatrix<Scalar> weighted(n, 3 * D);
      for (Index i = 0; i < n; ++i) {
        const Scalar s = weight[std::size_t(i)];
        for (Index f = 0; f < D; ++f) {
          const Scalar x = X_(i, f);
          const bool here = !std::isnan(x);
          weighted(i, f) = here ? s * x : Scalar(0);
          weighted(i, D + f) = here ? s : Scalar(0);
          weighted(i, 2 * D + f) = here ? Scalar(1) : Scalar(0);
        }
      }
      const UnitSums<Scalar> sums = unit_sums<Scalar>(weighted, r.bmu, K, p_.n_threads);
      present_counts = sums.sums.rightCols(D);
      for (Index j = 0; j < K; ++j)
        for (Index f = 0; f < D; ++f) {
          const Scalar hits = present_counts(j, f), total = sums.sums(j, D + f);
          if (hits == Scalar(0)) {
            mass(j, f) = Scalar(0);
          } else if (total > Scalar(0)) {
            mass(j, f) = sums.sums(j, f) * (hits / total);
          } else {  // every weight underflowed: plain sum of the present values
            Scalar sum(0);
            for (Index i = 0; i < n; ++i)
              if (r.bmu[i] == j && !std::isnan(X_(i, f))) sum += X_(i, f);
            mass(j, f) = sum;
          }
        }
    }
    // Kernel from a table over hop distances; entries below 1e-6 are dropped.
    std::vector<Scalar> by_hops(static_cast<std::size_t>(K + 1));
    for (Index h = 0; h <= K; ++h) {
      const double v = neighborhood_weight(Neighborhood::gaussian, double(h * h), sigma);
      by_hops[std::size_t(h)] = v < 1e-6 ? Scalar(0) : Scalar(v);
    }
    RowMatrix<Scalar> H(K, K);
    for (Index a = 0; a < K; ++a)
      for (Index b = 0; b < K; ++b) H(a, b) = by_hops[std::size_t(std::min<Index>(graph.hops(a, b), K))];
    // Fixed row blocks (not one per thread), so the products round the same for any n_threads.
    RowMatrix<Scalar> out = W;
    detail::parallel_for_chunks(K, 64, p_.n_threads, [&](Index first, Index last) {
      const Index rows = last - first;
      const RowMatrix<Scalar> numerator = H.middleRows(first, rows) * mass;
      if (!masked_) {
        const Vector<Scalar> denominator = H.middleRows(first, rows) * counts;
        for (Index i = 0; i < rows; ++i)
          if (denominator[i] > Scalar(0)) out.row(first + i) = numerator.row(i) / denominator[i];
      } else {
        const RowMatrix<Scalar> denominator = H.middleRows(first, rows) * present_counts;
        for (Index i = 0; i < rows; ++i)
          for (Index f = 0; f < D; ++f)
            if (denominator(i, f) > Scalar(0)) out(first + i, f) = numerator(i, f) / denominator(i, f);
      }
    });
    return out;
  }

  /// One growth step; returns the number of neurons added (never past `cap`). Sets `hit_cap`
  /// when a neuron would have grown but the map was full.
  Index grow(UnitGraph& graph, RowMatrix<Scalar>& W, std::vector<double>& error, double GT, Index cap, Index epoch,
             std::vector<Index>& epoch_created, bool& hit_cap) const {
    const Index K = graph.size();
    // Interior neurons pass half their excess error to their boundary neighbours.
    for (Index i = 0; i < K; ++i) {
      if (graph.degree(i) < 4 || error[std::size_t(i)] <= GT) continue;
      int boundary = 0;
      for (int s = 0; s < 4; ++s) boundary += graph.degree(graph.neighbor(i, s)) < 4;
      const double share = boundary ? 0.5 * error[std::size_t(i)] / boundary : 0.0;
      for (int s = 0; s < 4; ++s)
        if (graph.degree(graph.neighbor(i, s)) < 4) error[std::size_t(graph.neighbor(i, s))] += share;
      error[std::size_t(i)] *= 0.5;
    }
    std::vector<Index> order(static_cast<std::size_t>(K));
    std::iota(order.begin(), order.end(), Index(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](Index a, Index b) { return error[std::size_t(a)] > error[std::size_t(b)]; });
    Index added = 0;
    for (Index b : order) {
      if (error[std::size_t(b)] <= GT) break;
      if (graph.degree(b) == 4) continue;  // interior (maybe since this step): skip, keep walking
      if (graph.size() >= cap) {
        hit_cap = true;
        break;
      }
      const Insertion ins = insert_direction(graph, b, error);
      RowVectorOf w =
          ins.opposite >= 0 ? RowVectorOf(Scalar(2) * W.row(b) - W.row(ins.opposite)) : RowVectorOf(W.row(b));
      if (ins.corner >= 0) w = (w + W.row(ins.corner)) / Scalar(2);
      graph.add(ins.x, ins.y);
      W.conservativeResize(W.rows() + 1, Eigen::NoChange);
      W.row(W.rows() - 1) = w;
      error.push_back(0.0);
      epoch_created.push_back(epoch);
      ++added;
    }
    return added;
  }

  /// Final statistics of the map on the training data.
  void describe(GrowingMap<Scalar>& map) const {
    const Index K = map.weights.rows();
    const UnitGraph& graph = map.graph;
    const BmuResult<Scalar> r = bmus(map.weights, true);
    map.bmu = r.bmu;
    map.quantization_error = somtile::quantization_error(r);
    // Neighbours for the topographic error: touching cells (8-neighbourhood), not only links.
    map.topographic_error =
        topographic_error_rate(r.bmu, r.second, [&graph](Index a, Index b) { return graph.touching(a, b); });
    map.topographic_product = topographic_product(map.weights, graph);

    map.hit_count = Vector<double>::Zero(K);
    map.error = Vector<double>::Zero(K);
    map.density = Vector<double>::Zero(K);
    // The U-matrix over the graph's links, in slot order, distances in double
    // (grid/detail/u_matrix.hpp).
    const RowMatrix<Scalar>& W = map.weights;
    map.average_distance = neighbor_distances(
        K,
        [&graph](Index k) {
          std::vector<Index> links;
          for (int s = 0; s < 4; ++s)
            if (graph.neighbor(k, s) >= 0) links.push_back(graph.neighbor(k, s));
          return links;
        },
        [&W](Index a, Index b) { return (W.row(a) - W.row(b)).template cast<double>().norm(); }, true);
    const std::vector<double> error = neuron_errors(r, K);
    for (Index k = 0; k < K; ++k) map.error[k] = error[std::size_t(k)];
    // Density: mean Gaussian kernel of the members' BMU distances, width = mean U-matrix value.
    const double width = map.average_distance.mean();
    for (Index i = 0; i < r.bmu.size(); ++i) {
      const double d = double(r.distance[i]);
      map.hit_count[r.bmu[i]] += 1;
      if (width > 0)
        map.density[r.bmu[i]] +=
            std::exp(-d * d / (2 * width * width)) / (width * std::sqrt(2 * 3.14159265358979323846));
    }
    for (Index k = 0; k < K; ++k)
      if (map.hit_count[k] > 0) map.density[k] /= map.hit_count[k];
  }

  using RowVectorOf = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>;

  const GrowingSomParams& p_;
  ConstRowRef<Scalar> X_;
  const std::vector<Index>* codes_;
  Index n_classes_;
  bool masked_;  ///< Missing::mask and X has missing cells: the masked paths
};

}  // namespace somtile::detail
