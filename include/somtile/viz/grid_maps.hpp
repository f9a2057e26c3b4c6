#pragma once
// Maps of a grid drawn from plain data (a Grid and a rows x cols matrix, or labels per unit),
// so any model can be drawn: values with a colour bar, categories with a legend, and several
// maps as panels of one file. The model adapters (som_plots.hpp, lattice_plots.hpp) compute
// such matrices and call these.
//
//
// Conventions shared by every map: row 0 at the top (as in TorchSOM and imshow), rectangular
// units as squares, hexagonal units as pointy-top hexagons that tile exactly (odd rows shifted
// right by half a unit, as in Grid), NaN = "no value" drawn hatched with a legend entry, so an

#include "somtile/core/detail/nan_range.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/types.hpp"
#include "somtile/grid/grid.hpp"
#include "somtile/viz/colormap.hpp"
#include "somtile/viz/detail/checks.hpp"
#include "somtile/viz/detail/color_scale.hpp"
#include "somtile/viz/detail/legend.hpp"
#include "somtile/viz/detail/map_geometry.hpp"
#include "somtile/viz/detail/text.hpp"
#include "somtile/viz/detail/ticks.hpp"
#include "somtile/viz/plot_options.hpp"
#include "somtile/viz/svg.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace somtile::viz {

/// Any per-unit value map with a colour bar (NaN units hatched, listed in a legend).
inline void plot_grid_map(const Grid& grid, const RowMatrix<double>& values, const std::string& path,
                          const MapPlotOptions& options = {}) {
  const char* call = "plot_grid_map";
  detail::check_path(call, path);
  detail::check_map_shape(call, grid, values);
  detail::check_map_options(call, options);
  detail::require<InputError>(Index(options.unit_labels.size()) <= grid.size(), call, "unit_labels has ",
                              options.unit_labels.size(), " entries, but the grid has ", grid.size(), " units");

  double lo, hi;
  std::tie(lo, hi) = somtile::detail::nan_range(values);
  const bool any_empty = values.hasNaN();
  bool integers = true;  // counts and ranks get whole-number ticks
  for (Index i = 0; i < values.size(); ++i) {
    const double v = values.data()[i];
    integers = integers && (std::isnan(v) || v == std::floor(v));
  }
  if (!std::isfinite(lo)) lo = hi = 0;  // all empty: an arbitrary scale, every cell hatched
  if (!std::isnan(options.vmin)) lo = options.vmin;
  if (!std::isnan(options.vmax)) hi = options.vmax;
  std::tie(lo, hi) = detail::widened(lo, hi);

  const double cell = detail::auto_cell_size(grid, options.cell_size, 480);
  const double top = options.title.empty() ? 14 : 44, left = 48;
  detail::MapGeometry m{&grid, cell, left, top};
  const double bar_x = left + m.width() + 18;
  const double bar_h = std::max(m.height(), 120.0);
  const double content_w = bar_x + detail::colorbar_width(lo, hi, options.colorbar_label, 11, integers) + 12;
  const std::vector<detail::LegendEntry> legend{{options.empty_label, ""}};
  const double legend_y = top + std::max(m.height(), bar_h) + 40;
  const double height = legend_y + (any_empty ? 26 : 0) + 6;
  const double width = std::max(content_w, detail::title_width(options.title));

  SvgCanvas svg(width, height);
  svg.title(options.title.empty() ? "map" : options.title);
  detail::title_text(svg, options.title);
  auto colour = [&](double v) {
    return detail::mapped_color(options.colormap, options.reverse_colormap, (v - lo) / (hi - lo));
  };
  detail::draw_cells(svg, m, [&](Index u) {
    const double v = values.data()[u];
    return std::isnan(v) ? std::string() : colour(v).hex();
  });
  if (options.show_values && cell >= 14) {
    svg.begin_group({}, "values");
    for (Index u = 0; u < grid.size(); ++u) {
      const double v = values.data()[u];
      if (std::isnan(v)) continue;
      const Point c = m.centre(u);
      const bool dark = colour(v).luminance() < 0.3;
      const std::string text = detail::fixed_number(v, options.value_decimals);
      const double font = std::min({cell * 0.36, 11.0, 0.85 * cell / (0.6 * double(text.size()))});
      svg.text(c.x, c.y, text, detail::ts(font, Anchor::middle, false, dark ? "#ffffff" : "#000000", 0, "central"));
    }
    svg.end_group();
  }
  if (!options.unit_labels.empty()) {
    svg.begin_group({}, "unit-labels");
    const double size = options.label_size;
    for (std::size_t u = 0; u < options.unit_labels.size(); ++u) {
      const std::string& text = options.unit_labels[u];
      if (text.empty()) continue;
      const Point c = m.centre(Index(u));
      const double w = detail::text_width(text, size) + 4, h = size + 4;
      Style box;
      box.fill = "#ffffff";
      box.opacity = 0.8;
      svg.rect(c.x - w / 2, c.y - h / 2, w, h, box);
      svg.text(c.x, c.y, text, detail::ts(size, Anchor::middle, false, "#111111", 0, "central"));
    }
    svg.end_group();
  }
  detail::draw_map_indices(svg, m);
  detail::draw_colorbar(svg, bar_x, top, bar_h, lo, hi, options.colormap, options.reverse_colormap,
                        options.colorbar_label, 11, integers);
  if (any_empty) detail::draw_legend(svg, left, legend_y, legend);
  svg.save(path);
}

/// Integer categories per unit (rows x cols): k >= 0 a colour of options.palette, -1 the
/// "Uncertain" grey, NaN hatched. The legend (headed options.legend_title) lists the categories
/// present.
inline void plot_category_map(const Grid& grid, const RowMatrix<double>& categories, const std::string& path,
                              const CategoryPlotOptions& options = {}) {
  const char* call = "plot_category_map";
  detail::check_path(call, path);
  detail::check_map_shape(call, grid, categories, "categories");
  detail::require(options.cell_size >= 0, call, "cell_size must be >= 0, got ", options.cell_size);
  std::set<Index> present;
  bool noise = false, empty = false;
  for (Index u = 0; u < categories.size(); ++u) {
    const double v = categories.data()[u];
    if (std::isnan(v)) {
      empty = true;
      continue;
    }
    detail::require<InputError>(v == std::floor(v) && v >= -1, call,
                                "categories must be integers >= -1 or NaN, but unit ", u, " is ", v);
    if (v < 0)
      noise = true;
    else
      present.insert(Index(v));
  }
  std::vector<detail::LegendEntry> legend;
  for (Index k : present)
    legend.push_back(
        {detail::category_name(k, options.class_names, options.name_prefix), palette_color(options.palette, k).hex()});
  if (noise) legend.push_back({options.noise_label, colors::noise});
  if (empty) legend.push_back({options.empty_label, ""});

  const double cell = detail::auto_cell_size(grid, options.cell_size, 480);
  const double top = options.title.empty() ? 14 : 44, left = 48;
  detail::MapGeometry m{&grid, cell, left, top};
  const double legend_x = left + m.width() + 20;
  const std::string& heading = options.legend_title;
  const double width =
      std::max(legend_x + detail::legend_width(legend, heading) + 14, detail::title_width(options.title));
  const double height = top + std::max(m.height() + 40, detail::legend_height(legend, heading)) + 8;

  SvgCanvas svg(width, height);
  svg.title(options.title.empty() ? "category map" : options.title);
  detail::title_text(svg, options.title);
  detail::draw_cells(svg, m, [&](Index u) {
    const double v = categories.data()[u];
    if (std::isnan(v)) return std::string();
    return v < 0 ? std::string(colors::noise) : palette_color(options.palette, Index(v)).hex();
  });
  detail::draw_map_indices(svg, m);
  detail::draw_legend(svg, legend_x, top, legend, heading);
  svg.save(path);
}

/// Majority class per unit (classification_map's output; NaN = no samples), in the classes'
/// palette under a legend headed "class".
inline void plot_classification_map(const Grid& grid, const RowMatrix<double>& classes, const std::string& path,
                                    CategoryPlotOptions options = {}) {
  if (options.title.empty()) options.title = "Classification map (most frequent label)";
  if (options.legend_title.empty()) options.legend_title = "class";
  plot_category_map(grid, classes, path, options);
}

/// Cluster label per unit, row-major (-1 = noise, drawn as "Uncertain"), in the clusters'
/// palette (cluster_color) under a legend headed "cluster", so it is not read as a class.
inline void plot_cluster_map(const Grid& grid, const Labels& unit_labels, const std::string& path,
                             CategoryPlotOptions options = {}) {
  detail::require<InputError>(unit_labels.size() == grid.size(), "plot_cluster_map", "unit_labels has ",
                              unit_labels.size(), " labels, but the grid has ", grid.size(), " units");
  RowMatrix<double> m(grid.rows(), grid.cols());
  for (Index u = 0; u < grid.size(); ++u) m.data()[u] = double(unit_labels[u]);
  if (options.name_prefix == "class") options.name_prefix = "cluster";
  if (options.title.empty()) options.title = "Cluster map";
  if (options.palette == CategoryPalette::automatic) options.palette = CategoryPalette::clusters;
  if (options.legend_title.empty()) options.legend_title = "cluster";
  plot_category_map(grid, m, path, options);
}

/// Several maps of one grid side by side, each with its own colour scale.
inline void plot_grid_maps(const Grid& grid, const std::vector<RowMatrix<double>>& maps, const std::string& path,
                           const MultiMapPlotOptions& options = {}) {
  const char* call = "plot_grid_maps";
  detail::check_path(call, path);
  detail::require<InputError>(!maps.empty(), call, "maps must not be empty");
  for (std::size_t k = 0; k < maps.size(); ++k)
    detail::check_map_shape(call, grid, maps[k], "maps[" + std::to_string(k) + "]");
  detail::require(options.cell_size >= 0, call, "cell_size must be >= 0, got ", options.cell_size);
  detail::require(options.columns >= 0, call, "columns must be >= 0, got ", options.columns);
  const Index n = Index(maps.size());
  const Index columns = options.columns > 0 ? std::min(options.columns, n) : Index(std::ceil(std::sqrt(double(n))));
  const Index rows = (n + columns - 1) / columns;
  const double cell = detail::auto_cell_size(grid, options.cell_size, 180);
  detail::MapGeometry probe{&grid, cell, 0, 0};

  struct Range {
    double lo, hi;
    bool empty;
  };
  std::vector<Range> ranges;
  double bar_w = 0;
  for (const auto& mp : maps) {
    const std::pair<double, double> range = somtile::detail::nan_range(mp);
    Range r{range.first, range.second, mp.hasNaN()};
    if (!std::isfinite(r.lo)) r.lo = r.hi = 0;
    std::tie(r.lo, r.hi) = detail::widened(r.lo, r.hi);
    bar_w = std::max(bar_w, detail::colorbar_width(r.lo, r.hi, {}, 9.5));
    ranges.push_back(r);
  }
  const double bar_h = std::max(probe.height(), 80.0);
  const double panel_w = probe.width() + 10 + bar_w + 16, panel_h = 22 + bar_h + 14;
  const double top = options.title.empty() ? 8 : 40, left = 12;
  bool any_empty = false;
  for (const auto& r : ranges) any_empty = any_empty || r.empty;
  const double width = std::max(left + double(columns) * panel_w + 4, detail::title_width(options.title));
  const double height = top + double(rows) * panel_h + (any_empty ? 26 : 0) + 4;

  SvgCanvas svg(width, height);
  svg.title(options.title.empty() ? "maps" : options.title);
  detail::title_text(svg, options.title);
  for (Index k = 0; k < n; ++k) {
    const double px = left + double(k % columns) * panel_w, py = top + double(k / columns) * panel_h;
    const auto& mp = maps[std::size_t(k)];
    const Range r = ranges[std::size_t(k)];
    const std::string name = std::size_t(k) < options.names.size() ? options.names[std::size_t(k)]
                                                                   : options.name_prefix + " " + std::to_string(k + 1);
    svg.begin_group({}, "panel");
    svg.text(px + probe.width() / 2, py + 13, name, detail::ts(12, Anchor::middle, true));
    detail::MapGeometry m{&grid, cell, px, py + 22};
    detail::draw_cells(svg, m, [&](Index u) {
      const double v = mp.data()[u];
      return std::isnan(v)
                 ? std::string()
                 : detail::mapped_color(options.colormap, options.reverse_colormap, (v - r.lo) / (r.hi - r.lo)).hex();
    });
    detail::draw_colorbar(svg, px + probe.width() + 10, py + 22, bar_h, r.lo, r.hi, options.colormap,
                          options.reverse_colormap, {}, 9.5);
    svg.end_group();
  }
  if (any_empty) detail::draw_legend(svg, left, height - 28, {{"no value", ""}});
  svg.save(path);
}

/// Activation maps (e.g. one per query sample) as panels of one file.
inline void plot_activation_maps(const Grid& grid, const std::vector<RowMatrix<double>>& activations,
                                 const std::string& path, MultiMapPlotOptions options = {}) {
  if (options.title.empty()) options.title = "Activation maps";
  if (options.name_prefix == "map") options.name_prefix = "sample";
  plot_grid_maps(grid, activations, path, options);
}

}  // namespace somtile::viz
