#pragma once
// Per-unit sums of the samples a BMU pass assigned to each unit: the statistics every batch
// update (classic batch SOM, growing SOM, distributed training) is built from.
// Each unit sums its own samples in sample order (tasks own ranges of units and stream the
// samples), so the result is bit-identical for any number of threads.

#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/types.hpp"

#include <vector>

namespace somtile {

template <typename Scalar>
/// Per-unit sums and counts of the samples each unit wins: the statistics of a batch update.
struct UnitSums {
  RowMatrix<Scalar> sums;  ///< units x features: sum of the samples whose BMU is the unit
  Vector<Scalar> counts;   ///< units: number of such samples
};

namespace detail {
/// Sets the sums and counts of the selected units (every unit when `selected` is empty) from
/// the rows of X that `bmu` assigns them; `out` is already units x features. Each task owns a
/// range of units and reads X front to back, adding the rows of its units: every unit sums its
/// samples in sample order whatever the tasks, and X streams through memory in order instead
/// of being gathered unit by unit.
template <typename Scalar>
void sum_unit_rows(ConstRowRef<Scalar> X, const Labels& bmu, const std::vector<char>& selected, UnitSums<Scalar>& out,
                   int n_threads) {
  const Index n = X.rows(), n_units = out.sums.rows();
  const auto chosen = [&](Index u) { return selected.empty() || selected[std::size_t(u)]; };
  for (Index u = 0; u < n_units; ++u)
    if (chosen(u)) out.sums.row(u).setZero();
  const Index tasks = std::min<Index>(n_units, resolve_threads(n_threads));  // each task reads all of X once
  std::vector<Index> counts(static_cast<std::size_t>(n_units), 0);
  parallel_for(
      tasks, n_threads,
      [&](Index t) {
        const Index u0 = n_units * t / tasks, u1 = n_units * (t + 1) / tasks;
        for (Index i = 0; i < n; ++i) {
          const Index u = bmu[i];
          if (u < u0 || u >= u1 || !chosen(u)) continue;
          out.sums.row(u) += X.row(i);
          ++counts[std::size_t(u)];
        }
      },
      double(n) * double(X.cols()) / double(std::max<Index>(tasks, 1)));
  for (Index u = 0; u < n_units; ++u)
    if (chosen(u)) out.counts[u] = Scalar(counts[std::size_t(u)]);
}
}  // namespace detail

/// Sums and counts of X's rows grouped by `bmu` (values in [0, n_units)).
template <typename Scalar>
UnitSums<Scalar> unit_sums(ConstRowRef<Scalar> X, const Labels& bmu, Index n_units, int n_threads = 0) {
  UnitSums<Scalar> out{RowMatrix<Scalar>(n_units, X.cols()), Vector<Scalar>(n_units)};
  detail::sum_unit_rows<Scalar>(X, bmu, {}, out, n_threads);
  return out;
}

/// Neighbourhood-weighted unit statistics, the core of every batch-style update:
///   numerator(n)   = sum_u h(u, n) sums(u)     (units x features)
///   denominator(n) = sum_u h(u, n) counts(u)
template <typename Scalar>
struct SmoothedSums {
  /// Units x features.
  RowMatrix<Scalar> numerator;
  /// One value per unit.
  Vector<Scalar> denominator;
};
}  // namespace somtile
