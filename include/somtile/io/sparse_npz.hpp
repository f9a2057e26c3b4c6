#pragma once
// scipy.sparse CSR matrices in .npz files, as scipy.sparse.save_npz writes them: a zip archive
// of data.npy, indices.npy, indptr.npy, shape.npy and format.npy (b'csr'). Entries may be
// stored (save_npz(..., compressed=False)) or deflated (the default, compressed=True); both
// are read, deflate by the small decoder in io/detail/inflate.hpp, with CRC-32 checks. The
// arrays are read as streams (io/detail/npz_csr.hpp), deflated ones inflated as they are read,
// so reading costs the matrix and the file bytes of one array at a time. NpzSource (io/npz_source.hpp) reads the same
// files in chunks of rows. Zip64 records (numpy writes them) are understood. Other layouts (CSC, COO, BSR, dense .npz)
// are rejected with a message that says which format the file holds.
//
// Dtypes: data in float16 is refused; float32/float64 and integers (int8..int64, uint8..uint64,
// bool) are read as numbers. indices and indptr as any integer type. Rows may hold their
// indices in any order (scipy's has_sorted_indices = False): they are sorted; a duplicate index
// in a row is an error (scipy would sum it: call X.sum_duplicates() first). Non-finite values
// are rejected. write_sparse_npz writes the stored form, which scipy.sparse.load_npz reads.
//
// read_sparse_npz(path, vocabulary) also reads the features' names (io/vocabulary.hpp: one per
// line, as many lines as the matrix has columns).
//
// Needs <Eigen/SparseCore>, which this header includes (it belongs to the sparse module).

#include "somtile/core/detail/file_writer.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/io/detail/npy_format.hpp"
#include "somtile/io/detail/npz_csr.hpp"
#include "somtile/io/detail/zip.hpp"
#include "somtile/io/vocabulary.hpp"

#include <Eigen/SparseCore>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

namespace somtile {

/// Reads a CSR matrix written by scipy.sparse.save_npz (compressed or not; see above).
/// \throws InputError when the file is not such an archive, holds another sparse format, or
///         its arrays are inconsistent (the message names the file, the entry and the rule).
template <typename S = double>
SparseRowMatrix<S> read_sparse_npz(const std::string& path) {
  static_assert(std::is_floating_point_v<S>, "read_sparse_npz reads into float or double");
  detail::NpzCsrReader<S> reader(path, "read_sparse_npz");
  if (reader.nnz() > std::numeric_limits<int>::max())
    throw InputError(detail::concat(reader.where(), " has more than 2^31 - 1 non-zeros"));
  SparseRowMatrix<S> X(reader.rows(), reader.cols());
  reader.read_rows(reader.rows(), X);
  return X;
}

/// What read_sparse_npz(path, vocabulary) returns: the matrix and its columns' names.
template <typename S>
struct SparseNpzData {
  SparseRowMatrix<S> X;                    ///< the CSR matrix
  std::vector<std::string> feature_names;  ///< one per column of X; empty without a vocabulary
};

/// Reads a CSR matrix and the names of its columns from a vocabulary file (one name per line;
/// an empty `vocabulary` path reads no names).
/// \throws InputError as read_sparse_npz(path), and when the vocabulary cannot be read or its
///         line count differs from the matrix's columns.
template <typename S = double>
SparseNpzData<S> read_sparse_npz(const std::string& path, const std::string& vocabulary) {
  SparseNpzData<S> out{read_sparse_npz<S>(path), {}};
  if (vocabulary.empty()) return out;
  out.feature_names = read_vocabulary(vocabulary);
  if (Index(out.feature_names.size()) != out.X.cols())
    throw InputError(detail::concat("read_sparse_npz(): the vocabulary '", vocabulary, "' has ",
                                    out.feature_names.size(), " names, but '", path, "' has ", out.X.cols(),
                                    " columns; give one name per feature"));
  return out;
}

/// Writes a CSR matrix as scipy.sparse.save_npz(path, X, compressed=False) would (stored zip
/// entries; data as '<f4' for float, '<f8' for double, indices and indptr as '<i4'), so
/// scipy.sparse.load_npz and read_sparse_npz read it back exactly. Through "<path>.tmp".
/// \throws InputError when the file cannot be written or would exceed 4 GiB (no zip64 here).
template <typename S>
void write_sparse_npz(const std::string& path, const SparseRowMatrix<S>& matrix) {
  constexpr const char* call = "write_sparse_npz";
  SparseRowMatrix<S> X = matrix;
  X.makeCompressed();
  const std::int64_t shape[2] = {std::int64_t(X.rows()), std::int64_t(X.cols())};
  const std::string nnz = std::to_string(X.nonZeros());
  using detail::npy_bytes;
  const std::vector<detail::ZipMember> members = {
      {"indices.npy", npy_bytes("<i4", "(" + nnz + ",)", X.innerIndexPtr(), std::size_t(X.nonZeros()) * 4)},
      {"indptr.npy",
       npy_bytes("<i4", "(" + std::to_string(X.rows() + 1) + ",)", X.outerIndexPtr(), std::size_t(X.rows() + 1) * 4)},
      {"format.npy", npy_bytes("|S3", "()", "csr", 3)},
      {"shape.npy", npy_bytes("<i8", "(2,)", shape, 16)},
      {"data.npy", npy_bytes(std::is_same_v<S, float> ? "<f4" : "<f8", "(" + nnz + ",)", X.valuePtr(),
                             std::size_t(X.nonZeros()) * sizeof(S))}};
  const std::string out = detail::stored_zip(members, call, path);
  detail::write_file_replacing(path, call, out);
}

}  // namespace somtile
