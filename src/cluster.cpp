// somtile::precompiled: clustering, for float and double. The list is
// somtile/cluster/detail/instantiations.hpp, which the module header also declares extern.
#include <somtile/cluster.hpp>

#include <somtile/core/detail/precompiled.hpp>

namespace somtile {
SOMTILE_FOR_PRECOMPILED_SCALARS(SOMTILE_CLUSTER_INSTANTIATIONS, SOMTILE_INSTANTIATE)
}  // namespace somtile
