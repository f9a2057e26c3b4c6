#pragma once
// How a unit without a value looks: white with grey hatching, defined once per document and
// shared by map cells and legend swatches, so "no value" never reads as a colour of the scale.

#include "somtile/viz/colormap.hpp"
#include "somtile/viz/detail/text.hpp"

#include <string>

namespace somtile::detail {

constexpr const char* empty_pattern_id = "empty-unit";

inline std::string empty_fill(SvgCanvas& svg) {
  svg.hatch_pattern(empty_pattern_id, viz::colors::empty_fill, viz::colors::empty_hatch, 5.0);
  return std::string("url(#") + empty_pattern_id + ")";
}

}  // namespace somtile::detail
