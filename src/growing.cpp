// somtile::precompiled: the growing map, for float and double. The list is
// somtile/growing/detail/instantiations.hpp, which the module header also declares extern.
#include <somtile/growing.hpp>

#include <somtile/core/detail/precompiled.hpp>

namespace somtile {
SOMTILE_FOR_PRECOMPILED_SCALARS(SOMTILE_GROWING_INSTANTIATIONS, SOMTILE_INSTANTIATE)
}  // namespace somtile
