#pragma once
// The running statistics of one batch epoch (BatchStatistics, som/batch_statistics.hpp, and
// Som's in-memory batch fit): per-unit sums and counts of the samples each unit won, and the
// BMU distances and topographic errors of the pass.
//
// Every unit's sum starts at zero and adds its samples in sample order (a row at a time), the
// order compact_unit_sums and compact_masked_unit_sums use, so rows added chunk by chunk give
// the same sums bit for bit as one call on all rows, whatever the chunks and threads. Counts are
// integers (exact for any number of samples) and become scalars only for the update.
// Missing values: a row with NaN adds its present cells and counts its missing ones per
// (unit, feature); the missing counts exist only once such a row was added, which is what
// decides between the batch rule and its masked form (as Som::fit decides by the whole data).

#include "somtile/core/types.hpp"
#include "somtile/kernels/bmu_result.hpp"
#include "somtile/kernels/detail/smoother.hpp"
#include "somtile/metrics/detail/topographic_error.hpp"

#include <cmath>
#include <cstdint>
#include <vector>

namespace somtile::detail {

template <typename Scalar>
struct BatchSums {
  RowMatrix<Scalar> sums;             ///< units x features
  std::vector<std::int64_t> counts;   ///< per unit: samples won
  std::vector<std::int64_t> missing;  ///< units x features, row-major: missing cells; empty if none seen
  double distance_sum = 0.0;          ///< BMU distances, summed in sample order
  std::int64_t topographic_errors = 0;
  std::int64_t samples = 0;

 private:
  std::vector<Index> units_, start_, order_;  // add_rows' grouping, reused

 public:
  Index n_units() const { return sums.rows(); }
  Index n_features() const { return sums.cols(); }
  bool masked() const { return !missing.empty(); }

  void reset(Index units, Index features) {
    sums.setZero(units, features);
    counts.assign(std::size_t(units), 0);
    missing.clear();
    distance_sum = 0.0;
    topographic_errors = 0;
    samples = 0;
  }

  /// Adds X's rows to the sums of their BMUs, in sample order per unit. `may_miss`: X may hold
  /// NaN cells (Missing::mask), which are then counted as missing instead of summed.
  void add_rows(ConstRowRef<Scalar> X, const Labels& bmu, bool may_miss) {
    const Index F = n_features();
    if (may_miss && !masked() && X.hasNaN()) missing.assign(std::size_t(n_units() * F), 0);
    const bool mask = may_miss && masked();
    // Rows grouped by unit (compact_unit_sums' counting sort): each unit's running sum stays in
    // cache while its rows, in sample order, are added. One thread: the step is bound by memory
    // and costs little next to the BMU pass (measured no faster on two cores).
    group_by_unit(bmu, n_units(), units_, start_, order_);
    Index b = 0;
    for (const Index u : units_) {
      const Index e = start_[std::size_t(u)];
      counts[std::size_t(u)] += e - b;
      auto s = sums.row(u);
      for (; b < e; ++b) {
        const Index i = order_[std::size_t(b)];
        if (!mask || !X.row(i).hasNaN()) {
          s += X.row(i);
          continue;
        }
        const Scalar* x = X.row(i).data();
        std::int64_t* m = missing.data() + u * F;
        for (Index j = 0; j < F; ++j) {  // branch-free: vectorises
          const bool here = !std::isnan(x[j]);
          s[j] += here ? x[j] : Scalar(0);
          m[j] += here ? 0 : 1;
        }
      }
    }
    samples += X.rows();
  }

  /// The same for compressed rows (a CsrView, kernels/detail/sparse_bmu.hpp): only the non-zeros
  /// are added, which leaves every sum as the dense rows would (adding 0 changes no sum).
  template <typename View>
  void add_sparse(const View& X, const Labels& bmu) {
    for (Index i = 0; i < X.rows; ++i) {
      const Index u = bmu[i];
      ++counts[std::size_t(u)];
      Scalar* s = sums.row(u).data();
      for (Index k = X.begin(i); k < X.end(i); ++k) s[X.inner[k]] += X.values[k];
    }
    samples += X.rows;
  }

  /// Adds a pass's BMU distances and topographic errors (r searched with the second BMU).
  template <typename Adjacent>
  void add_errors(const BmuResult<Scalar>& r, const Adjacent& adjacent) {
    for (Index i = 0; i < r.distance.size(); ++i) distance_sum += double(r.distance[i]);
    topographic_errors += std::int64_t(topographic_error_count(r.bmu, r.second, adjacent));
  }

  /// Adds another part's statistics (same shape).
  void merge(const BatchSums& o) {
    if (o.masked() && !masked()) missing.assign(o.missing.size(), 0);
    sums += o.sums;
    for (std::size_t u = 0; u < counts.size(); ++u) counts[u] += o.counts[u];
    for (std::size_t k = 0; k < o.missing.size(); ++k) missing[k] += o.missing[k];
    distance_sum += o.distance_sum;
    topographic_errors += o.topographic_errors;
    samples += o.samples;
  }

  /// The units that won samples, ascending, with G = [sums | count] or, when masked(),
  /// [sums | present counts per feature]: what compact_unit_sums / compact_masked_unit_sums
  /// give for the same rows.
  void compact(CompactSums<Scalar>& out) const {
    const Index U = n_units(), F = n_features();
    out.units.clear();
    for (Index u = 0; u < U; ++u)
      if (counts[std::size_t(u)] > 0) out.units.push_back(u);
    out.G.resize(Index(out.units.size()), masked() ? 2 * F : F + 1);
    for (Index k = 0; k < Index(out.units.size()); ++k) {
      const Index u = out.units[std::size_t(k)];
      const std::int64_t c = counts[std::size_t(u)];
      out.G.row(k).head(F) = sums.row(u);
      if (!masked()) {
        out.G(k, F) = Scalar(c);
        continue;
      }
      for (Index j = 0; j < F; ++j) out.G(k, F + j) = Scalar(c - missing[std::size_t(u * F + j)]);
    }
  }
};

}  // namespace somtile::detail
