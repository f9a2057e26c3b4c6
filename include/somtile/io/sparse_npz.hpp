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
// Needs <Eigen/SparseCore>, which this header includes (it belongs to the sparse module).

#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/io/detail/inflate.hpp"
#include "somtile/io/npy.hpp"  // detail::npy_field, npy_shape, little_endian_host, write_file_replacing

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

namespace detail {

inline std::uint64_t zip_le(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int k = bytes - 1; k >= 0; --k) v = v << 8 | p[k];
  return v;
}

/// One member of a zip archive, from its central directory.
struct ZipEntry {
  std::string name;
  unsigned method = 0, flags = 0;
  std::uint32_t crc = 0;
  std::uint64_t compressed = 0, size = 0, offset = 0;
};

class ZipReader {
 public:
  ZipReader(const std::string& path, const char* call) : path_(path), where_(concat(call, "(): '", path, "'")) {
    in_.open(path, std::ios::binary);
    if (!in_) throw InputError(concat(call, "(): cannot open '", path, "'"));
    in_.seekg(0, std::ios::end);
    file_size_ = std::uint64_t(in_.tellg());
    // The end-of-central-directory record: the last 22 bytes plus a comment of up to 65535.
    const std::uint64_t tail = std::min<std::uint64_t>(file_size_, 22 + 65535);
    const std::vector<unsigned char> t = read_at(file_size_ - tail, tail);
    std::int64_t eocd = -1;
    for (std::int64_t k = std::int64_t(tail) - 22; k >= 0; --k)
      if (zip_le(&t[std::size_t(k)], 4) == 0x06054b50u) {
        eocd = k;
        break;
      }
    if (eocd < 0) throw InputError(concat(where_, " is not a zip archive (.npz): no end of central directory"));
    const unsigned char* e = &t[std::size_t(eocd)];
    std::uint64_t count = zip_le(e + 10, 2), cd_size = zip_le(e + 12, 4), cd_offset = zip_le(e + 16, 4);
    const std::uint64_t eocd_pos = file_size_ - tail + std::uint64_t(eocd);
    if (count == 0xffff || cd_size == 0xffffffffu || cd_offset == 0xffffffffu) {  // zip64
      if (eocd_pos < 20) throw InputError(concat(where_, " has a malformed zip64 directory"));
      const auto loc = read_at(eocd_pos - 20, 20);
      if (zip_le(loc.data(), 4) != 0x07064b50u) throw InputError(concat(where_, " has a malformed zip64 directory"));
      const std::uint64_t rec_pos = zip_le(loc.data() + 8, 8);
      if (rec_pos > file_size_ || file_size_ - rec_pos < 56) throw InputError(concat(where_, " has a malformed zip64 directory"));
      const auto rec = read_at(rec_pos, 56);
      if (zip_le(rec.data(), 4) != 0x06064b50u) throw InputError(concat(where_, " has a malformed zip64 directory"));
      count = zip_le(rec.data() + 32, 8);
      cd_size = zip_le(rec.data() + 40, 8);
      cd_offset = zip_le(rec.data() + 48, 8);
    }
    if (cd_offset > file_size_ || cd_size > file_size_ - cd_offset || count > cd_size / 46)
      throw InputError(concat(where_, " has a central directory outside the file"));
    const auto cd = read_at(cd_offset, cd_size);
    std::size_t p = 0;
    for (std::uint64_t k = 0; k < count; ++k) {
      if (cd.size() - p < 46 || zip_le(&cd[p], 4) != 0x02014b50u)
        throw InputError(concat(where_, " has a malformed central directory"));
      ZipEntry z;
      z.flags = unsigned(zip_le(&cd[p + 8], 2));
      z.method = unsigned(zip_le(&cd[p + 10], 2));
      z.crc = std::uint32_t(zip_le(&cd[p + 16], 4));
      z.compressed = zip_le(&cd[p + 20], 4);
      z.size = zip_le(&cd[p + 24], 4);
      const std::size_t n = std::size_t(zip_le(&cd[p + 28], 2)), x = std::size_t(zip_le(&cd[p + 30], 2)),
                        c = std::size_t(zip_le(&cd[p + 32], 2));
      z.offset = zip_le(&cd[p + 42], 4);
      if (cd.size() - p - 46 < n + x + c) throw InputError(concat(where_, " has a malformed central directory"));
      z.name.assign(reinterpret_cast<const char*>(&cd[p + 46]), n);
      // Zip64 extra field: the 8-byte values of the fields saturated above, in this order.
      for (std::size_t q = p + 46 + n, qe = q + x; qe - q >= 4;) {
        const auto id = zip_le(&cd[q], 2), len = std::size_t(zip_le(&cd[q + 2], 2));
        if (qe - q - 4 < len) break;
        if (id == 1) {
          std::size_t r = q + 4;
          const std::size_t re = r + len;
          for (std::uint64_t* field : {&z.size, &z.compressed, &z.offset})
            if (*field == 0xffffffffu) {
              if (re - r < 8) throw InputError(concat(where_, " has a malformed zip64 field"));
              *field = zip_le(&cd[r], 8);
              r += 8;
            }
        }
        q += 4 + len;
      }
      entries_.push_back(z);
      p += 46 + n + x + c;
    }
  }

  const ZipEntry* find(const std::string& name) const {
    for (const auto& z : entries_)
      if (z.name == name) return &z;
    return nullptr;
  }
  const std::vector<ZipEntry>& entries() const { return entries_; }

  /// The entry's bytes, inflated if needed, CRC-checked.
  std::vector<unsigned char> read(const ZipEntry& z) {
    const std::string what = concat(where_, " entry ", z.name);
    if (z.flags & 1) throw InputError(concat(what, " is encrypted"));
    if (z.method != 0 && z.method != 8)
      throw InputError(concat(what, " uses zip compression method ", z.method, "; only stored (0) and deflate (8) are read"));
    if (z.offset > file_size_ || file_size_ - z.offset < 30) throw InputError(concat(what, " lies outside the file"));
    const auto local = read_at(z.offset, 30);
    if (zip_le(local.data(), 4) != 0x04034b50u) throw InputError(concat(what, " has no local header"));
    const std::uint64_t start = z.offset + 30 + zip_le(&local[26], 2) + zip_le(&local[28], 2);
    if (start > file_size_ || file_size_ - start < z.compressed) throw InputError(concat(what, " is truncated"));
    std::vector<unsigned char> bytes;
    if (z.method == 0) {
      if (z.compressed != z.size) throw InputError(concat(what, " is stored with two different sizes"));
      bytes = read_at(start, z.compressed);
    } else {
      // DEFLATE expands at most 1032:1; a larger claim is corrupt (and must not be allocated).
      if (z.size / 1032 > z.compressed + 1) throw InputError(concat(what, " claims an impossible inflated size"));
      const auto packed = read_at(start, z.compressed);
      bytes = inflate(packed.data(), packed.size(), std::size_t(z.size), what);
    }
    if (crc32(bytes.data(), bytes.size()) != z.crc) throw InputError(concat(what, " fails its CRC-32 check"));
    return bytes;
  }

  const std::string& where() const { return where_; }

 private:
  std::vector<unsigned char> read_at(std::uint64_t offset, std::uint64_t size) {
    if (offset > file_size_ || size > file_size_ - offset) throw InputError(concat(where_, " is truncated"));
    std::vector<unsigned char> out(static_cast<std::size_t>(size));
    in_.clear();
    in_.seekg(std::streamoff(offset));
    if (size > 0 && !in_.read(reinterpret_cast<char*>(out.data()), std::streamsize(size)))
      throw InputError(concat(where_, " cannot be read"));
    return out;
  }

  std::string path_, where_;
  std::ifstream in_;
  std::uint64_t file_size_ = 0;
  std::vector<ZipEntry> entries_;
};

/// A 1-D array parsed from .npy bytes: its kind ('f', 'i', 'u', 'b', 'S', 'U'), item size and
/// raw little-endian elements.
struct NpyBytes {
  char kind = 0;
  std::size_t item = 0;
  std::vector<Index> shape;
  const unsigned char* data = nullptr;
  std::size_t count = 0;

  double number(std::size_t k) const {
    const unsigned char* p = data + k * item;
    switch (kind) {
      case 'f':
        if (item == 4) {
          float v;
          std::memcpy(&v, p, 4);
          return double(v);
        } else {
          double v;
          std::memcpy(&v, p, 8);
          return v;
        }
      case 'i': {
        const std::uint64_t u = zip_le(p, int(item));
        const int shift = 64 - 8 * int(item);
        return double(std::int64_t(u << shift) >> shift);
      }
      default:  // 'u', 'b'
        return double(zip_le(p, int(item)));
    }
  }
  std::int64_t integer(std::size_t k) const {
    const std::uint64_t u = zip_le(data + k * item, int(item));
    if (kind == 'i') {
      const int shift = 64 - 8 * int(item);
      return std::int64_t(u << shift) >> shift;
    }
    return u > std::uint64_t(std::numeric_limits<std::int64_t>::max()) ? -1 : std::int64_t(u);
  }
};

inline NpyBytes parse_npy_bytes(const std::vector<unsigned char>& b, const std::string& what, const char* call,
                                const std::string& path) {
  if (b.size() < 10 || std::memcmp(b.data(), "\x93NUMPY", 6) != 0)
    throw InputError(concat(what, " is not a .npy array (bad magic string)"));
  const int major = b[6];
  std::size_t header_length, prefix;
  if (major == 1) {
    header_length = std::size_t(zip_le(&b[8], 2));
    prefix = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) throw InputError(concat(what, " is truncated"));
    header_length = std::size_t(zip_le(&b[8], 4));
    prefix = 12;
  } else {
    throw InputError(concat(what, " has .npy format version ", major, ", expected 1, 2 or 3"));
  }
  if (b.size() - prefix < header_length) throw InputError(concat(what, " is truncated in its header"));
  const std::string header(reinterpret_cast<const char*>(&b[prefix]), header_length);
  std::string descr = npy_field(header, "descr", path, call);
  if (npy_field(header, "fortran_order", path, call) != "False" )
    throw InputError(concat(what, " is in Fortran order"));
  NpyBytes a;
  a.shape = npy_shape(npy_field(header, "shape", path, call), path, call);
  // descr like '<f8', '|u1', '|S3', '<U3'.
  if (descr.size() < 5 || descr.front() != '\'' || descr.back() != '\'')
    throw InputError(concat(what, " has dtype ", descr, ", which is not read"));
  descr = descr.substr(1, descr.size() - 2);
  const char order = descr[0];
  a.kind = descr[1];
  std::size_t digits = 0;
  for (std::size_t k = 2; k < descr.size(); ++k) {
    if (descr[k] < '0' || descr[k] > '9' || k > 6) throw InputError(concat(what, " has dtype '", descr, "', which is not read"));
    digits = digits * 10 + std::size_t(descr[k] - '0');
  }
  a.item = a.kind == 'U' ? 4 * digits : digits;
  const bool little = order == '<' || order == '|' || (order == '=' && little_endian_host());
  const bool ok_kind = (a.kind == 'f' && (a.item == 4 || a.item == 8)) ||
                       ((a.kind == 'i' || a.kind == 'u') && (a.item == 1 || a.item == 2 || a.item == 4 || a.item == 8)) ||
                       (a.kind == 'b' && a.item == 1) || ((a.kind == 'S' || a.kind == 'U') && a.item > 0);
  if (!little || !ok_kind) throw InputError(concat(what, " has dtype '", descr, "', which is not read"));
  if (!little_endian_host()) throw InputError(concat(call, "(): big-endian hosts are not supported"));
  std::size_t count = 1;
  const std::size_t data_bytes = b.size() - prefix - header_length;
  for (const Index e : a.shape) {
    if (e < 0) throw InputError(concat(what, " has a negative extent"));
    if (e != 0 && count > data_bytes / a.item / std::size_t(e))
      throw InputError(concat(what, " is truncated: its shape needs more bytes than it holds"));
    count *= std::size_t(e);
  }
  if (count * a.item > data_bytes) throw InputError(concat(what, " is truncated: its shape needs more bytes than it holds"));
  a.count = count;
  a.data = b.data() + prefix + header_length;
  return a;
}

}  // namespace detail

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
      throw InputError(detail::concat(what("indptr.npy"), " decreases or leaves [0, nnz] at row ", i));
    outer[i + 1] = int(next);
  }
  for (std::int64_t k = 0; k < nnz; ++k) {
    const std::int64_t c = indices.integer(std::size_t(k));
    if (c < 0 || c >= cols)
      throw InputError(detail::concat(what("indices.npy"), " holds column ", c, " at position ", k,
                                      ", outside [0, ", cols, ")"));
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
        throw InputError(detail::concat(where, " has column ", row[k].first, " twice in row ", i,
                                        "; call X.sum_duplicates() before save_npz"));
    for (int k = b; k < e; ++k) {
      inner[k] = row[std::size_t(k - b)].first;
      X.valuePtr()[k] = row[std::size_t(k - b)].second;
    }
  }
  return X;
}

namespace detail {

inline void npz_append_npy(std::string& out, const char* descr, const std::string& shape, const void* values,
                           std::size_t bytes) {
  std::string header = concat("{'descr': '", descr, "', 'fortran_order': False, 'shape': ", shape, ", }");
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  out.assign("\x93NUMPY\x01\x00", 8);
  out += char(header.size() & 0xff);
  out += char((header.size() >> 8) & 0xff);
  out += header;
  out.append(static_cast<const char*>(values), bytes);
}

inline void zip_put(std::string& s, std::uint64_t v, int bytes) {
  for (int k = 0; k < bytes; ++k) s += char((v >> (8 * k)) & 0xff);
}

}  // namespace detail

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
  struct Member {
    const char* name;
    std::string bytes;
  };
  Member members[5] = {{"indices.npy", {}}, {"indptr.npy", {}}, {"format.npy", {}}, {"shape.npy", {}}, {"data.npy", {}}};
  detail::npz_append_npy(members[0].bytes, "<i4", "(" + nnz + ",)", X.innerIndexPtr(), std::size_t(X.nonZeros()) * 4);
  detail::npz_append_npy(members[1].bytes, "<i4", "(" + std::to_string(X.rows() + 1) + ",)", X.outerIndexPtr(),
                         std::size_t(X.rows() + 1) * 4);
  detail::npz_append_npy(members[2].bytes, "|S3", "()", "csr", 3);
  detail::npz_append_npy(members[3].bytes, "<i8", "(2,)", shape, 16);
  detail::npz_append_npy(members[4].bytes, std::is_same_v<S, float> ? "<f4" : "<f8", "(" + nnz + ",)", X.valuePtr(),
                         std::size_t(X.nonZeros()) * sizeof(S));
  std::string out, directory;
  for (const auto& m : members) {
    const std::uint64_t offset = out.size();
    const auto crc = detail::crc32(reinterpret_cast<const unsigned char*>(m.bytes.data()), m.bytes.size());
    const std::size_t name_len = std::strlen(m.name);
    if (m.bytes.size() >= 0xffffffffu || offset >= 0xffffffffu)
      throw InputError(detail::concat(call, "(): '", path, "' would exceed 4 GiB"));
    // Local header: signature, version 2.0, flags 0, method 0 (stored), time, date, CRC, sizes.
    detail::zip_put(out, 0x04034b50u, 4);
    detail::zip_put(out, 20, 2);
    detail::zip_put(out, 0, 2);
    detail::zip_put(out, 0, 2);
    detail::zip_put(out, 0, 2);
    detail::zip_put(out, 0x21, 2);  // 1980-01-01
    detail::zip_put(out, crc, 4);
    detail::zip_put(out, m.bytes.size(), 4);
    detail::zip_put(out, m.bytes.size(), 4);
    detail::zip_put(out, name_len, 2);
    detail::zip_put(out, 0, 2);
    out += m.name;
    out += m.bytes;
    // Central directory header.
    detail::zip_put(directory, 0x02014b50u, 4);
    detail::zip_put(directory, 20, 2);
    detail::zip_put(directory, 20, 2);
    detail::zip_put(directory, 0, 2);
    detail::zip_put(directory, 0, 2);
    detail::zip_put(directory, 0, 2);
    detail::zip_put(directory, 0x21, 2);
    detail::zip_put(directory, crc, 4);
    detail::zip_put(directory, m.bytes.size(), 4);
    detail::zip_put(directory, m.bytes.size(), 4);
    detail::zip_put(directory, name_len, 2);
    detail::zip_put(directory, 0, 2);
    detail::zip_put(directory, 0, 2);
    detail::zip_put(directory, 0, 2);
    detail::zip_put(directory, 0, 2);
    detail::zip_put(directory, 0x01800000u, 4);  // external attributes: -rw-------
    detail::zip_put(directory, offset, 4);
    directory += m.name;
  }
  if (out.size() + directory.size() >= 0xffffffffu)
    throw InputError(detail::concat(call, "(): '", path, "' would exceed 4 GiB"));
  const std::uint64_t cd_offset = out.size();
  out += directory;
  detail::zip_put(out, 0x06054b50u, 4);
  detail::zip_put(out, 0, 2);
  detail::zip_put(out, 0, 2);
  detail::zip_put(out, 5, 2);
  detail::zip_put(out, 5, 2);
  detail::zip_put(out, directory.size(), 4);
  detail::zip_put(out, cd_offset, 4);
  detail::zip_put(out, 0, 2);
  detail::write_file_replacing(path, call, out);
}

}  // namespace somtile
