#pragma once
// The Directed Batch Growing SOM (DBGSOM; Vasighi & Amini 2017, with the threshold of Qu et
// al. 2019), the engine behind SomVQ and SomClassifier. The defaults are dbgsom 1.1.0's (the
// public repository's head): growth every convergence_iter epochs of the coarse phase, sigma
// from 0.2 sqrt(K) toward max(0.7, 0.05 sqrt(K)). convergence_iter = 0 gives dbgsom 1.3's
// convergence-triggered growth. The lattice, insertion rule and statistics follow dbgsom 1.3,
// except where that release has known bugs (see "Deliberate differences").
//
// The map lives on an integer lattice that grows in any direction; neurons are joined to their
// occupied 4-neighbours and edges are never removed, so hop distances can be extended
// incrementally on each insertion and stay exact. One epoch:
//   1. BMU pass (find_bmus) on all samples; d_j = distance of sample j to its BMU.
//   2. Robust sample weights s_j = 1 - sqrt(1 - exp(-d_j^2 / total_variance)) (D'Urso et al.
//      2019: outliers pull less).
//   3. Per-neuron error E_i = sum of d_j over the samples neuron i won (or, with
//      GrowthCriterion::entropy, the class entropy of those samples, in bits).
//   4. Batch update w_i = sum_j h_ij n_j c_j / sum_j h_ij n_j with n_j the hit count, c_j the
//      s-weighted mean of neuron j's samples and h_ij = exp(-hops(i,j)^2 / (2 sigma^2))
//      (values below 1e-6 dropped); a neuron with zero denominator keeps its weight.
//   5. Convergence: in the fine phase ||dW||_F < convergence_threshold ends training. With
//      convergence_iter = 0, the coarse phase has converged when the share of samples whose
//      BMU changed is below winner_stability_threshold (or, with that set to 0, ||dW||_F below
//      a threshold that decays from 100 to 1 times convergence_threshold).
//   6. Coarse phase, every convergence_iter-th epoch (convergence_iter = 0: once converged):
//      grow. Interior neurons (4 neighbours) with E > GT give half of
//      E, split evenly, to their boundary neighbours; then boundary neurons with E > GT, in
//      decreasing E, each get one new neuron on the free side chosen by the directed rule
//      (insert_direction). With convergence_iter = 0, sigma moves along its schedule only after
//      a growth step, and a step that adds nothing ends the coarse phase.
// The coarse phase lasts at most coarse_training_frac * max_iter epochs; sigma there decays from
// sigma_start toward sigma_end (both from the current neuron count K unless set), at epoch t
// end + (start - end) exp(-sigma_decay_rate t / coarse_training_frac); the fine phase uses
// sigma_fine (default sigma_end). SomClassifier's probabilities: see ProbaRule.
//
// Differences from dbgsom 1.1.0 beyond the list below: the insertion position is 1.3's
// directed rule (1.1.0: a case analysis by degree); neurons without hits are kept (1.1.0
// deletes them after training, which can disconnect the lattice); 1.1.0's Voronoi centres of
// maps with dead neurons are written to the wrong rows (not copied); the fine phase tests
// ||dW||_F (1.1.0: the sum of per-neuron changes); ProbaRule::mixture is convex (see there).
//
// Deliberate differences from dbgsom 1.3, where its behaviour is a known bug or quirk:
//   - the insertion walk skips a neuron that cannot grow instead of stopping there;
//   - max_neurons is checked before every single insertion, so it is never exceeded;
//   - the entropy criterion compares against entropy_threshold (bits), not lambda_ ||std||;
//   - reaching max_neurons ends the coarse phase and clears the convergence flag, so the fine
//     phase still runs;
//   - n_iter() counts the epochs run (not the 0-based index of the last one);
//   - topographic_product() is the textbook P3 (with the 1/(2k)), half dbgsom's value;
//   - a neuron's label and predict() break class-count ties the same way (lowest class);
//   - error() is recomputed on the final map (like hit_count), not left over from the last
//     training epoch's growth step.
// Not implemented: cosine metric, pointer BMU search, cut-Gaussian kernel, weight smoothing,
// vertical (hierarchical) growth.
//
// Missing values (params.missing = Missing::mask): NaN cells are missing. Distances to a
// sample with missing cells are kernels/detail/masked_distance.hpp's masked Euclidean distance (over its
// p present features of F, scaled by F / p), so the BMU pass, the robust weights, the neuron
// errors that decide growth, the quantization and topographic errors, density and predict all
// use them. The batch update sums and counts per feature: n_jf and c_jf above count and
// average only the samples with feature f present, and a (neuron, feature) without any keeps
// its weight. A seed sample's missing cells start at the feature's mean over its present
// values (0 for a feature with none); the growth threshold and the robust weights' scale use
// each feature's variance over its present values. transform() and SomClassifier's mixture
// fit a sample with missing cells on its present features. Data without NaN take exactly the
// complete-data paths, so they give the same map under mask as under reject, bit for bit.
//
// Determinism: the only random choice is the 4 seed samples (somtile::Random); every sum runs
// in a fixed order, so a seed gives the same map for any thread count.

//
// Files: growing/growing_som_params.hpp (GrowingSomParams, validate), growing/detail/unit_graph.hpp
// (UnitGraph: the neurons' cells, links and hops; the insertion rule),
// growing/detail/growing_trainer.hpp (the epochs above), growing/detail/nnls.hpp (transform),
// growing/detail/present_features.hpp, metrics/topographic_function.hpp (topographic function
// and product). This file: GrowingSomEstimator, the public base of SomVQ and SomClassifier.

#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/detail/precompiled.hpp"  // SOMTILE_OUTLINE
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/core/warning.hpp"
#include "somtile/growing/detail/growing_trainer.hpp"
#include "somtile/growing/detail/nnls.hpp"
#include "somtile/growing/detail/present_features.hpp"
#include "somtile/growing/detail/unit_graph.hpp"
#include "somtile/growing/growing_som_params.hpp"
#include "somtile/kernels/bmu.hpp"
#include "somtile/kernels/bmu.hpp"  // find_bmus(..., Missing)
#include "somtile/metrics/som_quality.hpp"
#include "somtile/metrics/topographic_function.hpp"
#include "somtile/preprocessing/scaler.hpp"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace somtile {

/// The public base of SomVQ and SomClassifier: their parameters, the fitted growing map and
/// every attribute of it (neurons, lattice, errors, per-neuron statistics, transform). It is
/// not constructed directly; write code that takes either estimator against it. The
/// estimator's name ("SomVQ", "SomClassifier") prefixes every error message.
///
/// \tparam Scalar  float or double: the prototypes' and the data's scalar.
/// \throws ParameterError (constructor) when validate(params, name) fails.
/// \throws NotFittedError from every accessor but params() and is_fitted() before fit().
/// \throws InputError from quantization_error(X), topographic_function(X) and transform(X)
///         when X is empty, holds infinite values, NaN values (Missing::reject) or a row of
///         NaN only (Missing::mask), or has a feature count other than n_features(); from
///         hops(a, b) when a or b is not a neuron id.
///
/// \code
/// template <typename Scalar>
/// void report(const GrowingSomEstimator<Scalar>& model) {   // a SomVQ or a SomClassifier
///   if (!model.is_fitted()) return;
///   std::printf("%ld neurons, QE %g, TE %g\n", long(model.n_neurons()),
///               model.quantization_error(), model.topographic_error());
/// }
/// SomVQ<double> vq({.max_neurons = 40});
/// report(vq.fit(X));
/// \endcode
template <typename Scalar>
class GrowingSomEstimator {
 public:
  /// The parameters the estimator was built with.
  const GrowingSomParams& params() const { return params_; }
  /// True after a successful fit() (or a load).
  bool is_fitted() const { return fitted_; }

  /// Features of the training data.
  Index n_features() const {
    fitted_state("n_features");
    return n_features_;
  }
  /// Neurons of the fitted map.
  Index n_neurons() const { return fitted_state("n_neurons").weights.rows(); }
  /// Prototypes, one row per neuron (neuron ids in insertion order); in scaled space when
  /// params().scaling is set (see weights_in_data_units()).
  const RowMatrix<Scalar>& weights() const { return fitted_state("weights").weights; }
  /// The prototypes in the data's units: weights() mapped back through scaler().
  RowMatrix<Scalar> weights_in_data_units() const {
    return scaler_.inverse_transform(fitted_state("weights_in_data_units").weights);
  }
  /// The feature scaling (params().scaling) fitted by fit() and applied to every data.
  const Scaler<Scalar>& scaler() const { return scaler_; }
  /// Integer lattice coordinates (x, y) per neuron; may be negative.
  LatticePositions positions() const { return fitted_state("positions").graph.positions(); }
  /// Lattice links (4-neighbours), each once as (lower id, higher id).
  std::vector<std::pair<Index, Index>> edges() const { return fitted_state("edges").graph.edges(); }
  /// Hop distance between two neurons on the map.
  Index hops(Index a, Index b) const {
    const auto& m = fitted_state("hops");
    detail::require<InputError>(a >= 0 && b >= 0 && a < m.weights.rows() && b < m.weights.rows(), name_ + "::hops",
                                "neuron ids must be in [0, ", m.weights.rows(), "), got ", a, " and ", b);
    return m.graph.hops(a, b);
  }
  /// Mean BMU distance on the training data.
  double quantization_error() const;
  /// Mean BMU distance on any data.
  double quantization_error(ConstRowRef<Scalar> X) const;
  /// Share of training samples whose two best neurons are not in touching cells (8-neighbourhood).
  double topographic_error() const;
  /// Topographic product of the fitted map (near 0 when the lattice keeps the prototypes' neighbourhoods).
  double topographic_product() const { return fitted_state("topographic_product").topographic_product; }
  /// The topographic function on X (dbgsom 1.3's: folds and tears over hop distances).
  TopographicFunction topographic_function(ConstRowRef<Scalar> X) const;
  /// GT the growth compared neuron errors against.
  double growing_threshold() const { return fitted_state("growing_threshold").growing_threshold; }
  /// Epochs run, and whether the last phase converged before max_iter.
  Index n_iter() const { return fitted_state("n_iter").n_iter; }
  /// Whether the last phase converged before max_iter.
  bool converged() const { return fitted_state("converged").converged; }

  // Per-neuron statistics of the final map on the training data.
  /// Training samples won by each neuron.
  const Vector<double>& hit_count() const { return fitted_state("hit_count").hit_count; }
  /// Sum of BMU distances of the neuron's samples (class entropy with GrowthCriterion::entropy).
  const Vector<double>& error() const { return fitted_state("error").error; }
  /// U-matrix value: mean weight distance to the lattice neighbours.
  const Vector<double>& average_distance() const { return fitted_state("average_distance").average_distance; }
  /// Mean Gaussian kernel of the members' BMU distances (0 for neurons without hits).
  const Vector<double>& density() const { return fitted_state("density").density; }
  /// The epoch in which each neuron was created (0 for the 4 seed neurons).
  Labels epoch_created() const {
    const auto& e = fitted_state("epoch_created").epoch_created;
    return Eigen::Map<const Labels>(e.data(), Index(e.size()));
  }

  /// Non-negative least-squares coefficients of the prototypes, n x n_neurons: row i minimises
  /// ||W^T c - x_i|| over c >= 0 (Kohonen's linear mixture of SOM models; Lawson–Hanson per
  /// sample, see detail::nnls). Not normalised, so magnitude information is kept. With
  /// params().scaling set, in scaled space. A sample with missing cells (Missing::mask) is fitted
  /// on its present features only.
  RowMatrix<Scalar> transform(ConstRowRef<Scalar> X_raw) const;

 protected:
  /// \cond INTERNAL
  /// `has_labels = false` (SomVQ) rejects the entropy growth criterion (see validate()).
  GrowingSomEstimator(const GrowingSomParams& params, std::string name, bool has_labels = true)
      : params_(params), name_(std::move(name)), scaler_(params.scaling) {
    validate(params_, name_, has_labels);
  }

  /// Trains into a new map; the caller commits it (a throw leaves the old map in place).
  /// Warns when the map did not grow beyond its 4 seed neurons, or when max_neurons stopped
  /// its growth.
  detail::GrowingMap<Scalar> train(ConstRowRef<Scalar> X, const std::vector<Index>* codes, Index n_classes,
                                   const EpochCallback& on_epoch) const;
  void check_fit_input(ConstRowRef<Scalar> X) const {
    const std::string call = name_ + "::fit";
    detail::check_data(call, X, params_.missing);
    detail::require<InputError>(X.rows() >= 4, call, "X must have at least 4 samples to seed the map, got ", X.rows());
    if (params_.missing == Missing::mask && detail::has_missing(X)) detail::check_columns_present(call, X);
  }
  /// The scaling fit() trains with (params().scaling), fitted on X (already validated); warns
  /// when there is none and the features' scales differ by more than 100 times.
  Scaler<Scalar> fit_scaling(ConstRowRef<Scalar> X) const {
    Scaler<Scalar> scaler(params_.scaling);
    scaler.fit(X, params_.missing);
    if (params_.scaling == Scaling::none) detail::warn_if_unscaled<Scalar>(name_ + "::fit", X);
    return scaler;
  }
  void commit(detail::GrowingMap<Scalar>&& map, Index n_features, Scaler<Scalar>&& scaler) {
    map_ = std::move(map);
    n_features_ = n_features;
    scaler_ = std::move(scaler);
    fitted_ = true;
  }
  void check_input(const char* method, ConstRowRef<Scalar> X) const {
    fitted_state(method);
    detail::check_data(name_ + "::" + method, X, n_features_, name_, params_.missing);
  }
  const detail::GrowingMap<Scalar>& fitted_state(const char* method) const {
    if (!fitted_)
      throw NotFittedError(
          detail::concat(name_, "::", method, "(): this ", name_, " is not fitted yet; call fit() first"));
    return map_;
  }
  /// BMU of every row of X against the fitted prototypes (X already validated).
  Labels bmus(ConstRowRef<Scalar> X) const;

  /// Writes or reads the parameters and the map shared by SomVQ and SomClassifier
  /// (io/detail/archive.hpp); on reading, the lattice is rebuilt from the cells in neuron order, which
  /// is how training built it, and an inconsistent file is rejected.
  template <typename Archive>
  void serialize_map(Archive& ar) {
    GrowingSomParams& p = params_;
    ar(p.max_neurons, p.lambda_, p.spreading_factor, p.sigma_start, p.sigma_end, p.sigma_fine);
    ar.choice(p.sigma_decay);
    ar(p.max_iter, p.coarse_training_frac, p.convergence_threshold, p.winner_stability_threshold);
    ar.choice(p.growth_criterion);
    ar(p.entropy_threshold, p.robust_weights, p.seed, p.n_threads);
    if (ar.version() >= 2) {
      ar(p.convergence_iter, p.sigma_decay_rate);
      ar.choice(p.proba_rule);
    } else if constexpr (Archive::loading) {  // version 1 files were trained the dbgsom 1.3 way
      p.convergence_iter = 0;
      p.sigma_decay_rate = 0;
      p.proba_rule = ProbaRule::bmu;
    }
    detail::GrowingMap<Scalar>& m = map_;
    LatticePositions cells;
    if constexpr (!Archive::loading) cells = m.graph.positions();
    ar(n_features_, m.weights, cells, m.epoch_created, m.growing_threshold, m.n_iter, m.converged, m.bmu, m.hit_count,
       m.error, m.average_distance, m.density, m.quantization_error, m.topographic_error, m.topographic_product);
    if (ar.version() >= 2) {  // version 1 files: Scaling::none
      ar.choice(p.scaling);
      ar(scaler_);
    }
    if (ar.version() >= 3)
      ar.choice(p.missing);
    else if constexpr (Archive::loading)
      p.missing = Missing::reject;
    if constexpr (Archive::loading) {
      validate(params_, name_);
      ar.check(scaler_.kind() == p.scaling && (p.scaling == Scaling::none || scaler_.n_features() == n_features_),
               "the scaler (", enum_name(scaler_.kind()), ", ", scaler_.n_features(),
               " features) does not match the parameters (", enum_name(p.scaling), ", ", n_features_, " features)");
      const Index K = m.weights.rows(), n = m.bmu.size();
      ar.check(K >= 1 && n_features_ >= 1 && m.weights.cols() == n_features_, "the prototypes are ", K, " x ",
               m.weights.cols(), " for ", n_features_, " features");
      ar.check(K <= detail::neuron_cap(p, n), "the map has ", K, " neurons, more than the cap of ",
               detail::neuron_cap(p, n));
      ar.check(cells.rows() == K && Index(m.epoch_created.size()) == K && m.hit_count.size() == K &&
                   m.error.size() == K && m.average_distance.size() == K && m.density.size() == K,
               "the per-neuron fields do not all have ", K, " entries");
      ar.check(m.weights.allFinite(), "the prototypes hold NaN or infinite values");
      ar.check(n == 0 || (m.bmu.minCoeff() >= 0 && m.bmu.maxCoeff() < K), "a training BMU is not a neuron id");
      const Index far = Index(1) << 30;  // UnitGraph keys cells by 32-bit coordinates
      m.graph = detail::UnitGraph(K);
      for (Index k = 0; k < K; ++k) {
        const Index x = cells(k, 0), y = cells(k, 1);
        ar.check(x > -far && x < far && y > -far && y < far && m.graph.find(x, y) < 0, "neuron ", k, " has a cell (", x,
                 ", ", y, ") that is taken or out of range");
        m.graph.add(x, y);
      }
      fitted_ = true;
    }
  }

  GrowingSomParams params_;
  std::string name_;
  detail::GrowingMap<Scalar> map_;
  Index n_features_ = 0;
  bool fitted_ = false;
  Scaler<Scalar> scaler_;
  /// \endcond
};

// GrowingSomEstimator's members, defined outside the class so that a program linking
// somtile::precompiled does not instantiate them (core/detail/precompiled.hpp).
/// \cond INTERNAL

template <typename Scalar>
auto GrowingSomEstimator<Scalar>::quantization_error() const -> double {
  return fitted_state("quantization_error").quantization_error;
}

template <typename Scalar>
auto GrowingSomEstimator<Scalar>::quantization_error(ConstRowRef<Scalar> X) const -> double {
  check_input("quantization_error", X);
  RowMatrix<Scalar> storage;
  return somtile::quantization_error(detail::masked_bmus<Scalar>(scaler_.scaled_view(X, storage, params_.missing),
                                                                 map_.weights, Distance::euclidean, false,
                                                                 params_.n_threads, params_.missing));
}

template <typename Scalar>
auto GrowingSomEstimator<Scalar>::topographic_error() const -> double {
  return fitted_state("topographic_error").topographic_error;
}

template <typename Scalar>
auto GrowingSomEstimator<Scalar>::topographic_function(ConstRowRef<Scalar> X) const -> TopographicFunction {
  check_input("topographic_function", X);
  RowMatrix<Scalar> storage;
  const BmuResult<Scalar> r =
      detail::masked_bmus<Scalar>(scaler_.scaled_view(X, storage, params_.missing), map_.weights, Distance::euclidean,
                                  true, params_.n_threads, params_.missing);
  return somtile::topographic_function(r.bmu, r.second, map_.graph);
}

template <typename Scalar>
auto GrowingSomEstimator<Scalar>::transform(ConstRowRef<Scalar> X_raw) const -> RowMatrix<Scalar> {
  check_input("transform", X_raw);
  RowMatrix<Scalar> storage;
  const ConstRowRef<Scalar> X = scaler_.scaled_view(X_raw, storage, params_.missing);
  RowMatrix<Scalar> C(X.rows(), map_.weights.rows());
  // The coefficients do not change when W and x are divided by the same s; a power of two
  // near the largest weight keeps the products of huge (or tiny) values in range, exactly.
  const double top = double(map_.weights.cwiseAbs().maxCoeff());
  int exponent = 0;
  if (top > 0) std::frexp(top, &exponent);
  const Scalar s = Scalar(std::ldexp(1.0, exponent));
  const RowMatrix<Scalar> W = map_.weights / s;
  detail::nnls_samples<Scalar>(
      W, X.rows(), params_.n_threads, [&](Index i, Eigen::Ref<Vector<Scalar>> x) { x = X.row(i).transpose() / s; },
      [&](Index i, const Vector<Scalar>& c) { C.row(i) = c.transpose(); });
  return C;
}

template <typename Scalar>
auto GrowingSomEstimator<Scalar>::train(ConstRowRef<Scalar> X, const std::vector<Index>* codes, Index n_classes,
                                        const EpochCallback& on_epoch) const -> detail::GrowingMap<Scalar> {
  detail::GrowingMap<Scalar> map = detail::GrowingTrainer<Scalar>(params_, X, codes, n_classes).run(on_epoch);
  const std::string call = name_ + "::fit";
  const Index cap = detail::neuron_cap(params_, X.rows());
  if (map.hit_cap)
    detail::warn(call, "growth stopped at max_neurons = ", cap, " while neurons still had errors above the ",
                 "growth threshold ", map.growing_threshold, "; raise max_neurons (or lambda_) for a map that ",
                 "grows to its own size");
  else if (map.weights.rows() == 4)
    detail::warn(call, "the map did not grow beyond its 4 seed neurons (no neuron error exceeded the growth ",
                 "threshold ", map.growing_threshold, "); lower lambda_");
  return map;
}

template <typename Scalar>
auto GrowingSomEstimator<Scalar>::bmus(ConstRowRef<Scalar> X) const -> Labels {
  RowMatrix<Scalar> storage;
  return detail::masked_bmus<Scalar>(scaler_.scaled_view(X, storage, params_.missing), map_.weights,
                                     Distance::euclidean, false, params_.n_threads, params_.missing)
      .bmu;
}
/// \endcond

}  // namespace somtile
