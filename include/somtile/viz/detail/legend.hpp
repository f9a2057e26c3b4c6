#pragma once
// Legends of colour swatches (categories, noise, the hatched "no value" entry) and the names
// of categories they show.

#include "somtile/core/types.hpp"
#include "somtile/viz/colormap.hpp"
#include "somtile/viz/detail/empty_fill.hpp"
#include "somtile/viz/detail/text.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace somtile::detail {

/// A legend of colour swatches; an empty fill string draws the hatched "empty" swatch.
struct LegendEntry {
  std::string label;
  std::string fill;
};

inline double legend_width(const std::vector<LegendEntry>& entries, const std::string& heading, double font = 11) {
  double w = text_width(heading, font);
  for (const auto& e : entries) w = std::max(w, 14 + 6 + text_width(e.label, font));
  return w;
}
inline double legend_height(const std::vector<LegendEntry>& entries, const std::string& heading) {
  return double(entries.size()) * 19 + (heading.empty() ? 0 : 19);
}

inline void draw_legend(SvgCanvas& svg, double x, double y, const std::vector<LegendEntry>& entries,
                        const std::string& heading = {}, double font = 11) {
  svg.begin_group({}, "legend");
  if (!heading.empty()) {
    svg.text(x, y + 10, heading, detail::ts(font, Anchor::start, true, "#222222", 0, "middle"));
    y += 19;
  }
  for (const auto& e : entries) {
    Style sw;
    sw.css_class = "swatch";
    sw.stroke = e.fill.empty() ? viz::colors::empty_hatch : "#666666";
    sw.stroke_width = 0.6;
    sw.fill = e.fill.empty() ? empty_fill(svg) : e.fill;
    svg.rect(x, y + 3, 14, 14, sw);
    svg.text(x + 20, y + 10, e.label, detail::ts(font, Anchor::start, false, "#222222", 0, "middle"));
    y += 19;
  }
  svg.end_group();
}

inline std::string category_name(Index k, const std::vector<std::string>& names, const std::string& prefix) {
  if (k >= 0 && std::size_t(k) < names.size()) return names[std::size_t(k)];
  return prefix + " " + std::to_string(k);
}

}  // namespace somtile::detail
