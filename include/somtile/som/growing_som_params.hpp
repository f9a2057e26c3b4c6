#pragma once
// Parameters and public types of the growing SOM (DBGSOM; som/growing_som.hpp), shared by
// SomVQ and SomClassifier: GrowingSomParams (alias SomVQParams and SomClassifierParams), its
// validate(), GrowthCriterion and LatticePositions. SigmaDecay lives with the other decay
// schedules in grid/schedule.hpp.

#include "somtile/core/types.hpp"
#include "somtile/core/detail/validate.hpp"
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

/// Parameters of the growing SOM (shared by SomVQ and SomClassifier). Defaults are dbgsom's.
struct GrowingSomParams {
  Index max_neurons = 100;            ///< hard cap (never exceeded), >= 4; 0 = int(5 sqrt(n_samples))
  double lambda_ = 115.0;             ///< growth threshold GT = lambda_ * ||std(X)||; lower = more neurons
  double spreading_factor = 0.0;      ///< legacy GSOM spread factor in (0, 1); when set it replaces
                                      ///< lambda_ by 150 (-ln spreading_factor); 0 = unused
  double sigma_start = 1.0;           ///< coarse-phase sigma at the start, in lattice hops
  double sigma_end = 0.0;             ///< coarse-phase target sigma; 0 = 0.05 (sqrt(K) - 1)
  double sigma_fine = 0.0;            ///< fine-phase sigma (<= sigma_end when both set); 0 = sigma_end
  SigmaDecay sigma_decay = SigmaDecay::exponential;
  Index max_iter = 500;               ///< epochs, coarse and fine together
  double coarse_training_frac = 0.5;  ///< share of max_iter the coarse (growing) phase may use, in (0, 1)
  double convergence_threshold = 1e-3;       ///< ||dW||_F that ends the fine phase
  double winner_stability_threshold = 0.01;  ///< coarse convergence: share of changed BMUs below
                                             ///< this; 0 = use the weight change instead
  GrowthCriterion growth_criterion = GrowthCriterion::quantization_error;
  double entropy_threshold = 0.5;     ///< GT (bits) for GrowthCriterion::entropy
  bool robust_weights = true;         ///< down-weight outliers in the batch update (D'Urso)
  std::uint64_t seed = 42;            ///< picks the 4 seed samples
  int n_threads = 0;                  ///< 0 = all available
  Scaling scaling = Scaling::none;    ///< feature scaling fitted by fit() and applied to every data
                                      ///< the model is given (preprocessing/scaler.hpp)
};

/// Integer lattice coordinates (x, y), one row per neuron.
using LatticePositions = Eigen::Matrix<Index, Eigen::Dynamic, 2, Eigen::RowMajor>;

/// Checks every rule on the parameters of a growing SOM; the SomVQ and SomClassifier
/// constructors and their loaders call it. `estimator` names the call in messages ("SomVQ",
/// "SomClassifier"). `has_labels = false` (the SomVQ constructor) also rejects
/// GrowthCriterion::entropy, which needs class labels (SomVQ's loader rejects such a file with
/// a load error of its own).
/// \throws ParameterError if max_neurons is neither 0 nor >= 4; lambda_, sigma_start, max_iter,
///         convergence_threshold or entropy_threshold is not > 0; spreading_factor is neither 0
///         nor in (0, 1); sigma_end or sigma_fine < 0; sigma_fine > sigma_end (both set);
///         coarse_training_frac is not in (0, 1); winner_stability_threshold is not in [0, 1];
///         n_threads < 0; or entropy growth without labels.
inline void validate(const GrowingSomParams& p, std::string_view estimator = "SomClassifier",
                     bool has_labels = true) {
  const std::string_view call = estimator;
  detail::require(p.max_neurons == 0 || p.max_neurons >= 4, call,
                  "max_neurons must be >= 4 (or 0 for int(5 sqrt(n_samples))), got ", p.max_neurons);
  detail::check_positive(call, "lambda_", p.lambda_);
  detail::require(p.spreading_factor == 0 || (p.spreading_factor > 0 && p.spreading_factor < 1), call,
                  "spreading_factor must be in (0, 1) (or 0 = unused), got ", p.spreading_factor);
  detail::check_positive(call, "sigma_start", p.sigma_start);
  detail::check_non_negative(call, "sigma_end", p.sigma_end);
  detail::check_non_negative(call, "sigma_fine", p.sigma_fine);
  detail::require(!(p.sigma_fine > 0 && p.sigma_end > 0 && p.sigma_fine > p.sigma_end), call,
                  "sigma_fine must be <= sigma_end (", p.sigma_end, "), got ", p.sigma_fine);
  detail::check_positive(call, "max_iter", p.max_iter);
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
