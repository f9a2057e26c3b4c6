#pragma once
// Scales of axes and colour bars: Heckbert's nice numbers, tick positions and labels, and
// ranges widened or padded so that a constant series still gets a readable scale.

#include "somtile/viz/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace somtile::detail {

/// 1, 2, 5 or 10 times a power of ten, near `x` (Heckbert's "nice numbers").
inline double nice_number(double x, bool round) {
  const double e = std::floor(std::log10(x)), f = x / std::pow(10.0, e);
  double nf;
  if (round)
    nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  else
    nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nf * std::pow(10.0, e);
}

/// Nice tick step for about `target` ticks over [lo, hi] (hi > lo).
inline double nice_step(double lo, double hi, int target = 5) {
  return nice_number(nice_number(hi - lo, false) / double(std::max(1, target - 1)), true);
}

/// The multiples of `step` inside [lo, hi].
inline std::vector<double> ticks_within(double lo, double hi, double step) {
  std::vector<double> t;
  const double first = std::ceil(lo / step - 1e-9) * step;
  for (double v = first; v <= hi + step * 1e-9; v += step) t.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return t;
}

/// A tick label with as many decimals as the step needs.
inline std::string tick_label(double v, double step) {
  if (std::abs(v) >= 1e6 || (step < 1e-4 && v != 0)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
  }
  const int decimals = std::clamp(int(-std::floor(std::log10(step) + 1e-9)), 0, 8);
  return svg_number(v, decimals);
}

/// Data range made non-degenerate, so a constant map still gets a colour bar.
inline std::pair<double, double> widened(double lo, double hi) {
  if (hi > lo) return {lo, hi};
  const double pad = lo == 0 ? 0.5 : std::abs(lo) * 0.05;
  return {lo - pad, hi + pad};
}

/// Range padded out to nice tick values; returns the step.
inline double nice_range(double& lo, double& hi, int target = 5) {
  std::tie(lo, hi) = widened(lo, hi);
  const double pad = 0.04 * (hi - lo);  // keeps markers off the frame; a zero baseline stays put
  if (lo != 0) lo -= pad;
  if (hi != 0) hi += pad;
  const double step = nice_step(lo, hi, target);
  lo = std::floor(lo / step + 1e-9) * step;
  hi = std::ceil(hi / step - 1e-9) * step;
  return step;
}

}  // namespace somtile::detail
