#pragma once
// The picture of a chart with nothing to draw (charts.hpp, cluster_plots.hpp).

#include "somtile/viz/colormap.hpp"
#include "somtile/viz/detail/text.hpp"
#include "somtile/viz/plot_options.hpp"
#include "somtile/viz/svg.hpp"

#include <algorithm>
#include <string>

namespace somtile::detail {

/// A chart that has nothing to draw: its title and one line saying why, so a batch of plots
/// (plot_all, the CLI) still gets a file where a user looks for the picture.
inline void message_panel(const std::string& path, const std::string& title, const std::string& message,
                          const viz::ChartOptions& options) {
  const double W = options.width > 0 ? options.width
                                     : std::max({640.0, title_width(title), text_width(message, 14) + 80}),
               H = options.height > 0 ? options.height : 240;
  viz::SvgCanvas svg(W, H);
  svg.title(title);
  title_text(svg, title);
  viz::Style frame;
  frame.stroke = viz::colors::axis;
  frame.stroke_width = 0.8;
  frame.fill = "#f7f7f7";
  frame.css_class = "message";
  svg.rect(20, 44, W - 40, H - 64, frame);
  svg.text(W / 2, 44 + (H - 64) / 2, message, ts(14, viz::Anchor::middle, false, "#444444", 0, "middle"));
  svg.save(path);
}

}  // namespace somtile::detail
