#pragma once
// The scipy.sparse CSR .npz reader behind read_sparse_npz (io/sparse_npz.hpp) and NpzSource
// (io/npz_source.hpp): the archive's format.npy and shape.npy are read whole (a few bytes);
// indptr.npy, indices.npy and data.npy are read in blocks of rows through three member readers
// (io/detail/zip.hpp), stored members straight from the file and deflated ones inflated as
// they go, so memory is the rows asked for. Every rule of read_sparse_npz is checked as the
// rows are read; each member's CRC-32 once it has been read to its end (the last rows).

#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/io/detail/npy_format.hpp"
#include "somtile/io/detail/zip.hpp"

#include <Eigen/SparseCore>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace somtile::detail {

template <typename S>
class NpzCsrReader {
 public:
  NpzCsrReader(const std::string& path, const char* call) : zip_(path, call), path_(path), call_(call) {
    const std::string& where = zip_.where();
    {
      const auto bytes = zip_.read(entry("format.npy"));
      const auto f = parse_npy_bytes(bytes, what("format.npy"), call, path);
      std::string format;
      if ((f.kind == 'S' || f.kind == 'U') && f.count == 1) {
        const std::size_t step = f.kind == 'U' ? 4 : 1;
        for (std::size_t k = 0; k < f.item; k += step)
          if (f.data[k] != 0) format += char(f.data[k]);
      }
      if (format != "csr")
        throw InputError(concat(where, " holds a sparse matrix in format '", format,
                                "'; only CSR is read (save X.tocsr() with scipy.sparse.save_npz)"));
    }
    const auto shape_bytes = zip_.read(entry("shape.npy"));
    const auto shape = parse_npy_bytes(shape_bytes, what("shape.npy"), call, path);
    if (shape.count != 2 || (shape.kind != 'i' && shape.kind != 'u'))
      throw InputError(concat(what("shape.npy"), " is not two integers"));
    const std::int64_t rows = shape.integer(0), cols = shape.integer(1);
    if (rows < 0 || cols < 0 || rows >= int_max || cols > int_max)
      throw InputError(concat(where, " has shape (", rows, ", ", cols, "), outside [0, 2^31 - 1)"));
    rows_ = Index(rows);
    cols_ = Index(cols);
    rewind();
    if ((indptr_.info.kind != 'i' && indptr_.info.kind != 'u') || indptr_.info.shape.size() != 1 ||
        indptr_.info.count != std::size_t(rows) + 1)
      throw InputError(concat(what("indptr.npy"), " must hold rows + 1 = ", rows + 1, " integers"));
    if ((indices_.info.kind != 'i' && indices_.info.kind != 'u') || indices_.info.shape.size() != 1)
      throw InputError(concat(what("indices.npy"), " must be a 1-D integer array"));
    nnz_ = std::int64_t(indices_.info.count);
    if (data_.info.kind == 'S' || data_.info.kind == 'U' || data_.info.shape.size() != 1 ||
        data_.info.count != std::size_t(nnz_))
      throw InputError(concat(what("data.npy"), " must be a 1-D numeric array of ", nnz_, " values"));
    start_pass();
  }

  Index rows() const { return rows_; }
  Index cols() const { return cols_; }
  std::int64_t nnz() const { return nnz_; }
  const std::string& where() const { return zip_.where(); }

  /// Starts again at the first row (the members are opened anew).
  void rewind() {
    indptr_ = open_array("indptr.npy");
    indices_ = open_array("indices.npy");
    data_ = open_array("data.npy");
    if (nnz_ >= 0) start_pass();
  }

  /// The next min(n, rows left) rows into `out` (its memory reused); false when none are left.
  bool read_rows(Index n, SparseRowMatrix<S>& out) {
    n = std::min(n, rows_ - row_);
    out.resize(n, cols_);
    if (n <= 0) {
      finish();
      return false;
    }
    const std::size_t pi = indptr_.info.item;
    raw_.resize(std::size_t(n) * pi);
    indptr_.member.read(raw_.data(), raw_.size());
    int* outer = out.outerIndexPtr();
    const std::int64_t first = prev_;
    outer[0] = 0;
    for (Index i = 0; i < n; ++i) {
      const std::int64_t next = npy_integer(indptr_.info.kind, pi, &raw_[std::size_t(i) * pi]);
      if (next < prev_ || next > nnz_)
        throw InputError(concat(what("indptr.npy"), " decreases or leaves [0, nnz] at row ", row_ + i + 1));
      if (next - first > int_max)
        throw InputError(
            concat(where(), ": rows ", row_ + 1, " to ", row_ + i + 1, " hold more than 2^31 - 1 non-zeros"));
      outer[i + 1] = int(next - first);
      prev_ = next;
    }
    if (row_ + n == rows_ && prev_ != nnz_)
      throw InputError(concat(what("indptr.npy"), " must start at 0 and end at the number of indices, ", nnz_));
    const auto entries = std::size_t(prev_ - first);
    out.resizeNonZeros(Index(entries));
    int* inner = out.innerIndexPtr();
    S* values = out.valuePtr();
    const std::size_t ii = indices_.info.item, di = data_.info.item;
    raw_.resize(entries * std::max(ii, di));
    indices_.member.read(raw_.data(), entries * ii);
    for (std::size_t k = 0; k < entries; ++k) {
      const std::int64_t c = npy_integer(indices_.info.kind, ii, &raw_[k * ii]);
      if (c < 0 || c >= cols_)
        throw InputError(concat(what("indices.npy"), " holds column ", c, " at position ", pos_ + std::int64_t(k),
                                ", outside [0, ", cols_, ")"));
      inner[k] = int(c);
    }
    data_.member.read(raw_.data(), entries * di);
    for (std::size_t k = 0; k < entries; ++k) {
      const double v = npy_number(data_.info.kind, di, &raw_[k * di]);
      if (!std::isfinite(v) || !std::isfinite(S(v)))
        throw InputError(concat(what("data.npy"), " holds ", v, " at position ", pos_ + std::int64_t(k),
                                std::isfinite(v) ? ", out of the float range" : ", not a finite number"));
      values[k] = S(v);
    }
    // Sorted, unique indices within each row.
    for (Index i = 0; i < n; ++i) {
      const int b = outer[i], e = outer[i + 1];
      bool sorted = true;
      for (int k = b + 1; k < e; ++k) sorted = sorted && inner[k - 1] < inner[k];
      if (sorted) continue;
      row_entries_.clear();
      for (int k = b; k < e; ++k) row_entries_.emplace_back(inner[k], values[k]);
      std::sort(row_entries_.begin(), row_entries_.end(),
                [](const auto& x, const auto& y) { return x.first < y.first; });
      for (std::size_t k = 1; k < row_entries_.size(); ++k)
        if (row_entries_[k - 1].first == row_entries_[k].first)
          throw InputError(concat(where(), " has column index ", row_entries_[k].first, " twice in row ", row_ + i + 1,
                                  "; call X.sum_duplicates() before save_npz"));
      for (int k = b; k < e; ++k) {
        inner[k] = row_entries_[std::size_t(k - b)].first;
        values[k] = row_entries_[std::size_t(k - b)].second;
      }
    }
    pos_ += std::int64_t(entries);
    row_ += n;
    if (row_ == rows_) finish();
    return true;
  }

 private:
  static constexpr std::int64_t int_max = std::numeric_limits<int>::max();

  struct Array {
    ZipMemberReader member;
    NpyBytes info;  // dtype, shape and count (its data pointer is not used)
  };

  std::string what(const char* name) const { return concat(zip_.where(), " entry ", name); }

  const ZipEntry& entry(const char* name) const {
    const ZipEntry* z = zip_.find(name);
    if (!z) {
      std::string names;
      for (const auto& e : zip_.entries()) names += (names.empty() ? "" : ", ") + e.name;
      throw InputError(concat(zip_.where(), " has no ", name, " (it holds: ", names.empty() ? "nothing" : names,
                              "); scipy.sparse.save_npz writes data, indices, indptr, shape and format"));
    }
    return *z;
  }

  // The member's reader, standing at its first element, and its header.
  Array open_array(const char* name) {
    const ZipEntry& z = entry(name);
    ZipMemberReader member = zip_.open(z);
    std::vector<unsigned char> head(std::size_t(std::min<std::uint64_t>(z.size, 12)));
    member.read(head.data(), head.size());
    const std::string w = what(name);
    const std::size_t header_end = npy_prefix_size(head.data(), head.size(), w);
    if (header_end > z.size) throw InputError(concat(w, " is truncated in its header"));
    if (header_end > head.size()) {
      const std::size_t had = head.size();
      head.resize(header_end);
      member.read(head.data() + had, header_end - had);
    }
    NpyBytes info = parse_npy_bytes(head.data(), head.size(), z.size, w, call_, path_);
    info.data = nullptr;
    if (header_end < head.size()) {  // a short header: the bytes read past it are elements
      throw InputError(concat(w, " has a header shorter than the .npy format allows"));
    }
    return Array{std::move(member), info};
  }

  void start_pass() {
    row_ = 0;
    pos_ = 0;
    finished_ = false;
    unsigned char b[8];
    indptr_.member.read(b, indptr_.info.item);
    prev_ = npy_integer(indptr_.info.kind, indptr_.info.item, b);
    if (prev_ != 0)
      throw InputError(concat(what("indptr.npy"), " must start at 0 and end at the number of indices, ", nnz_));
  }

  // Reads each member to its end and checks its CRC-32, once per pass.
  void finish() {
    if (finished_) return;
    finished_ = true;
    indptr_.member.finish();
    indices_.member.finish();
    data_.member.finish();
  }

  ZipReader zip_;
  std::string path_;
  const char* call_;
  Index rows_ = 0, cols_ = 0, row_ = 0;
  std::int64_t nnz_ = -1, prev_ = 0, pos_ = 0;
  bool finished_ = false;
  Array indptr_{}, indices_{}, data_{};
  std::vector<unsigned char> raw_;
  std::vector<std::pair<int, S>> row_entries_;
};

}  // namespace somtile::detail
