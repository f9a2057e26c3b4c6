#pragma once
// Module: data files (CSV, NumPy .npy), saving and loading every model, NumbaSOM lattices as .npy.

#include "somtile/io/csv.hpp"
#include "somtile/io/lattice_npy.hpp"
#include "somtile/io/model_io.hpp"
#include "somtile/io/npy.hpp"
