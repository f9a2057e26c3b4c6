#pragma once
// Module: clustering any data (KMeans, GaussianMixture, HDBSCAN) and clustering the units of a
// map (cluster_units, behind Som::cluster and Som::elbow).

#include "somtile/cluster/gaussian_mixture.hpp"
#include "somtile/cluster/hdbscan.hpp"
#include "somtile/cluster/kmeans.hpp"
#include "somtile/cluster/som_cluster.hpp"

