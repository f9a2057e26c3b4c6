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
#include "somtile/online/detail/online_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

namespace somtile::detail {

/// A feature-major codebook as the steps read it: feature f's `units` values at data + f * stride.
template <typename Scalar>
struct CodebookRows {
  Scalar* data;
  Index stride;
  Index features;
  Index units;
  Scalar* row(Index f) const { return data + f * stride; }
};

/// The rows of a features x units matrix (stride: its column count).
template <typename Scalar>
CodebookRows<Scalar> codebook_rows(RowMatrix<Scalar>& Wt) {
  return {Wt.data(), Wt.cols(), Wt.rows(), Wt.cols()};
}

/// A working copy of a feature-major codebook whose rows start on 64-byte boundaries (each row
/// padded to a whole number of 64 bytes), for a training run: the kernels' full-width loads and
/// stores then stay within cache lines whatever alignment the build gives Eigen's heap (16 bytes
/// without AVX). The steps' values do not depend on where the rows are, so copying back gives
/// the bits that training in place gives.
template <typename Scalar>
class AlignedCodebook {
 public:
  explicit AlignedCodebook(const RowMatrix<Scalar>& Wt)
      : features_(Wt.rows()),
        units_(Wt.cols()),
        stride_((units_ + lanes - 1) / lanes * lanes),
        buffer_(std::size_t(features_ * stride_ + lanes)) {
    void* p = buffer_.data();
    std::size_t space = buffer_.size() * sizeof(Scalar);
    data_ = static_cast<Scalar*>(std::align(64, std::size_t(features_ * stride_) * sizeof(Scalar), p, space));
    for (Index f = 0; f < features_; ++f) std::copy_n(Wt.row(f).data(), units_, data_ + f * stride_);
  }
  AlignedCodebook(const AlignedCodebook&) = delete;
  AlignedCodebook& operator=(const AlignedCodebook&) = delete;

  CodebookRows<Scalar> rows() { return {data_, stride_, features_, units_}; }
  void copy_to(RowMatrix<Scalar>& Wt) const {
    for (Index f = 0; f < features_; ++f) std::copy_n(data_ + f * stride_, units_, Wt.row(f).data());
  }

 private:
  static constexpr Index lanes = Index(64 / sizeof(Scalar));
  Index features_, units_, stride_;
  std::vector<Scalar> buffer_;
  Scalar* data_ = nullptr;
};

/// Buffers of the online steps and their kernels (online/detail/online_kernels.hpp, the level
/// active_isa() names when the training call starts), allocated once per training call.
template <typename Scalar>
struct OnlineScratch {
  explicit OnlineScratch(const Grid& g)
      : kernels(online_kernels<Scalar>()),
        distances(std::size_t(g.size())),
        col_rate(std::size_t(g.cols())),
        unit_rate(std::size_t(g.size())),
        row_factor(std::size_t(g.rows())),
        offset_sq(std::max(g.rows(), g.cols()) + 1),
        gaussian(std::max(g.rows(), g.cols()) + 1) {
    for (Index d = 0; d < offset_sq.size(); ++d) offset_sq[d] = double(d) * double(d);
  }
  OnlineKernels<Scalar> kernels;
  std::vector<Scalar> distances;   ///< per unit: squared distance to the sample
  std::vector<Scalar> col_rate;    ///< per column: lr times the Gaussian's column factor
  std::vector<Scalar> unit_rate;   ///< per unit of the window (kernels other than the Gaussian): lr h
  std::vector<Scalar> row_factor;  ///< per row: the Gaussian's row factor
  Eigen::ArrayXd offset_sq;        ///< d^2 for grid offsets d = 0, 1, ...
  Eigen::ArrayXd gaussian;         ///< exp(-d^2 / 2 sigma^2) for the offsets of the current step
  std::vector<Scalar*> rows;       ///< per feature the step reads: its codebook row
  std::vector<Scalar> x;           ///< per feature the step reads: the sample's value

  /// Lists the features of a step: all of them, or (a sample with missing cells) `present`.
  StepFeatures<Scalar> features(const CodebookRows<Scalar>& W, const Scalar* sample,
                                const std::vector<Index>* present) {
    const Index F = present ? Index(present->size()) : W.features;
    rows.resize(std::size_t(F));
    x.resize(std::size_t(F));
    for (Index k = 0; k < F; ++k) {
      const Index f = present ? (*present)[std::size_t(k)] : k;
      rows[std::size_t(k)] = W.row(f);
      x[std::size_t(k)] = sample[f];
    }
    return {rows.data(), x.data(), F};
  }
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

/// The largest offset from `centre` in axis_window(n, centre, reach, wrap).
inline Index axis_reach(Index n, Index centre, Index reach, bool wrap) {
  return std::min(reach, wrap ? n / 2 : std::max(centre, n - 1 - centre));
}

/// Nearest unit to x (lowest unit on ties) in a feature-major codebook W (features x units),
/// over every feature or (a sample with missing cells) those listed in `present` (ascending, at
/// least one): the least sum of squared differences, added in the order of the features.
template <typename Scalar>
Index nearest_unit(const CodebookRows<Scalar>& W, const Scalar* x, OnlineScratch<Scalar>& s,
                   const std::vector<Index>* present = nullptr) {
  const Index units = W.units;
  const StepFeatures<Scalar> f = s.features(W, x, present);
  const Nearest<Scalar> nearest = s.kernels.nearest(f, units, s.distances.data());
  if (nearest.distance < std::numeric_limits<Scalar>::infinity()) return nearest.unit;
  // Every squared distance overflowed (|x - w| beyond ~1e19 in float): compare the distances
  // themselves, in double and scaled where needed, which stay finite. Ties: lowest unit.
  Eigen::VectorXd diff(f.count);
  double best = std::numeric_limits<double>::infinity();
  Index unit = 0;
  for (Index u = 0; u < units; ++u) {
    for (Index k = 0; k < f.count; ++k) diff[k] = double(f.rows[k][u]) - double(f.x[k]);
    const double d = robust_norm(diff);
    if (d < best) {
      best = d;
      unit = u;
    }
  }
  return unit;
}

/// nearest_unit for a sample with missing cells: over the features listed in `present`.
template <typename Scalar>
Index nearest_unit_masked(const CodebookRows<Scalar>& W, const Scalar* x, const std::vector<Index>& present,
                          OnlineScratch<Scalar>& s) {
  return nearest_unit(W, x, s, &present);
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
void online_update(const CodebookRows<Scalar>& W, const Grid& g, const Scalar* x, Index bmu, double lr, double sigma,
                   Neighborhood kind, double radius, OnlineScratch<Scalar>& s,
                   const std::vector<Index>* present = nullptr) {
  const StepFeatures<Scalar> f = s.features(W, x, present);
  const Index cols = g.cols(), br = g.row_of(bmu), bc = g.col_of(bmu);
  const Index reach = Index(std::min(std::floor(radius), double(std::max(g.rows(), cols))));
  const AxisWindow row_window = axis_window(g.rows(), br, reach, g.torus());
  const AxisWindow col_window = axis_window(cols, bc, reach, g.torus());
  // The Gaussian is separable: exp(-(dr^2 + dc^2) / 2s^2) = row factor * column factor, and
  // both factors are one function of the offset, so a step needs one exp per offset in the
  // window (vectorised: a scalar exp per row and column was a fifth of a step).
  const bool gaussian = kind == Neighborhood::gaussian;
  if (gaussian) {
    const double inv_two_s2 = 1.0 / (2.0 * sigma * sigma);
    const Index far = std::max(axis_reach(g.rows(), br, reach, g.torus()), axis_reach(cols, bc, reach, g.torus()));
    s.kernels.exp_scaled(s.offset_sq.data(), far + 1, -inv_two_s2, s.gaussian.data());
    for (int p = 0; p < col_window.parts; ++p)
      for (Index c = col_window.begin[p]; c < col_window.end[p]; ++c)
        s.col_rate[std::size_t(c)] = Scalar(lr * s.gaussian[axis_offset(cols, c, bc, g.torus())]);
    for (int p = 0; p < row_window.parts; ++p)
      for (Index r = row_window.begin[p]; r < row_window.end[p]; ++r)
        s.row_factor[std::size_t(r)] = Scalar(s.gaussian[axis_offset(g.rows(), r, br, g.torus())]);
  }
  WindowUpdate<Scalar> window{
      s.rows.data(),     f.x, f.count, cols, {}, {}, {}, {}, row_window.parts, col_window.parts, s.row_factor.data(),
      s.col_rate.data(), 0};
  for (int p = 0; p < 2; ++p) {
    window.row_begin[p] = row_window.begin[p];
    window.row_end[p] = row_window.end[p];
    window.col_begin[p] = col_window.begin[p];
    window.col_end[p] = col_window.end[p];
  }
  if (!gaussian) {  // a rate per unit (row factors of 1: 1 * rate is the rate, exactly)
    for (int rp = 0; rp < row_window.parts; ++rp)
      for (Index r = row_window.begin[rp]; r < row_window.end[rp]; ++r) {
        const double dr = double(axis_offset(g.rows(), r, br, g.torus()));
        s.row_factor[std::size_t(r)] = Scalar(1);
        for (int cp = 0; cp < col_window.parts; ++cp)
          for (Index c = col_window.begin[cp]; c < col_window.end[cp]; ++c) {
            const double dc = double(axis_offset(cols, c, bc, g.torus()));
            s.unit_rate[std::size_t(r * cols + c)] = Scalar(lr * neighborhood_weight(kind, dr * dr + dc * dc, sigma));
          }
      }
    window.rate = s.unit_rate.data();
    window.rate_stride = cols;
  }
  s.kernels.update(window);
}

/// online_update on a features x units matrix.
template <typename Scalar>
void online_update(RowMatrix<Scalar>& Wt, const Grid& g, const Scalar* x, Index bmu, double lr, double sigma,
                   Neighborhood kind, double radius, OnlineScratch<Scalar>& s,
                   const std::vector<Index>* present = nullptr) {
  online_update(codebook_rows(Wt), g, x, bmu, lr, sigma, kind, radius, s, present);
}

}  // namespace somtile::detail
