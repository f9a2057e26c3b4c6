// somtile::precompiled: saving and loading models, for float and double. The list is
// somtile/io/detail/instantiations.hpp, which the module header also declares extern.
#include <somtile/io.hpp>

#include <somtile/core/detail/precompiled.hpp>

namespace somtile {
SOMTILE_FOR_PRECOMPILED_SCALARS(SOMTILE_IO_INSTANTIATIONS, SOMTILE_INSTANTIATE)
}  // namespace somtile
