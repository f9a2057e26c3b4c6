#pragma once
// NumPy .npy reader for 1-D and 2-D arrays of little-endian float32 / float64 in C order
// (format versions 1, 2 and 3), and writer (version 1) of 2-D matrices of float, double or
// integers and of 1-D arrays (Labels, std::vector).
// Anything else is an InputError that says why.
// Format: "\x93NUMPY", major, minor, header length (2 bytes LE in v1, 4 bytes in v2/v3), a
// Python dict literal {'descr': '<f8', 'fortran_order': False, 'shape': (n, m), }, then data.

#include "somtile/core/types.hpp"
#include "somtile/io/detail/npy_format.hpp"

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace somtile {

/// Reads a 2-D (or 1-D, as one column) float32/float64 C-order array as a matrix of Scalar
/// (float or double): a float32 file read as float (and a float64 file as double) goes straight
/// into the matrix, the other combinations are converted in small blocks, so reading costs the
/// matrix and no more. read_npy(path) reads doubles.
/// \throws InputError if the file cannot be read or is not such an array (the message says why).
template <typename Scalar = double>
RowMatrix<Scalar> read_npy(const std::string& path) {
  static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>, "read_npy reads float or double");
  return std::move(detail::read_npy_array<Scalar>(path, "read_npy", 1, 2, "1-D and 2-D").values);
}

/// Writes a matrix as a 2-D .npy array (version 1, C order), in the dtype of its scalar:
/// float32 ('<f4') for float, float64 ('<f8') for double, so numpy.load and read_npy read it
/// back exactly; integers as NumPy's integer of the same size and sign ('<i4' for int,
/// '<i8' for Index, std::int64_t and long on 64-bit Linux, '<u4' for unsigned, ...).
/// \throws InputError if the file cannot be written.
template <typename Derived>
void write_npy(const std::string& path, const Eigen::MatrixBase<Derived>& matrix) {
  using Scalar = typename Derived::Scalar;
  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> M = matrix;  // C order
  detail::write_npy_array<Scalar>(path, "write_npy", {M.rows(), M.cols()}, M.data());
}

/// Writes labels or indices (predict(), a ClusterResult's labels) as a 1-D '<i8' array, shape
/// (n,): what numpy.save writes for an int64 label vector.
/// \throws InputError if the file cannot be written.
template <typename = void>
void write_npy(const std::string& path, const Labels& labels) {
  detail::write_npy_array<Index>(path, "write_npy", {labels.size()}, labels.data());
}

/// Writes a std::vector (e.g. Split's train_index) as a 1-D array, shape (n,), of its element
/// type (float, double or an integer; see above).
/// \throws InputError if the file cannot be written.
template <typename T>
void write_npy(const std::string& path, const std::vector<T>& values) {
  detail::write_npy_array<T>(path, "write_npy", {Index(values.size())}, values.data());
}

}  // namespace somtile
