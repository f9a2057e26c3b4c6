#pragma once
// Initialising a codebook from data with missing values (NaN cells, Missing::mask): the
// initialisations that read data rows (random, sample) or their principal axes (pca) see a copy
// of the data whose NaN cells hold their column's mean over its present values. That leaves
// each column's [min, max] as it is, so the uniform initialisation draws in the box of the
// present values.

#include "somtile/core/types.hpp"

#include <cmath>

namespace somtile::detail {

/// X with each NaN cell replaced by its column's mean of the present values (accumulated in
/// double, in row order). Every column must have a present value (check_columns_present).
template <typename Scalar>
RowMatrix<Scalar> fill_with_column_means(ConstRowRef<Scalar> X) {
  const Index n = X.rows(), F = X.cols();
  Eigen::ArrayXd sum = Eigen::ArrayXd::Zero(F), count = Eigen::ArrayXd::Zero(F);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < F; ++j) {
      const double x = double(X(i, j));
      if (std::isnan(x)) continue;
      sum[j] += x;
      count[j] += 1.0;
    }
  RowMatrix<Scalar> out = X;
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < F; ++j)
      if (std::isnan(out(i, j))) out(i, j) = Scalar(sum[j] / count[j]);
  return out;
}

}  // namespace somtile::detail
