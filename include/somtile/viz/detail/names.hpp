#pragma once
// Colour-bar labels of the growing-SOM node statistics (words for a reader, with spaces). The
// choice enums' own names come from their tables (core/enum_names.hpp), as on the command line.

#include "somtile/core/types.hpp"
#include "somtile/viz/plot_options.hpp"

namespace somtile::detail {

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
    case viz::NodeStatistic::pca_rgb:
    case viz::NodeStatistic::automatic:
      return "";
    case viz::NodeStatistic::none:
      break;
  }
  return "";
}

}  // namespace somtile::detail
