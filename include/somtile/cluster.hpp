#pragma once
// Module: clustering any data (KMeans, GaussianMixture, HDBSCAN) and clustering the units of a
// map (cluster_units, behind Som::cluster and Som::elbow).

#include "somtile/cluster/gaussian_mixture.hpp"
#include "somtile/cluster/hdbscan.hpp"
#include "somtile/cluster/kmeans.hpp"
#include "somtile/cluster/som_cluster.hpp"

// Precompiled mode (see somtile/som.hpp): compiled once in src/cluster.cpp.
#ifdef SOMTILE_PRECOMPILED
namespace somtile {
#define SOMTILE_EXTERN(Scalar)                                                                   \
  extern template class KMeans<Scalar>;                                                          \
  extern template class GaussianMixture<Scalar>;                                                 \
  extern template class HDBSCAN<Scalar>;                                                         \
  extern template ClusterResult cluster_units<Scalar>(DataRef<Scalar>, const RowMatrix<double>&, \
                                                      const ClusterParams&, const char*);
SOMTILE_EXTERN(float)
SOMTILE_EXTERN(double)
#undef SOMTILE_EXTERN
}  // namespace somtile
#endif
