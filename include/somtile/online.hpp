#pragma once
// Module: the online trainer (NumbaSOM's). OnlineSom updates a lattice one sample at a time
// inside the neighbourhood's window (online/online_som.hpp; fit/predict/transform as the other
// estimators, or NumbaSOM's train) and gives a Lattice, the trained codebook on its grid, with
// its U-matrix, projection, closest-vector and activation helpers (online/lattice.hpp). It
// shares grid/, the BMU search in kernels/ and the Scaler in preprocessing/ with the other
// trainers.

#include "somtile/online/lattice.hpp"
#include "somtile/online/online_som.hpp"

// Precompiled mode: the instantiations somtile::precompiled holds are declared, not compiled here.
#ifdef SOMTILE_PRECOMPILED
#include "somtile/core/detail/precompiled.hpp"
#include "somtile/online/detail/instantiations.hpp"
namespace somtile {
SOMTILE_FOR_PRECOMPILED_SCALARS(SOMTILE_ONLINE_INSTANTIATIONS, SOMTILE_EXTERN_TEMPLATE)
}  // namespace somtile
#endif
