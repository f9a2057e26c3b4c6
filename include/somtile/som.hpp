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
#include "somtile/som/impute.hpp"
#include "somtile/som/lattice.hpp"
#include "somtile/som/map_classifier.hpp"
#include "somtile/som/maps.hpp"
#include "somtile/som/online_som.hpp"
#include "somtile/som/som.hpp"
#include "somtile/som/som_classifier.hpp"
#include "somtile/som/som_vq.hpp"
#include "somtile/som/suggest.hpp"

