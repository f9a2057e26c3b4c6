#pragma once
// The filling step shared by every impute() overload (missing/impute.hpp).

#include "somtile/core/types.hpp"

#include <cmath>

namespace somtile::detail {

/// X with each NaN cell of row i replaced by W_data(bmu[i], j) (W_data: the codebook in the
/// data's units).
template <typename Scalar>
RowMatrix<Scalar> fill_from_units(ConstRowRef<Scalar> X, const Labels& bmu, const RowMatrix<Scalar>& W_data) {
  RowMatrix<Scalar> out = X;
  for (Index i = 0; i < out.rows(); ++i)
    for (Index j = 0; j < out.cols(); ++j)
      if (std::isnan(out(i, j))) out(i, j) = W_data(bmu[i], j);
  return out;
}

}  // namespace somtile::detail
