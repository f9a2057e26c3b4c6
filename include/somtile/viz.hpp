#pragma once
// Module: pictures. An SVG canvas, colour maps and one function per plot (somtile::viz).

#include "somtile/viz/colormap.hpp"
#include "somtile/viz/plots.hpp"
#include "somtile/viz/svg.hpp"
