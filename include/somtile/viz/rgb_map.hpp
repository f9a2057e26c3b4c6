#pragma once
// A map whose units are drawn in the RGB colour of their 3 values (NumbaSOM's lattice image).

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/types.hpp"
#include "somtile/grid/grid.hpp"
#include "somtile/kernels/detail/pca.hpp"
#include "somtile/viz/colormap.hpp"
#include "somtile/viz/detail/checks.hpp"
#include "somtile/viz/detail/map_geometry.hpp"
#include "somtile/viz/detail/text.hpp"
#include "somtile/viz/plot_options.hpp"
#include "somtile/viz/svg.hpp"

#include <algorithm>

namespace somtile::viz {

/// Prototypes (units x features) as colours: their first three principal components, each
/// stretched to [0, 1] over the units, as red, green and blue (a component that does not
/// vary, or does not exist for fewer than 3 features, is 0.5). Units with similar prototypes
/// get similar colours; feed it to plot_rgb_map, or use NodeStatistic::pca_rgb.
/// \throws InputError if W is empty or not finite.
template <typename = void>
RowMatrix<double> pca_rgb(const RowMatrix<double>& W) {
  detail::check_data("pca_rgb", W, "W");
  const Index k = std::min<Index>(3, W.cols());
  const detail::PrincipalAxes pca = detail::principal_axes(W, k);
  const RowMatrix<double> scores = (W.rowwise() - pca.mean) * pca.axes;
  RowMatrix<double> rgb = RowMatrix<double>::Constant(W.rows(), 3, 0.5);
  for (Index c = 0; c < std::min<Index>(k, scores.cols()); ++c) {
    const double lo = scores.col(c).minCoeff(), span = scores.col(c).maxCoeff() - lo;
    if (span > 1e-12 * std::max(1.0, std::abs(lo))) rgb.col(c) = (scores.col(c).array() - lo) / span;
  }
  return rgb;
}

/// Units in the colour given by their 3 values (units x 3, row-major unit order).
inline void plot_rgb_map(const Grid& grid, const RowMatrix<double>& rgb, const std::string& path,
                         const RgbPlotOptions& options = {}) {
  const char* call = "plot_rgb_map";
  detail::check_path(call, path);
  detail::require<InputError>(rgb.rows() == grid.size() && rgb.cols() == 3, call, "rgb must be ", grid.size(),
                              " x 3 (one row per unit), got ", rgb.rows(), " x ", rgb.cols());
  detail::require(options.cell_size >= 0, call, "cell_size must be >= 0, got ", options.cell_size);
  detail::check_data(call, rgb, "rgb");
  Eigen::RowVector3d lo = rgb.colwise().minCoeff(), span = rgb.colwise().maxCoeff() - lo;
  if (!options.rescale) {
    for (Index i = 0; i < rgb.rows(); ++i)
      for (Index c = 0; c < 3; ++c)
        detail::require<InputError>(rgb(i, c) >= 0 && rgb(i, c) <= 1, call,
                                    "colour values must be in [0, 1] (or set rescale), but rgb(", i, ", ", c,
                                    ") = ", rgb(i, c));
    lo.setZero();
    span.setOnes();
  }
  const double cell = detail::auto_cell_size(grid, options.cell_size, 480);
  const double top = options.title.empty() ? 14 : 44, left = 48;
  detail::MapGeometry m{&grid, cell, left, top};
  SvgCanvas svg(std::max(left + m.width() + 16, detail::title_width(options.title)), top + m.height() + 40);
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

}  // namespace somtile::viz
