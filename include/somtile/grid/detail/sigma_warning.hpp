#pragma once
// The warning Som and OnlineSom give when sigma is wider than the map (TorchSOM warns at the
// same point).

#include "somtile/core/types.hpp"
#include "somtile/core/warning.hpp"

#include <cmath>

namespace somtile::detail {

/// TorchSOM's warning: sigma beyond the map's diagonal sqrt(rows^2 + cols^2) makes the
/// neighbourhood cover the whole map, so every unit moves almost alike.
inline void warn_sigma_beyond_map(const char* call, double sigma, Index rows, Index cols) {
  const double diagonal = std::sqrt(double(rows) * double(rows) + double(cols) * double(cols));
  if (sigma > diagonal)
    warn(call, "sigma = ", sigma, " is larger than the map (diagonal sqrt(rows^2 + cols^2) = ", diagonal, " for ", rows,
         " x ", cols, "); the neighbourhood covers every unit, so the map cannot order");
}

}  // namespace somtile::detail
