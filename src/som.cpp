// somtile::precompiled: the classic map, its maps and the shared BMU search (Som::cluster and Som::elbow need the
// clustering module), for float and double. The list is somtile/som/detail/instantiations.hpp, which the module header
// also declares extern.
#include <somtile/cluster.hpp>
#include <somtile/io/chunk_source.hpp>  // Som's members that read a ChunkSource (fit, predict, ...)
#include <somtile/som.hpp>

#include <somtile/core/detail/precompiled.hpp>

namespace somtile {
SOMTILE_FOR_PRECOMPILED_SCALARS(SOMTILE_SOM_INSTANTIATIONS, SOMTILE_INSTANTIATE)
}  // namespace somtile
