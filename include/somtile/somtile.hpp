#pragma once
// somtile: header-only Self-Organizing Maps. Includes every module (som, online, growing,
// missing, cluster, metrics, preprocessing, io) except the pictures (somtile/viz.hpp), sparse
// input (somtile/sparse.hpp) and the MPI component (somtile/mpi.hpp). A program that uses one
// module compiles faster with that module's header alone.

#include "somtile/cluster.hpp"
#include "somtile/growing.hpp"
#include "somtile/io.hpp"
#include "somtile/metrics.hpp"
#include "somtile/missing.hpp"
#include "somtile/online.hpp"
#include "somtile/preprocessing.hpp"
#include "somtile/som.hpp"
