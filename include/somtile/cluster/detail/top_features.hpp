#pragma once
// cluster_top_features' helpers (cluster/top_features.hpp).

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace somtile::detail {

/// The indices of the k largest entries of `centre`, largest first, ties to the lower index.
template <typename = void>
std::vector<Index> top_indices(const Eigen::Ref<const Eigen::RowVectorXd>& centre, Index k) {
  std::vector<Index> order(static_cast<std::size_t>(centre.size()));
  for (Index j = 0; j < centre.size(); ++j) order[std::size_t(j)] = j;
  const auto take = std::min<std::size_t>(std::size_t(k), order.size());
  std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(take), order.end(),
                    [&](Index a, Index b) { return centre[a] > centre[b] || (centre[a] == centre[b] && a < b); });
  order.resize(take);
  return order;
}

inline void check_top_features(const char* call, Index k, Index n_features, const std::vector<std::string>& names) {
  require(k >= 1, call, "k must be >= 1, got ", k);
  require<InputError>(names.empty() || Index(names.size()) == n_features, call, "there are ", names.size(),
                      " feature names for ", n_features, " features; give one name per feature (or none)");
}

}  // namespace somtile::detail
