#pragma once
// Exact BMU search that skips work between passes over the same samples (training epochs, Lloyd
// iterations): Yinyang k-means' group bounds (Ding et al. 2015) applied to find_bmus.
//
// The units are split into groups (map tiles, or clusters of centres). Per sample the search
// keeps a lower bound on its distance to every group, from the group's smallest score the last
// time it was scored. When the codebook moves, each bound drops by its group's largest move
// (triangle inequality). A pass then scores, with the same micro-kernel as find_bmus, only
//   1. the groups of the sample's previous BMU and second BMU, then
//   2. the groups whose bound does not prove every unit's score above the threshold
//      max(next, best + slack) + slack (best, next: the two best scores found so far; slack:
//      find_bmus's rounding margin, also taken as the error of a score),
// so no unit left out could be one of the two best or a near-tie candidate. Every score is
// the same sum in the same order as in find_bmus, and top twos merge exactly, so the two best
// units are find_bmus's. Samples whose two best are within the margin (near ties), or whose
// squares overflowed, are searched again by find_bmus's own group search. The result is
// therefore identical to dense_bmus (euclidean) for every sample: BMU, second BMU, distance.
//
// Memory: one float per sample and group, plus two copies of the codebook. The per-sample state
// can be kept per block of samples (SampleState), for data read in chunks.

#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/types.hpp"
#include "somtile/kernels/bmu_result.hpp"
#include "somtile/kernels/detail/bmu_search.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <numeric>
#include <vector>

namespace somtile::detail {

/// Consecutive tiles of about `size` units of a rows x cols map (row-major unit order).
inline std::vector<std::vector<Index>> grid_tiles(Index rows, Index cols, Index size) {
  const Index tw = std::clamp<Index>(Index(std::lround(std::sqrt(double(size) * 1.5))), 1, std::max<Index>(cols, 1));
  const Index th = std::clamp<Index>((size + tw - 1) / tw, 1, std::max<Index>(rows, 1));
  std::vector<std::vector<Index>> tiles;
  for (Index r0 = 0; r0 < rows; r0 += th)
    for (Index c0 = 0; c0 < cols; c0 += tw) {
      std::vector<Index> t;
      for (Index r = r0; r < std::min(rows, r0 + th); ++r)
        for (Index c = c0; c < std::min(cols, c0 + tw); ++c) t.push_back(r * cols + c);
      tiles.push_back(std::move(t));
    }
  return tiles;
}

/// Groups of about `size` nearby rows of W (a few Lloyd steps from evenly spaced rows), each
/// group's units ascending. For codebooks without a map (k-means centres).
template <typename Scalar>
std::vector<std::vector<Index>> nearby_groups(ConstRowRef<Scalar> W, Index size) {
  const Index U = W.rows(), k = std::max<Index>(1, U / std::max<Index>(size, 1));
  RowMatrix<double> C(k, W.cols());
  for (Index g = 0; g < k; ++g) C.row(g) = W.row(g * U / k).template cast<double>();
  std::vector<Index> of(std::size_t(U), 0);
  for (int step = 0; step < 5; ++step) {
    for (Index u = 0; u < U; ++u) {
      const Eigen::RowVectorXd w = W.row(u).template cast<double>();
      Index best = 0;
      double best_d = std::numeric_limits<double>::infinity();
      for (Index g = 0; g < k; ++g) {
        const double d = (C.row(g) - w).squaredNorm();
        if (d < best_d) best_d = d, best = g;
      }
      of[std::size_t(u)] = best;
    }
    RowMatrix<double> S = RowMatrix<double>::Zero(k, W.cols());
    Eigen::VectorXd n = Eigen::VectorXd::Zero(k);
    for (Index u = 0; u < U; ++u)
      S.row(of[std::size_t(u)]) += W.row(u).template cast<double>(), n(of[std::size_t(u)]) += 1;
    for (Index g = 0; g < k; ++g)
      if (n(g) > 0) C.row(g) = S.row(g) / n(g);
  }
  std::vector<std::vector<Index>> groups(static_cast<std::size_t>(k));
  for (Index u = 0; u < U; ++u) groups[std::size_t(of[std::size_t(u)])].push_back(u);
  groups.erase(std::remove_if(groups.begin(), groups.end(), [](const auto& g) { return g.empty(); }), groups.end());
  return groups;
}

/// Whether training loops use the bounded search (on unless SOMTILE_BMU_BOUNDS=off); results are
/// the same either way, the switch is for tests and timings.
inline std::atomic<bool>& bounded_search_setting() {
  static std::atomic<bool> on{[] {
    const char* v = std::getenv("SOMTILE_BMU_BOUNDS");
    return !(v && std::strcmp(v, "off") == 0);
  }()};
  return on;
}
inline bool bounded_search_enabled() { return bounded_search_setting().load(); }
inline void set_bounded_search(bool on) { bounded_search_setting().store(on); }

/// Maps smaller than this search in full: a few hundred distances per sample cost less than
/// keeping bounds for them.
inline constexpr Index min_bounded_units = 64;
/// Units per map tile: whole panels of the kernel (3, 6 or 8 units) and enough units that scoring
/// a tile (units x features multiply-adds per sample) outweighs the bookkeeping per sample and
/// tile, which is what decides on 2 cores (measured: 96 units beat 48 and 24 at 64 features,
/// 48 beat 24 at 300), yet enough tiles for the bounds to rule most of a map out.
inline Index bounded_group_size_for(Index features) { return features <= 128 ? 96 : 48; }
inline constexpr Index bounded_group_size = 48;  ///< for units left outside the groups given
/// Centres per group in k-means (Yinyang's k / 10 groups, in whole panels of the kernel).
inline constexpr Index kmeans_group_size = 16;
/// Passes between re-sorts of the samples by their BMU's group (a tile of samples scores the
/// union of the groups its samples need). Maps also re-sort every other pass while more than
/// 1 / resort_moved of the samples changed group since the last sort: W1 (sigma 20 -> 1 in 10
/// epochs; 7-27% change tile each pass) then scores 14% fewer distances, as few as with a sort
/// every pass; TorchSOM's maps (under 1% after the first epochs) would only pay for the sorts.
inline constexpr Index resort_every = 10;
inline constexpr Index resort_moved = 20;
/// The packed copy of the samples is kept up to this size (larger data is packed every pass, as
/// the full search does, rather than held twice).
inline constexpr double max_packed_bytes = double(64 << 20);
/// Rows of X per block of a search over samples too many to pack (whose rows it gathers in BMU
/// order): 16 MB of rows (65 536 rows of 64 floats); X is searched in blocks when it takes more
/// than max_packed_bytes and 4 blocks. A setting so that tests can make blocks small.
inline std::atomic<double>& bounded_block_bytes() {
  static std::atomic<double> bytes{double(16 << 20)};
  return bytes;
}
/// Trainings of fewer epochs search in full: the first pass only sets the bounds, and one or two
/// more cannot repay their memory (one float per sample and group).
inline constexpr Index min_bounded_epochs = 3;

/// Euclidean distance of every row of X to its unit's row of W, as find_bmus reports the
/// distance to the BMU, front to back through X.
template <typename Scalar>
void distances_to_units(ConstRowRef<Scalar> X, ConstRowRef<Scalar> W, const Labels& unit, Vector<Scalar>& out,
                        int n_threads) {
  out.resize(X.rows());
  parallel_for_chunks(
      X.rows(), 1024, n_threads,
      [&](Index first, Index last) {
        for (Index i = first; i < last; ++i)
          out[i] = pair_distance<Scalar>(Distance::euclidean, X.row(i), W.row(unit[i]));
      },
      double(X.cols()));
}

/// Work counts of the last pass of a BoundedBmuSearch.
struct BoundedBmuStats {
  double scored_fraction = 1.0;  ///< (sample, unit) scores computed / (samples x units)
};

template <typename Scalar>
class BoundedBmuSearch {
 public:
  /// What a search keeps per sample between passes: the samples' order, their previous two
  /// best and their bounds. search() keeps one for the whole X; a caller that reads the samples
  /// in blocks (Som::fit from a source) keeps one per block and calls begin_pass, search_block
  /// for every block, then end_pass.
  struct SampleState {
    std::vector<Index> order;        // position -> sample
    std::vector<Index> bmu, second;  // per position: the previous pass's two best
    std::vector<float> lb;           // positions x groups, tile-major (without second BMUs: b's group without b)
    std::vector<float> ub;           // per position, without second BMUs: above the distance to the BMU
    Vector<Scalar> xx;               // per position: |x|^2
    std::vector<Scalar> packed;      // the samples in order, packed tile by tile (empty: pack per pass)
    bool keep_packed = true;         // false: never keep `packed` (blocks whose memory moves)
    bool verify_rows = false;        // check that the rows are the same as in the previous pass
    Index passes_since_sort = 0, moved_since_sort = 0;
    std::uint64_t pass = 0;  // the pass that left it (0: none; bounds need the previous pass)
  };

  /// groups: a partition of the units [0, U), each group's units ascending.
  BoundedBmuSearch(std::vector<std::vector<Index>> groups, bool with_second, int n_threads)
      : groups_(std::move(groups)), with_second_(with_second), n_threads_(n_threads) {}

  /// Forgets the bounds: the next search scores every unit.
  void reset() { previous_valid_ = false; }

  /// Work counts of the last finished pass.
  const BoundedBmuStats& stats() const { return stats_; }

  /// dense_bmus(X, W, Distance::euclidean, with_second, n_threads), exactly. X must hold the same
  /// samples as in the previous call for the bounds to be used; a change of shape resets them.
  /// Without `distances` (and without second BMUs), out.distance is left empty, and a sample
  /// whose bounds prove its BMU unchanged is not read at all (Yinyang's global filter: an upper
  /// bound on the distance to its BMU below the lower bounds of every group).
  /// Samples too many to keep packed are searched in blocks of about bounded_block_bytes(), each
  /// with its own state: a block's rows, gathered in its BMU order, stay within a few MB of X.
  void search(ConstRowRef<Scalar> X, ConstRowRef<Scalar> W, BmuResult<Scalar>& out, bool distances = true);

  /// A pass in blocks: begin_pass(W), then search_block for each block with the state it had
  /// in the previous pass (the same samples in the same order), then end_pass(). A block's
  /// bounds are used only when its state comes from the previous finished pass, so a state that
  /// is new, stale or from a pass that did not end makes that block score every unit.
  void begin_pass(ConstRowRef<Scalar> W);
  /// dense_bmus of the block against begin_pass's W (as search()), updating its state. With
  /// st.verify_rows, returns the first row of X that is not the one the state was made from
  /// (searched in full, as a new block), else -1.
  Index search_block(ConstRowRef<Scalar> X, SampleState& st, BmuResult<Scalar>& out, bool distances = true);
  void end_pass();

 private:
  // Per thread. Lane arrays hold Gk entries (a tile), group arrays G x Gk.
  struct Scratch {
    std::vector<Scalar> xt, scores;                          // scores: the tile's, group after group (U x Gk)
    std::vector<Index> scored_groups, scored_at;             // groups scored for the tile and where their scores start
    std::vector<Scalar> best, next, group_best, group_next;  // running top twos; each scored group's own
    std::vector<LaneIndex<Scalar>> best_unit, next_unit, group_best_unit, group_next_unit;
    std::vector<char> need, first;
    std::vector<Index> full, pending, positions, ties;
    std::vector<Scalar> xx, slack, tie_limit;  // of the tile's lanes; tie_limit: -inf off near ties
    std::vector<double> limit, q, root;        // phase 2's threshold on d^2; the bounds' squares and roots
    std::vector<float> lb;
    std::vector<int> slot;
    std::vector<std::vector<Index>> candidates;
    std::vector<std::size_t> marks, lb_at;  // lb_at: where each lane's bounds start (bound(p, 0))
    RowMatrix<Scalar> rows;
    std::vector<Scalar> full_panels;  // the whole codebook's panels, for find_bmus's own search
    BmuScratch<Scalar> group_scratch;
    std::size_t used = 0;  // of scores
    double scored = 0;

    void size(Index G, Index U, Index Gk) {
      const std::size_t g = std::size_t(Gk), all = std::size_t(G) * g;
      if (scores.size() < std::size_t(U) * g) scores.resize(std::size_t(U) * g);
      for (auto* v : {&best, &next, &xx, &slack, &tie_limit}) v->resize(g);
      for (auto* v : {&best_unit, &next_unit}) v->resize(g);
      for (auto* v : {&group_best, &group_next}) v->resize(all);
      for (auto* v : {&group_best_unit, &group_next_unit}) v->resize(all);
      for (auto* v : {&limit, &q, &root}) v->resize(g);
      lb.resize(g);
      slot.resize(g);
      std::iota(slot.begin(), slot.end(), 0);
      candidates.resize(g);
      marks.resize(g);
      lb_at.resize(g);
    }
  };

  void layout(Index U);
  void pack(ConstRowRef<Scalar> W);
  void reorder(SampleState& st, ConstRowRef<Scalar> X, bool by_bmu);
  void score_group(SampleState& st, Index g, const Scalar* xt, Index rows, Index F, float* tile_lb, Scratch& s);
  // Per-sample state is stored by position in order, tiles of Gk lanes: the bounds of tile t are
  // a groups x Gk block, so a tile's bounds are contiguous and a group's are one vector.
  float& bound(SampleState& st, Index p, Index g) {
    const Index Gk = kernel_.group;
    return st.lb[std::size_t(((p / Gk) * G_ + g) * Gk + p % Gk)];
  }
  void settle_bounds(SampleState& st, Index p, Index l, Index b, ConstRowRef<Scalar> X, ConstRowRef<Scalar> W,
                     const Scratch& s);

  std::vector<std::vector<Index>> groups_;
  bool with_second_;
  int n_threads_;
  bool extra_ = false;
  Index G_ = 0, U_ = 0;
  std::vector<Index> group_of_, unit_of_, offset_;  // unit -> group; slot -> unit; group -> first slot
  std::vector<LaneIndex<Scalar>> slot_unit_;        // unit_of_ in the kernel's lane integers
  ScoreForm<Scalar> form_;
  ScoreKernel<Scalar> kernel_{};
  std::vector<Scalar> panels_, bias_;  // per group, padded to mr; bias per slot
  std::vector<Index> panel_offset_;
  SampleState state_;                // search()'s
  std::vector<SampleState> blocks_;  // search()'s, for samples in blocks
  BmuResult<Scalar> part_;           // one block's result
  Vector<Scalar> slack_;             // per position of the block searched: the rounding margin
  // The codebook of the pass (current_) and of the last finished pass (previous_), whose moves
  // the bounds subtract; pass_ counts begin_pass calls.
  RowMatrix<Scalar> current_, previous_;
  bool previous_valid_ = false, open_ = false;
  std::uint64_t pass_ = 0;
  double scored_ = 0, searched_ = 0;  // this pass's scores and samples x units
  std::vector<double> drift_, unit_drift_;
  std::vector<Scratch> scratch_;
  BoundedBmuStats stats_;
};

/// \cond INTERNAL
template <typename Scalar>
void BoundedBmuSearch<Scalar>::layout(Index U) {
  // Units past the groups given, or in none, get groups of their own (of bounded_group_size).
  std::vector<char> seen(std::size_t(U), 0);
  for (auto& g : groups_) {
    g.erase(std::remove_if(g.begin(), g.end(), [&](Index u) { return u < 0 || u >= U || seen[std::size_t(u)]++; }),
            g.end());
  }
  groups_.erase(std::remove_if(groups_.begin(), groups_.end(), [](const auto& g) { return g.empty(); }), groups_.end());
  for (Index u = 0; u < U; ++u)
    if (!seen[std::size_t(u)]) {
      if (groups_.empty() || groups_.back().size() >= std::size_t(bounded_group_size) || !extra_) {
        groups_.emplace_back();
        extra_ = true;
      }
      groups_.back().push_back(u);
    }
  G_ = Index(groups_.size());
  U_ = U;
  group_of_.assign(std::size_t(U), -1);
  unit_of_.clear();
  offset_.assign(std::size_t(G_ + 1), 0);
  for (Index g = 0; g < G_; ++g) {
    for (const Index u : groups_[std::size_t(g)]) {
      group_of_[std::size_t(u)] = g;
      unit_of_.push_back(u);
    }
    offset_[std::size_t(g + 1)] = Index(unit_of_.size());
  }
  slot_unit_.assign(unit_of_.begin(), unit_of_.end());
}

// The codebook's expanded form: find_bmus's (same bias, same max_bias), packed per group.
template <typename Scalar>
void BoundedBmuSearch<Scalar>::pack(ConstRowRef<Scalar> W) {
  const Index F = W.cols();
  form_.build(W, Distance::euclidean);
  kernel_ = score_kernel<Scalar>();
  const Index mr = kernel_.mr;
  panels_.clear();
  panel_offset_.assign(std::size_t(G_), 0);
  bias_.resize(unit_of_.size());
  for (Index g = 0; g < G_; ++g) {
    const Index o = offset_[std::size_t(g)], units = offset_[std::size_t(g + 1)] - o;
    panel_offset_[std::size_t(g)] = Index(panels_.size());
    panels_.resize(panels_.size() + std::size_t((units + mr - 1) / mr * mr * F), Scalar(0));
    Scalar* base = panels_.data() + panel_offset_[std::size_t(g)];
    for (Index j = 0; j < units; ++j) {
      const Index u = unit_of_[std::size_t(o + j)];
      bias_[std::size_t(o + j)] = form_.bias[u];
      Scalar* panel = base + (j / mr) * mr * F + j % mr;
      for (Index k = 0; k < F; ++k) panel[k * mr] = W(u, k);
    }
  }
}

// Scores the packed tile xt (rows lanes) against group g: merges the group's top two into each
// lane's and makes the group's smallest score the lane's bound for it (d^2 >= score + |x|^2 -
// slack). tile_lb: the tile's bounds when its lanes are consecutive positions (else each lane's
// are at s.lb_at).
template <typename Scalar>
void BoundedBmuSearch<Scalar>::score_group(SampleState& st, Index g, const Scalar* xt, Index rows, Index F,
                                           float* tile_lb, Scratch& s) {
  const Index Gk = kernel_.group, base = offset_[std::size_t(g)], units = offset_[std::size_t(g + 1)] - base;
  if (units == 0) return;
  const std::size_t j = s.scored_groups.size() * std::size_t(Gk), at = s.used;
  s.scored_groups.push_back(g);
  s.scored_at.push_back(at);
  s.used += std::size_t(units * Gk);
  kernel_.score_merge(
      {{panels_.data() + panel_offset_[std::size_t(g)], xt, bias_.data() + base, form_.scale, units, F,
        s.scores.data() + at, Gk, nullptr},
       slot_unit_.data() + base,
       {s.group_best.data() + j, s.group_next.data() + j, s.group_best_unit.data() + j, s.group_next_unit.data() + j},
       {s.best.data(), s.next.data(), s.best_unit.data(), s.next_unit.data()}});
  s.scored += double(rows) * double(units);
  // Shrunk by 1e-6 relative so the float below the double's square root stays below it.
  const Scalar* least = s.group_best.data() + j;
  double *q = s.q.data(), *root = s.root.data();
  for (Index l = 0; l < rows; ++l)
    q[l] = double(least[l]) + double(s.xx[std::size_t(l)]) - 2.0 * double(s.slack[std::size_t(l)]);
  Eigen::Map<Eigen::ArrayXd>(root, rows) = Eigen::Map<const Eigen::ArrayXd>(q, rows).max(0.0).sqrt();  // vectorised
  float* lb = tile_lb ? tile_lb + g * Gk : s.lb.data();
  for (Index l = 0; l < rows; ++l) lb[l] = q[l] > 0 && q[l] < 1e300 ? float(root[l] * (1 - 1e-6)) : 0.0f;
  if (!tile_lb)
    for (Index l = 0; l < rows; ++l) st.lb[s.lb_at[std::size_t(l)] + std::size_t(g * Gk)] = lb[l];
}

// Without second BMUs: the upper bound of position p (lane l) on its distance to its BMU b, and
// the bound of b's group over its other units, from the tile's group top twos.
template <typename Scalar>
void BoundedBmuSearch<Scalar>::settle_bounds(SampleState& st, Index p, Index l, Index b, ConstRowRef<Scalar> X,
                                             ConstRowRef<Scalar> W, const Scratch& s) {
  const Index gb = group_of_[std::size_t(b)], Gk = kernel_.group;
  const auto j = std::size_t(std::find(s.scored_groups.begin(), s.scored_groups.end(), gb) - s.scored_groups.begin());
  const std::size_t at = j * std::size_t(Gk) + std::size_t(l);
  const TopTwo<Scalar> t{s.group_best[at], s.group_next[at], Index(s.group_best_unit[at]),
                         Index(s.group_next_unit[at])};
  const double xx = double(s.xx[std::size_t(l)]), slack = double(s.slack[std::size_t(l)]);
  const Scalar other = t.best_unit == b ? t.next : t.best;
  const double q = double(other) + xx - 2.0 * slack;
  bound(st, p, gb) = q > 0 && q < 1e300 ? float(std::sqrt(q) * (1 - 1e-6)) : 0.0f;
  double ub;  // d^2 <= score + |x|^2 + slack
  if (t.best_unit == b)
    ub = std::sqrt(std::max(0.0, double(t.best) + xx + slack));
  else if (t.next_unit == b)
    ub = std::sqrt(std::max(0.0, double(t.next) + xx + slack));
  else
    ub = double(pair_distance<Scalar>(Distance::euclidean, X.row(st.order[std::size_t(p)]), W.row(b))) * (1 + 1e-3);
  st.ub[std::size_t(p)] = std::isfinite(ub) ? float(ub * (1 + 1e-6)) : std::numeric_limits<float>::infinity();
}

// Puts the samples in a new order (by their BMU's group: tiles of samples near each other need
// much the same groups), moving every per-position array with them, and packs them.
template <typename Scalar>
void BoundedBmuSearch<Scalar>::reorder(SampleState& st, ConstRowRef<Scalar> X, bool by_bmu) {
  const Index n = X.rows(), F = X.cols(), Gk = kernel_.group, tiles = (n + Gk - 1) / Gk;
  std::vector<Index> next(static_cast<std::size_t>(n));
  if (by_bmu) {  // positions of the old order, stably by their BMU's group (a counting sort)
    const auto key = [&](Index p) { return group_of_[std::size_t(st.bmu[std::size_t(p)])]; };
    const Index keys = G_;
    std::vector<Index> start(std::size_t(keys + 1), 0);
    for (Index p = 0; p < n; ++p) ++start[std::size_t(key(p) + 1)];
    std::partial_sum(start.begin(), start.end(), start.begin());
    for (Index p = 0; p < n; ++p) next[std::size_t(start[std::size_t(key(p))]++)] = p;
  } else {
    std::iota(next.begin(), next.end(), Index(0));
  }
  const bool move = st.order.size() == std::size_t(n) && by_bmu;
  // The moved state is built in new arrays and swapped in; the bounds in two steps: each old
  // tile's block transposed to one row per position, then each new tile's block gathered from
  // those rows (a sample's bounds are G_ floats Gk apart, so gathering them straight from the
  // old blocks reads G_ cache lines per sample).
  std::vector<Index> order, bmu, second;
  std::vector<float> rows, ub;
  Vector<Scalar> xx;
  if (move) {
    for (auto* v : {&bmu, &second, &order}) v->resize(std::size_t(n));
    ub.resize(st.ub.size());
    xx.resize(n);
    rows.resize(st.lb.size());
    parallel_for(
        tiles, n_threads_,
        [&](Index tile) {
          const float* from = st.lb.data() + tile * G_ * Gk;
          float* to = rows.data() + tile * Gk * G_;
          for (Index g = 0; g < G_; ++g)
            for (Index l = 0; l < Gk; ++l) to[l * G_ + g] = from[g * Gk + l];
        },
        double(G_ * Gk));
  } else {
    st.order = next;
    st.xx.resize(n);
    for (Index p = 0; p < n; ++p) st.xx[p] = X.row(st.order[std::size_t(p)]).squaredNorm();
  }
  const bool pack = st.keep_packed && with_second_ && double(n) * double(F) * sizeof(Scalar) <= max_packed_bytes;
  if (pack)
    st.packed.resize(std::size_t(tiles * F * Gk));  // every entry written below
  else
    st.packed.clear();
  // Tile by tile, in chunks: each moves its positions' state and packs its samples, starting the
  // next tile's rows (scattered in X) while it packs one.
  const Index chunk = 8;
  parallel_for_chunks(
      tiles, chunk, n_threads_,
      [&](Index t0, Index t1) {
        for (Index tile = t0; tile < t1; ++tile) {
          const Index p0 = tile * Gk, count = std::min(Gk, n - p0);
          if (move)
            for (Index l = 0; l < count; ++l) {
              const std::size_t p = std::size_t(p0 + l), q = std::size_t(next[p]);
              order[p] = st.order[q];
              bmu[p] = st.bmu[q];
              second[p] = st.second[q];
              xx[Index(p)] = st.xx[Index(q)];
              if (!st.ub.empty()) ub[p] = st.ub[q];
              const float* from = rows.data() + q * std::size_t(G_);
              float* to = st.lb.data() + std::size_t(tile * G_ * Gk + l);
              for (Index g = 0; g < G_; ++g) to[g * Gk] = from[g];
            }
          if (!pack) continue;
          const std::vector<Index>& now = move ? order : st.order;
#if defined(__GNUC__)
          if (tile + 1 < t1)
            for (Index k = p0 + Gk; k < std::min(n, p0 + 2 * Gk); ++k) {
              const char* row =
                  reinterpret_cast<const char*>(X.row(st.order[std::size_t(next[std::size_t(k)])]).data());
              for (Index b = 0; b < F * Index(sizeof(Scalar)); b += 64) __builtin_prefetch(row + b);
            }
#endif
          const Scalar* row[64];
          for (Index l = 0; l < count; ++l) row[l] = X.row(now[std::size_t(p0 + l)]).data();
          pack_rows(row, count, F, Gk, st.packed.data() + tile * F * Gk);
        }
      },
      double(F * Gk));
  if (move) st.order.swap(order), st.bmu.swap(bmu), st.second.swap(second), st.ub.swap(ub), st.xx.swap(xx);
}

template <typename Scalar>
void BoundedBmuSearch<Scalar>::begin_pass(ConstRowRef<Scalar> W) {
  const Index U = W.rows(), F = W.cols();
  if (U_ != U || Index(group_of_.size()) != U) {
    layout(U);
    previous_valid_ = false;
  }
  // A pass that did not end leaves blocks searched against two codebooks: none is trusted.
  if (open_ || previous_.rows() != U || previous_.cols() != F) previous_valid_ = false;
  // The groups' and units' moves since the previous pass, rounded up.
  drift_.assign(std::size_t(G_), 0.0);
  unit_drift_.assign(std::size_t(U), 0.0);
  if (previous_valid_) {
    parallel_for_chunks(
        U, 256, n_threads_,
        [&](Index u0, Index u1) {
          for (Index u = u0; u < u1; ++u)
            unit_drift_[std::size_t(u)] =
                (W.row(u).template cast<double>() - previous_.row(u).template cast<double>()).norm() * (1 + 1e-12) +
                std::numeric_limits<double>::min();
        },
        double(F));
    for (Index u = 0; u < U; ++u) {
      double& g = drift_[std::size_t(group_of_[std::size_t(u)])];
      g = std::max(g, unit_drift_[std::size_t(u)]);
    }
  }
  current_ = W;
  pack(W);
  scratch_.resize(std::size_t(resolve_threads(n_threads_)));
  for (Scratch& s : scratch_) {
    s.full_panels.clear();
    s.size(G_, U, kernel_.group);
  }
  ++pass_;
  open_ = true;
  scored_ = searched_ = 0;
}

template <typename Scalar>
void BoundedBmuSearch<Scalar>::search(ConstRowRef<Scalar> X, ConstRowRef<Scalar> W, BmuResult<Scalar>& out,
                                      bool distances) {
  begin_pass(W);
  const Index n = X.rows(), F = X.cols();
  const double bytes = double(n) * double(F) * sizeof(Scalar);
  const double block = bounded_block_bytes().load();
  if (bytes <= std::min(max_packed_bytes, 4 * block)) {  // packed whole, or a few blocks at most
    blocks_.clear();
    search_block(X, state_, out, distances);
    return end_pass();
  }
  state_ = SampleState{};
  const Index Gk = kernel_.group, rows = std::max<Index>(Gk, Index(block / (double(F) * sizeof(Scalar))) / Gk * Gk),
              count = (n + rows - 1) / rows;
  if (Index(blocks_.size()) != count) blocks_.assign(std::size_t(count), SampleState{});
  out.bmu.resize(n);
  out.distance.resize(distances ? n : 0);
  out.second.resize(with_second_ ? n : 0);
  for (Index b = 0; b < count; ++b) {
    const Index first = b * rows, m = std::min(rows, n - first);
    SampleState& st = blocks_[std::size_t(b)];
    st.keep_packed = false;
    search_block(X.middleRows(first, m), st, part_, distances);
    out.bmu.segment(first, m) = part_.bmu;
    if (distances) out.distance.segment(first, m) = part_.distance;
    if (with_second_) out.second.segment(first, m) = part_.second;
  }
  end_pass();
}

template <typename Scalar>
void BoundedBmuSearch<Scalar>::end_pass() {
  stats_.scored_fraction = searched_ > 0 ? scored_ / searched_ : 1.0;
  previous_.swap(current_);
  previous_valid_ = true;
  open_ = false;
}

template <typename Scalar>
Index BoundedBmuSearch<Scalar>::search_block(ConstRowRef<Scalar> X, SampleState& st, BmuResult<Scalar>& out,
                                             bool distances) {
  const ConstRowRef<Scalar> W(current_);
  const Index n = X.rows(), U = W.rows(), F = X.cols();
  bool valid = previous_valid_ && st.pass + 1 == pass_ && Index(st.bmu.size()) == n &&
               st.lb.size() == std::size_t((n + kernel_.group - 1) / kernel_.group * G_ * kernel_.group);
  Index changed = -1;
  if (valid && st.verify_rows) {
    // Each position's |x|^2, computed as when it was stored, must be the same bits: a block
    // read again from a file that changed in between is not the block the bounds are for.
    std::atomic<Index> first{n};
    parallel_for_chunks(
        n, 1024, n_threads_,
        [&](Index p0, Index p1) {
          for (Index p = p0; p < p1; ++p) {
            const Index i = st.order[std::size_t(p)];
            if (X.row(i).squaredNorm() == st.xx[p]) continue;
            for (Index seen = first.load(); i < seen && !first.compare_exchange_weak(seen, i);) {
            }
          }
        },
        double(F));
    if (first.load() < n) changed = first.load(), valid = false;
  }
  const bool skip_samples = !with_second_ && !distances;
  const Index Gk = kernel_.group, tiles = (n + Gk - 1) / Gk;
  if (!valid) {
    st.order.clear();
    reorder(st, X, false);
    st.lb.assign(std::size_t(tiles * G_ * Gk), 0.0f);
    st.ub.assign(std::size_t(n), std::numeric_limits<float>::infinity());
    st.bmu.assign(std::size_t(n), 0);
    st.second.assign(std::size_t(n), -1);
    st.passes_since_sort = 0;
  } else if (++st.passes_since_sort == 1 || st.passes_since_sort > resort_every ||
             (with_second_ && st.passes_since_sort > 2 && st.moved_since_sort * resort_moved > n)) {
    reorder(st, X, true);  // after the first pass, then every few passes
    st.passes_since_sort = 1;
    st.moved_since_sort = 0;
  }
  if (!skip_samples) std::fill(st.ub.begin(), st.ub.end(), std::numeric_limits<float>::infinity());  // not kept
  slack_.resize(n);
  for (Index p = 0; p < n; ++p) slack_[p] = rounding_slack_of<Scalar>(st.xx[p], form_.max_bias);
  out.bmu.resize(n);
  out.distance.resize(distances ? n : 0);
  out.second.resize(with_second_ ? n : 0);

  const Index threads = Index(scratch_.size());
  for (Scratch& s : scratch_) s.scored = 0;
  const bool bounds = valid, filtered = skip_samples && bounds;
  parallel_for_chunks(
      tiles, std::max<Index>(1, tiles / (8 * threads)), n_threads_,
      [&](Index t0, Index t1) {
        Scratch& s = scratch_[std::size_t(thread_slot())];
        // Without second BMUs or distances, Yinyang's global filter first: a sample whose every
        // other unit is farther than its BMU by more than the rounding margins (d^2 gap > 4 slack)
        // keeps its BMU and is not read; the others are searched, Gk at a time.
        s.pending.clear();
        if (filtered)
          for (Index p = t0 * Gk; p < std::min(n, t1 * Gk); ++p) {
            const double ub = double(st.ub[std::size_t(p)]) + unit_drift_[std::size_t(st.bmu[std::size_t(p)])];
            float* lb = &bound(st, p, 0);  // this position's bound of group g is lb[g * Gk]
            const double* drift = drift_.data();
            double low = std::numeric_limits<double>::infinity();
            for (Index g = 0; g < G_; ++g) low = std::min(low, double(lb[g * Gk]) - drift[g]);
            const double sl = double(slack_[p]);
            if (low > 0 && std::isfinite(ub) && std::isfinite(sl) && low * low - ub * ub > 4.0 * sl) {
              st.ub[std::size_t(p)] = float(ub * (1 + 1e-6));
              for (Index g = 0; g < G_; ++g) lb[g * Gk] = float((double(lb[g * Gk]) - drift[g]) * (1 - 1e-6));
              out.bmu[st.order[std::size_t(p)]] = st.bmu[std::size_t(p)];
            } else {
              s.pending.push_back(p);
            }
          }
        const Index first_tile = filtered ? 0 : t0;
        const Index last_tile = filtered ? (Index(s.pending.size()) + Gk - 1) / Gk : t1;
        std::vector<Index>& pos = s.positions;
        for (Index tile = first_tile; tile < last_tile; ++tile) {
          const Index rows = filtered ? std::min(Gk, Index(s.pending.size()) - tile * Gk) : std::min(Gk, n - tile * Gk);
          pos.resize(std::size_t(rows));
          for (Index l = 0; l < rows; ++l)
            pos[std::size_t(l)] = filtered ? s.pending[std::size_t(tile * Gk + l)] : tile * Gk + l;
          if (filtered)  // scattered positions: their bounds' offsets once per tile
            for (Index l = 0; l < rows; ++l)
              s.lb_at[std::size_t(l)] = std::size_t(&bound(st, pos[std::size_t(l)], 0) - st.lb.data());
          for (Index l = 0; l < Gk; ++l) {
            s.xx[std::size_t(l)] = l < rows ? st.xx[pos[std::size_t(l)]] : Scalar(0);
            s.slack[std::size_t(l)] = l < rows ? slack_[pos[std::size_t(l)]] : Scalar(0);
          }
#if defined(__GNUC__)
          if (filtered && tile + 1 < last_tile)  // the next tile's rows are scattered: start them now
            for (Index k = (tile + 1) * Gk; k < std::min<Index>(Index(s.pending.size()), (tile + 2) * Gk); ++k) {
              const char* row =
                  reinterpret_cast<const char*>(X.row(st.order[std::size_t(s.pending[std::size_t(k)])]).data());
              for (Index b = 0; b < F * Index(sizeof(Scalar)); b += 64) __builtin_prefetch(row + b);
            }
#endif
          const Scalar* xt = nullptr;  // offsetting an empty vector's null data() is undefined
          if (!st.packed.empty() && !filtered) {
            xt = st.packed.data() + tile * F * Gk;
          } else {
            const Scalar* row[64];
            for (Index l = 0; l < rows; ++l) row[l] = X.row(st.order[std::size_t(pos[std::size_t(l)])]).data();
            s.xt.resize(std::size_t(F * Gk));
            pack_rows(row, rows, F, Gk, s.xt.data());
            xt = s.xt.data();
          }
          // The tile's bounds are one block when its lanes are consecutive positions.
          float* tile_lb = filtered ? nullptr : st.lb.data() + tile * G_ * Gk;
          std::fill(s.best.begin(), s.best.end(), std::numeric_limits<Scalar>::infinity());
          std::fill(s.next.begin(), s.next.end(), std::numeric_limits<Scalar>::infinity());
          std::fill(s.best_unit.begin(), s.best_unit.end(), LaneIndex<Scalar>(-1));
          std::fill(s.next_unit.begin(), s.next_unit.end(), LaneIndex<Scalar>(-1));
          s.used = 0;
          s.scored_groups.clear();
          s.scored_at.clear();
          // 1. The groups of the previous two best (every group on the first pass).
          s.need.assign(std::size_t(G_), bounds ? 0 : 1);
          if (bounds)
            for (Index l = 0; l < rows; ++l) {
              const std::size_t p = std::size_t(pos[std::size_t(l)]);
              s.need[std::size_t(group_of_[std::size_t(st.bmu[p])])] = 1;
              if (st.second[p] >= 0) s.need[std::size_t(group_of_[std::size_t(st.second[p])])] = 1;
            }
          s.first = s.need;
          for (Index g = 0; g < G_; ++g)
            if (s.first[std::size_t(g)]) score_group(st, g, xt, rows, F, tile_lb, s);
          // 2. The groups whose moved bound does not prove every unit out of reach: group by
          // group over the lanes (a tile's bounds of a group are consecutive).
          if (bounds) {
            double* limit = s.limit.data();  // a unit's d^2 must exceed it
            for (Index l = 0; l < rows; ++l) {
              const double sl = double(s.slack[std::size_t(l)]), best = double(s.best[std::size_t(l)]);
              const double reach = with_second_ ? std::max(double(s.next[std::size_t(l)]), best + sl) : best + sl;
              limit[l] = std::isfinite(sl) && s.best_unit[std::size_t(l)] >= 0
                             ? reach + 2.0 * sl + double(s.xx[std::size_t(l)])
                             : std::numeric_limits<double>::infinity();
            }
            for (Index g = 0; g < G_; ++g) {
              s.need[std::size_t(g)] = 0;
              if (s.first[std::size_t(g)]) continue;
              const double drift = drift_[std::size_t(g)];
              bool fail = false;
              if (tile_lb) {
                float* b = tile_lb + g * Gk;
                for (Index l = 0; l < rows; ++l) {
                  const double moved = (double(b[l]) - drift) * (1 - 1e-6);
                  const bool out_of_reach = moved > 0 && moved * moved > limit[l];
                  b[l] = out_of_reach ? float(moved) : 0.0f;
                  fail |= !out_of_reach;
                }
              } else {
                for (Index l = 0; l < rows; ++l) {
                  float& b = st.lb[s.lb_at[std::size_t(l)] + std::size_t(g * Gk)];
                  const double moved = (double(b) - drift) * (1 - 1e-6);
                  const bool out_of_reach = moved > 0 && moved * moved > limit[l];
                  b = out_of_reach ? float(moved) : 0.0f;
                  fail |= !out_of_reach;
                }
              }
              s.need[std::size_t(g)] = fail;
            }
            for (Index g = 0; g < G_; ++g)
              if (s.need[std::size_t(g)]) score_group(st, g, xt, rows, F, tile_lb, s);
          }
          // 3. Results. Near ties as find_bmus settles them: direct distances among the units
          // scored within the margin (no other unit is), all of them from the tile's scores.
          s.full.clear();
          s.ties.clear();
          std::fill(s.tie_limit.begin(), s.tie_limit.end(), -std::numeric_limits<Scalar>::infinity());
          for (Index l = 0; l < rows; ++l) {
            const Index p = pos[std::size_t(l)], i = st.order[std::size_t(p)];
            const Scalar sl = s.slack[std::size_t(l)], best = s.best[std::size_t(l)];
            if (!std::isfinite(sl) || s.best_unit[std::size_t(l)] < 0) {
              s.full.push_back(p);
            } else if (s.next[std::size_t(l)] - best <= sl) {
              s.tie_limit[std::size_t(l)] = best + sl;
              s.candidates[std::size_t(l)].clear();
              s.ties.push_back(l);
            } else {
              out.bmu[i] = Index(s.best_unit[std::size_t(l)]);
              if (with_second_) out.second[i] = Index(s.next_unit[std::size_t(l)]);
              if (skip_samples) settle_bounds(st, p, l, Index(s.best_unit[std::size_t(l)]), X, W, s);
            }
          }
          if (!s.ties.empty()) {
            // Per scored group and lane, its top two say whether no unit, its best alone, or
            // more of its units are within the margin; only the last needs the group's scores.
            for (std::size_t k = 0; k < s.scored_groups.size(); ++k) {
              const Index g = s.scored_groups[k], base = offset_[std::size_t(g)],
                          units = offset_[std::size_t(g + 1)] - base;
              const std::size_t j = k * std::size_t(Gk);
              const Scalar* scores = s.scores.data() + s.scored_at[k];
              for (const Index l : s.ties) {
                const Scalar limit = s.tie_limit[std::size_t(l)];
                if (!(s.group_best[j + std::size_t(l)] <= limit)) continue;
                std::vector<Index>& c = s.candidates[std::size_t(l)];
                if (!(s.group_next[j + std::size_t(l)] <= limit)) {
                  c.push_back(Index(s.group_best_unit[j + std::size_t(l)]));
                  continue;
                }
                for (Index u = 0; u < units; ++u)
                  if (scores[u * Gk + l] <= limit) c.push_back(unit_of_[std::size_t(base + u)]);
              }
            }
            for (const Index l : s.ties) {
              const Index p = pos[std::size_t(l)], i = st.order[std::size_t(p)];
              const auto x = X.row(i);
              TopTwo<Scalar> t = direct_top_two<Scalar>(Distance::euclidean, x, W, &s.candidates[std::size_t(l)]);
              if (with_second_ && t.next_unit < 0)
                for (Index u = 0; u < U; ++u)
                  if (u != t.best_unit) t.offer_second(pair_distance<Scalar>(Distance::euclidean, x, W.row(u)), u);
              out.bmu[i] = t.best_unit;
              if (with_second_) out.second[i] = t.next_unit;
              if (skip_samples) settle_bounds(st, p, l, t.best_unit, X, W, s);
            }
          }
          if (!s.full.empty()) {  // the squares overflowed: find_bmus's own search
            const Index m = Index(s.full.size());
            s.rows.resize(m, F);
            for (Index l = 0; l < m; ++l) s.rows.row(l) = X.row(st.order[std::size_t(s.full[std::size_t(l)])]);
            if (s.full_panels.empty()) pack_panels(W, kernel_.mr, s.full_panels);
            search_group<Scalar>(kernel_, form_, s.full_panels, s.rows, Index(0), m, W, Distance::euclidean,
                                 with_second_, s.group_scratch);
            s.scored += double(m) * double(U);
            for (Index l = 0; l < m; ++l) {
              const Index p = s.full[std::size_t(l)], i = st.order[std::size_t(p)];
              const TopTwo<Scalar>& t = s.group_scratch.top[std::size_t(l)];
              out.bmu[i] = t.best_unit;
              if (with_second_) out.second[i] = t.next_unit;
              if (skip_samples) st.ub[std::size_t(p)] = std::numeric_limits<float>::infinity();
            }
          }
        }
      },
      double(Gk) * double(U) * double(F));
  if (distances) distances_to_units<Scalar>(X, W, out.bmu, out.distance, n_threads_);
  for (const Scratch& s : scratch_) scored_ += s.scored;
  searched_ += double(n) * double(U);
  Index moved = 0;  // samples whose BMU changed tile
  for (Index p = 0; p < n; ++p) {
    const Index i = st.order[std::size_t(p)];
    moved += group_of_[std::size_t(out.bmu[i])] != group_of_[std::size_t(st.bmu[std::size_t(p)])];
    st.bmu[std::size_t(p)] = out.bmu[i];
    st.second[std::size_t(p)] = with_second_ ? out.second[i] : -1;
  }
  st.moved_since_sort = bounds ? st.moved_since_sort + moved : 0;
  st.pass = pass_;
  return changed;
}
/// \endcond

}  // namespace somtile::detail
