#pragma once
// Neighbourhood kernels h(d; sigma) over the grid distance d between a unit and the BMU.
// All equal 1 at d = 0.
//   gaussian     exp(-d^2 / (2 sigma^2))
//   mexican_hat  (1 - d^2 / sigma^2) exp(-d^2 / (2 sigma^2))   (Ricker wavelet; negative past sigma)
//   bubble       1 if d <= sigma, else 0
//   triangle     max(0, 1 - d / sigma)

#include "somtile/core/types.hpp"
#include "somtile/grid/grid.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace somtile {

/// Kernel value from the squared grid distance (what the hot loops have at hand).
inline double neighborhood_weight(Neighborhood kind, double distance_sq, double sigma) {
  const double s2 = sigma * sigma;
  switch (kind) {
    case Neighborhood::gaussian:
      return std::exp(-distance_sq / (2.0 * s2));
    case Neighborhood::mexican_hat:
      return (1.0 - distance_sq / s2) * std::exp(-distance_sq / (2.0 * s2));
    case Neighborhood::bubble:
      return distance_sq <= s2 ? 1.0 : 0.0;
    case Neighborhood::triangle:
      return std::max(0.0, 1.0 - std::sqrt(distance_sq) / sigma);
  }
  return 0.0;
}

/// Grid distance beyond which |h| < epsilon: units farther away may be skipped.
inline double neighborhood_radius(Neighborhood kind, double sigma, double epsilon = 1e-6) {
  switch (kind) {
    case Neighborhood::gaussian:
      return sigma * std::sqrt(2.0 * std::log(1.0 / epsilon));
    case Neighborhood::mexican_hat: {
      // |h| = (u - 1) e^{-u/2} with u = d^2/sigma^2 decreases for u > 3; step out until small.
      double u = 3.0;
      while ((u - 1.0) * std::exp(-u / 2.0) >= epsilon) u += 0.25;
      return sigma * std::sqrt(u);
    }
    case Neighborhood::bubble:
    case Neighborhood::triangle:
      return sigma;
  }
  return sigma;
}

/// The kernel on a grid as a lookup table over unit offsets: a grid distance depends only on
/// the row offset and the (half-unit) column offset, so one table of rows x (2 cols + 1)
/// values replaces an exp() per unit pair. Torus offsets use the minimum image.
class NeighborhoodTable {
 public:
  /// The table of `kind` at width `sigma` on `grid`.
  NeighborhoodTable(const Grid& grid, Neighborhood kind, double sigma)
      : grid_(grid),
        kind_(kind),
        sigma_(sigma),
        width_(2 * grid.cols() + 1),
        values_(std::size_t(grid.rows() * width_)) {
    for (Index dr = 0; dr < grid.rows(); ++dr)
      for (Index dx2 = 0; dx2 < width_; ++dx2)
        values_[std::size_t(dr * width_ + dx2)] =
            neighborhood_weight(kind, grid.distance_sq(Grid::Offset{dr, dx2}), sigma);
    // Each unit's (row, twice its x): offsets then need no division in the hot loops.
    row_.resize(std::size_t(grid.size()));
    twice_x_.resize(std::size_t(grid.size()));
    for (Index u = 0; u < grid.size(); ++u) {
      row_[std::size_t(u)] = grid.row_of(u);
      twice_x_[std::size_t(u)] = grid.twice_x(u);
    }
  }

  /// h between units a and b (same value as neighborhood_weight on grid.distance_sq(a, b)).
  double operator()(Index a, Index b) const {
    const Grid::Offset o =
        grid_.wrapped(row_[std::size_t(a)] - row_[std::size_t(b)], twice_x_[std::size_t(a)] - twice_x_[std::size_t(b)]);
    return values_[std::size_t(o.rows * width_ + o.half_cols)];
  }

  /// The grid the table was built for.
  const Grid& grid() const { return grid_; }

  /// True when h(dr, dx2) = row_factor(dr) * col_factor(dx2) (the Gaussian).
  bool separable() const { return kind_ == Neighborhood::gaussian; }
  /// The kernel's factor for `dr` rows apart (separable kernels).
  double row_factor(Index dr) const {
    return neighborhood_weight(kind_, grid_.distance_sq(Grid::Offset{dr, 0}), sigma_);
  }
  /// The kernel's factor for `dx2` half-columns apart (separable kernels).
  double col_factor(Index dx2) const {
    return neighborhood_weight(kind_, grid_.distance_sq(Grid::Offset{0, dx2}), sigma_);
  }

 private:
  Grid grid_;
  Neighborhood kind_;
  double sigma_;
  Index width_;
  std::vector<double> values_;
  std::vector<Index> row_, twice_x_;
};

}  // namespace somtile
