#pragma once
// Display names of enums in plot titles and colour-bar labels, kept together because the CLI
// spells the same enums. The clustering's names are in cluster_names.hpp: they need
// ClusterResult, whose header the growing-SOM plots (users of this file) should not compile.

#include "somtile/core/types.hpp"
#include "somtile/viz/plot_options.hpp"

namespace somtile::detail {

inline const char* plot_distance_name(Distance d) {
  switch (d) {
    case Distance::cosine:
      return "cosine";
    case Distance::manhattan:
      return "manhattan";
    case Distance::chebyshev:
      return "chebyshev";
    case Distance::euclidean:
      break;
  }
  return "euclidean";
}

inline const char* statistic_name(viz::NodeStatistic s) {
  switch (s) {
    case viz::NodeStatistic::hit_count:
      return "hit count";
    case viz::NodeStatistic::error:
      return "error";
    case viz::NodeStatistic::average_distance:
      return "average distance";
    case viz::NodeStatistic::density:
      return "density";
    case viz::NodeStatistic::epoch_created:
      return "epoch created";
    case viz::NodeStatistic::label:
      return "label";
    case viz::NodeStatistic::none:
      break;
  }
  return "";
}

}  // namespace somtile::detail
