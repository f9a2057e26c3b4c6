#pragma once
// Chart axes: a page rectangle with data ranges, its frame, grid lines and labelled ticks, and
// the series drawn in it.

#include "somtile/viz/colormap.hpp"
#include "somtile/viz/detail/text.hpp"
#include "somtile/viz/detail/ticks.hpp"
#include "somtile/viz/svg.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace somtile::detail {

/// A rectangle of the page with data ranges on both axes.
struct Axes {
  double x, y, w, h;      // page rectangle
  double x0, x1, y0, y1;  // data ranges
  double px(double v) const { return x + (v - x0) / (x1 - x0) * w; }
  double py(double v) const { return y + h - (v - y0) / (y1 - y0) * h; }
};

/// Frame, dashed grid lines and labelled ticks. `integer_x` keeps x ticks on whole numbers.
inline void draw_axes(SvgCanvas& svg, const Axes& a, double x_step, double y_step, const std::string& x_label,
                      const std::string& y_label, bool draw_x_ticks = true, bool draw_y_ticks = true) {
  svg.begin_group({}, "axes");
  Style grid_line;
  grid_line.stroke = viz::colors::grid_line;
  grid_line.stroke_width = 0.7;
  grid_line.dash = "3 3";
  Style tick;
  tick.stroke = viz::colors::axis;
  const TextStyle xt = detail::ts(10.5, Anchor::middle, false, "#333333", 0, "hanging", "tick");
  const TextStyle yt = detail::ts(10.5, Anchor::end, false, "#333333", 0, "middle", "tick");
  double widest_y = 0;
  if (draw_y_ticks)
    for (double v : ticks_within(a.y0, a.y1, y_step)) {
      const double py = a.py(v);
      svg.line(a.x, py, a.x + a.w, py, grid_line);
      svg.line(a.x - 4, py, a.x, py, tick);
      const std::string t = tick_label(v, y_step);
      widest_y = std::max(widest_y, text_width(t, 10.5));
      svg.text(a.x - 8, py, t, yt);
    }
  if (draw_x_ticks)
    for (double v : ticks_within(a.x0, a.x1, x_step)) {
      const double px = a.px(v);
      svg.line(px, a.y, px, a.y + a.h, grid_line);
      svg.line(px, a.y + a.h, px, a.y + a.h + 4, tick);
      svg.text(px, a.y + a.h + 6, tick_label(v, x_step), xt);
    }
  Style frame;
  frame.stroke = viz::colors::axis;
  frame.stroke_width = 0.8;
  svg.rect(a.x, a.y, a.w, a.h, frame);
  if (!x_label.empty()) svg.text(a.x + a.w / 2, a.y + a.h + 34, x_label, detail::ts(12, Anchor::middle));
  if (!y_label.empty())
    svg.text(a.x - 16 - std::max(widest_y, 10.0), a.y + a.h / 2, y_label,
             detail::ts(12, Anchor::middle, false, "#222222", -90));
  svg.end_group();
}

/// A line with round markers (markers only while they do not crowd).
inline void draw_series(SvgCanvas& svg, const Axes& a, const std::vector<double>& x, const std::vector<double>& y,
                        const std::string& colour) {
  std::vector<Point> pts;
  for (std::size_t i = 0; i < x.size(); ++i) pts.push_back({a.px(x[i]), a.py(y[i])});
  Style line;
  line.stroke = colour;
  line.stroke_width = 2;
  line.css_class = "series";
  svg.polyline(pts, line);
  if (pts.size() <= 60) {
    Style dot;
    dot.fill = colour;
    for (const auto& p : pts) svg.circle(p.x, p.y, 2.8, dot);
  }
}

}  // namespace somtile::detail
