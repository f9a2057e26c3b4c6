#pragma once
// NumbaSOM's save_lattice / load_lattice: a Lattice as a rows x cols x features .npy array,
// the file numpy.save(filename, lattice) writes in NumbaSOM, so lattices move between the two
// libraries and numpy directly. The array has no place for the torus flag: load_lattice takes it.
// (A whole OnlineSom, with its schedules and random stream, is saved with save() in
// io/model_io.hpp.)

#include "somtile/core/types.hpp"
#include "somtile/grid/grid.hpp"
#include "somtile/io/npy.hpp"
#include "somtile/online/lattice.hpp"

#include <string>
#include <utility>

namespace somtile {

/// Writes the lattice as a 3-D C-order .npy array of shape (rows, cols, features): float32 for
/// a float lattice, float64 for a double one.
/// \throws InputError if the file cannot be written.
template <typename Scalar>
void save_lattice(const Lattice<Scalar>& lattice, const std::string& path) {
  detail::write_npy_array<Scalar>(path, "save_lattice", {lattice.rows(), lattice.cols(), lattice.n_features()},
                                  lattice.codebook().data());
}

/// Reads a 3-D (rows, cols, features) float32/float64 .npy array (NumbaSOM's save_lattice) as a
/// Lattice, a torus when `torus` is set.
/// \throws InputError if the file is not such an array, has a zero extent, or holds values that
///         are not finite in Scalar.
template <typename Scalar>
Lattice<Scalar> load_lattice(const std::string& path, bool torus = false) {
  detail::NpyArray<Scalar> a = detail::read_npy_array<Scalar>(path, "load_lattice", 3, 3, "3-D (rows, cols, features)");
  const Index rows = a.shape[0], cols = a.shape[1], F = a.shape[2];
  detail::require<InputError>(rows > 0 && cols > 0 && F > 0, "load_lattice", "'", path, "' has shape ", a.shape_text,
                              "; every extent must be > 0");
  return Lattice<Scalar>(Grid(rows, cols, Topology::rectangular, torus), std::move(a.values));
}

}  // namespace somtile
