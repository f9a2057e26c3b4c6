#pragma once
// Per-unit sums of the samples a BMU pass assigned to each unit: the statistics every batch
// update (classic batch SOM, growing SOM, distributed training) is built from.
// Samples are grouped by unit with a stable counting sort and each unit sums its own samples
// in sample order, so the result is bit-identical for any number of threads.

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

/// Sums and counts of X's rows grouped by `bmu` (values in [0, n_units)).
template <typename Scalar>
UnitSums<Scalar> unit_sums(ConstRowRef<Scalar> X, const Labels& bmu, Index n_units, int n_threads = 0) {
  const Index n = X.rows();
  std::vector<Index> start(static_cast<std::size_t>(n_units + 1), 0);
  for (Index i = 0; i < n; ++i) ++start[std::size_t(bmu[i] + 1)];
  for (Index u = 0; u < n_units; ++u) start[std::size_t(u + 1)] += start[std::size_t(u)];
  std::vector<Index> order(static_cast<std::size_t>(n));
  {
    std::vector<Index> next(start.begin(), start.end() - 1);
    for (Index i = 0; i < n; ++i) order[std::size_t(next[std::size_t(bmu[i])]++)] = i;
  }

  UnitSums<Scalar> out{RowMatrix<Scalar>::Zero(n_units, X.cols()), Vector<Scalar>(n_units)};
  detail::parallel_for_chunks(
      n_units, 64, n_threads,
      [&](Index first, Index last) {
        for (Index u = first; u < last; ++u) {
          const Index b = start[std::size_t(u)], e = start[std::size_t(u + 1)];
          for (Index k = b; k < e; ++k) out.sums.row(u) += X.row(order[std::size_t(k)]);
          out.counts[u] = Scalar(e - b);
        }
      },
      double(n) * double(X.cols()) / double(std::max<Index>(n_units, 1)));
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
