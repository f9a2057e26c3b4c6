#pragma once
// Distances on data with missing values (NaN cells; Missing::mask), in one place: MaskedRow
// (a row prepared once, then its distance to many units), masked_distance (one row to one
// complete unit) and masked_pair_distance (two rows that may both miss cells).
//
// A row's distance to a unit uses its present features only. With P the present features of
// x, p = |P| and F the number of features:
//   euclidean  sqrt((F / p) * sum_P (x_j - w_j)^2)
//   manhattan  (F / p) * sum_P |x_j - w_j|
//   chebyshev  max_P |x_j - w_j|
//   cosine     1 - x_P.w_P / (|x_P| |w_P|)   (1 where a norm is 0, as for complete rows)
// The factor F / p is R kohonen's choice: it keeps the errors of incomplete rows on the scale
// of complete ones (the SOM Toolbox sums without it). It does not change which unit is the BMU.
// For a complete row the masked distance is distance() (kernels/bmu.hpp), bit for bit.
// The search over a codebook is find_bmus(..., Missing) (kernels/bmu.hpp, kernels/detail/masked_bmu.hpp).

#include "somtile/core/types.hpp"
#include "somtile/kernels/detail/bmu_search.hpp"  // pair_distance, robust_norm

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace somtile::detail {

/// A row with NaN cells prepared for masked distances: its values with 0 in the missing
/// cells (x0), its mask (1 present, 0 missing), the scale F / p and |x_P|. Every loop over the
/// features is then a plain product with the mask that vectorises, with no gather.
template <typename Scalar>
struct MaskedRow {
  Vector<Scalar> x0, mask;
  std::vector<Index> present_features;  ///< the j with x_j present, ascending
  Index present = 0;
  Scalar scale = Scalar(1);  ///< F / p
  Scalar norm = Scalar(0);   ///< |x_P|, for cosine

  template <typename Row>
  void set(const Row& x) {
    const Index F = x.size();
    x0.resize(F);
    mask.resize(F);
    present = 0;
    present_features.clear();
    for (Index j = 0; j < F; ++j) {
      const bool here = !std::isnan(x[j]);
      x0[j] = here ? Scalar(x[j]) : Scalar(0);
      mask[j] = here ? Scalar(1) : Scalar(0);
      present += here ? 1 : 0;
      if (here) present_features.push_back(j);
    }
    scale = present > 0 ? Scalar(F) / Scalar(present) : Scalar(1);
    norm = robust_norm(x0);
  }

  /// The masked distance to w (see the top of this file); present > 0.
  template <typename RowB>
  Scalar distance(Distance metric, const RowB& w) const {
    const Index F = x0.size();
    const Scalar* xs = x0.data();
    const Scalar* ms = mask.data();
    switch (metric) {
      case Distance::euclidean: {
        Scalar s = Scalar(0);
        for (Index j = 0; j < F; ++j) {
          const Scalar d = ms[j] * (xs[j] - Scalar(w[j]));
          s += d * d;
        }
        if (std::isfinite(s)) return std::sqrt(scale * s);
        // The squares overflowed: scale by the largest difference first.
        Scalar top = Scalar(0);
        for (Index j = 0; j < F; ++j) top = std::max(top, ms[j] * std::abs(xs[j] - Scalar(w[j])));
        if (!std::isfinite(top)) return top;
        s = Scalar(0);
        for (Index j = 0; j < F; ++j) {
          const Scalar d = ms[j] * (xs[j] - Scalar(w[j])) / top;
          s += d * d;
        }
        return top * std::sqrt(scale * s);
      }
      case Distance::manhattan: {
        Scalar s = Scalar(0);
        for (Index j = 0; j < F; ++j) s += ms[j] * std::abs(xs[j] - Scalar(w[j]));
        return scale * s;
      }
      case Distance::chebyshev: {
        Scalar s = Scalar(0);
        for (Index j = 0; j < F; ++j) s = std::max(s, ms[j] * std::abs(xs[j] - Scalar(w[j])));
        return s;
      }
      case Distance::cosine: {
        Scalar dot = Scalar(0), ww = Scalar(0);
        for (Index j = 0; j < F; ++j) {
          const Scalar wj = ms[j] * Scalar(w[j]);
          dot += xs[j] * wj;
          ww += wj * wj;
        }
        Scalar nw = std::sqrt(ww);
        if (!std::isfinite(nw)) {  // the squares overflowed
          Vector<Scalar> wp(F);
          for (Index j = 0; j < F; ++j) wp[j] = ms[j] * Scalar(w[j]);
          nw = robust_norm(wp);
        }
        if (norm == Scalar(0) || nw == Scalar(0)) return Scalar(1);
        Scalar cosine = dot / (norm * nw);
        if (!std::isfinite(cosine)) {  // the product overflowed
          cosine = Scalar(0);
          for (Index j = 0; j < F; ++j) cosine += (xs[j] / norm) * (ms[j] * Scalar(w[j]) / nw);
        }
        return std::clamp(Scalar(1) - cosine, Scalar(0), Scalar(2));
      }
    }
    return Scalar(0);
  }

  /// distance(metric, W.row(u)) for every unit u into d (W.rows() values), the same bits, from
  /// Wt = W transposed: the loops run along the units (contiguous in Wt, independent sums that
  /// vectorise) over the present features only. `scratch`: W.rows() values (cosine).
  void distances(Distance metric, ConstRowRef<Scalar> W, const RowMatrix<Scalar>& Wt, Scalar* d,
                 Scalar* scratch) const {
    const Index U = Wt.cols();
    std::fill(d, d + U, Scalar(0));
    if (metric == Distance::cosine) std::fill(scratch, scratch + U, Scalar(0));
    // Skipping the missing features skips additions of +0 (and max with 0): no bit changes.
    for (const Index j : present_features) {
      const Scalar xj = x0[j];
      const Scalar* w = Wt.row(j).data();
      switch (metric) {
        case Distance::euclidean:
          for (Index u = 0; u < U; ++u) {
            const Scalar t = xj - w[u];
            d[u] += t * t;
          }
          break;
        case Distance::manhattan:
          for (Index u = 0; u < U; ++u) d[u] += std::abs(xj - w[u]);
          break;
        case Distance::chebyshev:
          for (Index u = 0; u < U; ++u) d[u] = std::max(d[u], std::abs(xj - w[u]));
          break;
        case Distance::cosine:
          for (Index u = 0; u < U; ++u) {
            d[u] += xj * w[u];
            scratch[u] += w[u] * w[u];
          }
          break;
      }
    }
    if (metric == Distance::euclidean) {
      for (Index u = 0; u < U; ++u) d[u] = std::sqrt(scale * d[u]);  // branch-free: vectorises
      for (Index u = 0; u < U; ++u)
        if (!std::isfinite(d[u])) d[u] = distance(metric, W.row(u));  // the squares overflowed
      return;
    }
    if (metric == Distance::manhattan) {
      for (Index u = 0; u < U; ++u) d[u] *= scale;
      return;
    }
    for (Index u = 0; u < U; ++u) {
      switch (metric) {
        case Distance::euclidean:
        case Distance::manhattan:
        case Distance::chebyshev:
          break;
        case Distance::cosine: {
          const Scalar nw = std::sqrt(scratch[u]);
          const Scalar cosine = d[u] / (norm * nw);
          if (!std::isfinite(nw) || !std::isfinite(cosine) || norm == Scalar(0) || nw == Scalar(0))
            d[u] = distance(metric, W.row(u));  // zero norms and overflows: the reference path
          else
            d[u] = std::clamp(Scalar(1) - cosine, Scalar(0), Scalar(2));
          break;
        }
      }
    }
  }
};

/// Distance between x, whose NaN cells are missing, and w (complete), over the present
/// features of x (definition at the top of this file). Equals distance() for a complete x.
/// x must have at least one present feature.
template <typename Scalar, typename RowA, typename RowB>
Scalar masked_distance(Distance metric, const RowA& x, const RowB& w) {
  if (!x.hasNaN()) return pair_distance<Scalar>(metric, x, w);
  MaskedRow<Scalar> m;
  m.set(x);
  return m.distance(metric, w);
}

/// Masked distance (top of this file) between two rows that may both hold NaN cells,
/// over the features present in both (F / p scaling with p their number); +inf when there are
/// none.
template <typename Scalar, typename RowA, typename RowB>
double masked_pair_distance(Distance metric, const RowA& a, const RowB& b) {
  const Index F = a.size();
  Vector<Scalar> x(F), w(F);
  Index p = 0;
  for (Index j = 0; j < F; ++j)
    if (!std::isnan(a[j]) && !std::isnan(b[j])) {
      x[p] = a[j];
      w[p] = b[j];
      ++p;
    }
  if (p == 0) return std::numeric_limits<double>::infinity();
  const double d = double(pair_distance<Scalar>(metric, x.head(p), w.head(p))), scale = double(F) / double(p);
  if (metric == Distance::euclidean) return d * std::sqrt(scale);
  if (metric == Distance::manhattan) return d * scale;
  return d;
}

}  // namespace somtile::detail
