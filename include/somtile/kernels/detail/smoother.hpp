#pragma once
// Neighbourhood smoothing of per-unit sums (the step every batch-style update shares), on the
// units that have samples only: CompactSums and the Smoother with its separable Gaussian path.

#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/types.hpp"
#include "somtile/grid/neighborhood.hpp"
#include "somtile/kernels/detail/smoothing_kernels.hpp"
#include "somtile/kernels/unit_sums.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace somtile::detail {

/// Unit sums of the units that have any, in ascending unit order: rows of G = [sums | count].
/// A mini-batch touches a few hundred units of a large map, and units without samples add
/// nothing to a smoothing, so this is what the smoothers read.
template <typename Scalar>
struct CompactSums {
  std::vector<Index> units;
  RowMatrix<Scalar> G;
};

/// Counting sort of the samples by their unit: `units` the units that have samples (ascending),
/// `order` the sample indices unit by unit (sample order within a unit), and start[u] the end
/// of unit u's run in `order` (its begin is the previous active unit's end). Reuses the memory.
template <typename = void>
void group_by_unit(const Labels& bmu, Index n_units, std::vector<Index>& units, std::vector<Index>& start,
                   std::vector<Index>& order) {
  const Index n = bmu.size();
  start.assign(static_cast<std::size_t>(n_units + 1), 0);
  for (Index i = 0; i < n; ++i) ++start[std::size_t(bmu[i] + 1)];
  units.clear();
  for (Index u = 0; u < n_units; ++u) {
    if (start[std::size_t(u + 1)] > 0) units.push_back(u);
    start[std::size_t(u + 1)] += start[std::size_t(u)];
  }
  order.resize(std::size_t(n));
  for (Index i = 0; i < n; ++i) order[std::size_t(start[std::size_t(bmu[i])]++)] = i;  // start[u] -> end of u
}

/// CompactSums of X's rows grouped by `bmu`, summed in sample order per unit (the same sums
/// as unit_sums, whatever the thread count: each unit's sum is one thread's). Reuses out's memory.
template <typename Scalar>
void compact_unit_sums(ConstRowRef<Scalar> X, const Labels& bmu, Index n_units, CompactSums<Scalar>& out,
                       std::vector<Index>& start, std::vector<Index>& order, int n_threads = 1) {
  const Index F = X.cols();
  group_by_unit(bmu, n_units, out.units, start, order);
  const Index units = Index(out.units.size());
  out.G.resize(units, F + 1);
  parallel_for_chunks(
      units, 64, n_threads,
      [&](Index k0, Index k1) {
        for (Index k = k0; k < k1; ++k) {
          const Index u = out.units[std::size_t(k)], b = u > 0 ? start[std::size_t(u - 1)] : 0,
                      e = start[std::size_t(u)];
          auto row = out.G.row(k);
          row.setZero();
          for (Index j = b; j < e; ++j) row.head(F) += X.row(order[std::size_t(j)]);
          row[F] = Scalar(e - b);
        }
      },
      double(F) * double(bmu.size()) / double(std::max<Index>(units, 1)));
}

/// CompactSums of dense unit sums: the units with a non-zero count or sum.
template <typename Scalar>
CompactSums<Scalar> compact(const UnitSums<Scalar>& s) {
  CompactSums<Scalar> out;
  const Index F = s.sums.cols();
  for (Index u = 0; u < s.counts.size(); ++u)
    if (s.counts[u] != Scalar(0) || !s.sums.row(u).isZero(0)) out.units.push_back(u);
  out.G.resize(Index(out.units.size()), F + 1);
  for (Index k = 0; k < Index(out.units.size()); ++k) {
    out.G.row(k).head(F) = s.sums.row(out.units[std::size_t(k)]);
    out.G(k, F) = s.counts[out.units[std::size_t(k)]];
  }
  return out;
}

/// Neighbourhood smoothing at one kernel width: S = H^T G over all units, a units x
/// (features + 1) matrix [numerator | denominator]. Built once per width (the Gaussian's 1-D
/// kernels are computed here) and reused across calls, buffers included.
///   Any kernel: GEMMs of (block of target units) x (active units), memory O(block x active).
///   Gaussian: h = g_rows(dr) g_cols(dx2) factorises, so smoothing is a pass along the grid's
///   rows (T = Kx G for each grid row with active units) and a GEMM along its columns (a block
///   of target grid rows from T): O(active cols + units rows) per feature instead of
///   O(active units). On a hexagonal grid the half-column shift depends on the parities of the
///   source and target rows, so T is built once per target-row parity.
/// S is produced in blocks of whole grid rows that depend on the grid alone, and every product
/// is smoothing_kernels()' (kernels/detail/smoothing_kernels.hpp: the level active_isa() names
/// when the Smoother is built, each entry summed in one order), so S is the same for any
/// thread count. Each thread builds its own T (a few rank-one updates per active unit,
/// cheap next to the column pass): nothing a thread writes is read by another, which matters
/// in mini-batch training, where this runs hundreds of times an epoch and moving a block from
/// one core's cache to the other's costs more than computing it.
template <typename Scalar>
class Smoother {
 public:
  explicit Smoother(const NeighborhoodTable& h) : h_(h), kernels_(smoothing_kernels<Scalar>()) {
    if (!h.separable()) return;
    const Grid& g = h.grid();
    const Index R = g.rows(), C = g.cols(), parities = g.hexagonal() ? 2 : 1;
    for (Index q = 0; q < parities; ++q)
      for (Index p = 0; p < parities; ++p) {
        // Kx[q][p](c, c') = g_cols(|(2c + q) - (2c' + p)|) for target parity q, source parity p.
        RowMatrix<Scalar>& K = Kx_[q][p];
        K.resize(C, C);
        for (Index c = 0; c < C; ++c)
          for (Index c2 = 0; c2 < C; ++c2)
            K(c, c2) = Scalar(h.col_factor(g.wrapped(0, (2 * c + q) - (2 * c2 + p)).half_cols));
      }
    Ky_.resize(R, R);
    for (Index r = 0; r < R; ++r)
      for (Index r2 = 0; r2 < R; ++r2) Ky_(r, r2) = Scalar(h.row_factor(g.wrapped(r - r2, 0).rows));
  }

  /// Smooths s and calls finish(first, last, S) for consecutive blocks of units, S the
  /// (last - first) x (features + 1) rows of [numerator | denominator] for units [first, last).
  /// finish runs in the task that computed its block (so an update of those units reads what
  /// the same core just wrote), concurrently for different blocks.
  template <typename Finish>
  void apply(const CompactSums<Scalar>& s, int n_threads, Finish&& finish) {
    ++call_;
    reserve(resolve_threads(n_threads));
    const Index blocks = block_count();
    const Index R = h_.grid().rows(), C = h_.grid().cols();
    const double work_per_block = double(h_.grid().size()) / double(blocks) * double(s.G.cols()) *
                                  double(h_.separable() ? std::min<Index>(R, s.G.rows()) : s.G.rows());
    parallel_for(
        blocks, n_threads,
        [&](Index block) {
          Scratch& sc = scratch_[std::size_t(thread_slot())];
          const Index r0 = block * block_rows(), r1 = std::min(R, r0 + block_rows());
          if (sc.call != call_) {
            prepare(s, sc);
            sc.call = call_;
          }
          smooth_units(s, sc, r0 * C, r1 * C, finish);
        },
        work_per_block);
  }

  /// Per-thread buffers for apply_team with up to `threads` threads (call before the team starts).
  void reserve(int threads) {
    if (scratch_.size() < std::size_t(threads)) scratch_.resize(std::size_t(threads));
  }

  /// The units thread `thread` of a team of `threads` smooths in apply_team: whole grid rows,
  /// the same range at every call.
  std::pair<Index, Index> team_units(int thread, int threads) const {
    const Index blocks = block_count(), C = h_.grid().cols(), R = h_.grid().rows();
    const Index b0 = blocks * thread / threads, b1 = blocks * (thread + 1) / threads;
    return {std::min(R, b0 * block_rows()) * C, std::min(R, b1 * block_rows()) * C};
  }

  /// apply() inside a parallel_team: thread `thread` smooths and finishes its team_units from
  /// s (its own copy; reserve(threads) first). The blocks and their results are apply()'s.
  template <typename Finish>
  void apply_team(const CompactSums<Scalar>& s, int thread, int threads, Finish&& finish) {
    Scratch& sc = scratch_[std::size_t(thread)];
    const auto [u0, u1] = team_units(thread, threads);
    if (u0 == u1) return;
    prepare(s, sc);
    const Index step = block_rows() * h_.grid().cols();
    for (Index first = u0; first < u1; first += step) smooth_units(s, sc, first, std::min(u1, first + step), finish);
  }

  /// Smooths s into out (resized to units x (features + 1)).
  void smooth(const CompactSums<Scalar>& s, RowMatrix<Scalar>& out, int n_threads) {
    out.resize(h_.grid().size(), s.G.cols());
    apply(s, n_threads,
          [&](Index first, Index last, const RowMatrix<Scalar>& S) { out.middleRows(first, last - first) = S; });
  }

 private:
  struct Scratch {
    std::vector<Index> rows, row_begin;  // grid rows with active units; each one's range in s.units
    RowMatrix<Scalar> T[2], gathered, Ky, block;
    long call = -1;  // the apply() whose rows and T this thread holds
  };

  // Blocks of target grid rows: about 8 blocks (a thread's share of the column pass comes in a
  // few GEMMs, and two threads still balance), fixed by the grid's size.
  Index block_rows() const { return std::max<Index>(1, (h_.grid().rows() + 7) / 8); }
  Index block_count() const { return (h_.grid().rows() + block_rows() - 1) / block_rows(); }

  // What every block of one smoothing needs: the active grid rows and, for the separable
  // kernel, T[q] (active grid rows x C*W): row j = sum over the active units u of grid row
  // rows[j] of Kx[q][parity of that row](:, col(u)) G(u), as C x W.
  void prepare(const CompactSums<Scalar>& s, Scratch& sc) const {
    if (!h_.separable()) return;
    const Grid& g = h_.grid();
    const Index C = g.cols(), W = s.G.cols(), parities = g.hexagonal() ? 2 : 1;
    sc.rows.clear();
    sc.row_begin.clear();
    for (Index k = 0; k < Index(s.units.size()); ++k) {
      const Index r = g.row_of(s.units[std::size_t(k)]);
      if (sc.rows.empty() || sc.rows.back() != r) {
        sc.rows.push_back(r);
        sc.row_begin.push_back(k);
      }
    }
    sc.row_begin.push_back(Index(s.units.size()));
    const Index Ra = Index(sc.rows.size());
    for (Index q = 0; q < parities; ++q) {
      sc.T[q].resize(Ra, C * W);
      for (Index j = 0; j < Ra; ++j) {
        const RowMatrix<Scalar>& K = Kx_[q][parities == 2 ? (sc.rows[std::size_t(j)] & 1) : 0];
        Eigen::Map<RowMatrix<Scalar>> T(sc.T[q].row(j).data(), C, W);
        const Index b = sc.row_begin[std::size_t(j)], m = sc.row_begin[std::size_t(j) + 1] - b;
        // T = K G over the active columns: K itself when the whole grid row is active, else
        // the columns of K that the active units sit in.
        const RowMatrix<Scalar>* A = &K;
        if (m != C) {
          sc.gathered.resize(C, m);
          for (Index k = 0; k < m; ++k) sc.gathered.col(k) = K.col(g.col_of(s.units[std::size_t(b + k)]));
          A = &sc.gathered;
        }
        product({A->data(), m, s.G.row(b).data(), W, T.data(), W, C, W, m});
      }
    }
  }

  // Smooths the units [u0, u1) (whole grid rows) and finishes them.
  template <typename Finish>
  void smooth_units(const CompactSums<Scalar>& s, Scratch& sc, Index u0, Index u1, Finish& finish) const {
    const Grid& g = h_.grid();
    const Index C = g.cols(), W = s.G.cols();
    if (!h_.separable()) {  // any kernel: H (units x active) G, in chunks that bound H's memory
      const Index n_active = s.G.rows();
      const Index chunk = std::clamp<Index>((Index(1) << 18) / std::max<Index>(n_active, 1), 16, 512);
      for (Index first = u0; first < u1; first += chunk) {
        const Index last = std::min(u1, first + chunk);
        sc.Ky.resize(last - first, n_active);
        for (Index n = first; n < last; ++n)
          for (Index k = 0; k < n_active; ++k) sc.Ky(n - first, k) = Scalar(h_(s.units[std::size_t(k)], n));
        sc.block.resize(last - first, W);
        product({sc.Ky.data(), n_active, s.G.data(), W, sc.block.data(), W, last - first, W, n_active});
        finish(first, last, sc.block);
      }
      return;
    }
    // Gaussian: the target grid rows [r0, r0 + nr) from T, one GEMM per row parity.
    const Index r0 = u0 / C, nr = (u1 - u0) / C, parities = g.hexagonal() ? 2 : 1;
    const Index Ra = Index(sc.rows.size());
    sc.block.resize(nr * C, W);
    Eigen::Map<RowMatrix<Scalar>> Out(sc.block.data(), nr, C * W);
    if (Ra == 0) Out.setZero();
    for (Index q = 0; q < parities && Ra > 0; ++q) {
      // Target rows of parity q: r0 + first, r0 + first + parities, ...
      const Index first = parities == 2 ? ((r0 & 1) == q ? 0 : 1) : 0;
      const Index targets = (nr - first + parities - 1) / parities;
      if (targets <= 0) continue;
      sc.Ky.resize(targets, Ra);
      for (Index t = 0; t < targets; ++t)
        for (Index j = 0; j < Ra; ++j) sc.Ky(t, j) = Ky_(r0 + first + t * parities, sc.rows[std::size_t(j)]);
      // Out's rows first, first + parities, ... = Ky T[q]
      product({sc.Ky.data(), Ra, sc.T[q].data(), C * W, Out.row(first).data(), parities * C * W, targets, C * W, Ra});
    }
    finish(u0, u1, sc.block);
  }

  void product(const Product<Scalar>& p) const { kernels_.product(p); }

  const NeighborhoodTable& h_;
  SmoothingKernels<Scalar> kernels_;
  RowMatrix<Scalar> Kx_[2][2], Ky_;
  std::vector<Scratch> scratch_;  // per thread
  long call_ = 0;
};

}  // namespace somtile::detail
