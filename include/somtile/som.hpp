#pragma once
// Module: the classic self-organizing map (TorchSOM's features). Som trains a fixed
// rectangular or hexagonal grid (optionally a torus) by batch or mini-batch updates
// (som/som.hpp); its maps (U-matrix, hits, classification, ...) are in som/maps.hpp,
// MapClassifier labels a trained map (som/map_classifier.hpp) and suggest_som_params picks the
// SOM Toolbox's map size (som/suggest.hpp). The grids and neighbourhoods live in grid/, the
// BMU search and batch update every trainer shares in kernels/.
//
// Clustering the units (Som::cluster) needs <somtile/cluster.hpp> as well. Sparse data:
// <somtile/sparse.hpp>. Missing values: <somtile/missing.hpp>.

#include "somtile/core/error.hpp"
#include "somtile/core/random.hpp"
#include "somtile/core/types.hpp"
#include "somtile/grid/grid.hpp"
#include "somtile/grid/neighborhood.hpp"
#include "somtile/grid/schedule.hpp"
#include "somtile/kernels/batch.hpp"
#include "somtile/kernels/bmu.hpp"
#include "somtile/som/map_classifier.hpp"
#include "somtile/som/maps.hpp"
#include "somtile/som/som.hpp"
#include "somtile/som/suggest.hpp"

// Deprecated, for one release: som.hpp used to bring in every trainer. It still includes the
// online and growing modules and impute unless SOMTILE_NO_DEPRECATED is defined; include
// <somtile/online.hpp>, <somtile/growing.hpp> or <somtile/missing.hpp> for them.
#ifndef SOMTILE_NO_DEPRECATED
#include "somtile/growing.hpp"
#include "somtile/missing.hpp"
#include "somtile/online.hpp"
#endif

// Precompiled mode: the instantiations somtile::precompiled holds are declared, not compiled here.
#ifdef SOMTILE_PRECOMPILED
#include "somtile/core/detail/precompiled.hpp"
#include "somtile/som/detail/instantiations.hpp"
namespace somtile {
SOMTILE_FOR_PRECOMPILED_SCALARS(SOMTILE_SOM_INSTANTIATIONS, SOMTILE_EXTERN_TEMPLATE)
}  // namespace somtile
#endif
