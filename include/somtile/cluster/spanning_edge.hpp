#pragma once
// The edges HDBSCAN::minimum_spanning_tree() returns.

#include "somtile/core/types.hpp"

namespace somtile {

/// One edge of the mutual-reachability minimum spanning tree.
struct SpanningEdge {
  Index from, to;
  double distance;
};

}  // namespace somtile
