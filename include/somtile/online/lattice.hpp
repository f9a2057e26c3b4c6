#pragma once
// The trained map of the online trainer (NumbaSOM's "lattice", rows x cols x features) and
// NumbaSOM's helpers on it: U-matrix, projection, closest vectors and activations.
//
// Containers (cell (r, c) is unit r * cols + c everywhere, as in somtile::Grid):
//   u_matrix, activation maps      RowMatrix<double>, rows x cols
//   project_on_lattice             LatticeProjection: one std::vector per unit, ascending
//                                  sample order (NumbaSOM's dict (r, c) -> list, every cell present)
//   lattice_closest_vectors        CellIndexMap: rows x cols matrix of sample indices (or labels)
//
// NumbaSOM's `additional_list` (any per-sample value) becomes a `Labels` vector here; keep
// names in your own std::vector and index it with the labels returned. NumbaSOM's `normalize`
// argument is the bool after X, lattice (and labels). save_lattice / load_lattice are in
// io/lattice_npy.hpp.
//
// Missing values: the helpers that take data take a Missing last (default Missing::reject, NaN
// is an InputError). With Missing::mask, NaN cells of X are missing and distances to a sample
// with missing cells are the masked Euclidean distance of kernels/detail/masked_distance.hpp: over its p
// present features of F, scaled by F / p (so samples with and without gaps compare on one
// scale); rows without NaN are compared exactly as under reject.

#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/types.hpp"
#include "somtile/grid/detail/u_matrix.hpp"
#include "somtile/grid/grid.hpp"
#include "somtile/kernels/bmu.hpp"
#include "somtile/kernels/bmu.hpp"  // find_bmus(..., Missing)
#include "somtile/kernels/bmu_data_map.hpp"
#include "somtile/kernels/detail/masked_distance.hpp"
#include "somtile/online/detail/lattice_search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace somtile {

/// A rows x cols grid of unit vectors with `n_features` components each: what OnlineSom::train
/// returns, and what the NumbaSOM-style helpers below (u_matrix, project_on_lattice,
/// lattice_closest_vectors, lattice_activations) read. Cell (r, c) is unit r * cols + c.
///
/// \tparam Scalar  float or double, the codebook's scalar.
/// \throws ParameterError (constructor) if the grid is hexagonal.
/// \throws InputError (constructor) if the codebook's row count is not rows * cols, or it is
///         empty or holds NaN or infinite values.
///
/// \code
/// OnlineSom<double> osom({.rows = 20, .cols = 30});
/// Lattice<double> lat = osom.train(X, 10000);
/// auto first = lat(0, 0);                          // the vector of cell (0, 0)
/// RowMatrix<double> u = u_matrix(lat);             // 20 x 30
/// Lattice<double> mine(Grid(2, 2), RowMatrix<double>::Zero(4, 3));  // from any codebook
/// \endcode
template <typename Scalar>
class Lattice {
 public:
  /// `codebook` holds one unit per row, row-major unit order (grid.size() x features).
  /// The grid must be rectangular (NumbaSOM's lattice and torus).
  Lattice(const Grid& grid, RowMatrix<Scalar> codebook) : grid_(grid), codebook_(std::move(codebook)) {
    detail::require(!grid_.hexagonal(), "Lattice", "the grid must be rectangular, got a hexagonal one");
    detail::require<InputError>(codebook_.rows() == grid_.size(), "Lattice", "the codebook has ", codebook_.rows(),
                                " rows, but the ", grid_.rows(), " x ", grid_.cols(), " grid has ", grid_.size(),
                                " units");
    detail::check_data("Lattice", codebook_, "codebook");
  }

  /// Lattice rows.
  Index rows() const { return grid_.rows(); }
  /// Lattice columns.
  Index cols() const { return grid_.cols(); }
  /// Features of each unit's vector.
  Index n_features() const { return codebook_.cols(); }
  /// Whether the lattice wraps around.
  bool torus() const { return grid_.torus(); }
  /// The lattice's grid.
  const Grid& grid() const { return grid_; }

  /// (rows * cols) x features, unit r * cols + c in row r * cols + c.
  const RowMatrix<Scalar>& codebook() const { return codebook_; }

  /// The vector of cell (r, c), NumbaSOM's lattice[r, c].
  typename RowMatrix<Scalar>::ConstRowXpr operator()(Index r, Index c) const { return codebook_.row(grid_.unit(r, c)); }

 private:
  Grid grid_;
  RowMatrix<Scalar> codebook_;
};

/// Unit -> indices (or labels) of the samples that land on it, ascending sample order
/// (NumbaSOM's name for a BmuDataMap).
using LatticeProjection = BmuDataMap;

/// rows x cols matrix of sample indices or labels, one per cell.
using CellIndexMap = Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// U-matrix: per cell, the mean Euclidean distance to its (up to) 8 neighbours. On a plain
/// lattice this is NumbaSOM's u_matrix exactly (border cells average over the neighbours they
/// have); on a torus the neighbours wrap around, which NumbaSOM does not do. A 1 x 1 lattice
/// has no neighbours and gets 0.
template <typename Scalar>
RowMatrix<double> u_matrix(const Lattice<Scalar>& lattice) {
  const Grid& g = lattice.grid();
  const auto& W = lattice.codebook();
  // Clipped at the border, wrapped on a torus; the norm in Scalar (grid/detail/u_matrix.hpp).
  const Vector<double> u = detail::neighbor_distances(
      g.size(), [&g](Index unit) { return g.neighbors(unit, 1); },
      [&W](Index a, Index b) { return double((W.row(a) - W.row(b)).norm()); }, true);
  return Eigen::Map<const RowMatrix<double>>(u.data(), g.rows(), g.cols());
}

/// Cell -> indices of the samples whose nearest unit (Euclidean, lowest unit on ties) it is.
/// normalize = true compares in min-max scaled units (NumbaSOM's normalize; see
/// detail::minmax_scaled in online/detail/lattice_search.hpp: X and the lattice both scaled by X's per-feature min and
/// max). missing = Missing::mask: NaN cells are missing (see the top of this file).
template <typename Scalar>
LatticeProjection project_on_lattice(DataRef<Scalar> X, const Lattice<Scalar>& lattice, bool normalize = false,
                                     int n_threads = 0, Missing missing = Missing::reject) {
  detail::check_data("project_on_lattice", X, lattice.n_features(), "Lattice", missing);
  return detail::samples_by_unit(detail::lattice_bmus<Scalar>(X, lattice.codebook(), normalize, n_threads, missing),
                                 lattice.grid().size());
}

/// Cell -> labels of the samples that land on it (labels[i] replaces sample index i).
template <typename Scalar>
LatticeProjection project_on_lattice(DataRef<Scalar> X, const Lattice<Scalar>& lattice, const Labels& labels,
                                     bool normalize = false, int n_threads = 0, Missing missing = Missing::reject) {
  detail::check_labels("project_on_lattice", labels, X.rows(), "labels");
  LatticeProjection cells = project_on_lattice<Scalar>(X, lattice, normalize, n_threads, missing);
  for (auto& cell : cells)
    for (Index& i : cell) i = labels[i];
  return cells;
}

/// Per cell, the index of the sample nearest its vector (Euclidean, lowest index on ties):
/// NumbaSOM's lattice_closest_vectors, as indices into X instead of copies of its rows.
/// normalize as in project_on_lattice (NumbaSOM calls it `normalized` here); missing =
/// Missing::mask: NaN cells are missing, a sample with missing cells is as far from a cell as
/// its masked distance (see the top of this file).
template <typename Scalar>
CellIndexMap lattice_closest_vectors(DataRef<Scalar> X, const Lattice<Scalar>& lattice, bool normalize = false,
                                     int n_threads = 0, Missing missing = Missing::reject) {
  detail::check_data("lattice_closest_vectors", X, lattice.n_features(), "Lattice", missing);
  // The same nearest-neighbour search with the roles swapped: units query, samples answer.
  Labels nearest;
  if (missing == Missing::mask && detail::has_missing(X)) {
    if (normalize) {
      const auto [Xs, Ws] = detail::minmax_scaled<Scalar>(X, lattice.codebook());
      nearest = detail::nearest_samples_masked<Scalar>(Xs, Ws, n_threads);
    } else {
      nearest = detail::nearest_samples_masked<Scalar>(X, lattice.codebook(), n_threads);
    }
  } else if (normalize) {
    const auto [Xs, Ws] = detail::minmax_scaled<Scalar>(X, lattice.codebook());
    nearest = detail::dense_bmus<Scalar>(Ws, Xs, Distance::euclidean, false, n_threads).bmu;
  } else {
    nearest = detail::dense_bmus<Scalar>(lattice.codebook(), X, Distance::euclidean, false, n_threads).bmu;
  }
  return Eigen::Map<const CellIndexMap>(nearest.data(), lattice.rows(), lattice.cols());
}

/// Per cell, the label of the sample nearest its vector.
template <typename Scalar>
CellIndexMap lattice_closest_vectors(DataRef<Scalar> X, const Lattice<Scalar>& lattice, const Labels& labels,
                                     bool normalize = false, int n_threads = 0, Missing missing = Missing::reject) {
  detail::check_labels("lattice_closest_vectors", labels, X.rows(), "labels");
  CellIndexMap cells = lattice_closest_vectors<Scalar>(X, lattice, normalize, n_threads, missing);
  for (Index k = 0; k < cells.size(); ++k) cells.data()[k] = labels[cells.data()[k]];
  return cells;
}

/// Per sample, a rows x cols activation map: NumbaSOM's lattice_activations. With D the squared
/// Euclidean distances of every sample to every cell and M their maximum over all samples and
/// cells, a = (M - D)^exponent, then min-max scaled to [0, 1] over all samples together (not
/// per sample, so maps of different samples stay comparable). Higher = closer; a larger
/// exponent sharpens the peak at the BMU. If every a is equal, all activations are 1.
/// normalize as in project_on_lattice; missing = Missing::mask: NaN cells are missing, and D
/// of a sample with missing cells is its squared masked distance (see the top of this file).
template <typename Scalar>
std::vector<RowMatrix<double>> lattice_activations(DataRef<Scalar> X, const Lattice<Scalar>& lattice,
                                                   double exponent = 1.0, bool normalize = false, int n_threads = 0,
                                                   Missing missing = Missing::reject) {
  detail::check_data("lattice_activations", X, lattice.n_features(), "Lattice", missing);
  detail::check_positive("lattice_activations", "exponent", exponent);
  const Index n = X.rows();
  RowMatrix<double> W, Xd;
  if (normalize) {
    const auto [Xs, Ws] = detail::minmax_scaled<Scalar>(X, lattice.codebook());
    W = Ws.template cast<double>();
    Xd = Xs.template cast<double>();
  } else {
    W = lattice.codebook().template cast<double>();
    Xd = X.template cast<double>();
  }
  std::vector<RowMatrix<double>> maps(std::size_t(n), RowMatrix<double>(lattice.rows(), lattice.cols()));
  // Direct differences rather than the GEMM expansion: D near 0 is where the peak is.
  const Index F = W.cols();
  detail::parallel_for(n, n_threads, [&](Index i) {
    const Eigen::RowVectorXd x = Xd.row(i);
    Eigen::Map<Eigen::VectorXd> D(maps[std::size_t(i)].data(), W.rows());
    if (!x.array().isNaN().any()) {
      D = (W.rowwise() - x).rowwise().squaredNorm();
      return;
    }
    // Missing cells (Missing::mask): the sum over the p present features, times F / p.
    std::vector<Index> present;
    for (Index f = 0; f < F; ++f)
      if (!std::isnan(x[f])) present.push_back(f);
    const double factor = double(F) / double(present.size());
    for (Index u = 0; u < W.rows(); ++u) {
      double sum = 0;
      for (Index f : present) sum += (W(u, f) - x[f]) * (W(u, f) - x[f]);
      D[u] = factor * sum;
    }
  });
  double max_d = 0;
  for (const auto& m : maps) max_d = std::max(max_d, m.maxCoeff());
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  // (M - D) / M instead of M - D: the min-max scaling cancels the factor M^exponent, and the
  // power of a value in [0, 1] cannot overflow (large data with exponent 8 did, to inf/NaN).
  const double unit = max_d > 0 ? max_d : 1.0;
  for (auto& m : maps) {
    m.array() = (max_d - m.array()) / unit;
    if (exponent != 1.0) m.array() = m.array().pow(exponent);
    lo = std::min(lo, m.minCoeff());
    hi = std::max(hi, m.maxCoeff());
  }
  for (auto& m : maps) {
    if (hi > lo)
      m.array() = (m.array() - lo) / (hi - lo);
    else
      m.setOnes();
  }
  return maps;
}

// A thread count where `normalize` now stands would silently turn normalisation on: calls
// that pass an int there do not compile (pass normalize, then n_threads).
template <typename Scalar>
LatticeProjection project_on_lattice(DataRef<Scalar>, const Lattice<Scalar>&, int, int = 0) = delete;
template <typename Scalar>
LatticeProjection project_on_lattice(DataRef<Scalar>, const Lattice<Scalar>&, const Labels&, int, int = 0) = delete;
template <typename Scalar>
CellIndexMap lattice_closest_vectors(DataRef<Scalar>, const Lattice<Scalar>&, int, int = 0) = delete;
template <typename Scalar>
CellIndexMap lattice_closest_vectors(DataRef<Scalar>, const Lattice<Scalar>&, const Labels&, int, int = 0) = delete;
template <typename Scalar>
std::vector<RowMatrix<double>> lattice_activations(DataRef<Scalar>, const Lattice<Scalar>&, double, int,
                                                   int = 0) = delete;

}  // namespace somtile
