#pragma once
// The map's grid: unit coordinates, grid distances and neighbour rings for rectangular and
// hexagonal lattices, optionally wrapped into a torus. Every neighbour query in somtile goes
// through `Grid::hops`, so the U-matrix, topographic error, tie-breaking and plots agree.
//
// Conventions (units are numbered row-major: unit = row * cols + col):
//   rectangular: unit (r, c) sits at (x, y) = (c, r); its ring k holds the 8k cells at
//                Chebyshev distance k.
//   hexagonal:   pointy-top "odd-r" layout: odd rows are shifted right by 1/2 and rows are
//                sqrt(3)/2 apart, so (x, y) = (c + 0.5 [r odd], r sqrt(3)/2) and all six
//                neighbours lie at Euclidean distance exactly 1; ring k holds 6k cells.
//   torus:       minimum-image distances with periods cols and rows (times sqrt(3)/2 for
//                hexagonal, which needs an even number of rows to tile).

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <vector>

namespace somtile {

/// The geometry of a map: rows x cols units, rectangular or hexagonal (pointy-top, odd rows
/// shifted right by 1/2), optionally a torus. Units are numbered row-major (unit = row * cols +
/// col); grid distances are planar, with all six hexagonal neighbours at distance 1.
class Grid {
 public:
  /// Distance between hexagonal rows, sqrt(3)/2.
  static constexpr double hex_row_spacing = 0.86602540378443864676;  // sqrt(3)/2

  Grid() = default;

  /// \throws ParameterError when rows or cols is not > 0, or a hexagonal torus has an odd number
  /// of rows.
  Grid(Index rows, Index cols, Topology topology = Topology::rectangular, bool torus = false)
      : rows_(rows), cols_(cols), topology_(topology), torus_(torus) {
    detail::check_positive("Grid", "rows", rows);
    detail::check_positive("Grid", "cols", cols);
    detail::require(rows <= std::numeric_limits<Index>::max() / cols, "Grid", "rows * cols (", rows, " * ", cols,
                    ") overflows the unit index");
    detail::require(!(torus && hexagonal() && rows % 2 != 0), "Grid",
                    "a hexagonal torus needs an even number of rows to tile, got rows = ", rows);
  }

  /// Number of rows.
  Index rows() const { return rows_; }
  /// Number of columns.
  Index cols() const { return cols_; }
  /// Number of units, rows * cols.
  Index size() const { return rows_ * cols_; }
  /// Rectangular or hexagonal.
  Topology topology() const { return topology_; }
  /// Whether rows and columns wrap around.
  bool torus() const { return torus_; }
  /// Whether the topology is hexagonal.
  bool hexagonal() const { return topology_ == Topology::hexagonal; }

  /// Flat index of the unit at (row, col).
  Index unit(Index row, Index col) const { return row * cols_ + col; }
  /// Row of a unit.
  Index row_of(Index unit) const { return unit / cols_; }
  /// Column of a unit.
  Index col_of(Index unit) const { return unit % cols_; }

  /// 2 x(unit), an integer: column offsets are exact in half-columns.
  Index twice_x(Index unit) const { return 2 * col_of(unit) + (hexagonal() ? (row_of(unit) & 1) : 0); }

  /// Planar position (x, y) of a unit: x along columns, y along rows.
  double x(Index unit) const {
    const Index r = row_of(unit);
    return double(col_of(unit)) + (hexagonal() && (r & 1) ? 0.5 : 0.0);
  }
  /// Planar y position of a unit (rows sqrt(3)/2 apart on a hexagonal grid).
  double y(Index unit) const { return double(row_of(unit)) * (hexagonal() ? hex_row_spacing : 1.0); }

  /// size() x 2 matrix of (x, y) positions.
  RowMatrix<double> positions() const {
    RowMatrix<double> p(size(), 2);
    for (Index u = 0; u < size(); ++u) p.row(u) << x(u), y(u);
    return p;
  }

  /// Offset between two units as (rows apart, half-columns apart), both >= 0, minimum image on
  /// a torus. Every planar distance derives from it, exactly: d^2 = (dx2/2)^2 + k dr^2 with
  /// k = 3/4 on a hexagonal grid and 1 otherwise.
  struct Offset {
    /// Rows apart.
    Index rows;
    /// Half-columns apart.
    Index half_cols;
  };
  /// The Offset between units a and b.
  Offset offset(Index a, Index b) const { return wrapped(row_of(a) - row_of(b), twice_x(a) - twice_x(b)); }
  /// The offset for signed row and half-column differences: absolute values, then the
  /// minimum image on a torus. The one place the wrap rule lives.
  Offset wrapped(Index row_diff, Index half_col_diff) const {
    Index dr = std::abs(row_diff), dx2 = std::abs(half_col_diff);
    if (torus_) {
      dr = std::min(dr, rows_ - dr);
      dx2 = std::min(dx2, 2 * cols_ - dx2);
    }
    return {dr, dx2};
  }
  /// Squared planar distance of an offset.
  double distance_sq(const Offset& o) const {
    const double dx = 0.5 * double(o.half_cols), dr = double(o.rows);
    return dx * dx + (hexagonal() ? 0.75 : 1.0) * dr * dr;
  }

  /// Squared Euclidean distance between two units in the plane (minimum image on a torus).
  double distance_sq(Index a, Index b) const { return distance_sq(offset(a, b)); }
  /// Euclidean distance between two units in the plane (minimum image on a torus).
  double distance(Index a, Index b) const { return std::sqrt(distance_sq(a, b)); }

  /// Lattice distance in steps: Chebyshev for rectangular, hex steps for hexagonal.
  Index hops(Index a, Index b) const {
    const Index ra = row_of(a), ca = col_of(a), rb = row_of(b), cb = col_of(b);
    if (!hexagonal()) {
      Index dr = std::abs(ra - rb), dc = std::abs(ca - cb);
      if (torus_) {
        dr = std::min(dr, rows_ - dr);
        dc = std::min(dc, cols_ - dc);
      }
      return std::max(dr, dc);
    }
    if (!torus_) return hex_steps(ra, ca, rb, cb);
    Index best = hex_steps(ra, ca, rb, cb);
    for (Index sr : {-rows_, Index(0), rows_})  // rows_ is even, so row parity is preserved
      for (Index sc : {-cols_, Index(0), cols_}) best = std::min(best, hex_steps(ra, ca, rb + sr, cb + sc));
    return best;
  }

  /// An upper bound on hops() between any two units (rings beyond it are empty).
  Index max_hops() const { return rows_ + cols_; }

  /// True when a and b are distinct direct neighbours (8 around a cell, 6 on a hex grid).
  bool adjacent(Index a, Index b) const { return a != b && hops(a, b) == 1; }

  /// The units exactly k steps away from `unit` (k >= 1), in increasing unit order.
  std::vector<Index> ring(Index unit, Index k) const {
    std::vector<Index> out;
    if (k > max_hops()) return out;  // empty, and a huge k would loop (and overflow) for nothing
    const Index r0 = row_of(unit), c0 = col_of(unit);
    for (Index dr = -k; dr <= k; ++dr) {
      for (Index dc = -k - 1; dc <= k + 1; ++dc) {
        Index r = r0 + dr, c = c0 + dc;
        if (torus_) {
          r = ((r % rows_) + rows_) % rows_;
          c = ((c % cols_) + cols_) % cols_;
        } else if (r < 0 || r >= rows_ || c < 0 || c >= cols_) {
          continue;
        }
        const Index v = this->unit(r, c);
        if (hops(unit, v) == k) out.push_back(v);
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  /// The units 1..order steps away, ring by ring (nearest ring first).
  std::vector<Index> neighbors(Index unit, Index order = 1) const {
    std::vector<Index> out;
    for (Index k = 1; k <= std::min(order, max_hops()); ++k) {
      const auto r = ring(unit, k);
      out.insert(out.end(), r.begin(), r.end());
    }
    return out;
  }

 private:
  // Hex steps between offset coordinates (odd-r), via axial/cube coordinates.
  static Index hex_steps(Index ra, Index ca, Index rb, Index cb) {
    const Index qa = ca - (ra - (ra & 1)) / 2, qb = cb - (rb - (rb & 1)) / 2;
    const Index dq = qa - qb, dr = ra - rb;
    return std::max({std::abs(dq), std::abs(dr), std::abs(dq + dr)});
  }

  Index rows_ = 1, cols_ = 1;
  Topology topology_ = Topology::rectangular;
  bool torus_ = false;
};

}  // namespace somtile
