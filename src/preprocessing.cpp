// somtile::precompiled: the scalers and train_test_split, for float and double. The list is
// somtile/preprocessing/detail/instantiations.hpp, which the module header also declares extern.
#include <somtile/preprocessing.hpp>

#include <somtile/core/detail/precompiled.hpp>

namespace somtile {
SOMTILE_FOR_PRECOMPILED_SCALARS(SOMTILE_PREPROCESSING_INSTANTIATIONS, SOMTILE_INSTANTIATE)
}  // namespace somtile
