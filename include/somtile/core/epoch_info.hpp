#pragma once
// What the progress callbacks of Som::fit and of the growing SOM's fit (SomVQ, SomClassifier)
// see after each epoch: EpochInfo, and EpochCallback, the callback type both take.

#include "somtile/core/types.hpp"

#include <functional>

namespace somtile {

/// What a progress callback sees after each epoch.
struct EpochInfo {
  Index epoch;           ///< 0-based
  Index epochs;          ///< the most epochs the fit may run (it may stop earlier on convergence)
  double learning_rate;  ///< 0 for batch training (SomVQ, SomClassifier, Training::batch)
  /// Neighbourhood width used in the epoch.
  double sigma;
  double quantization_error;  ///< of the weights this epoch started from
  double topographic_error;   ///< of the weights this epoch started from
  Index n_units = 0;          ///< units of the map in this epoch (a growing map's neurons)
};

/// Progress callback of Som::fit and of SomVQ::fit / SomClassifier::fit.
using EpochCallback = std::function<void(const EpochInfo&)>;

}  // namespace somtile
