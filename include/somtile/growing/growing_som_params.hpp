#pragma once
// Parameters and public types of the growing SOM (DBGSOM; growing/growing_som.hpp), shared by
// SomVQ and SomClassifier: GrowingSomParams (alias SomVQParams and SomClassifierParams), its
// validate(), GrowthCriterion, ProbaRule and LatticePositions. SigmaDecay lives with the other decay
// schedules in grid/schedule.hpp.

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/types.hpp"
#include "somtile/grid/schedule.hpp"

#include <cstdint>
#include <string_view>

namespace somtile {

/// What a neuron's error measures when deciding growth.
enum class GrowthCriterion {
  quantization_error,  ///< sum of BMU distances of the neuron's samples
  entropy              ///< class entropy (bits) of the neuron's samples; needs labels
};
template <>
struct EnumNames<GrowthCriterion> {
  static constexpr std::array<std::string_view, 2> names{"quantization_error", "entropy"};
};

/// How SomClassifier turns the prototypes into class probabilities (predict_proba, predict).
enum class ProbaRule {
  mixture,  ///< dbgsom 1.1: the sample as a non-negative mixture of prototypes (here convex:
            ///< coefficients summing to 1), the mixture of their class frequencies
  bmu       ///< dbgsom 1.3: the class frequencies of the sample's BMU (nearest prototype)
};
template <>
struct EnumNames<ProbaRule> {
  static constexpr std::array<std::string_view, 2> names{"mixture", "bmu"};
};

/// Parameters of the growing SOM (shared by SomVQ and SomClassifier). Every default is the
/// one of dbgsom 1.1.0 (the public repository's head, setup.py version 1.1.0, read in
/// dbgsom/BaseSom.py): n_iter 200, convergence_iter 1, spreading_factor 0.5 (lambda_ =
/// 150 ln 2), sigma_start 0.2 sqrt(K), sigma_end max(0.7, 0.05 sqrt(K)), exponential decay at
/// learning_rate 0.02, coarse_training_frac 0.5, convergence_treshold 1e-5, max_neurons 100,
/// and SomClassifier's probabilities from the prototype mixture (transform).
/// dbgsom 1.3's convergence-triggered growth is convergence_iter = 0.
struct GrowingSomParams {
  Index max_neurons = 100;              ///< hard cap (never exceeded), >= 4; 0 = int(5 sqrt(n_samples))
  double lambda_ = 103.97207708399179;  ///< growth threshold GT = lambda_ * ||std(X)||; lower = more
                                        ///< neurons; default 150 ln 2 = dbgsom 1.1's spreading_factor 0.5
  double spreading_factor = 0.0;        ///< legacy GSOM spread factor in (0, 1); when set it replaces
                                        ///< lambda_ by 150 (-ln spreading_factor); 0 = unused
  double sigma_start = 0.0;             ///< coarse-phase sigma at the start, in lattice hops; 0 = 0.2 sqrt(K)
  double sigma_end = 0.0;               ///< coarse-phase target sigma; 0 = max(0.7, 0.05 sqrt(K))
  double sigma_fine = 0.0;              ///< fine-phase sigma (<= sigma_end when both set); 0 = sigma_end
  /// Shape of the coarse phase's sigma decay (exponential, as dbgsom).
  SigmaDecay sigma_decay = SigmaDecay::exponential;
  double sigma_decay_rate = 0.02;            ///< rate r of the exponential decay, sigma = end + (start - end)
                                             ///< exp(-r t) at t = epoch / coarse_training_frac (dbgsom 1.1's
                                             ///< learning_rate); 0 = ln(100) / max_iter (dbgsom 1.3)
  Index max_iter = 200;                      ///< epochs, coarse and fine together (dbgsom's n_iter)
  double coarse_training_frac = 0.5;         ///< share of max_iter the coarse (growing) phase may use, in (0, 1)
  Index convergence_iter = 1;                ///< grow every convergence_iter coarse epochs (dbgsom 1.1); 0 = grow
                                             ///< each time the coarse phase has converged (dbgsom 1.3)
  double convergence_threshold = 1e-5;       ///< ||dW||_F that ends the fine phase
  double winner_stability_threshold = 0.01;  ///< convergence_iter = 0 only: the coarse phase has
                                             ///< converged when the share of changed BMUs is below
                                             ///< this; 0 = use the weight change instead
  /// What decides where the map grows: neuron quantization error or class entropy.
  GrowthCriterion growth_criterion = GrowthCriterion::quantization_error;
  double entropy_threshold = 0.5;             ///< GT (bits) for GrowthCriterion::entropy (dbgsom 1.1: the
                                              ///< spreading factor, 0.5)
  bool robust_weights = true;                 ///< down-weight outliers in the batch update (D'Urso)
  ProbaRule proba_rule = ProbaRule::mixture;  ///< SomClassifier only
  std::uint64_t seed = 42;                    ///< picks the 4 seed samples
  int n_threads = 0;                          ///< 0 = all available
  Scaling scaling = Scaling::none;            ///< feature scaling fitted by fit() and applied to every data
                                              ///< the model is given (preprocessing/scaler.hpp)
  Missing missing = Missing::reject;          ///< NaN cells: an InputError, or Missing::mask: missing values
                                              ///< (see "Missing values" in growing/growing_som.hpp)
};

/// Integer lattice coordinates (x, y), one row per neuron.
using LatticePositions = Eigen::Matrix<Index, Eigen::Dynamic, 2, Eigen::RowMajor>;

/// Checks every rule on the parameters of a growing SOM; the SomVQ and SomClassifier
/// constructors and their loaders call it. `estimator` names the call in messages ("SomVQ",
/// "SomClassifier"). `has_labels = false` (the SomVQ constructor) also rejects
/// GrowthCriterion::entropy, which needs class labels (SomVQ's loader rejects such a file with
/// a load error of its own).
/// \throws ParameterError if max_neurons is neither 0 nor >= 4; lambda_, max_iter,
///         convergence_threshold or entropy_threshold is not > 0; spreading_factor is neither 0
///         nor in (0, 1); sigma_start, sigma_end, sigma_fine, sigma_decay_rate or
///         convergence_iter < 0; sigma_fine > sigma_end (both set);
///         coarse_training_frac is not in (0, 1); winner_stability_threshold is not in [0, 1];
///         n_threads < 0; or entropy growth without labels.
inline void validate(const GrowingSomParams& p, std::string_view estimator = "SomClassifier", bool has_labels = true) {
  const std::string_view call = estimator;
  detail::require(p.max_neurons == 0 || p.max_neurons >= 4, call,
                  "max_neurons must be >= 4 (or 0 for int(5 sqrt(n_samples))), got ", p.max_neurons);
  detail::check_positive(call, "lambda_", p.lambda_);
  detail::require(p.spreading_factor == 0 || (p.spreading_factor > 0 && p.spreading_factor < 1), call,
                  "spreading_factor must be in (0, 1) (or 0 = unused), got ", p.spreading_factor);
  detail::check_non_negative(call, "sigma_start", p.sigma_start);
  detail::check_non_negative(call, "sigma_end", p.sigma_end);
  detail::check_non_negative(call, "sigma_fine", p.sigma_fine);
  detail::require(!(p.sigma_fine > 0 && p.sigma_end > 0 && p.sigma_fine > p.sigma_end), call,
                  "sigma_fine must be <= sigma_end (", p.sigma_end, "), got ", p.sigma_fine);
  detail::check_non_negative(call, "sigma_decay_rate", p.sigma_decay_rate);
  detail::check_positive(call, "max_iter", p.max_iter);
  detail::check_non_negative(call, "convergence_iter", p.convergence_iter);
  detail::require(p.coarse_training_frac > 0 && p.coarse_training_frac < 1, call,
                  "coarse_training_frac must be in (0, 1), got ", p.coarse_training_frac);
  detail::check_positive(call, "convergence_threshold", p.convergence_threshold);
  detail::require(p.winner_stability_threshold >= 0 && p.winner_stability_threshold <= 1, call,
                  "winner_stability_threshold must be in [0, 1] (0 = use the weight change), got ",
                  p.winner_stability_threshold);
  detail::check_positive(call, "entropy_threshold", p.entropy_threshold);
  detail::require(p.n_threads >= 0, call, "n_threads must be >= 0, got ", p.n_threads);
  detail::require(has_labels || p.growth_criterion != GrowthCriterion::entropy, call,
                  "growth_criterion entropy needs class labels; use SomClassifier");
}

}  // namespace somtile
