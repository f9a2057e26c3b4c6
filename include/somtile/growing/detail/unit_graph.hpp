#pragma once
// UnitGraph, the growing SOM's map (internal): neurons on integer (x, y) cells of a plane that
// grows in any direction (DBGSOM's "lattice"; named a graph here so it is not confused with
// the online trainer's Lattice), joined to their occupied 4-neighbours, with hop distances
// extended exactly on every insertion; and dbgsom's directed rule for where a boundary neuron
// grows a new one.

#include "somtile/core/types.hpp"
#include "somtile/growing/growing_som_params.hpp"
#include "somtile/metrics/topographic_function.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <unordered_map>
#include <utility>
#include <vector>

namespace somtile::detail {

/// Neurons on integer cells with 4-neighbour links and exact hop distances.
class UnitGraph {
 public:
  /// Hop distance of neurons that are not connected (what topographic_function reads as such).
  static constexpr int unreachable = unreachable_hops;
  /// Neighbour slots, in the order the insertion rule scans free cells.
  static constexpr std::array<std::array<Index, 2>, 4> offsets{{{1, 0}, {-1, 0}, {0, 1}, {0, -1}}};

  UnitGraph() = default;
  /// `capacity`: neurons the hop table holds before it must be re-laid out (it doubles then).
  explicit UnitGraph(Index capacity) { reserve(std::max<Index>(capacity, 1)); }

  Index size() const { return Index(cells_.size()); }
  Index capacity() const { return capacity_; }
  Index x(Index i) const { return cells_[std::size_t(i)][0]; }
  Index y(Index i) const { return cells_[std::size_t(i)][1]; }

  /// Neuron at (x, y), or -1.
  Index find(Index cx, Index cy) const {
    const auto it = index_.find(key(cx, cy));
    return it == index_.end() ? -1 : it->second;
  }
  /// Neighbour in slot s (see offsets), or -1.
  Index neighbor(Index i, int slot) const { return links_[std::size_t(i)][std::size_t(slot)]; }
  int degree(Index i) const {
    int d = 0;
    for (Index n : links_[std::size_t(i)]) d += n >= 0;
    return d;
  }
  int hops(Index a, Index b) const { return hops_[std::size_t(a * capacity_ + b)]; }

  /// Adds a neuron at the free cell (x, y), links it to its occupied 4-neighbours and extends
  /// the hop table: the new row is 1 + the minimum over its neighbours' rows, then every old
  /// pair may shortcut through the new neuron. O(K^2).
  Index add(Index cx, Index cy) {
    const Index v = size();
    if (v == capacity_) reserve(2 * std::max<Index>(capacity_, 1));
    cells_.push_back({cx, cy});
    links_.push_back({-1, -1, -1, -1});
    index_.emplace(key(cx, cy), v);
    for (int s = 0; s < 4; ++s) {
      const Index n = find(cx + offsets[std::size_t(s)][0], cy + offsets[std::size_t(s)][1]);
      if (n < 0) continue;
      links_[std::size_t(v)][std::size_t(s)] = n;
      links_[std::size_t(n)][std::size_t(s ^ 1)] = v;  // slots come in opposite pairs
    }
    std::vector<int> row(static_cast<std::size_t>(v + 1), unreachable);
    row[std::size_t(v)] = 0;
    for (Index n : links_[std::size_t(v)])
      if (n >= 0)
        for (Index u = 0; u < v; ++u) row[std::size_t(u)] = std::min(row[std::size_t(u)], hops(n, u) + 1);
    for (Index a = 0; a < v; ++a)
      for (Index b = 0; b < v; ++b) {
        int& h = hops_[std::size_t(a * capacity_ + b)];
        h = std::min(h, row[std::size_t(a)] + row[std::size_t(b)]);
      }
    for (Index u = 0; u <= v; ++u) {
      hops_[std::size_t(v * capacity_ + u)] = row[std::size_t(u)];
      hops_[std::size_t(u * capacity_ + v)] = row[std::size_t(u)];
    }
    return v;
  }

  template <typename = void>  // a template: only a TU that calls it compiles the Eigen code
  LatticePositions positions() const {
    LatticePositions P(size(), 2);
    for (Index i = 0; i < size(); ++i) P.row(i) << x(i), y(i);
    return P;
  }

  /// Each link once, as (lower id, higher id), ordered by the lower id.
  std::vector<std::pair<Index, Index>> edges() const {
    std::vector<std::pair<Index, Index>> out;
    for (Index i = 0; i < size(); ++i)
      for (Index n : links_[std::size_t(i)])
        if (n > i) out.emplace_back(i, n);
    std::sort(out.begin(), out.end());
    return out;
  }

  /// Cells touching diagonally or along a side (the 8-neighbourhood of the topographic error).
  bool touching(Index a, Index b) const { return std::abs(x(a) - x(b)) <= 1 && std::abs(y(a) - y(b)) <= 1; }

 private:
  static std::uint64_t key(Index cx, Index cy) {
    return (std::uint64_t(std::uint32_t(std::int32_t(cx))) << 32) | std::uint32_t(std::int32_t(cy));
  }

  void reserve(Index capacity) {
    std::vector<int> table(static_cast<std::size_t>(capacity * capacity), unreachable);
    for (Index a = 0; a < size(); ++a)
      for (Index b = 0; b < size(); ++b) table[std::size_t(a * capacity + b)] = hops(a, b);
    hops_.swap(table);
    capacity_ = capacity;
  }

  Index capacity_ = 0;
  std::vector<std::array<Index, 2>> cells_;
  std::vector<std::array<Index, 4>> links_;
  std::unordered_map<std::uint64_t, Index> index_;
  std::vector<int> hops_;  // capacity x capacity, row-major
};

/// Where a new neuron goes next to boundary neuron b, and its initial weight (dbgsom 1.3's
/// directed rule). For each free side p (in UnitGraph::offsets order): if neurons already touch
/// p (diagonal to b), p scores the largest of their errors and the best of them is remembered;
/// otherwise p scores the error of b's neighbour opposite p (or of b's first neighbour when
/// that side is empty too). The highest score wins, ties to the earlier side. The weight
/// extrapolates through b, 2 w_b - w_opposite (w_b when p has no opposite), and is averaged
/// with the remembered diagonal neuron when one decided the choice.
struct Insertion {
  Index x = 0, y = 0;
  Index opposite = -1;  ///< b's neighbour on the far side of p, or -1
  Index corner = -1;    ///< the diagonal neuron that decided the choice, or -1
};

template <typename = void>
Insertion insert_direction(const UnitGraph& graph, Index b, const std::vector<double>& error) {
  Insertion best;
  double best_score = -1.0;
  Index first_neighbor = -1;
  for (int s = 0; s < 4 && first_neighbor < 0; ++s) first_neighbor = graph.neighbor(b, s);
  for (int s = 0; s < 4; ++s) {
    if (graph.neighbor(b, s) >= 0) continue;
    const Index px = graph.x(b) + UnitGraph::offsets[std::size_t(s)][0];
    const Index py = graph.y(b) + UnitGraph::offsets[std::size_t(s)][1];
    double score = -1.0;
    Index corner = -1;
    for (int t = 0; t < 4; ++t) {
      const Index q =
          graph.find(px + UnitGraph::offsets[std::size_t(t)][0], py + UnitGraph::offsets[std::size_t(t)][1]);
      if (q >= 0 && q != b && error[std::size_t(q)] > score) {
        score = error[std::size_t(q)];
        corner = q;
      }
    }
    const Index opposite = graph.neighbor(b, s ^ 1);
    if (corner < 0) {
      const Index reference = opposite >= 0 ? opposite : first_neighbor;
      score = reference >= 0 ? error[std::size_t(reference)] : 0.0;
    }
    if (score > best_score) {
      best_score = score;
      best = {px, py, opposite, corner};
    }
  }
  return best;
}

}  // namespace somtile::detail
