#pragma once
// Where the units of a grid go on the page (squares, or pointy-top hexagons with odd rows
// shifted right as in Grid; row 0 on top), and the cells and row/column indices drawn there.

#include "somtile/core/types.hpp"
#include "somtile/grid/grid.hpp"
#include "somtile/viz/colormap.hpp"
#include "somtile/viz/detail/empty_fill.hpp"
#include "somtile/viz/detail/text.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace somtile::detail {

constexpr double plot_inv_sqrt3 = 0.57735026918962576451;  // hexagon circumradius of unit width

/// Where the units of a grid go on the page, `cell` px per unit, top-left corner at (x0, y0).
struct MapGeometry {
  const Grid* grid;
  double cell, x0, y0;

  bool hex() const { return grid->hexagonal(); }
  /// Extent in units: hexagons of unit width stick out by half a unit on odd rows.
  double width_units() const { return double(grid->cols()) + (hex() && grid->rows() > 1 ? 0.5 : 0.0); }
  double height_units() const {
    return hex() ? double(grid->rows() - 1) * Grid::hex_row_spacing + 2 * plot_inv_sqrt3 : double(grid->rows());
  }
  double width() const { return width_units() * cell; }
  double height() const { return height_units() * cell; }
  Point centre(Index unit) const {
    if (!hex()) return {x0 + (double(grid->col_of(unit)) + 0.5) * cell, y0 + (double(grid->row_of(unit)) + 0.5) * cell};
    return {x0 + (grid->x(unit) + 0.5) * cell, y0 + (grid->y(unit) + plot_inv_sqrt3) * cell};
  }
  std::vector<Point> outline(Index unit) const {
    const Point c = centre(unit);
    if (!hex()) {
      const double h = cell / 2;
      return {{c.x - h, c.y - h}, {c.x + h, c.y - h}, {c.x + h, c.y + h}, {c.x - h, c.y + h}};
    }
    const double R = plot_inv_sqrt3 * cell, w = cell / 2;  // pointy top: vertices up and down
    return {{c.x, c.y - R}, {c.x + w, c.y - R / 2}, {c.x + w, c.y + R / 2},
            {c.x, c.y + R}, {c.x - w, c.y + R / 2}, {c.x - w, c.y - R / 2}};
  }
};

inline double auto_cell_size(const Grid& g, double requested, double target_px) {
  if (requested > 0) return requested;
  MapGeometry unit_map{&g, 1.0, 0, 0};
  const double extent = std::max(unit_map.width_units(), unit_map.height_units());
  return std::clamp(std::floor(target_px / extent), 4.0, 40.0);
}

/// Draws every unit as a polygon of class "cell"; `fill(unit)` gives its fill ("" = empty).
template <typename Fill>
void draw_cells(SvgCanvas& svg, const MapGeometry& m, Fill fill) {
  const bool borders = m.cell >= 10;  // thin white borders separate large cells; small ones would drown
  svg.begin_group({}, "cells");
  for (Index u = 0; u < m.grid->size(); ++u) {
    std::string f = fill(u);
    Style s;
    s.css_class = "cell";
    if (f.empty()) {
      s.fill = empty_fill(svg);
      s.stroke = viz::colors::empty_hatch;
      s.stroke_width = 0.8;
      s.css_class = "cell empty";
    } else {
      s.fill = f;
      s.stroke = borders ? "#ffffff" : f;  // same-colour stroke hides anti-aliasing seams
      s.stroke_width = borders ? 0.6 : 0.3;
    }
    if (m.hex())
      svg.polygon(m.outline(u), s);
    else
      svg.rect(m.centre(u).x - m.cell / 2, m.centre(u).y - m.cell / 2, m.cell, m.cell, s);
  }
  svg.end_group();
}

/// Row indices on the left, column indices below, every nice step that leaves room.
inline void draw_map_indices(SvgCanvas& svg, const MapGeometry& m) {
  const TextStyle small = detail::ts(10, Anchor::end, false, "#555555", 0, "middle");
  const double row_px = m.cell * (m.hex() ? Grid::hex_row_spacing : 1.0);
  auto step_for = [](double px) {
    for (Index s : {1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000})
      if (double(s) * px >= 22) return s;
    return Index(5000);
  };
  const Index rs = step_for(row_px), cs = step_for(m.cell);
  for (Index r = 0; r < m.grid->rows(); r += rs)
    svg.text(m.x0 - 5, m.centre(m.grid->unit(r, 0)).y, std::to_string(r), small);
  TextStyle below = small;
  below.anchor = Anchor::middle;
  below.baseline = "hanging";
  for (Index c = 0; c < m.grid->cols(); c += cs)
    svg.text(m.centre(m.grid->unit(0, c)).x, m.y0 + m.height() + 6, std::to_string(c), below);
  svg.text(m.x0 + m.width() / 2, m.y0 + m.height() + 28, "column", detail::ts(11, Anchor::middle, false, "#555555"));
  svg.text(m.x0 - 30, m.y0 + m.height() / 2, "row", detail::ts(11, Anchor::middle, false, "#555555", -90));
}

}  // namespace somtile::detail
