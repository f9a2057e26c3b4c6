#pragma once
// NumPy .npy reader for 1-D and 2-D arrays of little-endian float32 / float64 in C order
// (format versions 1, 2 and 3), and writer of 2-D float / double matrices (version 1).
// Anything else is an InputError that says why.
// Format: "\x93NUMPY", major, minor, header length (2 bytes LE in v1, 4 bytes in v2/v3), a
// Python dict literal {'descr': '<f8', 'fortran_order': False, 'shape': (n, m), }, then data.

#include "somtile/core/types.hpp"
#include "somtile/io/detail/npy_format.hpp"

#include <string>

namespace somtile {

/// Reads a 2-D (or 1-D, as one column) float32/float64 C-order array as doubles.
template <typename = void>
RowMatrix<double> read_npy(const std::string& path) {
  const detail::NpyArray a = detail::read_npy_array(path, "read_npy", 1, 2, "1-D and 2-D");
  const Index rows = a.shape[0], cols = a.shape.size() == 2 ? a.shape[1] : 1;
  return Eigen::Map<const RowMatrix<double>>(a.values.data(), rows, cols);
}

/// Writes a matrix as a 2-D .npy array (version 1, C order): float32 ('<f4') for a float
/// matrix, float64 ('<f8') for a double one, so numpy.load and read_npy read it back exactly.
/// \throws InputError if the file cannot be written.
template <typename Derived>
void write_npy(const std::string& path, const Eigen::MatrixBase<Derived>& matrix) {
  using Scalar = typename Derived::Scalar;
  const RowMatrix<Scalar> M = matrix;  // row-major: C order
  detail::write_npy_array<Scalar>(path, "write_npy", {M.rows(), M.cols()}, M.data());
}

}  // namespace somtile
