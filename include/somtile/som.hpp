#pragma once
// Module: the three trainers and their maps. The classic Som (som/som.hpp) with its maps
// (som/maps.hpp), the growing SomVQ and SomClassifier, the online OnlineSom with its Lattice,
// the grids and neighbourhoods they train on, and the BMU search they share (kernels/bmu.hpp).
// Clustering the units of a Som (Som::cluster) needs <somtile/cluster.hpp> as well.

#include "somtile/core/error.hpp"
#include "somtile/core/random.hpp"
#include "somtile/core/types.hpp"
#include "somtile/grid/neighborhood.hpp"
#include "somtile/grid/schedule.hpp"
#include "somtile/grid/topology.hpp"
#include "somtile/kernels/batch.hpp"
#include "somtile/kernels/bmu.hpp"
#include "somtile/som/lattice.hpp"
#include "somtile/som/maps.hpp"
#include "somtile/som/online_som.hpp"
#include "somtile/som/som.hpp"
#include "somtile/som/som_classifier.hpp"
#include "somtile/som/som_vq.hpp"

// Precompiled mode (CMake option SOMTILE_PRECOMPILED, target somtile::precompiled): these
// instantiations are compiled once into the library (src/som.cpp) instead of in every
// translation unit that uses them.
#ifdef SOMTILE_PRECOMPILED
namespace somtile {
#define SOMTILE_EXTERN(Scalar)                                                                   \
  extern template class Som<Scalar>;                                                             \
  extern template class OnlineSom<Scalar>;                                                       \
  extern template class SomVQ<Scalar>;                                                           \
  extern template class SomClassifier<Scalar>;                                                   \
  extern template BmuResult<Scalar> find_bmus<Scalar>(ConstRowRef<Scalar>, ConstRowRef<Scalar>, \
                                                      Distance, bool, int);
SOMTILE_EXTERN(float)
SOMTILE_EXTERN(double)
#undef SOMTILE_EXTERN
}  // namespace somtile
#endif
