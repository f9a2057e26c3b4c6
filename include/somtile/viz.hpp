#pragma once
// Module: pictures (somtile::viz). An SVG canvas, colour maps, one function per plot drawn from plain
// data, and overloads per model family. Including one file compiles only what it draws:
//   plain data             viz/grid_maps.hpp, viz/rgb_map.hpp, viz/charts.hpp, viz/network.hpp
//   Som                    viz/som_plots.hpp (with the ClusterResult plots)
//   ClusterResult          viz/cluster_plots.hpp
//   Lattice                viz/lattice_plots.hpp
//   SomVQ, SomClassifier   viz/growing_plots.hpp
//   every picture of a Som viz/plot_all.hpp
//   prototypes as images   viz/prototypes.hpp (Som, SomVQ, SomClassifier, plain data)

#include "somtile/viz/charts.hpp"
#include "somtile/viz/cluster_plots.hpp"
#include "somtile/viz/colormap.hpp"
#include "somtile/viz/grid_maps.hpp"
#include "somtile/viz/growing_plots.hpp"
#include "somtile/viz/lattice_plots.hpp"
#include "somtile/viz/network.hpp"
#include "somtile/viz/plot_all.hpp"
#include "somtile/viz/plot_options.hpp"
#include "somtile/viz/prototypes.hpp"
#include "somtile/viz/rgb_map.hpp"
#include "somtile/viz/som_plots.hpp"
#include "somtile/viz/svg.hpp"

// Precompiled mode: the instantiations somtile::precompiled holds are declared, not compiled here.
#ifdef SOMTILE_PRECOMPILED
#include "somtile/core/detail/precompiled.hpp"
#include "somtile/viz/detail/instantiations.hpp"
namespace somtile::viz {
SOMTILE_FOR_PRECOMPILED_SCALARS(SOMTILE_VIZ_INSTANTIATIONS, SOMTILE_EXTERN_TEMPLATE)
}  // namespace somtile::viz
#endif
