#pragma once
// Module: data files (CSV, NumPy .npy) and saving and loading every model.

#include "somtile/io/csv.hpp"
#include "somtile/io/model_io.hpp"
#include "somtile/io/npy.hpp"
