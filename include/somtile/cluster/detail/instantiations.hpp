#pragma once
// Clustering's precompiled instantiations (see core/detail/precompiled.hpp).
#define SOMTILE_CLUSTER_INSTANTIATIONS(X, S) \
  X(class KMeans<S>)                         \
  X(class GaussianMixture<S>)                \
  X(class HDBSCAN<S>)                        \
  X(ClusterResult cluster_units<S>(DataRef<S>, const RowMatrix<double>&, const ClusterParams&, const char*))
