#pragma once
// Prototypes as pictures: each unit's weight vector reshaped to a small image (the 8 x 8
// digits, 28 x 28 Fashion-MNIST) and drawn where the unit sits on its map: a Som's rectangular
// or hexagonal grid, or a growing SOM's lattice (dbgsom's Fashion-MNIST picture). All images
// share one value range, so brightness compares across units; a colour bar gives the scale.

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/types.hpp"
#include "somtile/growing/growing_som.hpp"
#include "somtile/som/som.hpp"
#include "somtile/viz/colormap.hpp"
#include "somtile/viz/detail/checks.hpp"
#include "somtile/viz/detail/color_scale.hpp"
#include "somtile/viz/detail/text.hpp"
#include "somtile/viz/plot_options.hpp"
#include "somtile/viz/svg.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace somtile::viz {

/// Prototypes W (units x features), image u centred at centres(u) = (x, y) in cell units (x to
/// the right, y downward; one image per cell, `fill` = share of a cell the image spans).
/// \throws InputError if W or centres is empty or not finite, centres is not units x 2, or
///         the image shape does not match the feature count.
/// \throws ParameterError for a bad image shape, pixel_size < 0 or vmin >= vmax.
inline void plot_prototypes(const RowMatrix<double>& W, const RowMatrix<double>& centres, const std::string& path,
                            const PrototypePlotOptions& options = {}, double fill = 0.9) {
  const char* call = "plot_prototypes";
  detail::check_path(call, path);
  detail::check_data(call, W, "prototypes");
  detail::require<InputError>(centres.rows() == W.rows() && centres.cols() == 2, call, "centres must be ", W.rows(),
                              " x 2 (one row per prototype), got ", centres.rows(), " x ", centres.cols());
  detail::check_data(call, centres, "centres");
  detail::require(options.image_width >= 0 && options.image_height >= 0, call,
                  "image_width and image_height must be >= 0, got ", options.image_width, " and ",
                  options.image_height);
  detail::require(options.pixel_size >= 0, call, "pixel_size must be >= 0, got ", options.pixel_size);
  const Index D = W.cols();
  Index w = options.image_width, h = options.image_height;
  if (w == 0 && h == 0) {
    w = h = Index(std::lround(std::sqrt(double(D))));
    detail::require<InputError>(w * h == D, call, "the prototypes have ", D,
                                " features, not a square number: set image_width (and image_height)");
  } else if (h == 0) {
    detail::require<InputError>(D % w == 0, call, "image_width ", w, " does not divide the ", D, " features");
    h = D / w;
  } else if (w == 0) {
    detail::require<InputError>(D % h == 0, call, "image_height ", h, " does not divide the ", D, " features");
    w = D / h;
  }
  detail::require<InputError>(w * h == D, call, "an image of ", h, " x ", w, " pixels needs ", w * h,
                              " features, but the prototypes have ", D);
  double lo = std::isnan(options.vmin) ? W.minCoeff() : options.vmin;
  double hi = std::isnan(options.vmax) ? W.maxCoeff() : options.vmax;
  if (!std::isnan(options.vmin) && !std::isnan(options.vmax))
    detail::require(lo < hi, call, "vmin must be < vmax, got ", lo, " and ", hi);
  if (hi <= lo) hi = lo + 1;  // constant prototypes: one colour

  const double x0 = centres.col(0).minCoeff(), x1 = centres.col(0).maxCoeff();
  const double y0 = centres.col(1).minCoeff(), y1 = centres.col(1).maxCoeff();
  const double extent = std::max(x1 - x0, y1 - y0) + 1;  // in cells
  const double longer = double(std::max(w, h));
  const double pixel =
      options.pixel_size > 0 ? options.pixel_size : std::clamp(std::floor(640.0 * fill / (extent * longer)), 1.0, 16.0);
  const double cell = pixel * longer / fill;
  const double top = options.title.empty() ? 14 : 44, left = 16;
  const double map_w = (x1 - x0 + 1) * cell, map_h = (y1 - y0 + 1) * cell;
  const double bar_x = left + map_w + 20;
  const double bar_h = std::min(std::max(map_h * 0.6, 80.0), 240.0);
  const double W_px =
      std::max(bar_x + detail::colorbar_width(lo, hi, options.colorbar_label) + 12, detail::title_width(options.title));
  SvgCanvas svg(W_px, top + std::max(map_h, bar_h) + 16);
  svg.title(options.title.empty() ? "prototypes" : options.title);
  detail::title_text(svg, options.title);
  Style frame;
  frame.stroke = "#999999";
  frame.stroke_width = 0.5;
  for (Index u = 0; u < W.rows(); ++u) {
    svg.begin_group({}, "prototype");
    const double cx = left + (centres(u, 0) - x0 + 0.5) * cell, cy = top + (centres(u, 1) - y0 + 0.5) * cell;
    const double ix = cx - double(w) * pixel / 2, iy = cy - double(h) * pixel / 2;
    for (Index r = 0; r < h; ++r)
      for (Index c = 0; c < w; ++c) {
        Style px;
        px.fill =
            detail::mapped_color(options.colormap, options.reverse_colormap, (W(u, r * w + c) - lo) / (hi - lo)).hex();
        svg.rect(ix + double(c) * pixel, iy + double(r) * pixel, pixel, pixel, px);
      }
    svg.rect(ix, iy, double(w) * pixel, double(h) * pixel, frame);
    svg.end_group();
  }
  detail::draw_colorbar(svg, bar_x, top, bar_h, lo, hi, options.colormap, options.reverse_colormap,
                        options.colorbar_label);
  svg.save(path);
}

/// A Som's prototypes on its grid: rows down, columns across, hexagonal rows shifted by half a
/// cell; in the data's units (a Som with params().scaling maps its scaled codebook back, as the
/// component planes do, so digits keep their ink and constant border pixels stay blank).
/// \throws NotFittedError before the weights exist.
template <typename Scalar>
void plot_prototypes(const Som<Scalar>& som, const std::string& path, const PrototypePlotOptions& options = {}) {
  const Grid& g = som.grid();
  RowMatrix<double> centres(g.size(), 2);
  for (Index u = 0; u < g.size(); ++u) centres.row(u) << g.x(u), g.y(u);
  PrototypePlotOptions o = options;
  if (o.title.empty())
    o.title = "Prototypes (" + std::to_string(g.rows()) + " x " + std::to_string(g.cols()) +
              (som.params().scaling == Scaling::none ? ")" : ", in the data's units)");
  // Hexagonal rows are sqrt(3)/2 apart: square images must stay inside that spacing.
  plot_prototypes(som.weights_in_data_units().template cast<double>(), centres, path, o, g.hexagonal() ? 0.8 : 0.9);
}

/// A growing SOM's (SomVQ, SomClassifier) prototypes at their lattice cells, lattice y upward,
/// as dbgsom's Fashion-MNIST picture, in the data's units. \throws NotFittedError before fit().
template <typename Scalar>
void plot_prototypes(const GrowingSomEstimator<Scalar>& model, const std::string& path,
                     const PrototypePlotOptions& options = {}) {
  const LatticePositions P = model.positions();
  RowMatrix<double> centres(P.rows(), 2);
  for (Index k = 0; k < P.rows(); ++k) centres.row(k) << double(P(k, 0)), -double(P(k, 1));
  PrototypePlotOptions o = options;
  if (o.title.empty())
    o.title = "Prototypes (" + std::to_string(model.n_neurons()) + " neurons" +
              (model.params().scaling == Scaling::none ? ")" : ", in the data's units)");
  plot_prototypes(model.weights_in_data_units().template cast<double>(), centres, path, o);
}

}  // namespace somtile::viz
