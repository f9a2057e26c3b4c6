#pragma once
// HDBSCAN: hierarchical density-based clustering (Campello, Moulavi & Sander), with the
// definitions of scikit-learn's HDBSCAN and the hdbscan library:
// 1. core distance of a point = distance to its min_samples-th nearest neighbour, the point
//    itself counted as the first (as scikit-learn; the hdbscan library does not count it);
// 2. mutual reachability d_mr(a, b) = max(core(a), core(b), |a - b|) and its minimum spanning
//    tree: Borůvka over a k-d tree for up to kBoruvkaMaxDims features (sub-quadratic), a
//    dense Prim (O(n^2) time, O(n) memory) above that, where k-d trees stop pruning;
// 3. the single-linkage hierarchy of that tree, condensed with min_cluster_size;
// 4. flat clusters by excess of mass (eom) or the leaves of the condensed tree (leaf),
//    optionally merged below cluster_selection_epsilon, optionally allowing the root as the
//    single cluster;
// 5. labels (-1 = noise), membership probabilities and GLOSH outlier scores.
// Every step is independent of the number of threads.

#include "somtile/core/types.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/cluster/detail/kdtree.hpp"
#include "somtile/kernels/detail/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <string>
#include <vector>

namespace somtile {

/// How flat clusters are read off the condensed tree.
enum class ClusterSelection {
  eom,  ///< excess of mass: the most persistent clusters (the usual choice)
  leaf  ///< the leaves of the condensed tree: many small homogeneous clusters
};
template <>
struct EnumNames<ClusterSelection> {
  static constexpr std::array<std::string_view, 2> names{"eom", "leaf"};
};

struct HDBSCANParams {
  /// Smallest group that counts as a cluster (>= 2).
  Index min_cluster_size = 5;
  /// Neighbours that make a point a core point, the point itself included (as scikit-learn's
  /// HDBSCAN; the hdbscan library's min_samples = this - 1). 0 means min_cluster_size.
  Index min_samples = 0;
  ClusterSelection cluster_selection_method = ClusterSelection::eom;
  /// Clusters that split below this distance are merged back into one (0 = off).
  double cluster_selection_epsilon = 0.0;
  /// Whether the whole data set may be returned as one cluster.
  bool allow_single_cluster = false;
  int n_threads = 0;  ///< 0 = all available
};

/// Throws ParameterError, naming `call`, unless every field of p is in range.
inline void validate(const HDBSCANParams& p, const char* call = "HDBSCAN") {
  detail::require(p.min_cluster_size >= 2, call, "min_cluster_size must be >= 2, got ", p.min_cluster_size);
  detail::check_non_negative(call, "min_samples", p.min_samples);
  detail::check_non_negative(call, "cluster_selection_epsilon", p.cluster_selection_epsilon);
  detail::check_non_negative(call, "n_threads", p.n_threads);
}

/// One edge of the mutual-reachability minimum spanning tree.
struct SpanningEdge {
  Index from, to;
  double distance;
};

namespace detail {

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
      if (e.from < 0 || edge_less(nearest_distance[std::size_t(p)], p, nearest[std::size_t(p)], e.distance, e.from, e.to))
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

/// The condensed cluster tree and what is read off it.
struct CondensedTree {
  // Clusters 0..C-1, 0 the root; a child's id is larger than its parent's.
  std::vector<Index> cluster_parent;   // -1 for the root
  std::vector<double> cluster_birth;   // lambda = 1/distance at which the cluster appeared
  std::vector<Index> cluster_size;
  // Per point: the cluster it fell out of and the lambda at which it did.
  std::vector<Index> point_cluster;
  std::vector<double> point_lambda;
};

inline double lambda_of(double distance) {
  return distance > 0 ? 1.0 / distance : std::numeric_limits<double>::infinity();
}

/// Single-linkage merges of the MST condensed with min_cluster_size (hdbscan's condense_tree).
template <typename = void>
CondensedTree condense(Index n, std::vector<SpanningEdge> edges, Index min_cluster_size) {
  std::sort(edges.begin(), edges.end(), [](const SpanningEdge& a, const SpanningEdge& b) { return edge_less(a, b); });
  // Dendrogram: node n + m merges left[m] and right[m] at height[m].
  const Index m_count = Index(edges.size());
  std::vector<Index> left(static_cast<std::size_t>(m_count)), right(static_cast<std::size_t>(m_count));
  std::vector<double> height(static_cast<std::size_t>(m_count));
  std::vector<Index> size(std::size_t(n + m_count), 1);
  {
    std::vector<Index> uf(static_cast<std::size_t>(n + m_count));
    std::iota(uf.begin(), uf.end(), Index(0));
    const auto find = [&](Index x) {
      while (uf[std::size_t(x)] != x) x = uf[std::size_t(x)] = uf[std::size_t(uf[std::size_t(x)])];
      return x;
    };
    for (Index m = 0; m < m_count; ++m) {
      const Index a = find(edges[std::size_t(m)].from), b = find(edges[std::size_t(m)].to);
      left[std::size_t(m)] = a;
      right[std::size_t(m)] = b;
      height[std::size_t(m)] = edges[std::size_t(m)].distance;
      size[std::size_t(n + m)] = size[std::size_t(a)] + size[std::size_t(b)];
      uf[std::size_t(a)] = uf[std::size_t(b)] = n + m;
    }
  }

  CondensedTree t;
  t.cluster_parent.push_back(-1);
  t.cluster_birth.push_back(0.0);
  t.cluster_size.push_back(n);
  t.point_cluster.assign(std::size_t(n), 0);
  t.point_lambda.assign(std::size_t(n), 0.0);
  if (m_count == 0) return t;
  // Cluster that each dendrogram node belongs to; -1 once its points have fallen out.
  std::vector<Index> owner(std::size_t(n + m_count), -1);
  owner[std::size_t(n + m_count - 1)] = 0;
  std::vector<Index> stack;
  const auto fall_out = [&](Index node, Index cluster, double lambda) {
    stack.assign(1, node);
    while (!stack.empty()) {
      const Index x = stack.back();
      stack.pop_back();
      if (x < n) {
        t.point_cluster[std::size_t(x)] = cluster;
        t.point_lambda[std::size_t(x)] = lambda;
      } else {
        stack.push_back(left[std::size_t(x - n)]);
        stack.push_back(right[std::size_t(x - n)]);
      }
    }
  };
  // Parents have larger node ids than their children, so this order is top-down.
  for (Index node = n + m_count - 1; node >= n; --node) {
    const Index cluster = owner[std::size_t(node)];
    if (cluster < 0) continue;
    const Index a = left[std::size_t(node - n)], b = right[std::size_t(node - n)];
    const double lambda = lambda_of(height[std::size_t(node - n)]);
    const bool big_a = size[std::size_t(a)] >= min_cluster_size, big_b = size[std::size_t(b)] >= min_cluster_size;
    if (big_a && big_b) {
      for (Index child : {a, b}) {
        const Index id = Index(t.cluster_parent.size());
        t.cluster_parent.push_back(cluster);
        t.cluster_birth.push_back(lambda);
        t.cluster_size.push_back(size[std::size_t(child)]);
        owner[std::size_t(child)] = id;  // min_cluster_size >= 2, so child is a merge node
      }
    } else {
      for (Index child : {a, b}) {
        const bool big = child == a ? big_a : big_b;
        if (big && child >= n)
          owner[std::size_t(child)] = cluster;  // the cluster carries on, only shrinking
        else
          fall_out(child, cluster, lambda);
      }
    }
  }
  return t;
}

/// Flat clusters chosen from a condensed tree.
struct Selection {
  std::vector<char> selected;  // per cluster
};

template <typename = void>
Selection select_clusters(const CondensedTree& t, ClusterSelection method, double epsilon,
                                 bool allow_single_cluster) {
  const Index C = Index(t.cluster_parent.size());
  std::vector<std::vector<Index>> children(static_cast<std::size_t>(C));
  for (Index c = 1; c < C; ++c) children[std::size_t(t.cluster_parent[std::size_t(c)])].push_back(c);
  // Stability: sum over members of (lambda at which they leave - lambda of the cluster's birth).
  std::vector<double> stability(std::size_t(C), 0.0);
  for (std::size_t p = 0; p < t.point_cluster.size(); ++p) {
    const Index c = t.point_cluster[p];
    if (c >= 0) stability[std::size_t(c)] += t.point_lambda[p] - t.cluster_birth[std::size_t(c)];
  }
  for (Index c = 1; c < C; ++c) {
    const Index p = t.cluster_parent[std::size_t(c)];
    stability[std::size_t(p)] += (t.cluster_birth[std::size_t(c)] - t.cluster_birth[std::size_t(p)]) *
                                 double(t.cluster_size[std::size_t(c)]);
  }
  const auto descendants = [&](Index root) {  // root excluded
    std::vector<Index> out, stack(children[std::size_t(root)]);
    while (!stack.empty()) {
      const Index c = stack.back();
      stack.pop_back();
      out.push_back(c);
      for (Index k : children[std::size_t(c)]) stack.push_back(k);
    }
    return out;
  };
  // hdbscan's traverse_upwards: the highest ancestor still born below epsilon.
  const auto upwards = [&](Index leaf) {
    for (;;) {
      const Index parent = t.cluster_parent[std::size_t(leaf)];
      if (parent == 0) return allow_single_cluster ? Index(0) : leaf;
      if (1.0 / t.cluster_birth[std::size_t(parent)] > epsilon) return parent;
      leaf = parent;
    }
  };
  const auto epsilon_search = [&](const std::vector<Index>& candidates) {
    std::set<Index> chosen, processed;
    for (Index c : candidates) {
      if (1.0 / t.cluster_birth[std::size_t(c)] < epsilon) {
        if (processed.count(c)) continue;
        const Index e = upwards(c);
        chosen.insert(e);
        for (Index d : descendants(e)) processed.insert(d);
      } else {
        chosen.insert(c);
      }
    }
    return chosen;
  };

  Selection s;
  s.selected.assign(std::size_t(C), 0);
  const bool has_tree = C > 1;
  if (method == ClusterSelection::eom) {
    const Index first = allow_single_cluster ? 0 : 1;
    for (Index c = first; c < C; ++c) s.selected[std::size_t(c)] = 1;
    // Children before parents: keep a cluster unless its children together are more stable.
    for (Index c = C - 1; c >= first; --c) {
      double subtree = 0;
      for (Index k : children[std::size_t(c)]) subtree += stability[std::size_t(k)];
      if (subtree > stability[std::size_t(c)]) {
        s.selected[std::size_t(c)] = 0;
        stability[std::size_t(c)] = subtree;
      } else {
        for (Index d : descendants(c)) s.selected[std::size_t(d)] = 0;
      }
    }
    if (epsilon != 0.0 && has_tree) {
      std::vector<Index> eom;
      for (Index c = 0; c < C; ++c)
        if (s.selected[std::size_t(c)]) eom.push_back(c);
      std::set<Index> chosen;
      if (eom.size() == 1 && eom[0] == 0) {
        if (allow_single_cluster) chosen.insert(0);
      } else {
        chosen = epsilon_search(eom);
      }
      for (Index c = 0; c < C; ++c) s.selected[std::size_t(c)] = chosen.count(c) ? 1 : 0;
    }
  } else {
    std::vector<Index> leaves;
    for (Index c = 1; c < C; ++c)
      if (children[std::size_t(c)].empty()) leaves.push_back(c);
    const std::set<Index> chosen =
        epsilon != 0.0 ? epsilon_search(leaves) : std::set<Index>(leaves.begin(), leaves.end());
    for (Index c : chosen) s.selected[std::size_t(c)] = 1;
  }
  return s;
}

struct HdbscanOutput {
  Labels labels;
  Vector<double> probabilities;
  Vector<double> outlier_scores;
};

/// Labels, membership probabilities and GLOSH outlier scores (hdbscan's do_labelling,
/// get_probabilities and outlier_scores).
template <typename = void>
HdbscanOutput label_points(const CondensedTree& t, const Selection& s, double epsilon,
                                  bool allow_single_cluster) {
  const Index C = Index(t.cluster_parent.size()), n = Index(t.point_cluster.size());
  // A point belongs to the nearest selected cluster at or above the one it fell out of.
  std::vector<Index> label_of(std::size_t(C), -1), owner(std::size_t(C), -1);
  Index n_selected = 0;
  for (Index c = 0; c < C; ++c)
    if (s.selected[std::size_t(c)]) label_of[std::size_t(c)] = n_selected++;
  for (Index c = 0; c < C; ++c)
    owner[std::size_t(c)] = s.selected[std::size_t(c)] ? c : (c == 0 ? -1 : owner[std::size_t(t.cluster_parent[std::size_t(c)])]);
  // Largest lambda of a row directly under each cluster (its death), and over its subtree.
  std::vector<double> death(std::size_t(C), 0.0);
  for (Index p = 0; p < n; ++p) {
    double& d = death[std::size_t(t.point_cluster[std::size_t(p)])];
    d = std::max(d, t.point_lambda[std::size_t(p)]);
  }
  for (Index c = 1; c < C; ++c) {
    double& d = death[std::size_t(t.cluster_parent[std::size_t(c)])];
    d = std::max(d, t.cluster_birth[std::size_t(c)]);
  }
  std::vector<double> subtree_death(death);
  for (Index c = C - 1; c >= 1; --c) {
    double& d = subtree_death[std::size_t(t.cluster_parent[std::size_t(c)])];
    d = std::max(d, subtree_death[std::size_t(c)]);
  }

  HdbscanOutput out{Labels::Constant(n, -1), Vector<double>::Zero(n), Vector<double>::Zero(n)};
  for (Index p = 0; p < n; ++p) {
    const double lambda = t.point_lambda[std::size_t(p)];
    const Index home = t.point_cluster[std::size_t(p)];
    Index cluster = owner[std::size_t(home)];
    if (cluster == 0) {  // the root may only hold points that stay to the end (hdbscan's rule)
      const bool keep = n_selected == 1 && allow_single_cluster &&
                        (epsilon != 0.0 ? lambda >= 1.0 / epsilon : lambda >= death[0]);
      if (!keep) cluster = -1;
    }
    if (cluster >= 0) {
      out.labels[p] = label_of[std::size_t(cluster)];
      const double max_lambda = death[std::size_t(cluster)];
      out.probabilities[p] =
          max_lambda == 0.0 || !std::isfinite(lambda) ? 1.0 : std::min(lambda, max_lambda) / max_lambda;
    }
    const double top = subtree_death[std::size_t(home)];
    out.outlier_scores[p] = top == 0.0 || !std::isfinite(lambda) ? 0.0 : 1.0 - lambda / top;
  }
  return out;
}

}  // namespace detail

/// Hierarchical density-based clustering (scikit-learn's HDBSCAN): mutual-reachability
/// minimum spanning tree, condensed tree, excess-of-mass or leaf selection; noise is -1.
/// \tparam Scalar float or double, the type of the data (the arithmetic is in double).
/// \throws ParameterError from the constructor when a parameter is out of range (validate),
///         and from fit() when min_samples exceeds the number of samples; InputError from
///         fit() for empty or non-finite data or fewer than 2 samples; NotFittedError from
///         any accessor before fit().
/// \code
/// HDBSCAN<double> hd({.min_cluster_size = 10});
/// const Labels labels = hd.fit(X).labels();  // -1 = noise
/// \endcode
template <typename Scalar>
class HDBSCAN {
 public:
  HDBSCAN() = default;
  explicit HDBSCAN(const HDBSCANParams& params) : params_(params) { validate(params_); }

  const HDBSCANParams& params() const { return params_; }

  HDBSCAN& fit(DataRef<Scalar> X) {
    const char* call = "HDBSCAN::fit";
    detail::check_data(call, X);
    detail::require<InputError>(X.rows() >= 2, call, "X needs at least 2 samples, got ", X.rows());
    const Index min_samples = params_.min_samples > 0 ? params_.min_samples : params_.min_cluster_size;
    detail::require(min_samples <= X.rows(), call,
                                "min_samples (min_cluster_size when min_samples = 0) must be <= n_samples (",
                                X.rows(), "), got ", min_samples);

    const RowMatrix<double> Xd = X.template cast<double>();
    const int threads = params_.n_threads;
    const bool low_dimension = Xd.cols() <= detail::kBoruvkaMaxDims;
    detail::IndexMatrix neighbours;  // seeds Borůvka's per-component bounds
    const Vector<double> core = detail::KnnIndex(Xd).kth_neighbour_distances(
        min_samples, threads, low_dimension ? &neighbours : nullptr, std::min<Index>(Xd.rows(), 8));
    std::vector<SpanningEdge> mst =
        low_dimension ? detail::boruvka_mst(Xd, core, neighbours, threads) : detail::prim_mst(Xd, core, threads);
    const detail::CondensedTree tree = detail::condense(Xd.rows(), mst, params_.min_cluster_size);
    const detail::Selection sel = detail::select_clusters(
        tree, params_.cluster_selection_method, params_.cluster_selection_epsilon, params_.allow_single_cluster);
    detail::HdbscanOutput result =
        detail::label_points(tree, sel, params_.cluster_selection_epsilon, params_.allow_single_cluster);

    std::sort(mst.begin(), mst.end(),
              [](const SpanningEdge& a, const SpanningEdge& b) { return detail::edge_less(a, b); });
    out_ = std::move(result);
    mst_.swap(mst);
    return *this;
  }

  Labels fit_predict(DataRef<Scalar> X) { return fit(X).labels(); }

  /// Cluster of every training sample, 0..k-1, or -1 for noise.
  const Labels& labels() const {
    fitted("labels");
    return out_.labels;
  }
  /// Strength of each sample's membership in its cluster, in [0, 1] (0 for noise).
  const Vector<double>& probabilities() const {
    fitted("probabilities");
    return out_.probabilities;
  }
  /// GLOSH outlier score of each sample, in [0, 1]: 1 - lambda(point) / max lambda of the
  /// subtree it fell out of; higher means more of an outlier.
  const Vector<double>& outlier_scores() const {
    fitted("outlier_scores");
    return out_.outlier_scores;
  }
  /// Number of clusters found (noise excluded).
  Index n_clusters() const {
    fitted("n_clusters");
    return out_.labels.size() ? out_.labels.maxCoeff() + 1 : 0;
  }
  /// Minimum spanning tree of the mutual-reachability graph, edges by increasing distance
  /// (ties by end points: the tree is unique under that order).
  const std::vector<SpanningEdge>& minimum_spanning_tree() const {
    fitted("minimum_spanning_tree");
    return mst_;
  }
  bool is_fitted() const { return out_.labels.size() > 0; }

 private:
  void fitted(const char* what) const {
    detail::require<NotFittedError>(is_fitted(), std::string("HDBSCAN::") + what,
                                    "this HDBSCAN is not fitted yet; call fit() first");
  }

  HDBSCANParams params_;
  detail::HdbscanOutput out_;
  std::vector<SpanningEdge> mst_;
};

// Precompiled mode (SOMTILE_PRECOMPILED): compiled once in src/cluster.cpp.
#ifdef SOMTILE_PRECOMPILED
extern template class HDBSCAN<float>;
extern template class HDBSCAN<double>;
#endif

}  // namespace somtile
