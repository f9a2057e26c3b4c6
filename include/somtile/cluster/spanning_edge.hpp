#pragma once
// The edges HDBSCAN::minimum_spanning_tree() returns.

#include "somtile/core/types.hpp"

namespace somtile {

/// One edge of the mutual-reachability minimum spanning tree.
struct SpanningEdge {
  ///@{
  /// The two points the edge joins (row indices).
  Index from, to;
  ///@}
  /// Their mutual-reachability distance.
  double distance;
};

}  // namespace somtile
