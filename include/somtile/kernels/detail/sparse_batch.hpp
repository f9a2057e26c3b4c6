#pragma once
// The Kohonen batch step from sparse samples, without a second codebook:
//   W(n, j) = sum_i x_ij h(bmu_i, n) / sum_i h(bmu_i, n)     (a unit whose denominator is not
//                                                           positive keeps its weight)
// computed a block of features at a time from the feature-major (compressed column) copy of
// the data, built once per fit: for the block's features, the samples' non-zeros are summed
// per BMU (only the non-zeros are touched), and the neighbourhood smoothing of those per-unit
// sums (the dense batch step's Smoother, kernels/detail/smoother.hpp) gives the block's columns
// of the new codebook. A block's columns of W are written after its own sums are formed, and
// the sums only read the data and the BMUs, so W is updated in place.
// Memory: the column copy (nnz (4 + sizeof(Scalar)) bytes + 8 per feature) and a few
// units x block buffers.

#include "somtile/core/detail/parallel.hpp"
#include "somtile/grid/neighborhood.hpp"
#include "somtile/kernels/detail/smoother.hpp"
#include "somtile/kernels/detail/sparse_bmu.hpp"

#include <algorithm>
#include <vector>

namespace somtile::detail {

/// Compressed-column copy of sparse rows: column j's rows are row[start[j] .. start[j + 1]) in
/// increasing order, with their values.
template <typename Scalar>
struct CscCopy {
  std::vector<Index> start;
  std::vector<int> row;
  std::vector<Scalar> value;

  void build(const CsrView<Scalar>& X) {
    const Index F = X.cols, nnz = X.nnz();
    start.assign(std::size_t(F + 1), 0);
    row.resize(std::size_t(nnz));
    value.resize(std::size_t(nnz));
    for (Index i = 0; i < X.rows; ++i)
      for (Index k = X.begin(i); k < X.end(i); ++k) ++start[std::size_t(X.inner[k]) + 1];
    for (Index j = 0; j < F; ++j) start[std::size_t(j + 1)] += start[std::size_t(j)];
    // start[j] runs ahead as column j fills, then is shifted back.
    for (Index i = 0; i < X.rows; ++i)
      for (Index k = X.begin(i); k < X.end(i); ++k) {
        const Index pos = start[std::size_t(X.inner[k])]++;
        row[std::size_t(pos)] = int(i);
        value[std::size_t(pos)] = X.values[k];
      }
    for (Index j = F; j > 0; --j) start[std::size_t(j)] = start[std::size_t(j - 1)];
    start[0] = 0;
  }
};

/// Buffers of sparse batch steps, allocated once per fit (reserve) and reused every epoch.
template <typename Scalar>
struct SparseBatchScratch {
  static constexpr Index block = 128;  ///< features per smoothing
  std::vector<Index> count, position;  // per unit: samples won, row in the compact sums
  std::vector<Scalar> denominator;     // per unit
  CompactSums<Scalar> counts, sums;

  void reserve(Index n_units) {
    count.resize(std::size_t(n_units));
    position.resize(std::size_t(n_units));
    denominator.resize(std::size_t(n_units));
    counts.units.reserve(std::size_t(n_units));
    sums.units.reserve(std::size_t(n_units));
    counts.G.resize(n_units, 1);
    sums.G.resize(n_units, block);
  }
};

/// One batch step on W (units x features) from the BMUs of the samples in `csc`, with the
/// neighbourhood table h. Call scratch.reserve(W.rows()) first.
template <typename Scalar>
void sparse_batch_update(const CscCopy<Scalar>& csc, const Labels& bmu, RowMatrix<Scalar>& W,
                         const NeighborhoodTable& h, int n_threads, SparseBatchScratch<Scalar>& s) {
  const Index U = W.rows(), F = W.cols(), B = SparseBatchScratch<Scalar>::block;
  std::fill(s.count.begin(), s.count.end(), Index(0));
  for (Index i = 0; i < bmu.size(); ++i) ++s.count[std::size_t(bmu[i])];
  s.counts.units.clear();
  for (Index u = 0; u < U; ++u)
    if (s.count[std::size_t(u)] > 0) {
      s.position[std::size_t(u)] = Index(s.counts.units.size());
      s.counts.units.push_back(u);
    }
  const Index A = Index(s.counts.units.size());
  s.counts.G.resize(A, 1);  // units-sized buffers: small next to the codebook
  for (Index k = 0; k < A; ++k) s.counts.G(k, 0) = Scalar(s.count[std::size_t(s.counts.units[std::size_t(k)])]);
  Smoother<Scalar> smoother(h);
  smoother.apply(s.counts, n_threads, [&](Index first, Index last, const RowMatrix<Scalar>& S) {
    for (Index u = first; u < last; ++u) s.denominator[std::size_t(u)] = S(u - first, 0);
  });
  s.sums.units = s.counts.units;
  s.sums.G.resize(A, B);
  for (Index j0 = 0; j0 < F; j0 += B) {
    const Index w = std::min(B, F - j0);
    s.sums.G.setZero();  // the last block's unused columns stay zero
    for (Index j = j0; j < j0 + w; ++j)
      for (Index k = csc.start[std::size_t(j)]; k < csc.start[std::size_t(j + 1)]; ++k)
        s.sums.G(s.position[std::size_t(bmu[csc.row[std::size_t(k)]])], j - j0) += csc.value[std::size_t(k)];
    smoother.apply(s.sums, n_threads, [&](Index first, Index last, const RowMatrix<Scalar>& S) {
      for (Index u = first; u < last; ++u) {
        const Scalar den = s.denominator[std::size_t(u)];
        if (den > Scalar(0)) W.row(u).segment(j0, w) = S.row(u - first).head(w) / den;
      }
    });
  }
}

}  // namespace somtile::detail
