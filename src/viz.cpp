// somtile::precompiled: the model plots, for float and double. The list is
// somtile/viz/detail/instantiations.hpp, which the module header also declares extern.
#include <somtile/cluster.hpp>
#include <somtile/viz.hpp>

#include <somtile/core/detail/precompiled.hpp>

namespace somtile::viz {
SOMTILE_FOR_PRECOMPILED_SCALARS(SOMTILE_VIZ_INSTANTIATIONS, SOMTILE_INSTANTIATE)
}  // namespace somtile::viz
