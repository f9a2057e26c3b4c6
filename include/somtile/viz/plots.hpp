#pragma once
// One function per picture, each writing an SVG file. The core functions take plain data (a
// Grid and a rows x cols matrix, labels per unit, curves, points and edges) so any model can be
// drawn; thin overloads for Som compute the map and call the core.
//
// Conventions shared by every map: row 0 at the top (as in TorchSOM and imshow), rectangular
// units as squares, hexagonal units as pointy-top hexagons that tile exactly (odd rows shifted
// right by half a unit, as in Grid), NaN = "no value" drawn hatched with a legend entry, so an
// empty unit never looks like a zero.

#include "somtile/cluster/som_cluster.hpp"
#include "somtile/core/types.hpp"
#include "somtile/core/validate.hpp"
#include "somtile/grid/topology.hpp"
#include "somtile/metrics/clustering.hpp"
#include "somtile/som/growing_som.hpp"
#include "somtile/som/lattice.hpp"
#include "somtile/som/maps.hpp"
#include "somtile/som/som.hpp"
#include "somtile/som/som_classifier.hpp"
#include "somtile/som/som_vq.hpp"
#include "somtile/viz/colormap.hpp"
#include "somtile/viz/detail/axes.hpp"
#include "somtile/viz/detail/checks.hpp"
#include "somtile/viz/detail/color_scale.hpp"
#include "somtile/viz/detail/empty_fill.hpp"
#include "somtile/viz/detail/legend.hpp"
#include "somtile/viz/detail/map_geometry.hpp"
#include "somtile/viz/detail/text.hpp"
#include "somtile/viz/detail/ticks.hpp"
#include "somtile/viz/plot_options.hpp"
#include "somtile/viz/svg.hpp"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace somtile::viz {

/// One curve of plot_curves.
struct Curve {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
};

/// One clustering in plot_cluster_quality_comparison (NaN = metric undefined).
struct ClusterQuality {
  std::string name;  ///< e.g. "kmeans_weights"
  double silhouette = std::numeric_limits<double>::quiet_NaN();
  double davies_bouldin = std::numeric_limits<double>::quiet_NaN();
  double calinski_harabasz = std::numeric_limits<double>::quiet_NaN();
  Index n_clusters = 0;
};

// ---- maps ----------------------------------------------------------------------------------

/// Any per-unit value map with a colour bar (NaN units hatched, listed in a legend).
inline void plot_grid_map(const Grid& grid, const RowMatrix<double>& values,
                          const std::string& path, const MapPlotOptions& options = {}) {
  const char* call = "plot_grid_map";
  detail::check_path(call, path);
  detail::check_map_shape(call, grid, values);
  detail::check_map_options(call, options);

  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  bool any_empty = false, integers = true;  // counts and ranks get whole-number ticks
  for (Index i = 0; i < values.size(); ++i) {
    const double v = values.data()[i];
    if (std::isnan(v)) {
      any_empty = true;
      continue;
    }
    integers = integers && v == std::floor(v);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
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
  const double content_w =
      bar_x + detail::colorbar_width(lo, hi, options.colorbar_label, 11, integers) + 12;
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
      svg.text(c.x, c.y, text,
               detail::ts(font, Anchor::middle, false, dark ? "#ffffff" : "#000000", 0, "central"));
    }
    svg.end_group();
  }
  detail::draw_map_indices(svg, m);
  detail::draw_colorbar(svg, bar_x, top, bar_h, lo, hi, options.colormap, options.reverse_colormap,
                        options.colorbar_label, 11, integers);
  if (any_empty) detail::draw_legend(svg, left, legend_y, legend);
  svg.save(path);
}

/// Integer categories per unit (rows x cols): k >= 0 a category colour, -1 the "Uncertain"
/// grey, NaN hatched. The legend lists the categories present.
inline void plot_category_map(const Grid& grid, const RowMatrix<double>& categories,
                              const std::string& path, const CategoryPlotOptions& options = {}) {
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
                                "categories must be integers >= -1 or NaN, but unit ", u, " is ",
                                v);
    if (v < 0)
      noise = true;
    else
      present.insert(Index(v));
  }
  std::vector<detail::LegendEntry> legend;
  for (Index k : present)
    legend.push_back({detail::category_name(k, options.class_names, options.name_prefix),
                      category_color(k).hex()});
  if (noise) legend.push_back({options.noise_label, colors::noise});
  if (empty) legend.push_back({options.empty_label, ""});

  const double cell = detail::auto_cell_size(grid, options.cell_size, 480);
  const double top = options.title.empty() ? 14 : 44, left = 48;
  detail::MapGeometry m{&grid, cell, left, top};
  const double legend_x = left + m.width() + 20;
  const double width = std::max(legend_x + detail::legend_width(legend, {}) + 14,
                                detail::title_width(options.title));
  const double height = top + std::max(m.height() + 40, detail::legend_height(legend, {})) + 8;

  SvgCanvas svg(width, height);
  svg.title(options.title.empty() ? "category map" : options.title);
  detail::title_text(svg, options.title);
  detail::draw_cells(svg, m, [&](Index u) {
    const double v = categories.data()[u];
    if (std::isnan(v)) return std::string();
    return v < 0 ? std::string(colors::noise) : category_color(Index(v)).hex();
  });
  detail::draw_map_indices(svg, m);
  detail::draw_legend(svg, legend_x, top, legend);
  svg.save(path);
}

/// Majority class per unit (classification_map's output; NaN = no samples).
inline void plot_classification_map(const Grid& grid, const RowMatrix<double>& classes,
                                    const std::string& path, CategoryPlotOptions options = {}) {
  if (options.title.empty()) options.title = "Classification map (most frequent label)";
  plot_category_map(grid, classes, path, options);
}

/// Cluster label per unit, row-major (-1 = noise, drawn as "Uncertain").
inline void plot_cluster_map(const Grid& grid, const Labels& unit_labels, const std::string& path,
                             CategoryPlotOptions options = {}) {
  detail::require<InputError>(unit_labels.size() == grid.size(), "plot_cluster_map",
                              "unit_labels has ", unit_labels.size(), " labels, but the grid has ",
                              grid.size(), " units");
  RowMatrix<double> m(grid.rows(), grid.cols());
  for (Index u = 0; u < grid.size(); ++u) m.data()[u] = double(unit_labels[u]);
  if (options.name_prefix == "class") options.name_prefix = "cluster";
  if (options.title.empty()) options.title = "Cluster map";
  plot_category_map(grid, m, path, options);
}

/// Several maps of one grid side by side, each with its own colour scale.
inline void plot_grid_maps(const Grid& grid, const std::vector<RowMatrix<double>>& maps,
                           const std::string& path, const MultiMapPlotOptions& options = {}) {
  const char* call = "plot_grid_maps";
  detail::check_path(call, path);
  detail::require<InputError>(!maps.empty(), call, "maps must not be empty");
  for (std::size_t k = 0; k < maps.size(); ++k)
    detail::check_map_shape(call, grid, maps[k], "maps[" + std::to_string(k) + "]");
  detail::require(options.cell_size >= 0, call, "cell_size must be >= 0, got ", options.cell_size);
  detail::require(options.columns >= 0, call, "columns must be >= 0, got ", options.columns);
  const Index n = Index(maps.size());
  const Index columns =
      options.columns > 0 ? std::min(options.columns, n) : Index(std::ceil(std::sqrt(double(n))));
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
    Range r{std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
            false};
    for (Index i = 0; i < mp.size(); ++i) {
      const double v = mp.data()[i];
      if (std::isnan(v)) {
        r.empty = true;
        continue;
      }
      r.lo = std::min(r.lo, v);
      r.hi = std::max(r.hi, v);
    }
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
  const double width =
      std::max(left + double(columns) * panel_w + 4, detail::title_width(options.title));
  const double height = top + double(rows) * panel_h + (any_empty ? 26 : 0) + 4;

  SvgCanvas svg(width, height);
  svg.title(options.title.empty() ? "maps" : options.title);
  detail::title_text(svg, options.title);
  for (Index k = 0; k < n; ++k) {
    const double px = left + double(k % columns) * panel_w,
                 py = top + double(k / columns) * panel_h;
    const auto& mp = maps[std::size_t(k)];
    const Range r = ranges[std::size_t(k)];
    const std::string name = std::size_t(k) < options.names.size()
                                 ? options.names[std::size_t(k)]
                                 : options.name_prefix + " " + std::to_string(k + 1);
    svg.begin_group({}, "panel");
    svg.text(px + probe.width() / 2, py + 13, name, detail::ts(12, Anchor::middle, true));
    detail::MapGeometry m{&grid, cell, px, py + 22};
    detail::draw_cells(svg, m, [&](Index u) {
      const double v = mp.data()[u];
      return std::isnan(v) ? std::string()
                           : detail::mapped_color(options.colormap, options.reverse_colormap,
                                                  (v - r.lo) / (r.hi - r.lo))
                                 .hex();
    });
    detail::draw_colorbar(svg, px + probe.width() + 10, py + 22, bar_h, r.lo, r.hi,
                          options.colormap, options.reverse_colormap, {}, 9.5);
    svg.end_group();
  }
  if (any_empty) detail::draw_legend(svg, left, height - 28, {{"no value", ""}});
  svg.save(path);
}

/// Units in the colour given by their 3 values (units x 3, row-major unit order).
inline void plot_rgb_map(const Grid& grid, const RowMatrix<double>& rgb, const std::string& path,
                         const RgbPlotOptions& options = {}) {
  const char* call = "plot_rgb_map";
  detail::check_path(call, path);
  detail::require<InputError>(rgb.rows() == grid.size() && rgb.cols() == 3, call, "rgb must be ",
                              grid.size(), " x 3 (one row per unit), got ", rgb.rows(), " x ",
                              rgb.cols());
  detail::require(options.cell_size >= 0, call, "cell_size must be >= 0, got ", options.cell_size);
  detail::check_data(call, rgb, "rgb");
  Eigen::RowVector3d lo = rgb.colwise().minCoeff(), span = rgb.colwise().maxCoeff() - lo;
  if (!options.rescale) {
    for (Index i = 0; i < rgb.rows(); ++i)
      for (Index c = 0; c < 3; ++c)
        detail::require<InputError>(rgb(i, c) >= 0 && rgb(i, c) <= 1, call,
                                    "colour values must be in [0, 1] (or set rescale), but rgb(", i,
                                    ", ", c, ") = ", rgb(i, c));
    lo.setZero();
    span.setOnes();
  }
  const double cell = detail::auto_cell_size(grid, options.cell_size, 480);
  const double top = options.title.empty() ? 14 : 44, left = 48;
  detail::MapGeometry m{&grid, cell, left, top};
  SvgCanvas svg(std::max(left + m.width() + 16, detail::title_width(options.title)),
                top + m.height() + 40);
  svg.title(options.title.empty() ? "RGB map" : options.title);
  detail::title_text(svg, options.title);
  detail::draw_cells(svg, m, [&](Index u) {
    Color c;
    auto channel = [&](Index k) { return span[k] > 0 ? (rgb(u, k) - lo[k]) / span[k] : 0.5; };
    c.r = channel(0);
    c.g = channel(1);
    c.b = channel(2);
    return c.hex();
  });
  detail::draw_map_indices(svg, m);
  svg.save(path);
}

/// Activation maps (e.g. one per query sample) as panels of one file.
inline void plot_activation_maps(const Grid& grid,
                                 const std::vector<RowMatrix<double>>& activations,
                                 const std::string& path, MultiMapPlotOptions options = {}) {
  if (options.title.empty()) options.title = "Activation maps";
  if (options.name_prefix == "map") options.name_prefix = "sample";
  plot_grid_maps(grid, activations, path, options);
}

// ---- charts --------------------------------------------------------------------------------

/// Lines y(x) on one pair of axes, with a legend when there are several.
inline void plot_curves(const std::vector<Curve>& curves, const std::string& path,
                        const ChartOptions& options = {}) {
  const char* call = "plot_curves";
  detail::check_path(call, path);
  detail::require<InputError>(!curves.empty(), call, "curves must not be empty");
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  for (std::size_t k = 0; k < curves.size(); ++k) {
    const Curve& c = curves[k];
    detail::require<InputError>(!c.x.empty() && c.x.size() == c.y.size(), call, "curve ", k, " ('",
                                c.name, "') must have as many x as y values, at least one; got ",
                                c.x.size(), " and ", c.y.size());
    detail::check_finite_values(call, c.x, "x");
    detail::check_finite_values(call, c.y, "y");
    x0 = std::min(x0, *std::min_element(c.x.begin(), c.x.end()));
    x1 = std::max(x1, *std::max_element(c.x.begin(), c.x.end()));
    y0 = std::min(y0, *std::min_element(c.y.begin(), c.y.end()));
    y1 = std::max(y1, *std::max_element(c.y.begin(), c.y.end()));
  }
  const double W = options.width > 0 ? options.width
                                     : std::max(640.0, detail::title_width(options.title)),
               H = options.height > 0 ? options.height : 420;
  const double xs = detail::nice_range(x0, x1), ys = detail::nice_range(y0, y1);
  const double top = options.title.empty() ? 16 : 44;
  detail::Axes a{72, top, W - 72 - 20, H - top - 52, x0, x1, y0, y1};
  SvgCanvas svg(W, H);
  svg.title(options.title.empty() ? "curves" : options.title);
  detail::title_text(svg, options.title);
  detail::draw_axes(svg, a, xs, ys, options.x_label, options.y_label);
  std::vector<detail::LegendEntry> legend;
  for (std::size_t k = 0; k < curves.size(); ++k) {
    const std::string colour = category_color(Index(k)).hex();
    detail::draw_series(svg, a, curves[k].x, curves[k].y, colour);
    legend.push_back({curves[k].name, colour});
  }
  if (curves.size() > 1) {
    const double lw = detail::legend_width(legend, {});
    Style box;
    box.fill = "#ffffff";
    box.opacity = 0.85;
    svg.rect(a.x + a.w - lw - 16, a.y + 6, lw + 10, detail::legend_height(legend, {}) + 6, box);
    detail::draw_legend(svg, a.x + a.w - lw - 11, a.y + 8, legend);
  }
  svg.save(path);
}

/// Quantization and topographic error per epoch, two stacked panels sharing the epoch axis.
inline void plot_training_errors(const std::vector<double>& quantization_errors,
                                 const std::vector<double>& topographic_errors,
                                 const std::string& path, ChartOptions options = {}) {
  const char* call = "plot_training_errors";
  detail::check_path(call, path);
  detail::require<InputError>(!quantization_errors.empty() || !topographic_errors.empty(), call,
                              "both error lists are empty; train first");
  detail::check_finite_values(call, quantization_errors, "quantization_errors");
  detail::check_finite_values(call, topographic_errors, "topographic_errors");
  if (options.title.empty()) options.title = "Training errors";
  const double W = options.width > 0 ? options.width
                                     : std::max(640.0, detail::title_width(options.title)),
               H = options.height > 0 ? options.height : 520;
  struct Panel {
    const std::vector<double>* y;
    std::string label, colour;
  };
  std::vector<Panel> panels;
  if (!quantization_errors.empty())
    panels.push_back({&quantization_errors, "quantization error", "#1f77b4"});
  if (!topographic_errors.empty())
    panels.push_back({&topographic_errors, "topographic error (fraction)", "#ff7f0e"});
  const double top = 44, gap = 46, bottom = 50;
  const double ph = (H - top - bottom - gap * double(panels.size() - 1)) / double(panels.size());
  SvgCanvas svg(W, H);
  svg.title(options.title);
  detail::title_text(svg, options.title);
  std::size_t longest = 0;
  for (const auto& p : panels) longest = std::max(longest, p.y->size());
  // Epochs are whole numbers from 1: ticks on integers, a little air at both ends.
  const double span = std::max(1.0, double(longest) - 1), x0 = 1 - 0.03 * span,
               x1 = double(longest) + 0.03 * span;
  const double xs = std::max(1.0, detail::nice_step(1, 1 + span));
  for (std::size_t k = 0; k < panels.size(); ++k) {
    const auto& y = *panels[k].y;
    double y0 = *std::min_element(y.begin(), y.end()), y1 = *std::max_element(y.begin(), y.end());
    const double ys = detail::nice_range(y0, y1, 4);
    detail::Axes a{80, top + double(k) * (ph + gap), W - 80 - 20, ph, x0, x1, y0, y1};
    const bool last = k + 1 == panels.size();
    detail::draw_axes(svg, a, xs, ys,
                      last ? (options.x_label.empty() ? "epoch" : options.x_label) : "",
                      panels[k].label);
    std::vector<double> epochs(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) epochs[i] = double(i + 1);
    detail::draw_series(svg, a, epochs, y, panels[k].colour);
  }
  svg.save(path);
}

/// Within-cluster dispersion (inertia) against k, the chosen k marked (0 = none).
inline void plot_elbow(const std::vector<Index>& k_values, const std::vector<double>& inertias,
                       Index chosen_k, const std::string& path, ChartOptions options = {}) {
  const char* call = "plot_elbow";
  detail::check_path(call, path);
  detail::require<InputError>(!k_values.empty() && k_values.size() == inertias.size(), call,
                              "k_values and inertias must have the same, non-zero length; got ",
                              k_values.size(), " and ", inertias.size());
  detail::check_finite_values(call, inertias, "inertias");
  const auto chosen = std::find(k_values.begin(), k_values.end(), chosen_k);
  detail::require(chosen_k == 0 || chosen != k_values.end(), call, "chosen_k (", chosen_k,
                  ") is not one of k_values");
  if (options.title.empty()) options.title = "Elbow analysis";
  std::vector<double> x(k_values.begin(), k_values.end());
  double x0 = *std::min_element(x.begin(), x.end()), x1 = *std::max_element(x.begin(), x.end());
  double y0 = *std::min_element(inertias.begin(), inertias.end()),
         y1 = *std::max_element(inertias.begin(), inertias.end());
  const double W = options.width > 0 ? options.width
                                     : std::max(640.0, detail::title_width(options.title)),
               H = options.height > 0 ? options.height : 420;
  double xs = std::max(1.0, detail::nice_step(x0 - 0.5, x1 + 0.5, 10));  // whole k only
  x0 -= 0.5;
  x1 += 0.5;
  const double ys = detail::nice_range(y0, y1);
  detail::Axes a{86, 44, W - 86 - 20, H - 44 - 52, x0, x1, y0, y1};
  SvgCanvas svg(W, H);
  svg.title(options.title);
  detail::title_text(svg, options.title);
  detail::draw_axes(
      svg, a, xs, ys, options.x_label.empty() ? "number of clusters k" : options.x_label,
      options.y_label.empty() ? "inertia (within-cluster sum of squares)" : options.y_label);
  detail::draw_series(svg, a, x, inertias, "#1f77b4");
  if (chosen_k != 0) {
    const double v = inertias[std::size_t(chosen - k_values.begin())];
    Style mark;
    mark.stroke = colors::highlight;
    mark.stroke_width = 1.2;
    mark.dash = "5 4";
    mark.css_class = "chosen";
    svg.line(a.px(double(chosen_k)), a.y, a.px(double(chosen_k)), a.y + a.h, mark);
    Style ring;
    ring.stroke = colors::highlight;
    ring.stroke_width = 2;
    svg.circle(a.px(double(chosen_k)), a.py(v), 7, ring);
    svg.text(a.px(double(chosen_k)) + 8, a.y + 16, "k = " + std::to_string(chosen_k),
             detail::ts(12, Anchor::start, true, colors::highlight));
  }
  svg.save(path);
}

/// Silhouette analysis: per cluster the sorted silhouette values of its samples as a band,
/// and the mean over the non-noise samples as a dashed line. Noise (-1) is left out, so
/// silhouette_samples' output (NaN for noise) goes in as it is.
inline void plot_silhouette(const Eigen::Ref<const Eigen::VectorXd>& silhouette_values,
                            const Labels& labels, const std::string& path,
                            ChartOptions options = {}) {
  const char* call = "plot_silhouette";
  detail::check_path(call, path);
  detail::require<InputError>(silhouette_values.size() == labels.size(), call,
                              "silhouette_values has ", silhouette_values.size(),
                              " values, but labels has ", labels.size());
  std::map<Index, std::vector<double>> bands;
  double sum = 0, lowest = 0;
  Index n = 0;
  for (Index i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0) continue;  // noise: silhouette_samples gives it NaN
    const double s = silhouette_values[i];
    detail::require<InputError>(s >= -1 && s <= 1, call,
                                "silhouette values must be in [-1, 1], but value ", i, " is ", s);
    bands[labels[i]].push_back(s);
    sum += s;
    lowest = std::min(lowest, s);
    ++n;
  }
  detail::require<InputError>(n > 0, call, "every sample is noise (-1); nothing to draw");
  const double mean = sum / double(n);
  if (options.title.empty())
    options.title = "Silhouette analysis (" + std::to_string(bands.size()) + " clusters)";
  const double W = options.width > 0 ? options.width
                                     : std::max(640.0, detail::title_width(options.title)),
               H = options.height > 0 ? options.height : 480;
  const double gap = std::max(2.0, double(n) * 0.03);
  double y1 = gap;
  for (const auto& [k, v] : bands) y1 += double(v.size()) + gap;
  double x0 = std::min(-0.1, std::floor(lowest * 10) / 10), x1 = 1.0;
  detail::Axes a{64, 44, W - 64 - 24, H - 44 - 52, x0, x1, 0, y1};
  SvgCanvas svg(W, H);
  svg.title(options.title);
  detail::title_text(svg, options.title);
  detail::draw_axes(svg, a, 0.2, 1,
                    options.x_label.empty() ? "silhouette coefficient" : options.x_label,
                    options.y_label.empty() ? "cluster" : options.y_label, true, false);
  double y = gap;
  svg.begin_group({}, "bands");
  for (auto& [k, v] : bands) {
    std::sort(v.begin(), v.end());  // ascending upward: the band's widest end on top
    std::vector<Point> pts{{a.px(0), a.py(y)}};
    for (std::size_t i = 0; i < v.size(); ++i) {
      pts.push_back({a.px(v[i]), a.py(y + double(i))});
      pts.push_back({a.px(v[i]), a.py(y + double(i + 1))});
    }
    pts.push_back({a.px(0), a.py(y + double(v.size()))});
    Style band;
    band.fill = category_color(k).hex();
    band.opacity = 0.85;
    band.css_class = "band";
    svg.polygon(pts, band);
    svg.text(a.x - 8, a.py(y + double(v.size()) / 2), std::to_string(k),
             detail::ts(11, Anchor::end, true, "#222222", 0, "middle"));
    y += double(v.size()) + gap;
  }
  svg.end_group();
  Style zero;
  zero.stroke = colors::axis;
  zero.stroke_width = 0.8;
  svg.line(a.px(0), a.y, a.px(0), a.y + a.h, zero);
  Style mline;
  mline.stroke = colors::highlight;
  mline.stroke_width = 1.5;
  mline.dash = "6 4";
  mline.css_class = "mean";
  svg.line(a.px(mean), a.y, a.px(mean), a.y + a.h, mline);
  const bool right = a.px(mean) + 120 < a.x + a.w;
  svg.text(a.px(mean) + (right ? 4 : -4), a.y - 5, "mean " + detail::svg_number(mean, 3),
           detail::ts(11, right ? Anchor::start : Anchor::end, true, colors::highlight));
  svg.save(path);
}

/// Silhouette, Davies–Bouldin, Calinski–Harabasz and the number of clusters per clustering,
/// as four small bar charts with the same bar colour per clustering.
inline void plot_cluster_quality_comparison(const std::vector<ClusterQuality>& results,
                                            const std::string& path, ChartOptions options = {}) {
  const char* call = "plot_cluster_quality_comparison";
  detail::check_path(call, path);
  detail::require<InputError>(!results.empty(), call, "results must not be empty");
  if (options.title.empty()) options.title = "Clustering quality comparison";
  double label_w = 0;
  for (const auto& r : results) label_w = std::max(label_w, detail::text_width(r.name, 10.5));
  const double W = options.width > 0 ? options.width
                                     : std::max({760.0, double(results.size()) * 2 * 60 + 200,
                                                 detail::title_width(options.title)});
  const double pw = (W - 40) / 2;
  const double slot = (pw - 80) / double(results.size());
  const bool slanted = label_w > slot - 6;  // long names are written at 35 degrees
  const double label_h = slanted ? label_w * 0.58 + 14 : 20;
  const double ph = 210 + label_h;
  const double H = options.height > 0 ? options.height : 44 + 2 * ph + 20;
  SvgCanvas svg(W, H);
  svg.title(options.title);
  detail::title_text(svg, options.title);
  const std::vector<std::pair<std::string, std::vector<double>>> metrics = [&] {
    std::vector<std::pair<std::string, std::vector<double>>> m(4);
    m[0].first = "Silhouette (higher is better)";
    m[1].first = "Davies-Bouldin (lower is better)";
    m[2].first = "Calinski-Harabasz (higher is better)";
    m[3].first = "Number of clusters";
    for (const auto& r : results) {
      m[0].second.push_back(r.silhouette);
      m[1].second.push_back(r.davies_bouldin);
      m[2].second.push_back(r.calinski_harabasz);
      m[3].second.push_back(double(r.n_clusters));
    }
    return m;
  }();
  for (std::size_t p = 0; p < 4; ++p) {
    const double px = 20 + double(p % 2) * pw, py = 44 + double(p / 2) * ph;
    const auto& values = metrics[p].second;
    double y0 = 0, y1 = 0;
    for (double v : values)
      if (std::isfinite(v)) {
        y0 = std::min(y0, v);
        y1 = std::max(y1, v);
      }
    if (y1 > 0) y1 *= 1.12;  // headroom for the value labels
    const double ys = detail::nice_range(y0, y1, 4);
    detail::Axes a{
        px + 64, py + 24, pw - 80, ph - 24 - label_h - 8, -0.5, double(values.size()) - 0.5,
        y0,      y1};
    svg.begin_group({}, "panel");
    svg.text(a.x + a.w / 2, py + 12, metrics[p].first, detail::ts(12.5, Anchor::middle, true));
    detail::draw_axes(svg, a, 1, ys, "", "", false, true);
    for (std::size_t i = 0; i < values.size(); ++i) {
      const double cx = a.px(double(i)), bw = std::min(a.w / double(values.size()) * 0.7, 70.0);
      const double v = values[i];
      if (std::isfinite(v)) {
        Style bar;
        bar.fill = category_color(Index(i)).hex();
        bar.css_class = "bar";
        svg.rect(cx - bw / 2, std::min(a.py(v), a.py(0)), bw, std::abs(a.py(v) - a.py(0)), bar);
      }
      const double ty = std::isfinite(v) ? (v >= 0 ? a.py(v) - 4 : a.py(v) + 12) : a.py(0) - 4;
      svg.text(cx, ty, p == 3 ? detail::svg_number(v, 0) : detail::short_number(v),
               detail::ts(10, Anchor::middle));
      TextStyle name = detail::ts(10.5, slanted ? Anchor::end : Anchor::middle, false, "#222222",
                                  slanted ? -35.0 : 0.0, slanted ? "middle" : "hanging");
      svg.text(cx, a.y + a.h + 8, results[i].name, name);
    }
    svg.end_group();
  }
  svg.save(path);
}

/// Points (n x 2) joined by edges, coloured and sized by per-node statistics (growing SOM
/// neurons at their lattice positions, or any 2-D layout).
inline void plot_network(const RowMatrix<double>& positions,
                         const std::vector<std::pair<Index, Index>>& edges, const std::string& path,
                         const NetworkPlotOptions& options = {}) {
  const char* call = "plot_network";
  detail::check_path(call, path);
  detail::require<InputError>(positions.cols() == 2, call, "positions must have 2 columns, got ",
                              positions.cols());
  detail::check_data(call, positions, "positions");
  const Index n = positions.rows();
  for (const auto& [a, b] : edges)
    detail::require<InputError>(a >= 0 && a < n && b >= 0 && b < n, call, "edge (", a, ", ", b,
                                ") refers to a node outside [0, ", n, ")");
  auto check_per_node = [&](Index size, const char* name) {
    detail::require<InputError>(size == 0 || size == n, call, name, " has ", size,
                                " values, but there are ", n, " nodes");
  };
  check_per_node(options.color.size(), "color");
  check_per_node(options.category.size(), "category");
  check_per_node(options.size.size(), "size");
  detail::require(options.color.size() == 0 || options.category.size() == 0, call,
                  "set color or category, not both");
  detail::check_finite_values(call, options.color, "color");
  detail::check_finite_values(call, options.size, "size");
  detail::require(options.min_radius > 0 && options.max_radius >= options.min_radius, call,
                  "radii must satisfy 0 < min_radius <= max_radius, got ", options.min_radius,
                  " and ", options.max_radius);
  detail::require(options.width > 0, call, "width must be > 0, got ", options.width);
  if (options.samples.size() > 0) {
    detail::require<InputError>(options.samples.cols() == 2, call,
                                "samples must have 2 columns, got ", options.samples.cols());
    detail::check_data(call, options.samples, "samples");
    detail::require<InputError>(
        options.sample_labels.size() == 0 || options.sample_labels.size() == options.samples.rows(),
        call, "sample_labels has ", options.sample_labels.size(), " labels, but samples has ",
        options.samples.rows(), " rows");
  }
  for (Index i = 0; i < options.category.size(); ++i)
    detail::require<InputError>(options.category[i] >= -1, call,
                                "category must be >= -1, but node ", i, " has ",
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
  if (options.size.size() > 0)
    std::tie(slo, shi) = detail::widened(options.size.minCoeff(), options.size.maxCoeff());
  auto radius = [&](double v) {
    return options.min_radius + (options.max_radius - options.min_radius) * (v - slo) / (shi - slo);
  };
  std::vector<detail::LegendEntry> legend;
  if (options.category.size() > 0) {
    std::set<Index> present(options.category.data(), options.category.data() + n);
    for (Index k : present)
      legend.push_back(k < 0 ? detail::LegendEntry{options.noise_label, colors::noise}
                             : detail::LegendEntry{detail::category_name(k, options.class_names,
                                                                         options.name_prefix),
                                                   category_color(k).hex()});
  }
  const double side_x = a.x + a.w + 24;
  double side_w = 0;
  if (options.color.size() > 0) side_w = detail::colorbar_width(clo, chi, options.color_label);
  if (!legend.empty()) side_w = std::max(side_w, detail::legend_width(legend, options.color_label));
  if (options.size.size() > 0)
    side_w =
        std::max({side_w, detail::text_width(options.size_label, 11), 2 * options.max_radius + 60});
  const double W = std::max(side_x + side_w + 16, detail::title_width(options.title));
  const double H = top + a.h + 52;
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
    svg.line(a.px(positions(p, 0)), a.py(positions(p, 1)), a.px(positions(q, 0)),
             a.py(positions(q, 1)), edge);
  svg.end_group();
  svg.begin_group({}, "nodes");
  for (Index i = 0; i < n; ++i) {
    Style node;
    node.css_class = "node";
    node.stroke = "#333333";
    node.stroke_width = 0.5;
    if (options.color.size() > 0)
      node.fill = detail::mapped_color(options.colormap, options.reverse_colormap,
                                       (options.color[i] - clo) / (chi - clo))
                      .hex();
    else if (options.category.size() > 0)
      node.fill = options.category[i] < 0 ? std::string(colors::noise)
                                          : category_color(options.category[i]).hex();
    else
      node.fill = "#1f77b4";
    const double r = options.size.size() > 0 ? radius(options.size[i])
                                             : (options.min_radius + options.max_radius) / 2;
    svg.circle(a.px(positions(i, 0)), a.py(positions(i, 1)), r, node);
  }
  svg.end_group();

  double side_y = top;
  if (options.color.size() > 0) {
    const double bh = std::min(a.h * 0.55, 220.0);
    detail::draw_colorbar(svg, side_x, side_y, bh, clo, chi, options.colormap,
                          options.reverse_colormap, options.color_label);
    side_y += bh + 24;
  } else if (!legend.empty()) {
    detail::draw_legend(svg, side_x, side_y, legend, options.color_label);
    side_y += detail::legend_height(legend, options.color_label) + 16;
  }
  if (options.size.size() > 0) {
    svg.begin_group({}, "size-legend");
    if (!options.size_label.empty())
      svg.text(side_x, side_y + 10, options.size_label,
               detail::ts(11, Anchor::start, true, "#222222", 0, "middle"));
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
      svg.text(side_x + 2 * options.max_radius + 8, side_y + options.max_radius,
               detail::short_number(v),
               detail::ts(11, Anchor::start, false, "#222222", 0, "middle"));
      side_y += 2 * options.max_radius + 6;
    }
    svg.end_group();
  }
  svg.save(path);
}

// ---- Som overloads -------------------------------------------------------------------------

}  // namespace somtile::viz

namespace somtile::detail {
inline const char* plot_distance_name(Distance d) {
  switch (d) {
    case Distance::cosine:
      return "cosine";
    case Distance::manhattan:
      return "manhattan";
    case Distance::chebyshev:
      return "chebyshev";
    case Distance::euclidean:
      break;
  }
  return "euclidean";
}
}  // namespace somtile::detail

namespace somtile::viz {

/// U-matrix of a Som (mean distance to the neighbours up to neighborhood_order rings).
template <typename Scalar>
void plot_u_matrix(const Som<Scalar>& som, const std::string& path, MapPlotOptions options = {}) {
  const Index order = som.params().neighborhood_order;
  if (options.title.empty())
    options.title = "U-matrix (distance map), order " + std::to_string(order);
  if (options.colorbar_label.empty())
    options.colorbar_label =
        std::string("mean ") + detail::plot_distance_name(som.params().distance) + " distance";
  plot_grid_map(som.grid(), u_matrix(som), path, options);
}

/// Samples per unit; units without samples are drawn as empty, not as zero.
template <typename Scalar>
void plot_hit_map(const Som<Scalar>& som, DataRef<Scalar> X, const std::string& path,
                  MapPlotOptions options = {}) {
  RowMatrix<double> hits = hit_map(som, X);
  for (Index i = 0; i < hits.size(); ++i)
    if (hits.data()[i] == 0) hits.data()[i] = std::numeric_limits<double>::quiet_NaN();
  if (options.title.empty()) options.title = "Hit map";
  if (options.colorbar_label.empty()) options.colorbar_label = "samples per unit";
  if (options.empty_label == "no value") options.empty_label = "no hits";
  plot_grid_map(som.grid(), hits, path, options);
}

/// Every component plane (one weight per feature) as panels of one file.
template <typename Scalar>
void plot_component_planes(const Som<Scalar>& som, const std::string& path,
                           MultiMapPlotOptions options = {}) {
  if (options.title.empty()) options.title = "Component planes";
  if (options.name_prefix == "map") options.name_prefix = "feature";
  plot_grid_maps(som.grid(), component_planes(som), path, options);
}

/// Majority label of the samples per unit, with a legend of the classes. Labels may be any
/// integers (negative, not starting at 0, not contiguous): a class is coloured by its rank
/// among the distinct labels of y and named by its value (or options.class_names[label]), so
/// -1 is a class here, not noise. For labels 0..C-1 rank and label coincide.
template <typename Scalar>
void plot_classification_map(const Som<Scalar>& som, const BmuDataMap& map, const Labels& y,
                             const std::string& path, CategoryPlotOptions options = {}) {
  RowMatrix<double> classes = classification_map(som, map, y);
  std::vector<Index> labels(y.data(), y.data() + y.size());
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  std::vector<std::string> names;
  for (const Index label : labels)
    names.push_back(label >= 0 && std::size_t(label) < options.class_names.size()
                        ? options.class_names[std::size_t(label)]
                        : options.name_prefix + " " + std::to_string(label));
  for (Index u = 0; u < classes.size(); ++u) {
    double& v = classes.data()[u];
    if (!std::isnan(v))
      v = double(std::lower_bound(labels.begin(), labels.end(), Index(v)) - labels.begin());
  }
  options.class_names = std::move(names);
  plot_classification_map(som.grid(), classes, path, options);
}

/// Mean (or unbiased std, with Reduction::std) of a target per unit.
template <typename Scalar>
void plot_metric_map(const Som<Scalar>& som, const BmuDataMap& map,
                     const Eigen::Ref<const Eigen::VectorXd>& target, const std::string& path,
                     MapPlotOptions options = {}, Reduction reduction = Reduction::mean) {
  const bool mean = reduction == Reduction::mean;
  if (options.title.empty())
    options.title =
        mean ? "Mean target value per unit" : "Standard deviation of the target per unit";
  if (options.colorbar_label.empty()) options.colorbar_label = mean ? "mean target" : "target std";
  plot_grid_map(som.grid(), metric_map(som, map, target, reduction), path, options);
}

/// Representativeness score per unit (lower = better).
template <typename Scalar>
void plot_score_map(const Som<Scalar>& som, const BmuDataMap& map,
                    const Eigen::Ref<const Eigen::VectorXd>& target, const std::string& path,
                    MapPlotOptions options = {}, Index total_samples = 0) {
  if (options.title.empty()) options.title = "Unit representativeness";
  if (options.colorbar_label.empty()) options.colorbar_label = "score (lower = better)";
  plot_grid_map(som.grid(), score_map(som, map, target, total_samples), path, options);
}

/// Units ranked by the spread of their targets (1 = most homogeneous), the rank printed in
/// each cell that is large enough.
template <typename Scalar>
void plot_rank_map(const Som<Scalar>& som, const BmuDataMap& map,
                   const Eigen::Ref<const Eigen::VectorXd>& target, const std::string& path,
                   MapPlotOptions options = {}) {
  if (options.title.empty()) options.title = "Units ranked by target std";
  if (options.colorbar_label.empty()) options.colorbar_label = "rank (1 = lowest std)";
  options.show_values = true;
  options.value_decimals = 0;
  plot_grid_map(som.grid(), rank_map(som, map, target), path, options);
}

/// U-matrix of an online-SOM lattice (mean distance to the up to 8 neighbours).
template <typename Scalar>
void plot_u_matrix(const Lattice<Scalar>& lattice, const std::string& path,
                   MapPlotOptions options = {}) {
  if (options.title.empty()) options.title = "U-matrix";
  if (options.colorbar_label.empty()) options.colorbar_label = "mean euclidean distance";
  plot_grid_map(lattice.grid(), u_matrix(lattice), path, options);
}

/// A 3-feature lattice as an RGB image (NumbaSOM's imshow(lattice)).
template <typename Scalar>
void plot_rgb_map(const Lattice<Scalar>& lattice, const std::string& path,
                  RgbPlotOptions options = {}) {
  detail::require<InputError>(lattice.n_features() == 3, "plot_rgb_map",
                              "an RGB image needs a lattice of 3 features, got ",
                              lattice.n_features());
  if (options.title.empty()) options.title = "Lattice as RGB";
  plot_rgb_map(lattice.grid(), lattice.codebook().template cast<double>(), path, options);
}

/// Activation maps of the samples in X on a lattice (lattice_activations), one panel each.
template <typename Scalar>
void plot_activation_maps(const Lattice<Scalar>& lattice, DataRef<Scalar> X,
                          const std::string& path, const MultiMapPlotOptions& options = {},
                          double exponent = 1.0) {
  plot_activation_maps(lattice.grid(), lattice_activations(X, lattice, exponent), path, options);
}

// ---- clustering of the units -------------------------------------------------------------------

}  // namespace somtile::viz

namespace somtile::detail {
inline std::string cluster_name(const ClusterResult& r, bool upper) {
  std::string method = r.method == ClusterMethod::gmm       ? "gmm"
                       : r.method == ClusterMethod::hdbscan ? "hdbscan"
                                                            : "kmeans";
  const char* space = r.feature_space == FeatureSpace::positions  ? "positions"
                      : r.feature_space == FeatureSpace::combined ? "combined"
                                                                  : "weights";
  if (upper) {
    for (char& c : method) c = char(std::toupper(static_cast<unsigned char>(c)));
    return method + " clustering (" + space + " space), " + std::to_string(r.n_clusters) +
           " clusters";
  }
  return method + "_" + space;
}
}  // namespace somtile::detail

namespace somtile::viz {

/// Cluster label of every unit of a Som (Som::cluster / cluster_units), noise as "Uncertain".
template <typename Scalar>
void plot_cluster_map(const Som<Scalar>& som, const ClusterResult& result, const std::string& path,
                      CategoryPlotOptions options = {}) {
  if (options.title.empty()) options.title = detail::cluster_name(result, true);
  plot_cluster_map(som.grid(), result.labels, path, options);
}

/// Silhouette analysis of a clustering of units, in the feature space that was clustered.
inline void plot_silhouette(const ClusterResult& result, const std::string& path,
                            ChartOptions options = {}) {
  if (options.title.empty()) options.title = "Silhouette: " + detail::cluster_name(result, true);
  plot_silhouette(silhouette_samples(result.features, result.labels), result.labels, path, options);
}

/// Silhouette, Davies–Bouldin, Calinski–Harabasz and cluster count of several clusterings,
/// labelled method_space.
inline void plot_cluster_quality_comparison(const std::vector<ClusterResult>& results,
                                            const std::string& path,
                                            const ChartOptions& options = {}) {
  std::vector<ClusterQuality> q;
  for (const auto& r : results)
    q.push_back({detail::cluster_name(r, false), r.metrics.silhouette, r.metrics.davies_bouldin,
                 r.metrics.calinski_harabasz, r.n_clusters});
  plot_cluster_quality_comparison(q, path, options);
}

/// Elbow analysis of a Som's units (Som::elbow): k-means inertia for k = 1..max_k in a feature
/// space, the elbow (elbow_k) marked. max_k = 0: up to 10, no more than the map has units.
template <typename Scalar>
void plot_elbow(const Som<Scalar>& som, const std::string& path, Index max_k = 0,
                FeatureSpace space = FeatureSpace::weights, std::uint64_t seed = 0,
                const ChartOptions& options = {}) {
  const std::vector<double> inertias = som.elbow(max_k, space, seed);
  std::vector<Index> k(inertias.size());
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = Index(i + 1);
  plot_elbow(k, inertias, inertias.size() >= 2 ? elbow_k(inertias) : 0, path, options);
}

/// QE and TE per epoch of a Som's training.
inline void plot_training_errors(const TrainingHistory& history, const std::string& path,
                                 const ChartOptions& options = {}) {
  plot_training_errors(history.quantization_errors, history.topographic_errors, path, options);
}

// ---- growing SOM -----------------------------------------------------------------------------

}  // namespace somtile::viz

namespace somtile::detail {

/// Rows of W projected on their first two principal components (n x 2).
inline RowMatrix<double> pca_2d(const RowMatrix<double>& W) {
  const RowMatrix<double> centred = W.rowwise() - W.colwise().mean();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(centred.transpose() * centred);  // ascending
  RowMatrix<double> out = RowMatrix<double>::Zero(W.rows(), 2);
  for (Index k = 0; k < std::min<Index>(2, W.cols()); ++k) {
    Eigen::VectorXd axis = eig.eigenvectors().col(W.cols() - 1 - k);
    Index biggest = 0;
    axis.cwiseAbs().maxCoeff(&biggest);
    if (axis[biggest] < 0) axis = -axis;  // fix the eigenvector's sign, so layouts are reproducible
    out.col(k) = centred * axis;
  }
  return out;
}

inline const char* statistic_name(viz::NodeStatistic s) {
  switch (s) {
    case viz::NodeStatistic::hit_count:
      return "hit count";
    case viz::NodeStatistic::error:
      return "error";
    case viz::NodeStatistic::average_distance:
      return "average distance";
    case viz::NodeStatistic::density:
      return "density";
    case viz::NodeStatistic::epoch_created:
      return "epoch created";
    case viz::NodeStatistic::label:
      return "label";
    case viz::NodeStatistic::none:
      break;
  }
  return "";
}

template <typename Scalar>
Eigen::VectorXd node_statistic(const GrowingSomEstimator<Scalar>& model, viz::NodeStatistic s) {
  switch (s) {
    case viz::NodeStatistic::hit_count:
      return model.hit_count();
    case viz::NodeStatistic::error:
      return model.error();
    case viz::NodeStatistic::average_distance:
      return model.average_distance();
    case viz::NodeStatistic::density:
      return model.density();
    case viz::NodeStatistic::epoch_created:
      return model.epoch_created().template cast<double>();
    case viz::NodeStatistic::label:
      throw ParameterError(
          "plot_growing_som(): NodeStatistic::label needs a SomClassifier (a SomVQ has no labels)");
    case viz::NodeStatistic::none:
      break;
  }
  return {};
}

}  // namespace somtile::detail

namespace somtile::viz {}  // namespace somtile::viz

namespace somtile::detail {

template <typename Scalar>
void plot_growing_network(const GrowingSomEstimator<Scalar>& model, const std::string& path,
                          const viz::GrowingSomPlotOptions& options, const Labels* neuron_labels) {
  using namespace viz;
  detail::require(options.size != NodeStatistic::label, "plot_growing_som",
                  "size must be a numeric statistic, not NodeStatistic::label");
  const RowMatrix<double> W = model.weights().template cast<double>();
  RowMatrix<double> points;
  switch (options.layout) {
    case NetworkLayout::lattice:
      points = model.positions().template cast<double>();
      break;
    case NetworkLayout::weights:
      detail::require<InputError>(W.cols() >= 2, "plot_growing_som",
                                  "the weights layout needs >= 2 features, got ", W.cols());
      points = W.leftCols(2);
      break;
    case NetworkLayout::pca:
      points = detail::pca_2d(W);
      break;
  }
  NetworkPlotOptions o = options.network;
  if (options.color == NodeStatistic::label) {
    o.category = neuron_labels
                     ? *neuron_labels
                     : detail::node_statistic(model, options.color).template cast<Index>();
  } else if (options.color != NodeStatistic::none) {
    o.color = detail::node_statistic(model, options.color);
  }
  if (o.color_label.empty()) o.color_label = detail::statistic_name(options.color);
  if (options.size != NodeStatistic::none) o.size = detail::node_statistic(model, options.size);
  if (o.size_label.empty()) o.size_label = detail::statistic_name(options.size);
  if (o.title.empty()) o.title = "Growing SOM: " + std::to_string(model.n_neurons()) + " neurons";
  if (o.x_label == "x" && o.y_label == "y") {
    const bool pca = options.layout == NetworkLayout::pca,
               lattice = options.layout == NetworkLayout::lattice;
    o.x_label = pca ? "PC 1" : lattice ? "lattice x" : "weight 1";
    o.y_label = pca ? "PC 2" : lattice ? "lattice y" : "weight 2";
  }
  plot_network(points, model.edges(), path, o);
}

}  // namespace somtile::detail

namespace somtile::viz {

/// A growing SOM as a network: neurons placed by `layout`, lattice edges as grey lines, colour
/// and size by per-neuron statistics.
template <typename Scalar>
void plot_growing_som(const SomVQ<Scalar>& model, const std::string& path,
                      const GrowingSomPlotOptions& options = {}) {
  detail::plot_growing_network(model, path, options, nullptr);
}

/// As above; NodeStatistic::label colours the neurons by class with a legend (unlabelled
/// neurons as "Uncertain").
template <typename Scalar>
void plot_growing_som(const SomClassifier<Scalar>& model, const std::string& path,
                      const GrowingSomPlotOptions& options = {}) {
  GrowingSomPlotOptions o = options;
  if (o.network.class_names.empty())
    for (Index k = 0; k < model.classes().size(); ++k)
      o.network.class_names.push_back("class " + std::to_string(model.classes()[k]));
  if (o.network.noise_label == "Uncertain") o.network.noise_label = "no hits";
  detail::plot_growing_network(
      model, path, o, options.color == NodeStatistic::label ? &model.neuron_labels() : nullptr);
}

}  // namespace somtile::viz
