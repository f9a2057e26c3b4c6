#pragma once
// Colour scales: the colour of a value, a colour map's gradient, and the vertical colour bar
// with ticks that explains a map.

#include "somtile/viz/colormap.hpp"
#include "somtile/viz/detail/text.hpp"
#include "somtile/viz/detail/ticks.hpp"
#include "somtile/viz/svg.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace somtile::detail {

inline std::string colormap_id(viz::Colormap map, bool reverse) {
  const char* name = map == viz::Colormap::magma      ? "magma"
                     : map == viz::Colormap::blue_red ? "blue-red"
                     : map == viz::Colormap::gray     ? "gray"
                                                      : "viridis";
  return std::string("cmap-") + name + (reverse ? "-r" : "");
}

inline viz::Color mapped_color(viz::Colormap map, bool reverse, double t) {
  return viz::colormap_color(map, reverse ? 1.0 - t : t);
}

/// Defines the gradient of a colour map (bottom = low) once per document; returns "url(#id)".
inline std::string colormap_gradient(SvgCanvas& svg, viz::Colormap map, bool reverse) {
  const std::string id = colormap_id(map, reverse);
  std::vector<std::pair<double, std::string>> stops;
  const std::size_t n = viz::colormap_stops(map);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = double(i) / double(n - 1);
    stops.emplace_back(t, mapped_color(map, reverse, t).hex());
  }
  svg.linear_gradient(id, stops, true);
  return "url(#" + id + ")";
}

/// Width a colour bar needs right of its left edge, labels included.
inline double colorbar_width(double lo, double hi, const std::string& label, double font = 11,
                             bool integer_ticks = false) {
  const double step = integer_ticks ? std::max(1.0, nice_step(lo, hi)) : nice_step(lo, hi);
  double widest = 0;
  for (double t : ticks_within(lo, hi, step)) widest = std::max(widest, text_width(tick_label(t, step), font));
  return 14 + 4 + 4 + widest + (label.empty() ? 4 : 8 + font + 4);
}

/// Vertical colour bar with ticks at nice values, low at the bottom.
inline void draw_colorbar(SvgCanvas& svg, double x, double y, double h, double lo, double hi, viz::Colormap map,
                          bool reverse, const std::string& label, double font = 11, bool integer_ticks = false) {
  const double w = 14;
  svg.begin_group({}, "colorbar");
  Style bar;
  bar.fill = colormap_gradient(svg, map, reverse);
  bar.stroke = viz::colors::axis;
  bar.stroke_width = 0.6;
  svg.rect(x, y, w, h, bar);
  const double step = integer_ticks ? std::max(1.0, nice_step(lo, hi)) : nice_step(lo, hi);
  double widest = 0;
  Style tick;
  tick.stroke = viz::colors::axis;
  tick.stroke_width = 0.8;
  for (double t : ticks_within(lo, hi, step)) {
    const double ty = y + h - (t - lo) / (hi - lo) * h;
    svg.line(x + w, ty, x + w + 4, ty, tick);
    const std::string text = tick_label(t, step);
    widest = std::max(widest, text_width(text, font));
    svg.text(x + w + 7, ty, text, detail::ts(font, Anchor::start, false, "#222222", 0, "middle", "tick"));
  }
  if (!label.empty())
    svg.text(x + w + 8 + widest + font, y + h / 2, label, detail::ts(font, Anchor::middle, false, "#222222", -90));
  svg.end_group();
}

}  // namespace somtile::detail
