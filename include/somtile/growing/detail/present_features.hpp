#pragma once
// The present (non-NaN) features of a sample with missing cells: the features transform() and
// SomClassifier's mixture fit it on (growing/growing_som.hpp, growing/som_classifier.hpp).

#include "somtile/core/types.hpp"

#include <cmath>
#include <vector>

namespace somtile::detail {

/// Indices of the entries of `row` that are not NaN, ascending.
template <typename Row>
std::vector<Index> present_features(const Row& row) {
  std::vector<Index> present;
  for (Index j = 0; j < row.size(); ++j)
    if (!std::isnan(row[j])) present.push_back(j);
  return present;
}

}  // namespace somtile::detail
