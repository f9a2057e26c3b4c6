#pragma once
// Pictures: an SVG canvas, colour maps and one function per plot (somtile::viz).

#include "somtile/viz/charts.hpp"
#include "somtile/viz/colormap.hpp"
#include "somtile/viz/grid_maps.hpp"
#include "somtile/viz/network.hpp"
#include "somtile/viz/plot_options.hpp"
#include "somtile/viz/plots.hpp"
#include "somtile/viz/rgb_map.hpp"
#include "somtile/viz/svg.hpp"
