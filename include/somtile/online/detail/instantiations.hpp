#pragma once
// The online trainer's precompiled instantiations (see core/detail/precompiled.hpp).
#define SOMTILE_ONLINE_INSTANTIATIONS(X, S) \
  X(class OnlineSom<S>)                     \
  X(class Lattice<S>)                       \
  X(RowMatrix<double> u_matrix<S>(const Lattice<S>&))
