#pragma once
// Neighbourhood kernels h(d; sigma) over the grid distance d between a unit and the BMU.
// All equal 1 at d = 0.
//   gaussian     exp(-d^2 / (2 sigma^2))
//   mexican_hat  (1 - d^2 / sigma^2) exp(-d^2 / (2 sigma^2))   (Ricker wavelet; negative past sigma)
//   bubble       1 if d <= sigma, else 0
//   triangle     max(0, 1 - d / sigma)

#include "somtile/core/types.hpp"

#include <algorithm>
#include <cmath>

namespace somtile {

/// Kernel value from the squared grid distance (what the hot loops have at hand).
inline double neighborhood_weight(Neighborhood kind, double distance_sq, double sigma) {
  const double s2 = sigma * sigma;
  switch (kind) {
    case Neighborhood::gaussian: return std::exp(-distance_sq / (2.0 * s2));
    case Neighborhood::mexican_hat:
      return (1.0 - distance_sq / s2) * std::exp(-distance_sq / (2.0 * s2));
    case Neighborhood::bubble: return distance_sq <= s2 ? 1.0 : 0.0;
    case Neighborhood::triangle: return std::max(0.0, 1.0 - std::sqrt(distance_sq) / sigma);
  }
  return 0.0;
}

/// Grid distance beyond which |h| < epsilon: units farther away may be skipped.
inline double neighborhood_radius(Neighborhood kind, double sigma, double epsilon = 1e-6) {
  switch (kind) {
    case Neighborhood::gaussian: return sigma * std::sqrt(2.0 * std::log(1.0 / epsilon));
    case Neighborhood::mexican_hat: {
      // |h| = (u - 1) e^{-u/2} with u = d^2/sigma^2 decreases for u > 3; step out until small.
      double u = 3.0;
      while ((u - 1.0) * std::exp(-u / 2.0) >= epsilon) u += 0.25;
      return sigma * std::sqrt(u);
    }
    case Neighborhood::bubble:
    case Neighborhood::triangle: return sigma;
  }
  return sigma;
}

}  // namespace somtile
