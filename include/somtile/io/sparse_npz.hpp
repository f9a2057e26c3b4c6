#pragma once
// scipy.sparse CSR matrices in .npz files, as scipy.sparse.save_npz writes them: a zip archive
// of data.npy, indices.npy, indptr.npy, shape.npy and format.npy (b'csr'). Entries may be
// stored (save_npz(..., compressed=False)) or deflated (the default, compressed=True); both
// are read, deflate by the small decoder in io/detail/inflate.hpp, with CRC-32 checks. Zip64
// records (numpy writes them) are understood. Other layouts (CSC, COO, BSR, dense .npz) are
// rejected with a message that says which format the file holds.
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
  constexpr const char* call = "read_sparse_npz";
  detail::ZipReader zip(path, call);
  const std::string& where = zip.where();
  auto entry = [&](const char* name) -> std::vector<unsigned char> {
    const detail::ZipEntry* z = zip.find(name);
    if (!z) {
      std::string names;
      for (const auto& e : zip.entries()) names += (names.empty() ? "" : ", ") + e.name;
      throw InputError(detail::concat(where, " has no ", name, " (it holds: ", names.empty() ? "nothing" : names,
                                      "); scipy.sparse.save_npz writes data, indices, indptr, shape and format"));
    }
    return zip.read(*z);
  };
  auto what = [&](const char* name) { return detail::concat(where, " entry ", name); };

  {
    const auto bytes = entry("format.npy");
    const auto f = detail::parse_npy_bytes(bytes, what("format.npy"), call, path);
    std::string format;
    if ((f.kind == 'S' || f.kind == 'U') && f.count == 1) {
      const std::size_t step = f.kind == 'U' ? 4 : 1;
      for (std::size_t k = 0; k < f.item; k += step)
        if (f.data[k] != 0) format += char(f.data[k]);
    }
    if (format != "csr")
      throw InputError(detail::concat(where, " holds a sparse matrix in format '", format,
                                      "'; only CSR is read (save X.tocsr() with scipy.sparse.save_npz)"));
  }
  const auto shape_bytes = entry("shape.npy");
  const auto shape = detail::parse_npy_bytes(shape_bytes, what("shape.npy"), call, path);
  if (shape.count != 2 || (shape.kind != 'i' && shape.kind != 'u'))
    throw InputError(detail::concat(what("shape.npy"), " is not two integers"));
  const std::int64_t rows = shape.integer(0), cols = shape.integer(1);
  constexpr std::int64_t int_max = std::numeric_limits<int>::max();
  if (rows < 0 || cols < 0 || rows >= int_max || cols > int_max)
    throw InputError(detail::concat(where, " has shape (", rows, ", ", cols, "), outside [0, 2^31 - 1)"));

  const auto indptr_bytes = entry("indptr.npy");
  const auto indptr = detail::parse_npy_bytes(indptr_bytes, what("indptr.npy"), call, path);
  if ((indptr.kind != 'i' && indptr.kind != 'u') || indptr.shape.size() != 1 || indptr.count != std::size_t(rows) + 1)
    throw InputError(detail::concat(what("indptr.npy"), " must hold rows + 1 = ", rows + 1, " integers"));
  const auto indices_bytes = entry("indices.npy");
  const auto indices = detail::parse_npy_bytes(indices_bytes, what("indices.npy"), call, path);
  if ((indices.kind != 'i' && indices.kind != 'u') || indices.shape.size() != 1)
    throw InputError(detail::concat(what("indices.npy"), " must be a 1-D integer array"));
  const auto nnz = std::int64_t(indices.count);
  if (nnz > int_max) throw InputError(detail::concat(where, " has more than 2^31 - 1 non-zeros"));
  if (indptr.integer(0) != 0 || indptr.integer(std::size_t(rows)) != nnz)
    throw InputError(detail::concat(what("indptr.npy"), " must start at 0 and end at the number of indices, ", nnz));

  SparseRowMatrix<S> X(rows, cols);
  X.resizeNonZeros(Index(nnz));
  int* outer = X.outerIndexPtr();
  int* inner = X.innerIndexPtr();
  outer[0] = 0;
  for (std::int64_t i = 0; i < rows; ++i) {
    const std::int64_t next = indptr.integer(std::size_t(i) + 1);
    if (next < outer[i] || next > nnz)
      throw InputError(detail::concat(what("indptr.npy"), " decreases or leaves [0, nnz] at row ", i + 1));
    outer[i + 1] = int(next);
  }
  for (std::int64_t k = 0; k < nnz; ++k) {
    const std::int64_t c = indices.integer(std::size_t(k));
    if (c < 0 || c >= cols)
      throw InputError(
          detail::concat(what("indices.npy"), " holds column ", c, " at position ", k, ", outside [0, ", cols, ")"));
    inner[k] = int(c);
  }
  {
    const auto data_bytes = entry("data.npy");
    const auto data = detail::parse_npy_bytes(data_bytes, what("data.npy"), call, path);
    if (data.kind == 'S' || data.kind == 'U' || data.shape.size() != 1 || data.count != std::size_t(nnz))
      throw InputError(detail::concat(what("data.npy"), " must be a 1-D numeric array of ", nnz, " values"));
    S* values = X.valuePtr();
    for (std::int64_t k = 0; k < nnz; ++k) {
      const double v = data.number(std::size_t(k));
      if (!std::isfinite(v) || !std::isfinite(S(v)))
        throw InputError(detail::concat(what("data.npy"), " holds ", v, " at position ", k,
                                        std::isfinite(v) ? ", out of the float range" : ", not a finite number"));
      values[k] = S(v);
    }
  }
  // Sorted, unique indices within each row.
  std::vector<std::pair<int, S>> row;
  for (std::int64_t i = 0; i < rows; ++i) {
    const int b = outer[i], e = outer[i + 1];
    bool sorted = true;
    for (int k = b + 1; k < e; ++k) sorted = sorted && inner[k - 1] < inner[k];
    if (sorted) continue;
    row.clear();
    for (int k = b; k < e; ++k) row.emplace_back(inner[k], X.valuePtr()[k]);
    std::sort(row.begin(), row.end(), [](const auto& a, const auto& c) { return a.first < c.first; });
    for (std::size_t k = 1; k < row.size(); ++k)
      if (row[k - 1].first == row[k].first)
        throw InputError(detail::concat(where, " has column index ", row[k].first, " twice in row ", i + 1,
                                        "; call X.sum_duplicates() before save_npz"));
    for (int k = b; k < e; ++k) {
      inner[k] = row[std::size_t(k - b)].first;
      X.valuePtr()[k] = row[std::size_t(k - b)].second;
    }
  }
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
