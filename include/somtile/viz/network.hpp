#pragma once
// Points joined by edges, coloured and sized by per-node values: the picture of a growing SOM
// (growing_plots.hpp places its neurons), or of any 2-D layout with a graph.

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/types.hpp"
#include "somtile/viz/colormap.hpp"
#include "somtile/viz/detail/axes.hpp"
#include "somtile/viz/detail/checks.hpp"
#include "somtile/viz/detail/color_scale.hpp"
#include "somtile/viz/detail/legend.hpp"
#include "somtile/viz/detail/text.hpp"
#include "somtile/viz/detail/ticks.hpp"
#include "somtile/viz/plot_options.hpp"
#include "somtile/viz/svg.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace somtile::viz {

/// Points (n x 2) joined by edges, coloured and sized by per-node statistics (growing SOM
/// neurons at their lattice positions, or any 2-D layout).
inline void plot_network(const RowMatrix<double>& positions, const std::vector<std::pair<Index, Index>>& edges,
                         const std::string& path, const NetworkPlotOptions& options = {}) {
  const char* call = "plot_network";
  detail::check_path(call, path);
  detail::require<InputError>(positions.cols() == 2, call, "positions must have 2 columns, got ", positions.cols());
  detail::check_data(call, positions, "positions");
  const Index n = positions.rows();
  for (const auto& [a, b] : edges)
    detail::require<InputError>(a >= 0 && a < n && b >= 0 && b < n, call, "edge (", a, ", ", b,
                                ") refers to a node outside [0, ", n, ")");
  auto check_per_node = [&](Index size, const char* name) {
    detail::require<InputError>(size == 0 || size == n, call, name, " has ", size, " values, but there are ", n,
                                " nodes");
  };
  check_per_node(options.color.size(), "color");
  check_per_node(options.category.size(), "category");
  check_per_node(options.size.size(), "size");
  detail::require(int(options.color.size() > 0) + int(options.category.size() > 0) + int(options.rgb.size() > 0) <= 1,
                  call, "set one of color, category and rgb, not several");
  if (options.rgb.size() > 0) {
    detail::require<InputError>(options.rgb.rows() == n && options.rgb.cols() == 3, call, "rgb must be ", n,
                                " x 3 (one row per node), got ", options.rgb.rows(), " x ", options.rgb.cols());
    for (Index i = 0; i < n; ++i)
      for (Index c = 0; c < 3; ++c)
        detail::require<InputError>(options.rgb(i, c) >= 0 && options.rgb(i, c) <= 1, call,
                                    "rgb values must be in [0, 1], but rgb(", i, ", ", c, ") = ", options.rgb(i, c));
  }
  detail::check_finite_values(call, options.color, "color");
  detail::check_finite_values(call, options.size, "size");
  detail::require(options.min_radius > 0 && options.max_radius >= options.min_radius, call,
                  "radii must satisfy 0 < min_radius <= max_radius, got ", options.min_radius, " and ",
                  options.max_radius);
  detail::require(options.width > 0, call, "width must be > 0, got ", options.width);
  if (options.samples.size() > 0) {
    detail::require<InputError>(options.samples.cols() == 2, call, "samples must have 2 columns, got ",
                                options.samples.cols());
    detail::check_data(call, options.samples, "samples");
    detail::require<InputError>(
        options.sample_labels.size() == 0 || options.sample_labels.size() == options.samples.rows(), call,
        "sample_labels has ", options.sample_labels.size(), " labels, but samples has ", options.samples.rows(),
        " rows");
  }
  for (Index i = 0; i < options.category.size(); ++i)
    detail::require<InputError>(options.category[i] >= -1, call, "category must be >= -1, but node ", i, " has ",
                                options.category[i]);

  // Equal aspect: one data unit is the same length on both axes.
  double x0 = positions.col(0).minCoeff(), x1 = positions.col(0).maxCoeff();
  double y0 = positions.col(1).minCoeff(), y1 = positions.col(1).maxCoeff();
  if (options.samples.size() > 0) {
    x0 = std::min(x0, options.samples.col(0).minCoeff());
    x1 = std::max(x1, options.samples.col(0).maxCoeff());
    y0 = std::min(y0, options.samples.col(1).minCoeff());
    y1 = std::max(y1, options.samples.col(1).maxCoeff());
  }
  std::tie(x0, x1) = detail::widened(x0, x1);
  std::tie(y0, y1) = detail::widened(y0, y1);
  const double pad = 0.04 * std::max(x1 - x0, y1 - y0);
  x0 -= pad;
  x1 += pad;
  y0 -= pad;
  y1 += pad;
  const double scale = options.width / std::max(x1 - x0, y1 - y0);
  const double top = options.title.empty() ? 16 : 44;
  detail::Axes a{70, top, (x1 - x0) * scale, (y1 - y0) * scale, x0, x1, y0, y1};
  const double xs = detail::nice_step(x0, x1), ys = detail::nice_step(y0, y1);

  double clo = 0, chi = 1;
  if (options.color.size() > 0)
    std::tie(clo, chi) = detail::widened(options.color.minCoeff(), options.color.maxCoeff());
  double slo = 0, shi = 1;
  if (options.size.size() > 0) std::tie(slo, shi) = detail::widened(options.size.minCoeff(), options.size.maxCoeff());
  auto radius = [&](double v) {
    return options.min_radius + (options.max_radius - options.min_radius) * (v - slo) / (shi - slo);
  };
  std::vector<detail::LegendEntry> legend;
  if (options.category.size() > 0) {
    std::set<Index> present(options.category.data(), options.category.data() + n);
    for (Index k : present)
      legend.push_back(k < 0 ? detail::LegendEntry{options.noise_label, colors::noise}
                             : detail::LegendEntry{detail::category_name(k, options.class_names, options.name_prefix),
                                                   palette_color(options.palette, k).hex()});
  }
  const double side_x = a.x + a.w + 24;
  double side_w = 0;
  if (options.color.size() > 0) side_w = detail::colorbar_width(clo, chi, options.color_label);
  if (!legend.empty()) side_w = std::max(side_w, detail::legend_width(legend, options.color_label));
  if (options.size.size() > 0)
    side_w = std::max({side_w, detail::text_width(options.size_label, 11), 2 * options.max_radius + 60});
  const double W = std::max(side_x + side_w + 16, detail::title_width(options.title));
  // The side column (colour bar or legend, then the size legend) may run below the plot.
  double side_h = 0;
  if (options.color.size() > 0)
    side_h = std::min(a.h * 0.55, 220.0) + 24;
  else if (!legend.empty())
    side_h = detail::legend_height(legend, options.color_label) + 16;
  if (options.size.size() > 0)
    side_h += 24 + (options.size.maxCoeff() > options.size.minCoeff() ? 3 : 1) * (2 * options.max_radius + 6);
  const double H = std::max(top + a.h + 52, top + side_h + 8);
  SvgCanvas svg(W, H);
  svg.title(options.title.empty() ? "network" : options.title);
  detail::title_text(svg, options.title);
  detail::draw_axes(svg, a, xs, ys, options.x_label, options.y_label);

  if (options.samples.size() > 0) {
    svg.begin_group({}, "samples");
    for (Index i = 0; i < options.samples.rows(); ++i) {
      Style dot;
      const Index lab = options.sample_labels.size() > 0 ? options.sample_labels[i] : -1;
      dot.fill = lab >= 0 ? category_color(lab).hex() : std::string("#999999");
      dot.opacity = 0.45;
      svg.circle(a.px(options.samples(i, 0)), a.py(options.samples(i, 1)), 1.6, dot);
    }
    svg.end_group();
  }
  svg.begin_group({}, "edges");
  Style edge;
  edge.stroke = colors::edge;
  edge.stroke_width = 1;
  edge.css_class = "edge";
  for (const auto& [p, q] : edges)
    svg.line(a.px(positions(p, 0)), a.py(positions(p, 1)), a.px(positions(q, 0)), a.py(positions(q, 1)), edge);
  svg.end_group();
  svg.begin_group({}, "nodes");
  for (Index i = 0; i < n; ++i) {
    Style node;
    node.css_class = "node";
    node.stroke = "#333333";
    node.stroke_width = 0.5;
    if (options.color.size() > 0)
      node.fill =
          detail::mapped_color(options.colormap, options.reverse_colormap, (options.color[i] - clo) / (chi - clo))
              .hex();
    else if (options.category.size() > 0)
      node.fill = options.category[i] < 0 ? std::string(colors::noise)
                                          : palette_color(options.palette, options.category[i]).hex();
    else if (options.rgb.size() > 0)
      node.fill = Color{options.rgb(i, 0), options.rgb(i, 1), options.rgb(i, 2)}.hex();
    else
      node.fill = "#1f77b4";
    const double r = options.size.size() > 0 ? radius(options.size[i]) : (options.min_radius + options.max_radius) / 2;
    svg.circle(a.px(positions(i, 0)), a.py(positions(i, 1)), r, node);
  }
  svg.end_group();

  double side_y = top;
  if (options.color.size() > 0) {
    const double bh = std::min(a.h * 0.55, 220.0);
    detail::draw_colorbar(svg, side_x, side_y, bh, clo, chi, options.colormap, options.reverse_colormap,
                          options.color_label);
    side_y += bh + 24;
  } else if (!legend.empty()) {
    detail::draw_legend(svg, side_x, side_y, legend, options.color_label);
    side_y += detail::legend_height(legend, options.color_label) + 16;
  }
  if (options.size.size() > 0) {
    svg.begin_group({}, "size-legend");
    if (!options.size_label.empty())
      svg.text(side_x, side_y + 10, options.size_label, detail::ts(11, Anchor::start, true, "#222222", 0, "middle"));
    side_y += 24;
    const double s0 = options.size.minCoeff(), s1 = options.size.maxCoeff();
    std::vector<double> marks{s0};
    if (s1 > s0) marks.insert(marks.end(), {(s0 + s1) / 2, s1});
    for (double v : marks) {
      const double r = radius(v);
      Style ring;
      ring.fill = "#cccccc";
      ring.stroke = "#333333";
      ring.stroke_width = 0.5;
      svg.circle(side_x + options.max_radius, side_y + options.max_radius, r, ring);
      svg.text(side_x + 2 * options.max_radius + 8, side_y + options.max_radius, detail::short_number(v),
               detail::ts(11, Anchor::start, false, "#222222", 0, "middle"));
      side_y += 2 * options.max_radius + 6;
    }
    svg.end_group();
  }
  svg.save(path);
}

}  // namespace somtile::viz
