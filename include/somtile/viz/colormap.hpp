#pragma once
// Colour maps for continuous values (viridis, magma: perceptually uniform and readable in grey
// and by colour-blind readers; a diverging blue-red for signed values; gray for images) and a qualitative
// palette for categories. The continuous maps interpolate linearly between control points
// taken from matplotlib's 256-entry tables (every 5th entry, so within 1/255 of the table).

#include "somtile/core/error.hpp"
#include "somtile/viz/color.hpp"
#include "somtile/viz/detail/colormap_tables.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>

namespace somtile::viz {

enum class Colormap {
  viridis,   ///< dark blue -> green -> yellow
  magma,     ///< black -> purple -> orange -> light yellow
  blue_red,  ///< diverging (ColorBrewer RdBu, reversed): blue = low, white = middle, red = high
  gray       ///< black -> white (reversed: ink on paper, for prototypes drawn as images)
};

/// Which colours categories take. Classes and clusters get different palettes, so "class 0"
/// on a classification map and "cluster 0" on a cluster map of the same units never share a
/// colour and cannot be read as the same group.
enum class CategoryPalette {
  automatic,  ///< the plot's own: clusters for cluster maps and cluster ids, classes otherwise
  classes,    ///< category_color: Tableau's palette
  clusters    ///< cluster_color: ColorBrewer's Dark2 then Set2
};

namespace colors {
inline constexpr const char* noise = "#b3b3b3";        ///< "Uncertain" / noise units (grey 0.7)
inline constexpr const char* empty_fill = "#ffffff";   ///< background of units without a value
inline constexpr const char* empty_hatch = "#9a9a9a";  ///< their hatching
inline constexpr const char* edge = "#9a9a9a";         ///< network edges
inline constexpr const char* axis = "#333333";
inline constexpr const char* grid_line = "#dddddd";
inline constexpr const char* highlight = "#d62728";  ///< mean lines, chosen k
}  // namespace colors

/// The colour of t in [0, 1] (clamped; NaN maps to 0).
inline Color colormap_color(Colormap map, double t) {
  if (std::isnan(t)) t = 0.0;
  switch (map) {
    case Colormap::magma:
      return detail::interpolate_colormap(detail::magma_table, t);
    case Colormap::blue_red:
      return detail::interpolate_colormap(detail::blue_red_table, t);
    case Colormap::gray:
      return detail::interpolate_colormap(detail::gray_table, t);
    case Colormap::viridis:
      break;
  }
  return detail::interpolate_colormap(detail::viridis_table, t);
}

/// Number of control points, for gradients that reproduce the map exactly.
inline std::size_t colormap_stops(Colormap map) {
  return map == Colormap::blue_red ? detail::blue_red_table.size()
         : map == Colormap::gray   ? detail::gray_table.size()
                                   : detail::viridis_table.size();
}

/// Colour of category k >= 0 (class 0 is a colour like any other). The first 18 are Tableau's;
/// later ones step around the hue circle by the golden angle, so neighbours stay distinct.
inline Color category_color(long long k) {
  if (k < 0)
    throw ParameterError("category_color(): k must be >= 0 (noise has its own grey), got " + std::to_string(k));
  if (k < 18) return detail::color_from_hex(detail::category_hex[std::size_t(k)]);
  return detail::hsl_color(std::fmod(double(k) * 137.50776405, 360.0), 0.6, 0.5);
}

/// Colour of cluster k >= 0: a palette of its own (ColorBrewer's Dark2, then Set2, then darker
/// golden-angle hues), so a cluster never takes the colour of the class with the same number.
inline Color cluster_color(long long k) {
  if (k < 0) throw ParameterError("cluster_color(): k must be >= 0 (noise has its own grey), got " + std::to_string(k));
  if (k < 14) return detail::color_from_hex(detail::cluster_hex[std::size_t(k)]);
  return detail::hsl_color(std::fmod(double(k) * 137.50776405 + 60.0, 360.0), 0.75, 0.35);
}

/// The colour of category k in a palette; automatic means classes.
inline Color palette_color(CategoryPalette palette, long long k) {
  return palette == CategoryPalette::clusters ? cluster_color(k) : category_color(k);
}

}  // namespace somtile::viz
