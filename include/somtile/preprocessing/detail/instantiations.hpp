#pragma once
// Data preparation's precompiled instantiations (see core/detail/precompiled.hpp).
#define SOMTILE_PREPROCESSING_INSTANTIATIONS(X, S) \
  X(class StandardScaler<S>)                       \
  X(class MinMaxScaler<S>)                         \
  X(class Scaler<S>)                               \
  X(Split<S> train_test_split<S>(DataRef<S>, const Labels&, double, std::uint64_t, bool))
