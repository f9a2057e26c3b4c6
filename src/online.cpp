// somtile::precompiled: the online trainer, for float and double. The list is
// somtile/online/detail/instantiations.hpp, which the module header also declares extern.
#include <somtile/online.hpp>

#include <somtile/core/detail/precompiled.hpp>

namespace somtile {
SOMTILE_FOR_PRECOMPILED_SCALARS(SOMTILE_ONLINE_INSTANTIATIONS, SOMTILE_INSTANTIATE)
}  // namespace somtile
