#pragma once
// Module: preparing data. StandardScaler and MinMaxScaler (as scikit-learn's), the Scaler a
// model carries (SomParams::scaling), and train_test_split.

#include "somtile/preprocessing/min_max_scaler.hpp"
#include "somtile/preprocessing/scaler.hpp"
#include "somtile/preprocessing/split.hpp"
#include "somtile/preprocessing/standard_scaler.hpp"

// Precompiled mode: the instantiations somtile::precompiled holds are declared, not compiled here.
#ifdef SOMTILE_PRECOMPILED
#include "somtile/core/detail/precompiled.hpp"
#include "somtile/preprocessing/detail/instantiations.hpp"
namespace somtile {
SOMTILE_FOR_PRECOMPILED_SCALARS(SOMTILE_PREPROCESSING_INSTANTIATIONS, SOMTILE_EXTERN_TEMPLATE)
}  // namespace somtile
#endif
