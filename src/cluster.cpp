// Precompiled mode (SOMTILE_PRECOMPILED=ON): the float and double instantiations of the
// clustering estimators and of clustering a map's units, compiled once (see somtile/cluster.hpp).
#include <somtile/cluster.hpp>

namespace somtile {
#define SOMTILE_INSTANTIATE(Scalar)                                                              \
  template class KMeans<Scalar>;                                                                 \
  template class GaussianMixture<Scalar>;                                                        \
  template class HDBSCAN<Scalar>;                                                                \
  template ClusterResult cluster_units<Scalar>(DataRef<Scalar>, const RowMatrix<double>&,        \
                                               const ClusterParams&, const char*);
SOMTILE_INSTANTIATE(float)
SOMTILE_INSTANTIATE(double)
#undef SOMTILE_INSTANTIATE
}  // namespace somtile
