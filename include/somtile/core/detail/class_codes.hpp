#pragma once
// The classes of a label vector as the classifiers count them: the sorted distinct labels,
// and each sample's index into them.

#include "somtile/core/types.hpp"

#include <algorithm>
#include <vector>

namespace somtile::detail {

struct ClassCodes {
  Labels classes;            ///< the sorted distinct labels
  std::vector<Index> codes;  ///< per sample, the index of its label in classes
};

template <typename = void>
ClassCodes class_codes(const Labels& y) {
  std::vector<Index> sorted(y.data(), y.data() + y.size());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  ClassCodes out;
  out.classes = Eigen::Map<const Labels>(sorted.data(), Index(sorted.size()));
  out.codes.resize(std::size_t(y.size()));
  for (Index i = 0; i < y.size(); ++i)
    out.codes[std::size_t(i)] = Index(std::lower_bound(sorted.begin(), sorted.end(), y[i]) - sorted.begin());
  return out;
}

}  // namespace somtile::detail
