#pragma once
// Module: data files (CSV, NumPy .npy, vocabularies), saving and loading every model, NumbaSOM
// lattices as .npy, and streaming sources of row chunks for data larger than memory (dense:
// .npy, CSV, a callback; sparse: svmlight, scipy's CSR .npz).

#include "somtile/io/callback_source.hpp"
#include "somtile/io/chunk_source.hpp"
#include "somtile/io/csv.hpp"
#include "somtile/io/csv_source.hpp"
#include "somtile/io/lattice_npy.hpp"
#include "somtile/io/model_io.hpp"
#include "somtile/io/npy.hpp"
#include "somtile/io/npy_source.hpp"
#include "somtile/io/npz_source.hpp"
#include "somtile/io/svmlight_source.hpp"
#include "somtile/io/vocabulary.hpp"

// Precompiled mode: the instantiations somtile::precompiled holds are declared, not compiled here.
#ifdef SOMTILE_PRECOMPILED
#include "somtile/core/detail/precompiled.hpp"
#include "somtile/io/detail/instantiations.hpp"
namespace somtile {
SOMTILE_FOR_PRECOMPILED_SCALARS(SOMTILE_IO_INSTANTIATIONS, SOMTILE_EXTERN_TEMPLATE)
}  // namespace somtile
#endif
