#pragma once
// HDBSCAN's step 2 (cluster/hdbscan.hpp): the minimum spanning tree of the mutual-reachability
// distances, by Borůvka over a k-d tree in few dimensions and by a dense Prim above that.

#include "somtile/cluster/detail/kdtree.hpp"
#include "somtile/cluster/spanning_edge.hpp"
#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/types.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace somtile::detail {

/// Dimension up to which the minimum spanning tree uses the k-d tree (Borůvka).
constexpr Index kBoruvkaMaxDims = 16;

/// Strict total order on edges: weight, then the smaller and the larger end point. Under it the
/// minimum spanning tree is unique, so Borůvka, Prim and any thread count build the same tree
/// and the single-linkage merges come in one canonical order.
inline bool edge_less(double w, Index a, Index b, double w_other, Index a_other, Index b_other) {
  if (w != w_other) return w < w_other;
  const Index lo = std::min(a, b), lo_other = std::min(a_other, b_other);
  if (lo != lo_other) return lo < lo_other;
  return std::max(a, b) < std::max(a_other, b_other);
}

inline bool edge_less(const SpanningEdge& e, const SpanningEdge& f) {
  return edge_less(e.distance, e.from, e.to, f.distance, f.from, f.to);
}

/// Borůvka: every round, each point finds its nearest point of another component by a k-d tree
/// search that skips nodes lying wholly in its own component or farther than its best so far;
/// each component keeps its lightest such edge (in edge_less order, so no cycles can form). The
/// number of components at least halves per round.
/// Each component's search starts from an upper bound, its lightest edge to a k-nearest
/// neighbour (`neighbours`, rows of point indices) in another component, so the many points
/// whose core distance already exceeds it skip the tree search; the bound is computed before
/// the parallel searches, which keeps the result independent of the thread count.
template <typename = void>
std::vector<SpanningEdge> boruvka_mst(const RowMatrix<double>& X, const Vector<double>& core,
                                      const IndexMatrix& neighbours, int n_threads) {
  const Index n = X.rows();
  const BoxTree tree(X);
  const auto& nodes = tree.nodes();
  const auto& order = tree.order();
  const Index n_nodes = Index(nodes.size());
  // Smallest core distance per node: a lower bound on any d_mr into the node.
  Vector<double> node_core(n_nodes);
  for (Index i = n_nodes - 1; i >= 0; --i) {
    const auto& nd = nodes[std::size_t(i)];
    if (nd.left < 0) {
      double m = std::numeric_limits<double>::infinity();
      for (Index k = nd.begin; k < nd.end; ++k) m = std::min(m, core[order[std::size_t(k)]]);
      node_core[i] = m;
    } else {
      node_core[i] = std::min(node_core[nd.left], node_core[nd.right]);
    }
  }

  std::vector<Index> parent(static_cast<std::size_t>(n));
  std::iota(parent.begin(), parent.end(), Index(0));
  const auto find = [&](Index x) {
    while (parent[std::size_t(x)] != x) x = parent[std::size_t(x)] = parent[std::size_t(parent[std::size_t(x)])];
    return x;
  };
  std::vector<Index> component(static_cast<std::size_t>(n));
  std::iota(component.begin(), component.end(), Index(0));
  std::vector<Index> node_component(static_cast<std::size_t>(n_nodes));
  std::vector<Index> nearest(static_cast<std::size_t>(n));
  std::vector<double> nearest_distance(static_cast<std::size_t>(n));
  std::vector<SpanningEdge> edges;
  edges.reserve(std::size_t(n > 0 ? n - 1 : 0));

  while (Index(edges.size()) < n - 1) {
    // A node's component if all its points share one, else -1.
    for (Index i = n_nodes - 1; i >= 0; --i) {
      const auto& nd = nodes[std::size_t(i)];
      Index c;
      if (nd.left < 0) {
        c = component[std::size_t(order[std::size_t(nd.begin)])];
        for (Index k = nd.begin + 1; k < nd.end && c >= 0; ++k)
          if (component[std::size_t(order[std::size_t(k)])] != c) c = -1;
      } else {
        const Index l = node_component[std::size_t(nd.left)], r = node_component[std::size_t(nd.right)];
        c = l == r ? l : -1;
      }
      node_component[std::size_t(i)] = c;
    }
    // Upper bound per component from the stored neighbours.
    parallel_for_chunks(n, 1024, n_threads, [&](Index begin, Index end) {
      for (Index p = begin; p < end; ++p) {
        const Index own = component[std::size_t(p)];
        double best = std::numeric_limits<double>::infinity();
        Index best_q = -1;
        for (Index m = 0; m < neighbours.cols(); ++m) {
          const Index q = neighbours(p, m);
          if (q < 0 || component[std::size_t(q)] == own) continue;
          const double w = std::max({core[p], core[q], row_distance(X.row(p).data(), X.row(q).data(), X.cols())});
          if (best_q < 0 || edge_less(w, p, q, best, p, best_q)) {
            best = w;
            best_q = q;
          }
        }
        nearest[std::size_t(p)] = best_q;
        nearest_distance[std::size_t(p)] = best;
      }
    });
    std::vector<Index> bound_from(static_cast<std::size_t>(n), -1);  // per component: the point
    for (Index p = 0; p < n; ++p) {
      if (nearest[std::size_t(p)] < 0) continue;
      Index& slot = bound_from[std::size_t(component[std::size_t(p)])];
      if (slot < 0 || edge_less(nearest_distance[std::size_t(p)], p, nearest[std::size_t(p)],
                                nearest_distance[std::size_t(slot)], slot, nearest[std::size_t(slot)]))
        slot = p;
    }
    std::vector<SpanningEdge> bound(static_cast<std::size_t>(n));
    for (Index c = 0; c < n; ++c) {
      const Index p = bound_from[std::size_t(c)];
      bound[std::size_t(c)] = p < 0 ? SpanningEdge{-1, -1, std::numeric_limits<double>::infinity()}
                                    : SpanningEdge{p, nearest[std::size_t(p)], nearest_distance[std::size_t(p)]};
    }
    parallel_for_chunks(n, 256, n_threads, [&](Index begin, Index end) {
      std::vector<Index> stack;
      for (Index p = begin; p < end; ++p) {
        const Index own = component[std::size_t(p)];
        const auto x = X.row(p);
        const SpanningEdge& limit = bound[std::size_t(own)];
        // Start from the component's bound; report only edges lighter than it.
        double best = limit.distance;
        Index best_q = -1;
        const auto lighter = [&](double w, Index q) {
          return best_q >= 0 ? edge_less(w, p, q, best, p, best_q)
                             : (limit.from < 0 || edge_less(w, p, q, limit.distance, limit.from, limit.to));
        };
        if (core[p] > best) {  // every edge from p is heavier than the bound
          nearest[std::size_t(p)] = -1;
          continue;
        }
        stack.assign(1, 0);
        while (!stack.empty()) {
          const Index i = stack.back();
          stack.pop_back();
          if (node_component[std::size_t(i)] == own) continue;
          const double reach = std::max({core[p], node_core[i], std::sqrt(tree.box_distance2(i, x))});
          if (reach > best) continue;  // an equal lower bound may still hold a smaller tie-break
          const auto& nd = nodes[std::size_t(i)];
          if (nd.left < 0) {
            for (Index k = nd.begin; k < nd.end; ++k) {
              const Index q = order[std::size_t(k)];
              if (component[std::size_t(q)] == own) continue;
              const double w = std::max({core[p], core[q], row_distance(x.data(), X.row(q).data(), X.cols())});
              if (lighter(w, q)) {
                best = w;
                best_q = q;
              }
            }
          } else {  // visit the nearer child first (pushed last)
            const bool left_first = tree.box_distance2(nd.left, x) <= tree.box_distance2(nd.right, x);
            stack.push_back(left_first ? nd.right : nd.left);
            stack.push_back(left_first ? nd.left : nd.right);
          }
        }
        nearest[std::size_t(p)] = best_q;
        nearest_distance[std::size_t(p)] = best;
      }
    });
    // Lightest outgoing edge per component: the bound unless a search found a lighter one.
    for (Index p = 0; p < n; ++p) {
      if (nearest[std::size_t(p)] < 0) continue;
      SpanningEdge& e = bound[std::size_t(component[std::size_t(p)])];
      if (e.from < 0 ||
          edge_less(nearest_distance[std::size_t(p)], p, nearest[std::size_t(p)], e.distance, e.from, e.to))
        e = {p, nearest[std::size_t(p)], nearest_distance[std::size_t(p)]};
    }
    for (Index c = 0; c < n; ++c) {
      const SpanningEdge& e = bound[std::size_t(c)];
      if (e.from < 0) continue;
      const Index a = find(e.from), b = find(e.to);
      if (a == b) continue;  // both components chose the same edge
      parent[std::size_t(std::max(a, b))] = std::min(a, b);
      edges.push_back(e);
    }
    for (Index p = 0; p < n; ++p) component[std::size_t(p)] = find(p);
  }
  return edges;
}

/// Dense Prim on the implicit complete mutual-reachability graph: O(n^2 d) time, O(n) memory.
/// The points outside the tree are kept packed at the front of a copy of X (swap-remove), so
/// every step streams over one contiguous, shrinking block.
template <typename = void>
std::vector<SpanningEdge> prim_mst(const RowMatrix<double>& X, const Vector<double>& core, int n_threads) {
  const Index n = X.rows(), d = X.cols();
  std::vector<SpanningEdge> edges;
  edges.reserve(std::size_t(n > 0 ? n - 1 : 0));
  RowMatrix<double> rows = X;
  Vector<double> row_core = core;
  std::vector<Index> id(static_cast<std::size_t>(n));
  std::iota(id.begin(), id.end(), Index(0));
  Vector<double> best = Vector<double>::Constant(n, std::numeric_limits<double>::infinity());
  std::vector<Index> from(static_cast<std::size_t>(n), 0);
  Index remaining = n;
  Eigen::RowVectorXd current_row;
  Index current = -1;
  double current_core = 0;
  const auto take = [&](Index slot) {  // make slot's point the current one and drop it
    current_row = rows.row(slot);
    current = id[std::size_t(slot)];
    current_core = row_core[slot];
    --remaining;
    if (slot != remaining) {
      rows.row(slot) = rows.row(remaining);
      row_core[slot] = row_core[remaining];
      id[std::size_t(slot)] = id[std::size_t(remaining)];
      best[slot] = best[remaining];
      from[std::size_t(slot)] = from[std::size_t(remaining)];
    }
  };
  const auto before = [&](Index s, Index t) {  // is slot s's candidate edge lighter than t's?
    return edge_less(best[s], from[std::size_t(s)], id[std::size_t(s)], best[t], from[std::size_t(t)],
                     id[std::size_t(t)]);
  };
  const Index chunk = 1024;
  std::vector<Index> chunk_arg(static_cast<std::size_t>((n + chunk - 1) / chunk));
  take(0);
  while (remaining > 0) {
    const Index n_chunks = (remaining + chunk - 1) / chunk;
    parallel_for(n_chunks, n_threads, [&](Index c) {
      const Index begin = c * chunk, end = std::min(remaining, begin + chunk);
      Index arg = begin;
      for (Index s = begin; s < end; ++s) {
        const double w = std::max({current_core, row_core[s], row_distance(current_row.data(), rows.row(s).data(), d)});
        if (edge_less(w, current, id[std::size_t(s)], best[s], from[std::size_t(s)], id[std::size_t(s)])) {
          best[s] = w;
          from[std::size_t(s)] = current;
        }
        if (s != begin && before(s, arg)) arg = s;
      }
      chunk_arg[std::size_t(c)] = arg;
    });
    Index next = chunk_arg[0];
    for (Index c = 1; c < n_chunks; ++c)
      if (before(chunk_arg[std::size_t(c)], next)) next = chunk_arg[std::size_t(c)];
    edges.push_back({from[std::size_t(next)], id[std::size_t(next)], best[next]});
    take(next);
  }
  return edges;
}

}  // namespace somtile::detail
