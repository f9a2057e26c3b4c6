// Precompiled mode (SOMTILE_PRECOMPILED=ON): the float and double instantiations of the
// trainers and the BMU search, compiled once. The headers declare them `extern template` when
// SOMTILE_PRECOMPILED is defined (see somtile/som.hpp).
#include <somtile/cluster.hpp>  // Som::cluster and Som::elbow are instantiated with the class
#include <somtile/som.hpp>

namespace somtile {
#define SOMTILE_INSTANTIATE(Scalar)                                                              \
  template class Som<Scalar>;                                                                    \
  template class OnlineSom<Scalar>;                                                              \
  template class GrowingSomEstimator<Scalar>;                                                    \
  template class SomVQ<Scalar>;                                                                  \
  template class SomClassifier<Scalar>;                                                          \
  template class MapClassifier<Scalar>;                                                          \
  template BmuResult<Scalar> find_bmus<Scalar>(ConstRowRef<Scalar>, ConstRowRef<Scalar>, Distance, bool, int);  \
  template BmuResult<Scalar> find_bmus<Scalar>(ConstRowRef<Scalar>, ConstRowRef<Scalar>, Distance, bool, int, Missing);
SOMTILE_INSTANTIATE(float)
SOMTILE_INSTANTIATE(double)
#undef SOMTILE_INSTANTIATE
}  // namespace somtile
