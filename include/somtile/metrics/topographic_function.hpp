#pragma once
// Topology preservation of a map beyond the topographic error (metrics/som_quality.hpp):
//   topographic function (Villmann et al. 1997): folds and tears between the data's "induced
//     Delaunay" graph (each sample links its two best units) and the map's own graph;
//   topographic product P3 (Bauer & Pawelzik 1992): how well the neighbour order of each unit
//     in weight space agrees with its order on the map.
// Both work on any map that answers `size()` (units) and `hops(a, b)` (steps between units a
// and b on the map): a somtile::Grid, or the lattice of a growing SOM (SomVQ and SomClassifier
// expose them as topographic_function(X) and topographic_product()).

#include "somtile/core/types.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace somtile {

/// Villmann's topographic function: values[i] = Phi(k[i]) for k = -max_hops .. max_hops
/// (k > 0 counts folds, k < 0 tears, Phi(0) = Phi(1) + Phi(-1)); normalised by N(N - 6) when
/// that is positive. Two axes: k in hops, and k_relative = k / max_hops in [-1, 1], the axis
/// dbgsom's topographic_function returns (its row 1), which lets maps of different sizes share
/// one plot.
struct TopographicFunction {
  Vector<double> k;           ///< the distance axis, integers from -max_hops to max_hops
  Vector<double> values;      ///< Phi(k)
  Vector<double> k_relative;  ///< k / max_hops, from -1 to 1 (dbgsom's axis)
  Index max_hops = 1;         ///< the map's largest finite hop distance (at least 1)
};

namespace detail {
// Kept here: the function below and the growing lattice share it.
/// A hop distance at or above this means "not connected" (on the map or in the data graph).
inline constexpr int unreachable_hops = std::numeric_limits<int>::max() / 4;
}  // namespace detail

/// Topographic function from a BMU pass with second BMUs (bmu[i], second[i] for sample i;
/// an empty `second` or a second of -1 adds no link). The data graph joins each sample's two
/// best units; its hop distances (BFS) are compared with the map's: a pair linked in the data
/// but more than k apart on the map is a fold at k, a pair adjacent on the map but more than k
/// apart in the data graph (or not connected) a tear at -k. max_hops is the map's largest
/// finite hop distance (at least 1); `map.hops(a, b)` of 2^29 - 1 or more counts as not
/// connected.
template <typename Map>
TopographicFunction topographic_function(const Labels& bmu, const Labels& second, const Map& map) {
  constexpr int unreachable = detail::unreachable_hops;
  const Index N = map.size();
  std::vector<std::vector<Index>> adj(static_cast<std::size_t>(N));
  std::vector<char> linked(static_cast<std::size_t>(N * N), 0);
  for (Index i = 0; i < bmu.size(); ++i) {
    const Index a = bmu[i], b = second.size() ? second[i] : -1;
    if (b < 0 || a == b || linked[std::size_t(a * N + b)]) continue;
    linked[std::size_t(a * N + b)] = linked[std::size_t(b * N + a)] = 1;
    adj[std::size_t(a)].push_back(b);
    adj[std::size_t(b)].push_back(a);
  }
  std::vector<int> dv(static_cast<std::size_t>(N * N), unreachable);
  std::vector<Index> queue;
  for (Index s = 0; s < N; ++s) {  // BFS from every unit
    int* row = dv.data() + s * N;
    row[s] = 0;
    queue.assign(1, s);
    for (std::size_t head = 0; head < queue.size(); ++head)
      for (Index n : adj[std::size_t(queue[head])])
        if (row[n] == unreachable) {
          row[n] = row[queue[head]] + 1;
          queue.push_back(n);
        }
  }
  // Map hop distances, capped at `unreachable` so they compare as ints with the data graph's.
  auto map_hops = [&map](Index a, Index b) {
    const Index h = Index(map.hops(a, b));
    return h < Index(unreachable) ? int(h) : unreachable;
  };
  int max_hops = 1;
  for (Index a = 0; a < N; ++a)
    for (Index b = 0; b < N; ++b)
      if (map_hops(a, b) < unreachable) max_hops = std::max(max_hops, map_hops(a, b));
  std::vector<double> folds(static_cast<std::size_t>(max_hops + 1), 0.0),
      tears(static_cast<std::size_t>(max_hops + 1), 0.0);
  for (Index a = 0; a < N; ++a)
    for (Index b = 0; b < N; ++b) {
      if (a == b) continue;
      const int da = map_hops(a, b), d_v = dv[std::size_t(a * N + b)];
      for (int k = 1; k <= max_hops; ++k) {
        if (d_v == 1 && da > k) folds[std::size_t(k)] += 1;
        if (da == 1 && d_v > k) tears[std::size_t(k)] += 1;
      }
    }
  const double norm = double(N) * double(N - 6) > 0 ? double(N) * double(N - 6) : 1.0;
  TopographicFunction tf{Vector<double>(2 * max_hops + 1), Vector<double>(2 * max_hops + 1),
                         Vector<double>(2 * max_hops + 1), Index(max_hops)};
  for (int k = -max_hops; k <= max_hops; ++k) {
    const double phi = k > 0 ? folds[std::size_t(k)] : k < 0 ? tears[std::size_t(-k)] : folds[1] + tears[1];
    tf.k[k + max_hops] = double(k);
    tf.k_relative[k + max_hops] = double(k) / double(max_hops);
    tf.values[k + max_hops] = phi / norm;
  }
  return tf;
}

/// Textbook topographic product P3 (Bauer & Pawelzik 1992, with the 1/(2k)) of the weights W
/// (one row per unit) on the map; 0 = neighbour orders agree. Neighbour orders break distance
/// ties by unit id; non-finite logarithms count as 0. Weight distances in double.
template <typename Scalar, typename Map>
double topographic_product(const RowMatrix<Scalar>& W, const Map& map) {
  const Index N = W.rows();
  if (N < 2) return 0.0;
  double total = 0.0;
  std::vector<double> dv(static_cast<std::size_t>(N));
  std::vector<Index> by_v(static_cast<std::size_t>(N - 1)), by_a(static_cast<std::size_t>(N - 1));
  for (Index j = 0; j < N; ++j) {
    for (Index u = 0; u < N; ++u)  // in double: float squares of large weights overflow
      dv[std::size_t(u)] = (W.row(j) - W.row(u)).template cast<double>().norm();
    Index m = 0;
    for (Index u = 0; u < N; ++u)
      if (u != j) by_v[std::size_t(m)] = by_a[std::size_t(m)] = u, ++m;
    std::stable_sort(by_v.begin(), by_v.end(),
                     [&](Index a, Index b) { return dv[std::size_t(a)] < dv[std::size_t(b)]; });
    std::stable_sort(by_a.begin(), by_a.end(), [&](Index a, Index b) { return map.hops(j, a) < map.hops(j, b); });
    double log_sum = 0.0;
    for (Index k = 1; k < N; ++k) {
      const Index a = by_a[std::size_t(k - 1)], v = by_v[std::size_t(k - 1)];
      const double q1 = std::log(dv[std::size_t(a)] / dv[std::size_t(v)]);
      const double q2 = std::log(double(map.hops(j, a)) / double(map.hops(j, v)));
      log_sum += (std::isfinite(q1) ? q1 : 0.0) + (std::isfinite(q2) ? q2 : 0.0);
      total += log_sum / (2.0 * double(k));
    }
  }
  return total / (double(N) * double(N - 1));
}

}  // namespace somtile
