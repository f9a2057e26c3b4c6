// somtile::precompiled: impute, for float and double. The list is
// somtile/missing/detail/instantiations.hpp, which the module header also declares extern.
#include <somtile/missing.hpp>

#include <somtile/core/detail/precompiled.hpp>

namespace somtile {
SOMTILE_FOR_PRECOMPILED_SCALARS(SOMTILE_MISSING_INSTANTIATIONS, SOMTILE_INSTANTIATE)
}  // namespace somtile
