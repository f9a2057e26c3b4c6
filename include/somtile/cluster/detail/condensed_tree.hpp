#pragma once
// HDBSCAN's steps 3 to 5 (cluster/hdbscan.hpp): the single-linkage hierarchy of the spanning
// tree condensed with min_cluster_size, the flat clusters read off it, and the labels,
// membership probabilities and outlier scores.

#include "somtile/cluster/detail/mutual_reachability_tree.hpp"
#include "somtile/cluster/spanning_edge.hpp"
#include "somtile/core/types.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <vector>

namespace somtile::detail {

/// The condensed cluster tree and what is read off it.
struct CondensedTree {
  // Clusters 0..C-1, 0 the root; a child's id is larger than its parent's.
  std::vector<Index> cluster_parent;  // -1 for the root
  std::vector<double> cluster_birth;  // lambda = 1/distance at which the cluster appeared
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
Selection select_clusters(const CondensedTree& t, bool leaf_selection, double epsilon, bool allow_single_cluster) {
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
    stability[std::size_t(p)] +=
        (t.cluster_birth[std::size_t(c)] - t.cluster_birth[std::size_t(p)]) * double(t.cluster_size[std::size_t(c)]);
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
  if (!leaf_selection) {
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
HdbscanOutput label_points(const CondensedTree& t, const Selection& s, double epsilon, bool allow_single_cluster) {
  const Index C = Index(t.cluster_parent.size()), n = Index(t.point_cluster.size());
  // A point belongs to the nearest selected cluster at or above the one it fell out of.
  std::vector<Index> label_of(std::size_t(C), -1), owner(std::size_t(C), -1);
  Index n_selected = 0;
  for (Index c = 0; c < C; ++c)
    if (s.selected[std::size_t(c)]) label_of[std::size_t(c)] = n_selected++;
  for (Index c = 0; c < C; ++c)
    owner[std::size_t(c)] =
        s.selected[std::size_t(c)] ? c : (c == 0 ? -1 : owner[std::size_t(t.cluster_parent[std::size_t(c)])]);
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
      const bool keep =
          n_selected == 1 && allow_single_cluster && (epsilon != 0.0 ? lambda >= 1.0 / epsilon : lambda >= death[0]);
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

}  // namespace somtile::detail
