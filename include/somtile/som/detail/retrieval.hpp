#pragma once
// The tiered search behind collect_samples (som/maps.hpp) for dense, masked and sparse rows.

#include "somtile/kernels/bmu.hpp"
#include "somtile/kernels/bmu_data_map.hpp"
#include "somtile/som/som.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace somtile::detail {

/// collect_samples' tiers around the query's BMU `bmu`: its samples, its grid neighbourhood,
/// then further units by codebook distance while the buffer is not larger than min_buffer;
/// within a tier nearest first by sample_distance(i) (dense, masked or sparse rows). Mode is
/// Retrieval (som/maps.hpp), a template parameter so that this header need not include it.
template <typename Scalar, typename Mode, typename SampleDistance>
std::vector<Index> collect_in_tiers(const Som<Scalar>& som, Index bmu, const BmuDataMap& map, Index min_buffer,
                                    Mode mode, const SampleDistance& sample_distance) {
  const Distance metric = som.params().distance;
  std::vector<Index> out;
  std::vector<char> visited(std::size_t(som.n_units()), 0);
  auto take = [&](const std::vector<Index>& units) {  // one tier, nearest to the query first
    std::vector<std::pair<double, Index>> tier;
    for (Index u : units) {
      visited[std::size_t(u)] = 1;
      for (Index i : map[std::size_t(u)]) tier.emplace_back(sample_distance(i), i);
    }
    std::stable_sort(tier.begin(), tier.end());
    for (const auto& [d, i] : tier) out.push_back(i);
  };
  take({bmu});
  if (mode == Mode::bmu_only) return out;
  take(som.grid().neighbors(bmu, som.params().neighborhood_order));
  if (mode == Mode::bmu_neighborhood) return out;
  std::vector<std::pair<double, Index>> rest;
  for (Index u = 0; u < som.n_units(); ++u)
    if (!visited[std::size_t(u)] && !map[std::size_t(u)].empty())
      rest.emplace_back(double(distance<Scalar>(metric, som.weights().row(bmu), som.weights().row(u))), u);
  std::stable_sort(rest.begin(), rest.end());
  for (const auto& [d, u] : rest) {
    if (Index(out.size()) > min_buffer) break;
    take({u});
  }
  return out;
}

}  // namespace somtile::detail
