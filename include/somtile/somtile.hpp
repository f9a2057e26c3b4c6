#pragma once
// somtile: header-only Self-Organizing Maps. Including this header brings in every module.

#include "somtile/core/error.hpp"
#include "somtile/core/random.hpp"
#include "somtile/core/types.hpp"
#include "somtile/core/validate.hpp"
#include "somtile/grid/neighborhood.hpp"
#include "somtile/grid/schedule.hpp"
#include "somtile/grid/topology.hpp"
#include "somtile/kernels/batch.hpp"
#include "somtile/kernels/bmu.hpp"
#include "somtile/metrics/som_quality.hpp"
#include "somtile/som/maps.hpp"
#include "somtile/som/som.hpp"
