#pragma once
// Module: quality metrics. Of a clustering on any data (silhouette, Davies-Bouldin,
// Calinski-Harabasz) and of a map (quantization and topographic errors, topographic function
// and product).

#include "somtile/metrics/clustering.hpp"
#include "somtile/metrics/som_quality.hpp"
#include "somtile/metrics/topographic_function.hpp"
