#pragma once
// BMU search by a team of threads that each own a fixed range of units, for training loops
// that search and update the codebook over and over (mini-batches). A thread scores the
// samples against its own rows of W only and the team merges the per-range top twos, so a
// thread reads and writes only its own rows: they stay in its core's cache, instead of half
// the codebook moving between cores at every batch (with samples split across threads, every
// thread reads all of W, which the other one has just updated).
//
// The result equals find_bmus for any team size: the same expanded scores, the same rounding
// margin (its largest |w|^2 taken over the whole codebook), the same direct-distance decisions
// for near ties, ties to the lowest unit. Top twos merge exactly: the top two of a union is the
// top two of the parts' top twos.

#include "somtile/core/detail/parallel.hpp"
#include "somtile/kernels/bmu.hpp"

#include <algorithm>
#include <limits>
#include <vector>

namespace somtile::detail {

template <typename Scalar>
class TeamBmu {
 public:
  /// For teams of up to `threads` threads (parallel_team) and up to max_rows samples a search.
  TeamBmu(int threads, Index max_rows)
      : part_(std::size_t(std::max(threads, 1))), distance_(std::size_t(std::max<Index>(max_rows, 0))) {}

  /// Called by every thread of the team with the same X, metric and with_second; thread
  /// `thread` owns W's rows [u0, u1), the ranges of the team being disjoint and covering all
  /// units (a range may be empty). Every thread receives the whole result in `out`.
  /// Contains team barriers: all threads must call it the same number of times.
  /// X has at most max_rows rows (callers check).
  void search(int thread, int threads, Index u0, Index u1, ConstRowRef<Scalar> X, ConstRowRef<Scalar> W,
              Distance metric, bool with_second, BmuResult<Scalar>& out) {
    Part& me = part_[std::size_t(thread)];
    const Index n = X.rows(), units = u1 - u0;
    const bool gemm = metric == Distance::euclidean || metric == Distance::cosine;
    out.bmu.resize(n);
    out.distance.resize(n);
    out.second.resize(with_second ? n : 0);
    if (gemm) {
      me.form.build(W.middleRows(u0, units), metric);
      me.kernel = score_kernel<Scalar>();
      const Index G = me.kernel.group, ld = (n + G - 1) / G * G;
      me.scores.resize(units, ld);
      me.top.resize(std::size_t(ld));
      if (units > 0) {
        pack_panels(me.form.prototypes(W.middleRows(u0, units), metric), me.kernel.mr, me.panels);
        for (Index i0 = 0; i0 < n; i0 += G) {
          pack_group(X, i0, std::min(G, n - i0), G, me.xt);
          me.kernel.score({me.panels.data(), me.xt.data(), me.form.bias.data(), me.form.scale, units, X.cols(),
                           me.scores.data() + i0, ld, me.top.data() + i0});
        }
        me.top.resize(std::size_t(n));
        for (auto& t : me.top) shift(t, u0);
      } else {
        me.top.assign(std::size_t(n), TopTwo<Scalar>{});
      }
    } else {
      me.top.assign(std::size_t(n), TopTwo<Scalar>{});
      for (Index i = 0; i < n; ++i)
        for (Index u = u0; u < u1; ++u)
          me.top[std::size_t(i)].offer(pair_distance<Scalar>(metric, X.row(i), W.row(u)), u);
    }
    team_barrier();
    std::vector<TopTwo<Scalar>>& top = me.merged;
    top.assign(std::size_t(n), TopTwo<Scalar>{});
    for (int p = 0; p < threads; ++p)
      for (Index i = 0; i < n; ++i) merge_into(top[std::size_t(i)], part_[std::size_t(p)].top[std::size_t(i)]);
    if (gemm) near_ties(thread, threads, u0, u1, X, W, metric, top);
    // The distance to the BMU, directly from x - w, by the thread that owns the BMU's row.
    for (Index i = 0; i < n; ++i) {
      TopTwo<Scalar>& t = top[std::size_t(i)];
      if (t.best_unit < 0) t.best_unit = 0;  // every distance overflowed: a tie, lowest unit
      if (t.best_unit >= u0 && t.best_unit < u1)
        distance_[std::size_t(i)] = pair_distance<Scalar>(metric, X.row(i), W.row(t.best_unit));
    }
    team_barrier();
    for (Index i = 0; i < n; ++i) {
      out.bmu[i] = top[std::size_t(i)].best_unit;
      out.distance[i] = distance_[std::size_t(i)];
      if (with_second) out.second[i] = top[std::size_t(i)].next_unit;
    }
  }

 private:
  struct Part {
    ScoreForm<Scalar> form;  // of the own rows of W
    ScoreKernel<Scalar> kernel{};
    std::vector<Scalar> panels, xt;  // own prototypes and the batch's groups, packed for the kernel
    RowMatrix<Scalar> scores;        // units x samples
    std::vector<Scalar> lane_limit;  // per lane of a group: near-tie limit (-inf: none)
    std::vector<int> lane_slot;
    std::vector<TopTwo<Scalar>> top, merged;  // own units' top two; the team's
    std::vector<Index> recheck, rows;         // near-tie rows (tile columns); all near-tie rows
    std::vector<char> all_units;              // per row: squares overflowed, compare all units
    std::vector<Scalar> limit;
    std::vector<std::vector<Index>> candidates;
    std::vector<TopTwo<Scalar>> near;  // own candidates' top two by direct distance
  };

  static void shift(TopTwo<Scalar>& t, Index u0) {
    if (t.best_unit >= 0) t.best_unit += u0;
    if (t.next_unit >= 0) t.next_unit += u0;
  }

  // find_bmus's near-tie rule over the team: rows whose runner-up is within rounding of the
  // best are decided by direct distances among the units within that margin (all units where
  // the squares overflowed), each thread offering its own.
  void near_ties(int thread, int threads, Index u0, Index u1, ConstRowRef<Scalar> X, ConstRowRef<Scalar> W,
                 Distance metric, std::vector<TopTwo<Scalar>>& top) {
    Part& me = part_[std::size_t(thread)];
    Scalar max_bias = Scalar(0);
    for (int p = 0; p < threads; ++p) max_bias = std::max(max_bias, part_[std::size_t(p)].form.max_bias);
    me.recheck.clear();  // tile columns with a margin
    me.limit.clear();
    me.rows.clear();  // rows in order: all near ties, the overflowed ones included
    std::vector<char>& all_units = me.all_units;
    all_units.assign(top.size(), 0);
    for (Index i = 0; i < Index(top.size()); ++i) {
      const TopTwo<Scalar>& t = top[std::size_t(i)];
      const Scalar slack = rounding_slack(X.row(i), max_bias);
      if (!std::isfinite(slack) || t.best_unit < 0) {
        me.rows.push_back(i);
        all_units[std::size_t(i)] = 1;
      } else if (t.next - t.best <= slack) {
        me.rows.push_back(i);
        me.recheck.push_back(i);
        me.limit.push_back(t.best + slack);
      }
    }
    if (me.rows.empty()) return;  // the same on every thread
    const std::size_t k = me.recheck.size();
    if (me.candidates.size() < k) me.candidates.resize(k);
    for (std::size_t j = 0; j < k; ++j) me.candidates[j].clear();
    if (k > 0 && u1 > u0) {
      // One collect per group of tile columns holding recheck rows.
      const Index G = me.kernel.group;
      me.lane_limit.resize(std::size_t(G));
      me.lane_slot.assign(std::size_t(G), 0);
      for (std::size_t j = 0; j < k;) {
        const Index i0 = me.recheck[j] / G * G;
        std::fill(me.lane_limit.begin(), me.lane_limit.end(), -std::numeric_limits<Scalar>::infinity());
        std::size_t j1 = j;
        for (; j1 < k && me.recheck[j1] < i0 + G; ++j1) {
          me.lane_limit[std::size_t(me.recheck[j1] - i0)] = me.limit[j1];
          me.lane_slot[std::size_t(me.recheck[j1] - i0)] = int(j1);
        }
        me.kernel.collect({me.scores.data() + i0, me.scores.cols(), u1 - u0, me.lane_limit.data(), me.lane_slot.data(),
                           me.candidates.data()});
        j = j1;
      }
    }
    me.near.assign(me.rows.size(), TopTwo<Scalar>{});
    for (std::size_t j = 0, c = 0; j < me.rows.size(); ++j) {
      const Index i = me.rows[j];
      TopTwo<Scalar>& t = me.near[j];
      if (all_units[std::size_t(i)]) {
        for (Index u = u0; u < u1; ++u) t.offer(pair_distance<Scalar>(metric, X.row(i), W.row(u)), u);
      } else {
        for (const Index local : me.candidates[c++])
          t.offer(pair_distance<Scalar>(metric, X.row(i), W.row(u0 + local)), u0 + local);
      }
    }
    team_barrier();
    // Merged. The best and the runner-up both lie within the margin, so every near-tie row has
    // a runner-up among its candidates (find_bmus's scan for a missing one never runs here).
    for (std::size_t j = 0; j < me.rows.size(); ++j) {
      TopTwo<Scalar> t;
      for (int p = 0; p < threads; ++p) merge_into(t, part_[std::size_t(p)].near[j]);
      top[std::size_t(me.rows[j])] = t;
    }
  }

  std::vector<Part> part_;        // per thread; read by the others between barriers
  std::vector<Scalar> distance_;  // per sample, written by the owner of its BMU
};

}  // namespace somtile::detail
