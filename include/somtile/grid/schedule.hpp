#pragma once
// Decay schedules for the learning rate and sigma, as closed forms of the initial value v0,
// the step t = 0 .. T-1 and the horizon T (epochs, or iterations for online training). Every
// schedule in somtile lives here: Decay for the classic and online trainers, SigmaDecay for
// the growing SOM's coarse phase (dbgsom's two schedules).

#include "somtile/core/types.hpp"

#include <cmath>

namespace somtile {

/// Value of schedule `kind` at step t of T. `final_value` is the end point of `exponential`
/// (v0 (v_end / v0)^(t/T)); the other schedules ignore it.
inline double decay(Decay kind, double v0, double t, double T, double final_value = 0.0) {
  switch (kind) {
    case Decay::asymptotic:
      return v0 / (1.0 + 2.0 * t / T);
    case Decay::inverse_to_zero: {
      const double g = T / 100.0;
      return v0 * g / (g + t);
    }
    case Decay::linear_to_zero:
      return v0 * (1.0 - t / T);
    case Decay::inverse_to_one:
      return v0 / (1.0 + t * (v0 - 1.0) / T);
    case Decay::linear_to_one:
      return v0 + t * (1.0 - v0) / T;
    case Decay::exponential:
      return v0 * std::pow(final_value / v0, t / T);
  }
  return v0;
}

/// Schedule of the growing SOM's coarse-phase sigma (and of its convergence threshold) from
/// sigma_start toward sigma_end (dbgsom's schedules).
enum class SigmaDecay {
  exponential,  ///< end + (start - end) exp(-r t); r = ln(100) / T (99 % of the way at the phase end)
                ///< unless a rate is given
  linear        ///< start (1 - t/T) + end t/T
};
template <>
struct EnumNames<SigmaDecay> {
  static constexpr std::array<std::string_view, 2> names{"exponential", "linear"};
};

/// Value of schedule `kind` at step t of T, from v0 toward `final_value` (both used by both
/// kinds, unlike Decay::exponential's geometric path: this one approaches final_value by an
/// offset exponential). `rate` is the exponential's rate r per step (exp(-r t)); 0 means
/// ln(100) / T.
inline double decay(SigmaDecay kind, double v0, double t, double T, double final_value, double rate = 0.0) {
  if (kind == SigmaDecay::linear) return v0 * (1.0 - t / T) + final_value * t / T;
  return final_value + (v0 - final_value) * std::exp(-(rate > 0 ? rate : std::log(100.0) / T) * t);
}

}  // namespace somtile
