#pragma once
// Line and bar charts from plain vectors: curves, training errors, elbow, silhouette bands and
// a comparison of clustering quality metrics. The model adapters (som_plots.hpp,
// cluster_plots.hpp) fill these vectors from a Som or a ClusterResult.

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/types.hpp"
#include "somtile/viz/colormap.hpp"
#include "somtile/viz/detail/axes.hpp"
#include "somtile/viz/detail/checks.hpp"
#include "somtile/viz/detail/legend.hpp"
#include "somtile/viz/detail/message_panel.hpp"
#include "somtile/viz/detail/text.hpp"
#include "somtile/viz/detail/ticks.hpp"
#include "somtile/viz/plot_options.hpp"
#include "somtile/viz/svg.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace somtile::viz {

/// One curve of plot_curves.
struct Curve {
  /// Legend entry.
  std::string name;
  /// x values.
  std::vector<double> x;
  /// y values, one per x.
  std::vector<double> y;
};

/// One clustering in plot_cluster_quality_comparison (NaN = metric undefined).
struct ClusterQuality {
  std::string name;  ///< e.g. "kmeans_weights"
  /// Mean silhouette coefficient.
  double silhouette = std::numeric_limits<double>::quiet_NaN();
  /// Davies–Bouldin index.
  double davies_bouldin = std::numeric_limits<double>::quiet_NaN();
  /// Calinski–Harabasz index.
  double calinski_harabasz = std::numeric_limits<double>::quiet_NaN();
  /// Clusters found.
  Index n_clusters = 0;
};

/// Lines y(x) on one pair of axes, with a legend when there are several.
inline void plot_curves(const std::vector<Curve>& curves, const std::string& path, const ChartOptions& options = {}) {
  const char* call = "plot_curves";
  detail::check_path(call, path);
  detail::require<InputError>(!curves.empty(), call, "curves must not be empty");
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  for (std::size_t k = 0; k < curves.size(); ++k) {
    const Curve& c = curves[k];
    detail::require<InputError>(!c.x.empty() && c.x.size() == c.y.size(), call, "curve ", k, " ('", c.name,
                                "') must have as many x as y values, at least one; got ", c.x.size(), " and ",
                                c.y.size());
    detail::check_finite_values(call, c.x, "x");
    detail::check_finite_values(call, c.y, "y");
    x0 = std::min(x0, *std::min_element(c.x.begin(), c.x.end()));
    x1 = std::max(x1, *std::max_element(c.x.begin(), c.x.end()));
    y0 = std::min(y0, *std::min_element(c.y.begin(), c.y.end()));
    y1 = std::max(y1, *std::max_element(c.y.begin(), c.y.end()));
  }
  const double W = options.width > 0 ? options.width : std::max(640.0, detail::title_width(options.title)),
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
                                 const std::vector<double>& topographic_errors, const std::string& path,
                                 ChartOptions options = {}) {
  const char* call = "plot_training_errors";
  detail::check_path(call, path);
  detail::require<InputError>(!quantization_errors.empty() || !topographic_errors.empty(), call,
                              "both error lists are empty; train first");
  detail::check_finite_values(call, quantization_errors, "quantization_errors");
  detail::check_finite_values(call, topographic_errors, "topographic_errors");
  if (options.title.empty()) options.title = "Training errors";
  const double W = options.width > 0 ? options.width : std::max(640.0, detail::title_width(options.title)),
               H = options.height > 0 ? options.height : 520;
  struct Panel {
    const std::vector<double>* y;
    std::string label, colour;
  };
  std::vector<Panel> panels;
  if (!quantization_errors.empty()) panels.push_back({&quantization_errors, "quantization error", "#1f77b4"});
  if (!topographic_errors.empty()) panels.push_back({&topographic_errors, "topographic error (fraction)", "#ff7f0e"});
  const double top = 44, gap = 46, bottom = 50;
  const double ph = (H - top - bottom - gap * double(panels.size() - 1)) / double(panels.size());
  SvgCanvas svg(W, H);
  svg.title(options.title);
  detail::title_text(svg, options.title);
  std::size_t longest = 0;
  for (const auto& p : panels) longest = std::max(longest, p.y->size());
  // Epochs are whole numbers from 1: ticks on integers, a little air at both ends.
  const double span = std::max(1.0, double(longest) - 1), x0 = 1 - 0.03 * span, x1 = double(longest) + 0.03 * span;
  const double xs = std::max(1.0, detail::nice_step(1, 1 + span));
  for (std::size_t k = 0; k < panels.size(); ++k) {
    const auto& y = *panels[k].y;
    double y0 = *std::min_element(y.begin(), y.end()), y1 = *std::max_element(y.begin(), y.end());
    const double ys = detail::nice_range(y0, y1, 4);
    detail::Axes a{80, top + double(k) * (ph + gap), W - 80 - 20, ph, x0, x1, y0, y1};
    const bool last = k + 1 == panels.size();
    detail::draw_axes(svg, a, xs, ys, last ? (options.x_label.empty() ? "epoch" : options.x_label) : "",
                      panels[k].label);
    std::vector<double> epochs(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) epochs[i] = double(i + 1);
    detail::draw_series(svg, a, epochs, y, panels[k].colour);
  }
  svg.save(path);
}

/// Within-cluster dispersion (inertia) against k, the chosen k marked (0 = none).
inline void plot_elbow(const std::vector<Index>& k_values, const std::vector<double>& inertias, Index chosen_k,
                       const std::string& path, ChartOptions options = {}) {
  const char* call = "plot_elbow";
  detail::check_path(call, path);
  detail::require<InputError>(!k_values.empty() && k_values.size() == inertias.size(), call,
                              "k_values and inertias must have the same, non-zero length; got ", k_values.size(),
                              " and ", inertias.size());
  detail::check_finite_values(call, inertias, "inertias");
  const auto chosen = std::find(k_values.begin(), k_values.end(), chosen_k);
  detail::require(chosen_k == 0 || chosen != k_values.end(), call, "chosen_k (", chosen_k, ") is not one of k_values");
  if (options.title.empty()) options.title = "Elbow analysis";
  std::vector<double> x(k_values.begin(), k_values.end());
  double x0 = *std::min_element(x.begin(), x.end()), x1 = *std::max_element(x.begin(), x.end());
  double y0 = *std::min_element(inertias.begin(), inertias.end()),
         y1 = *std::max_element(inertias.begin(), inertias.end());
  const double W = options.width > 0 ? options.width : std::max(640.0, detail::title_width(options.title)),
               H = options.height > 0 ? options.height : 420;
  double xs = std::max(1.0, detail::nice_step(x0 - 0.5, x1 + 0.5, 10));  // whole k only
  x0 -= 0.5;
  x1 += 0.5;
  const double ys = detail::nice_range(y0, y1);
  detail::Axes a{86, 44, W - 86 - 20, H - 44 - 52, x0, x1, y0, y1};
  SvgCanvas svg(W, H);
  svg.title(options.title);
  detail::title_text(svg, options.title);
  detail::draw_axes(svg, a, xs, ys, options.x_label.empty() ? "number of clusters k" : options.x_label,
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
/// silhouette_samples' output (NaN for noise) goes in as it is. With fewer than two clusters
/// (every sample noise, or one cluster) there is no silhouette: the file holds a panel saying
/// so instead.
inline void plot_silhouette(const Eigen::Ref<const Eigen::VectorXd>& silhouette_values, const Labels& labels,
                            const std::string& path, ChartOptions options = {}) {
  const char* call = "plot_silhouette";
  detail::check_path(call, path);
  detail::require<InputError>(silhouette_values.size() == labels.size(), call, "silhouette_values has ",
                              silhouette_values.size(), " values, but labels has ", labels.size());
  std::map<Index, std::vector<double>> bands;
  double sum = 0, lowest = 0;
  Index n = 0;
  for (Index i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0) continue;  // noise: silhouette_samples gives it NaN
    const double s = silhouette_values[i];
    detail::require<InputError>(s >= -1 && s <= 1, call, "silhouette values must be in [-1, 1], but value ", i, " is ",
                                s);
    bands[labels[i]].push_back(s);
    sum += s;
    lowest = std::min(lowest, s);
    ++n;
  }
  if (bands.size() < 2) {
    if (options.title.empty()) options.title = "Silhouette analysis";
    detail::message_panel(path, options.title,
                          n == 0 ? "Every sample is noise: no clusters, so no silhouette"
                                 : "Only one cluster: a silhouette needs at least two",
                          options);
    return;
  }
  const double mean = sum / double(n);
  if (options.title.empty()) options.title = "Silhouette analysis (" + std::to_string(bands.size()) + " clusters)";
  const double W = options.width > 0 ? options.width : std::max(640.0, detail::title_width(options.title)),
               H = options.height > 0 ? options.height : 480;
  const double gap = std::max(2.0, double(n) * 0.03);
  double y1 = gap;
  for (const auto& [k, v] : bands) y1 += double(v.size()) + gap;
  double x0 = std::min(-0.1, std::floor(lowest * 10) / 10), x1 = 1.0;
  detail::Axes a{64, 44, W - 64 - 24, H - 44 - 52, x0, x1, 0, y1};
  SvgCanvas svg(W, H);
  svg.title(options.title);
  detail::title_text(svg, options.title);
  detail::draw_axes(svg, a, 0.2, 1, options.x_label.empty() ? "silhouette coefficient" : options.x_label,
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
inline void plot_cluster_quality_comparison(const std::vector<ClusterQuality>& results, const std::string& path,
                                            ChartOptions options = {}) {
  const char* call = "plot_cluster_quality_comparison";
  detail::check_path(call, path);
  detail::require<InputError>(!results.empty(), call, "results must not be empty");
  if (options.title.empty()) options.title = "Clustering quality comparison";
  double label_w = 0;
  for (const auto& r : results) label_w = std::max(label_w, detail::text_width(r.name, 10.5));
  const double W = options.width > 0
                       ? options.width
                       : std::max({760.0, double(results.size()) * 2 * 60 + 200, detail::title_width(options.title)});
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
    detail::Axes a{px + 64, py + 24, pw - 80, ph - 24 - label_h - 8, -0.5, double(values.size()) - 0.5, y0, y1};
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
      svg.text(cx, ty, p == 3 ? detail::svg_number(v, 0) : detail::short_number(v), detail::ts(10, Anchor::middle));
      TextStyle name = detail::ts(10.5, slanted ? Anchor::end : Anchor::middle, false, "#222222", slanted ? -35.0 : 0.0,
                                  slanted ? "middle" : "hanging");
      svg.text(cx, a.y + a.h + 8, results[i].name, name);
    }
    svg.end_group();
  }
  svg.save(path);
}

}  // namespace somtile::viz
