#pragma once
// somtile: header-only Self-Organizing Maps. Includes every module (cluster, io, metrics,
// preprocessing, som) except the pictures (somtile/viz.hpp) and the MPI component
// (somtile/mpi.hpp). A program that uses one module compiles faster with that module's header
// alone.

#include "somtile/cluster.hpp"
#include "somtile/io.hpp"
#include "somtile/metrics.hpp"
#include "somtile/preprocessing.hpp"
#include "somtile/som.hpp"
