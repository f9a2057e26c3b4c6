#pragma once
// Helpers of the classic SOM's maps (som/maps.hpp and their sparse overloads): an empty map,
// the checks of a BMU map against the SOM and its target, and per-unit statistics.

#include "somtile/core/detail/validate.hpp"
#include "somtile/grid/grid.hpp"
#include "somtile/kernels/bmu_data_map.hpp"
#include "somtile/som/som.hpp"

#include <cmath>
#include <numeric>
#include <vector>

namespace somtile::detail {

template <typename = void>
RowMatrix<double> empty_map(const Grid& g, double fill) {
  return RowMatrix<double>::Constant(g.rows(), g.cols(), fill);
}

template <typename Scalar>
void check_bmu_map(const char* call, const Som<Scalar>& som, const BmuDataMap& map) {
  require<InputError>(Index(map.size()) == som.n_units(), call, "the BMU map has ", map.size(),
                      " units, but the SOM has ", som.n_units());
}

// Sample indices of a BMU map must address `target`.
inline void check_map_targets(const char* call, const BmuDataMap& map, Index n_targets) {
  for (const auto& samples : map)
    for (Index i : samples)
      require<InputError>(i >= 0 && i < n_targets, call, "the BMU map refers to sample ", i, ", but the target has ",
                          n_targets, " values");
}

inline double unbiased_std(const std::vector<double>& v) {
  if (v.size() < 2) return 0.0;
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / double(v.size() - 1));
}

template <typename Derived>
std::vector<double> gather_targets(const std::vector<Index>& samples, const Eigen::MatrixBase<Derived>& t) {
  std::vector<double> v;
  v.reserve(samples.size());
  for (Index i : samples) v.push_back(double(t(i)));
  return v;
}

}  // namespace somtile::detail
