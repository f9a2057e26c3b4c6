#pragma once
// Per-unit sums of the samples a BMU pass assigned to each unit: the statistics every batch
// update (classic batch SOM, growing SOM, distributed training) is built from.
// Samples are grouped by unit with a stable counting sort and each unit sums its own samples
// in sample order, so the result is bit-identical for any number of threads.

#include "somtile/core/types.hpp"
#include "somtile/grid/neighborhood.hpp"
#include "somtile/kernels/parallel.hpp"

#include <algorithm>
#include <vector>

namespace somtile {

template <typename Scalar>
struct UnitSums {
  RowMatrix<Scalar> sums;  ///< units x features: sum of the samples whose BMU is the unit
  Vector<Scalar> counts;   ///< units: number of such samples
};

/// Sums and counts of X's rows grouped by `bmu` (values in [0, n_units)).
template <typename Scalar>
UnitSums<Scalar> unit_sums(ConstRowRef<Scalar> X, const Labels& bmu, Index n_units,
                           int n_threads = 0) {
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
  detail::parallel_for_chunks(n_units, 64, n_threads, [&](Index first, Index last) {
    for (Index u = first; u < last; ++u) {
      const Index b = start[std::size_t(u)], e = start[std::size_t(u + 1)];
      for (Index k = b; k < e; ++k) out.sums.row(u) += X.row(order[std::size_t(k)]);
      out.counts[u] = Scalar(e - b);
    }
  }, double(n) * double(X.cols()) / double(std::max<Index>(n_units, 1)));
  return out;
}

/// Neighbourhood-weighted unit statistics, the core of every batch-style update:
///   numerator(n)   = sum_u h(u, n) sums(u)     (units x features)
///   denominator(n) = sum_u h(u, n) counts(u)
template <typename Scalar>
struct SmoothedSums {
  RowMatrix<Scalar> numerator;
  Vector<Scalar> denominator;
};

namespace detail {

// Any kernel: GEMMs of (block of target units) x (units that won samples), so memory is
// O(block x active) and units without samples cost nothing.
template <typename Scalar>
SmoothedSums<Scalar> smooth_dense(const NeighborhoodTable& h, const UnitSums<Scalar>& s, int n_threads) {
  std::vector<Index> active;
  for (Index u = 0; u < s.counts.size(); ++u)
    if (s.counts[u] != Scalar(0)) active.push_back(u);
  const Index n_units = h.grid().size(), n_active = Index(active.size()), F = s.sums.cols();
  RowMatrix<Scalar> sums(n_active, F);
  Vector<Scalar> counts(n_active);
  for (Index k = 0; k < n_active; ++k) {
    sums.row(k) = s.sums.row(active[std::size_t(k)]);
    counts[k] = s.counts[active[std::size_t(k)]];
  }
  SmoothedSums<Scalar> out{RowMatrix<Scalar>(n_units, F), Vector<Scalar>(n_units)};
  const Index block = std::clamp<Index>((Index(1) << 18) / std::max<Index>(n_active, 1), 16, 512);
  parallel_for_chunks(n_units, block, n_threads, [&](Index first, Index last) {
    RowMatrix<Scalar> H(last - first, n_active);
    for (Index n = first; n < last; ++n)
      for (Index k = 0; k < n_active; ++k) H(n - first, k) = Scalar(h(active[std::size_t(k)], n));
    out.numerator.middleRows(first, last - first).noalias() = H * sums;
    out.denominator.segment(first, last - first).noalias() = H * counts;
  }, double(n_active) * double(F + 1));
  return out;
}

// Gaussian: h = g_rows(dr) g_cols(dx2) factorises, so smoothing is a pass along each row of the
// grid and then one along each column: O(units (rows + cols) features) instead of
// O(units^2 features). On a hexagonal grid the half-column shift depends on the parities of
// the source and target rows, so the row pass is done once per target-row parity.
template <typename Scalar>
SmoothedSums<Scalar> smooth_separable(const NeighborhoodTable& h, const UnitSums<Scalar>& s,
                                      int n_threads) {
  const Grid& g = h.grid();
  const Index R = g.rows(), C = g.cols(), F = s.sums.cols(), W = F + 1;
  const Index parities = g.hexagonal() ? 2 : 1;
  // G = [sums | counts], one row per unit.
  RowMatrix<Scalar> G(g.size(), W);
  G.leftCols(F) = s.sums;
  G.col(F) = s.counts;
  // Kx[q][p](c, c') = g_cols(|(2c + q) - (2c' + p)|) for target parity q, source parity p.
  auto col_kernel = [&](Index q, Index p) {
    RowMatrix<Scalar> K(C, C);
    for (Index c = 0; c < C; ++c)
      for (Index c2 = 0; c2 < C; ++c2) {
        K(c, c2) = Scalar(h.col_factor(g.wrapped(0, (2 * c + q) - (2 * c2 + p)).half_cols));
      }
    return K;
  };
  RowMatrix<Scalar> Ky(R, R);
  for (Index r = 0; r < R; ++r)
    for (Index r2 = 0; r2 < R; ++r2) {
      Ky(r, r2) = Scalar(h.row_factor(g.wrapped(r - r2, 0).rows));
    }
  SmoothedSums<Scalar> out{RowMatrix<Scalar>(g.size(), F), Vector<Scalar>(g.size())};
  for (Index q = 0; q < parities; ++q) {
    const RowMatrix<Scalar> K_even = col_kernel(q, 0), K_odd = parities == 2 ? col_kernel(q, 1) : K_even;
    RowMatrix<Scalar> T(g.size(), W);  // along rows: T_r' = Kx[q][parity(r')] G_r'
    parallel_for(R, n_threads, [&](Index r2) {
      T.middleRows(r2 * C, C).noalias() = ((r2 & 1) ? K_odd : K_even) * G.middleRows(r2 * C, C);
    }, double(C * C * W));
    // Along columns: rows of the grid as rows of an R x (C W) matrix.
    const Eigen::Map<const RowMatrix<Scalar>> Tr(T.data(), R, C * W);
    RowMatrix<Scalar> Out(R, C * W);
    parallel_for_chunks(C * W, 256, n_threads, [&](Index first, Index last) {
      Out.middleCols(first, last - first).noalias() = Ky * Tr.middleCols(first, last - first);
    }, double(R * R));
    for (Index r = 0; r < R; ++r) {
      if (parities == 2 && (r & 1) != q) continue;
      const Eigen::Map<const RowMatrix<Scalar>> row(Out.data() + r * C * W, C, W);
      out.numerator.middleRows(r * C, C) = row.leftCols(F);
      out.denominator.segment(r * C, C) = row.col(F);
    }
  }
  return out;
}

}  // namespace detail

/// Smooths per-unit sums with the kernel table h (separable fast path for the Gaussian).
template <typename Scalar>
SmoothedSums<Scalar> smooth_unit_sums(const NeighborhoodTable& h, const UnitSums<Scalar>& s,
                                      int n_threads = 0) {
  return h.separable() ? detail::smooth_separable(h, s, n_threads) : detail::smooth_dense(h, s, n_threads);
}

}  // namespace somtile
