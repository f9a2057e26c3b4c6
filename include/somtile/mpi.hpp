#pragma once
// Module: data-parallel batch training over MPI ranks. Link somtile::mpi
// (find_package(somtile COMPONENTS mpi)); not included by somtile.hpp.

#include "somtile/mpi/batch_training.hpp"
