#pragma once
// The one NaN-aware range: each column's minimum and maximum over its present (non-NaN)
// values, as the min-max scaler, the unscaled-features warning and the plots' colour scales
// need it on data or maps with missing cells.

#include "somtile/core/types.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace somtile::detail {

/// (min, max) per column of X over its non-NaN values; +inf and -inf for a column without one.
template <typename Derived>
std::pair<Vector<typename Derived::Scalar>, Vector<typename Derived::Scalar>> nan_column_range(
    const Eigen::MatrixBase<Derived>& X) {
  using Scalar = typename Derived::Scalar;
  const Index F = X.cols();
  std::pair<Vector<Scalar>, Vector<Scalar>> out{Vector<Scalar>::Constant(F, std::numeric_limits<Scalar>::infinity()),
                                                Vector<Scalar>::Constant(F, -std::numeric_limits<Scalar>::infinity())};
  auto& [lo, hi] = out;
  for (Index i = 0; i < X.rows(); ++i)  // row by row: the data are row-major
    for (Index j = 0; j < F; ++j) {
      const Scalar v = X(i, j);
      if (std::isnan(v)) continue;
      lo[j] = std::min(lo[j], v);
      hi[j] = std::max(hi[j], v);
    }
  return out;
}

/// (min, max) over every non-NaN value of X (a map, a matrix); +inf and -inf without one.
template <typename Derived>
std::pair<double, double> nan_range(const Eigen::MatrixBase<Derived>& X) {
  const auto [lo, hi] = nan_column_range(X.derived().reshaped());
  return {double(lo[0]), double(hi[0])};
}

}  // namespace somtile::detail
