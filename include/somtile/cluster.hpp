#pragma once
// Module: clustering any data (KMeans, GaussianMixture, HDBSCAN) and clustering the units of a
// map (cluster_units, behind Som::cluster and Som::elbow) and the top features of its clusters
// (cluster_top_features).

#include "somtile/cluster/gaussian_mixture.hpp"
#include "somtile/cluster/hdbscan.hpp"
#include "somtile/cluster/kmeans.hpp"
#include "somtile/cluster/som_cluster.hpp"
#include "somtile/cluster/top_features.hpp"

// Precompiled mode: the instantiations somtile::precompiled holds are declared, not compiled here.
#ifdef SOMTILE_PRECOMPILED
#include "somtile/cluster/detail/instantiations.hpp"
#include "somtile/core/detail/precompiled.hpp"
namespace somtile {
SOMTILE_FOR_PRECOMPILED_SCALARS(SOMTILE_CLUSTER_INSTANTIATIONS, SOMTILE_EXTERN_TEMPLATE)
}  // namespace somtile
#endif
