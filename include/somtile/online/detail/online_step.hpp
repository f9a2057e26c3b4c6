#pragma once
// One step of the online trainer (online/online_som.hpp), on a feature-major codebook Wt
// (features x units): the nearest unit to a sample (complete or with missing cells) and the
// update of the units in the kernel's window around it, plus the per-feature range the
// initial lattice is drawn in. Shared by the dense and the sparse trainer
// (online/detail/sparse_online_som.hpp).

#include "somtile/core/detail/nan_range.hpp"
#include "somtile/core/types.hpp"
#include "somtile/grid/grid.hpp"
#include "somtile/grid/neighborhood.hpp"
#include "somtile/kernels/bmu.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <utility>
#include <vector>

namespace somtile::detail {

/// Buffers of the online steps, allocated once per training call.
template <typename Scalar>
struct OnlineScratch {
  using Row = Eigen::Array<Scalar, 1, Eigen::Dynamic>;
  explicit OnlineScratch(const Grid& g)
      : distances(g.size()),
        col_rate(g.cols()),
        col_offset_sq(g.cols()),
        unit_rate(g.cols()),
        row_factor(g.rows()),
        row_offset_sq(g.rows()) {}
  Row distances;                                          ///< per unit: squared distance to the sample
  Row col_rate;                                           ///< per column: lr times the Gaussian's column factor
  Eigen::Array<double, 1, Eigen::Dynamic> col_offset_sq;  ///< per column: squared offset from the BMU
  Row unit_rate;                                          ///< per column of the current row: lr h
  Row row_factor;                                         ///< per row: the Gaussian's row factor
  Eigen::Array<double, 1, Eigen::Dynamic> row_offset_sq;  ///< per row: squared offset from the BMU
};

/// Up to two contiguous index ranges [begin, end) of one grid axis (two when a torus window wraps).
struct AxisWindow {
  Index begin[2] = {0, 0};
  Index end[2] = {0, 0};
  int parts = 0;
};

/// The indices within `reach` of `centre` on an axis of length n, each listed once.
inline AxisWindow axis_window(Index n, Index centre, Index reach, bool wrap) {
  AxisWindow w;
  auto add = [&w](Index b, Index e) {
    w.begin[w.parts] = b;
    w.end[w.parts] = e;
    ++w.parts;
  };
  if (!wrap) {
    add(std::max<Index>(0, centre - reach), std::min(n, centre + reach + 1));
  } else if (2 * reach + 1 >= n) {
    add(0, n);
  } else {
    const Index lo = centre - reach, hi = centre + reach + 1;  // sticks out on one side at most
    if (lo < 0) {
      add(0, hi);
      add(lo + n, n);
    } else if (hi > n) {
      add(lo, n);
      add(0, hi - n);
    } else {
      add(lo, hi);
    }
  }
  return w;
}

/// Steps between a and b on an axis of length n (minimum image when it wraps).
inline Index axis_offset(Index n, Index a, Index b, bool wrap) {
  const Index d = std::abs(a - b);
  return wrap ? std::min(d, n - d) : d;
}

template <typename Scalar>
using ConstRowMap = Eigen::Map<const Eigen::Array<Scalar, 1, Eigen::Dynamic>>;
template <typename Scalar>
using RowMap = Eigen::Map<Eigen::Array<Scalar, 1, Eigen::Dynamic>>;

/// Nearest unit to x (lowest unit on ties) in a feature-major codebook Wt (features x units):
/// each feature is one contiguous pass over the units, which vectorises for any feature count.
/// Units go in chunks that stay in L1 while all features add up and the chunk's minimum is
/// taken; only the winning chunk is searched again for the index.
template <typename Scalar>
Index nearest_unit(const RowMatrix<Scalar>& Wt, const Scalar* x, OnlineScratch<Scalar>& s) {
  constexpr Index chunk = 512;
  const Index units = Wt.cols();
  Scalar best = std::numeric_limits<Scalar>::infinity();
  Index best_chunk = 0;
  for (Index b = 0; b < units; b += chunk) {
    const Index n = std::min(chunk, units - b);
    auto d = s.distances.segment(b, n);
    auto term = [&](Index f) { return (ConstRowMap<Scalar>(Wt.data() + f * units + b, n) - x[f]).square(); };
    // Features three at a time: fewer passes over d, same order of additions.
    const Index F = Wt.rows();
    Index f = 1;
    if (F >= 3) {
      d = term(0) + term(1) + term(2);
      f = 3;
    } else {
      d = term(0);
    }
    for (; f + 1 < F; f += 2) d = d + term(f) + term(f + 1);
    for (; f < F; ++f) d += term(f);
    const Scalar m = d.minCoeff();
    if (m < best) {
      best = m;
      best_chunk = b;
    }
  }
  if (!(best < std::numeric_limits<Scalar>::infinity())) {
    // Every squared distance overflowed (|x - w| beyond ~1e19 in float): compare the distances
    // themselves, in double and scaled where needed, which stay finite. Ties: lowest unit.
    const Eigen::Map<const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>> xv(x, Wt.rows());
    double nearest = std::numeric_limits<double>::infinity();
    Index unit = 0;
    for (Index u = 0; u < units; ++u) {
      const double d = robust_norm(Wt.col(u).template cast<double>() - xv.template cast<double>());
      if (d < nearest) {
        nearest = d;
        unit = u;
      }
    }
    return unit;
  }
  const Scalar* d = s.distances.data();
  return Index(std::find(d + best_chunk, d + units, best) - d);
}

/// nearest_unit for a sample with missing cells: the least sum of squared differences over
/// the features listed in `present` (ascending, at least one), added in that order; lowest
/// unit on ties.
template <typename Scalar>
Index nearest_unit_masked(const RowMatrix<Scalar>& Wt, const Scalar* x, const std::vector<Index>& present,
                          OnlineScratch<Scalar>& s) {
  constexpr Index chunk = 512;
  const Index units = Wt.cols();
  Scalar best = std::numeric_limits<Scalar>::infinity();
  Index best_chunk = 0;
  for (Index b = 0; b < units; b += chunk) {
    const Index n = std::min(chunk, units - b);
    auto d = s.distances.segment(b, n);
    auto term = [&](Index f) { return (ConstRowMap<Scalar>(Wt.data() + f * units + b, n) - x[f]).square(); };
    d = term(present[0]);
    for (std::size_t k = 1; k < present.size(); ++k) d += term(present[k]);
    const Scalar m = d.minCoeff();
    if (m < best) {
      best = m;
      best_chunk = b;
    }
  }
  if (!(best < std::numeric_limits<Scalar>::infinity())) {  // squares overflowed: as nearest_unit
    Eigen::VectorXd diff(Index(present.size()));
    double nearest = std::numeric_limits<double>::infinity();
    Index unit = 0;
    for (Index u = 0; u < units; ++u) {
      for (std::size_t k = 0; k < present.size(); ++k)
        diff[Index(k)] = double(Wt(present[k], u)) - double(x[present[k]]);
      const double d = robust_norm(diff);
      if (d < nearest) {
        nearest = d;
        unit = u;
      }
    }
    return unit;
  }
  const Scalar* d = s.distances.data();
  return Index(std::find(d + best_chunk, d + units, best) - d);
}

/// Per column of X, the least and greatest value that is not NaN (both 0 for a column without one).
template <typename Scalar>
std::pair<Vector<Scalar>, Vector<Scalar>> present_range(const RowMatrix<Scalar>& X) {
  auto range = nan_column_range(X);
  for (Index j = 0; j < X.cols(); ++j)
    if (range.first[j] > range.second[j]) range.first[j] = range.second[j] = Scalar(0);
  return range;
}

/// One online step on a feature-major codebook: w_u += lr h(d(bmu, u); sigma) (x - w_u) for
/// the units at most `radius` grid steps from the BMU along rows and along columns. `present`,
/// when given, lists the features to move (a sample with missing cells); else all move.
template <typename Scalar>
void online_update(RowMatrix<Scalar>& Wt, const Grid& g, const Scalar* x, Index bmu, double lr, double sigma,
                   Neighborhood kind, double radius, OnlineScratch<Scalar>& s,
                   const std::vector<Index>* present = nullptr) {
  // Every feature, or (a sample with missing cells) the listed ones: two plain loops, so the
  // complete-data loop is the one it always was.
  const auto each_feature = [&Wt, present](auto&& step) {
    if (present) {
      for (Index f : *present) step(f);
    } else {
      for (Index f = 0; f < Wt.rows(); ++f) step(f);
    }
  };
  const Index cols = g.cols(), units = g.size(), br = g.row_of(bmu), bc = g.col_of(bmu);
  const Index reach = Index(std::min(std::floor(radius), double(std::max(g.rows(), cols))));
  const AxisWindow row_window = axis_window(g.rows(), br, reach, g.torus());
  const AxisWindow col_window = axis_window(cols, bc, reach, g.torus());
  // The Gaussian is separable: exp(-(dr^2 + dc^2) / 2s^2) = row factor * column factor, so a
  // step needs one exp per window row and column instead of one per unit (vectorised: a
  // scalar exp per row and column was a fifth of a step).
  const bool gaussian = kind == Neighborhood::gaussian;
  const double inv_two_s2 = 1.0 / (2.0 * sigma * sigma);
  for (int p = 0; p < col_window.parts; ++p) {
    const Index b = col_window.begin[p], len = col_window.end[p] - b;
    for (Index c = b; c < b + len; ++c) {
      const double dc = double(axis_offset(cols, c, bc, g.torus()));
      s.col_offset_sq[c] = dc * dc;
    }
    if (gaussian)
      s.col_rate.segment(b, len) = (lr * (s.col_offset_sq.segment(b, len) * -inv_two_s2).exp()).template cast<Scalar>();
  }
  for (int p = 0; p < row_window.parts; ++p) {
    const Index b = row_window.begin[p], len = row_window.end[p] - b;
    for (Index r = b; r < b + len; ++r) {
      const double dr = double(axis_offset(g.rows(), r, br, g.torus()));
      s.row_offset_sq[r] = dr * dr;
    }
    if (gaussian)
      s.row_factor.segment(b, len) = (s.row_offset_sq.segment(b, len) * -inv_two_s2).exp().template cast<Scalar>();
  }
  for (int rp = 0; rp < row_window.parts; ++rp) {
    for (Index r = row_window.begin[rp]; r < row_window.end[rp]; ++r) {
      const double dr2 = s.row_offset_sq[r];
      const Scalar row_factor = gaussian ? s.row_factor[r] : Scalar(0);
      for (int cp = 0; cp < col_window.parts; ++cp) {
        const Index b = col_window.begin[cp], len = col_window.end[cp] - b;
        if (gaussian) {  // the rate is formed inside the update: no extra pass
          const auto col_rate = s.col_rate.segment(b, len);
          each_feature([&](Index f) {
            RowMap<Scalar> w(Wt.data() + f * units + r * cols + b, len);
            w += (row_factor * col_rate) * (x[f] - w);
          });
        } else {
          auto rate = s.unit_rate.segment(b, len);
          for (Index c = b; c < b + len; ++c)
            rate[c - b] = Scalar(lr * neighborhood_weight(kind, dr2 + s.col_offset_sq[c], sigma));
          each_feature([&](Index f) {
            RowMap<Scalar> w(Wt.data() + f * units + r * cols + b, len);
            w += rate * (x[f] - w);
          });
        }
      }
    }
  }
}

}  // namespace somtile::detail
