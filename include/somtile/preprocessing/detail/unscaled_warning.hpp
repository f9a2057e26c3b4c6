#pragma once
// The warning of models fitted without scaling on features of very different ranges.

#include "somtile/core/detail/nan_range.hpp"
#include "somtile/core/types.hpp"
#include "somtile/core/warning.hpp"

#include <cmath>
#include <string_view>

namespace somtile::detail {

/// Warns (core/warning.hpp) when the ranges (max - min) of X's columns differ by more than
/// `ratio` times (largest over smallest non-zero), naming both columns. Called by the fits of
/// models whose scaling is none: distances there are dominated by the widest features. Ranges,
/// not standard deviations: a rarely non-zero feature (a border pixel, a rare word) has a tiny
/// deviation but the same units as its neighbours, and is no reason to rescale. NaN cells
/// (missing values) are ignored.
template <typename Scalar>
void warn_if_unscaled(std::string_view call, ConstRowRef<Scalar> X, double ratio = 100.0) {
  const Index n = X.rows(), F = X.cols();
  if (n < 2 || F < 2) return;
  const auto [lo_v, hi_v] = nan_column_range(X);
  Index lo = -1, hi = -1;
  double r_lo = 0.0, r_hi = 0.0;
  for (Index j = 0; j < F; ++j) {
    const double r = double(hi_v[j]) - double(lo_v[j]);
    if (!(r > 0.0) || !std::isfinite(r)) continue;
    if (lo < 0 || r < r_lo) lo = j, r_lo = r;
    if (hi < 0 || r > r_hi) hi = j, r_hi = r;
  }
  if (lo < 0 || r_hi <= ratio * r_lo) return;
  warn(call, "the features' ranges (max - min) differ by a factor of ", r_hi / r_lo, " (column ", hi + 1, ": ", r_hi,
       ", column ", lo + 1, ": ", r_lo,
       "), so the widest features dominate the distances; set scaling = Scaling::standard in the params "
       "(or scale the data)");
}

}  // namespace somtile::detail
