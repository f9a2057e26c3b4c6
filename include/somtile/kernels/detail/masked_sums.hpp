#pragma once
// Per-unit sums of data with missing values (NaN cells, Missing::mask) for batch-style updates:
// each feature is summed and counted over the samples where it is present, so the smoothed
// statistics give w_nj = sum_u h(u, n) S_uj / sum_u h(u, n) C_uj per feature. The rows are
// [sums | counts] (2F columns) of the active units, a CompactSums the Smoother smooths as it
// smooths [sums | count]: every column goes through the same neighbourhood product.

#include "somtile/core/types.hpp"
#include "somtile/kernels/detail/smoother.hpp"

#include <cmath>
#include <vector>

namespace somtile::detail {

/// CompactSums of X's rows grouped by `bmu` with G = [S | C], S(u, j) the sum of the present
/// x_j and C(u, j) their number, in sample order per unit (as compact_unit_sums; for a complete
/// X, S is its sums and every C(u, j) its count). Reuses out's memory.
template <typename Scalar>
void compact_masked_unit_sums(ConstRowRef<Scalar> X, const Labels& bmu, Index n_units, CompactSums<Scalar>& out,
                              std::vector<Index>& start, std::vector<Index>& order) {
  const Index F = X.cols();
  group_by_unit(bmu, n_units, out.units, start, order);
  out.G.resize(Index(out.units.size()), 2 * F);
  Index k = 0, b = 0;
  for (const Index u : out.units) {
    const Index e = start[std::size_t(u)];
    Scalar* sums = out.G.row(k).data();
    Scalar* counts = sums + F;
    for (Index j = 0; j < 2 * F; ++j) sums[j] = Scalar(0);
    for (Index s = b; s < e; ++s) {
      const Scalar* x = X.row(order[std::size_t(s)]).data();
      for (Index j = 0; j < F; ++j) {  // branch-free: vectorises
        const bool here = !std::isnan(x[j]);
        sums[j] += here ? x[j] : Scalar(0);
        counts[j] += here ? Scalar(1) : Scalar(0);
      }
    }
    ++k;
    b = e;
  }
}

}  // namespace somtile::detail
