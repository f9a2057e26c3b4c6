#pragma once
// The growing map's precompiled instantiations (see core/detail/precompiled.hpp).
#define SOMTILE_GROWING_INSTANTIATIONS(X, S) \
  X(class GrowingSomEstimator<S>)            \
  X(class SomVQ<S>)                          \
  X(class SomClassifier<S>)
