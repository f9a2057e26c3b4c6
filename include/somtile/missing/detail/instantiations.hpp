#pragma once
// impute's precompiled instantiations (see core/detail/precompiled.hpp).
#define SOMTILE_MISSING_INSTANTIATIONS(X, S)                 \
  X(RowMatrix<S> impute<S>(const Som<S>&, DataRef<S>))       \
  X(RowMatrix<S> impute<S>(const OnlineSom<S>&, DataRef<S>)) \
  X(RowMatrix<S> impute<S>(const GrowingSomEstimator<S>&, DataRef<S>))
