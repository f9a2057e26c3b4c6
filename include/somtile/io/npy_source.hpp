#pragma once
// NpySource: a 2-D (or 1-D, as one column) float32/float64 C-order .npy file as a ChunkSource
// (io/chunk_source.hpp), read in chunks of rows with plain buffered reads: memory is one chunk,
// whatever the file's size. Values are converted to Scalar chunk by chunk. The header rules
// and messages are read_npy's (io/npy.hpp).

#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/io/chunk_source.hpp"
#include "somtile/io/detail/file_stamp.hpp"
#include "somtile/io/detail/npy_format.hpp"

#include <algorithm>
#include <fstream>
#include <string>
#include <type_traits>

namespace somtile {

/// Reads a .npy file in chunks of at most chunk_rows rows (dense chunks).
/// The constructor reads the header and checks the file holds every row it announces. Each
/// pass re-checks the file's size and header: a file changed since construction is an
/// InputError naming the file and what changed.
/// \throws ParameterError when chunk_rows < 1.
/// \throws InputError as read_npy when the file is not a 1-D or 2-D float32/float64 array.
template <typename Scalar>
class NpySource final : public ChunkSource<Scalar> {
  static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>, "NpySource reads float or double");

 public:
  /// Opens `path` and reads its header.
  explicit NpySource(const std::string& path, Index chunk_rows = 65536) : path_(path), chunk_rows_(chunk_rows) {
    if (chunk_rows < 1) throw ParameterError(detail::concat(call, "(): chunk_rows must be >= 1, got ", chunk_rows));
    in_.open(path, std::ios::binary);
    if (!in_) throw InputError(detail::concat(call, "(): cannot open '", path, "'"));
    header_ = detail::read_npy_header(in_, path, call, 1, 2, "1-D and 2-D");
    rows_ = header_.shape[0];
    cols_ = header_.shape.size() == 2 ? header_.shape[1] : 1;
    stamp_ = detail::FileStamp(path, header_.data_offset, call);
  }

  void rewind() override {
    stamp_.check();
    in_.close();
    in_.open(path_, std::ios::binary);  // the file checked, even if it was replaced under its name
    if (!in_) throw InputError(detail::concat(call, "(): cannot open '", path_, "'"));
    next_row_ = 0;
  }

  bool next(Chunk<Scalar>& out) override {
    if (next_row_ >= rows_) return false;
    if (next_row_ == 0)
      stamp_.check();  // header and size, also for a first pass that did not start with rewind()
    else
      stamp_.check_size();
    const Index n = std::min(chunk_rows_, rows_ - next_row_);
    out.is_sparse = false;
    out.first_row = next_row_;
    out.labels.resize(0);
    out.dense.resize(n, cols_);
    in_.clear();
    in_.seekg(std::streamoff(header_.data_offset + std::uint64_t(next_row_) * std::uint64_t(cols_) * header_.item));
    detail::read_npy_values(in_, header_.item, out.dense.data(), std::size_t(n * cols_), [&] {
      return InputError(detail::concat(call, "(): '", path_, "' is truncated at row ", next_row_ + 1, " of ", rows_,
                                       " (shape ", header_.shape_text, ")"));
    });
    next_row_ += n;
    return true;
  }

  Index n_features() const override { return cols_; }
  Index n_rows() const override { return rows_; }
  Index chunk_rows() const override { return chunk_rows_; }
  std::string description() const override { return path_; }

 private:
  static constexpr const char* call = "NpySource";
  std::string path_;
  Index chunk_rows_, rows_ = 0, cols_ = 0, next_row_ = 0;
  detail::NpyHeader header_;
  detail::FileStamp stamp_;
  std::ifstream in_;
};

}  // namespace somtile
