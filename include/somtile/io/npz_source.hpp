#pragma once
// NpzSource: a scipy.sparse CSR matrix in an .npz file (scipy.sparse.save_npz, compressed or
// not) as a ChunkSource (io/chunk_source.hpp) of sparse chunks, by read_sparse_npz's rules and
// messages (io/sparse_npz.hpp).
//
// Memory: the zip format does not force reading a member whole. Stored members (save_npz(...,
// compressed=False)) are read straight from the file; deflated ones (the default) are inflated
// as they are read, keeping only DEFLATE's 32 KiB window and a 64 KiB input block per member. So
// a chunk costs its rows plus three such readers (indptr, indices, data), whatever the file's
// size. A deflated member cannot be entered in the middle: every pass inflates from the start.
// A member's CRC-32 is checked when a pass has read it to its end, that is, with the last chunk
// (a damaged member is an InputError then, or earlier when its bytes break a rule).

#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/io/chunk_source.hpp"
#include "somtile/io/detail/file_stamp.hpp"
#include "somtile/io/detail/npz_csr.hpp"

#include <Eigen/SparseCore>

#include <string>
#include <type_traits>
#include <utility>

namespace somtile {

/// Reads a CSR .npz file in sparse chunks of at most chunk_rows rows.
/// Each pass re-checks the file's size, first and last bytes, and its matrix's shape: a file
/// changed since construction is an InputError naming the file and what changed.
/// \throws ParameterError when chunk_rows < 1.
/// \throws InputError as read_sparse_npz (errors name "NpzSource", the file, the entry and the
///         rule; a row's rules when the pass reaches it).
template <typename Scalar>
class NpzSource final : public ChunkSource<Scalar> {
  static_assert(std::is_floating_point_v<Scalar>, "NpzSource reads into float or double");

 public:
  /// Opens `path` and checks its directory, format, shape and arrays' headers.
  explicit NpzSource(const std::string& path, Index chunk_rows = 65536)
      : path_(path), chunk_rows_(chunk_rows), reader_(checked(path, chunk_rows), call) {
    stamp_ = detail::FileStamp(path, 4096, call, 4096);
  }

  void rewind() override {
    stamp_.check();
    // The archive read anew: the file checked, even if it was replaced under its name.
    detail::NpzCsrReader<Scalar> fresh(path_, call);
    if (fresh.rows() != reader_.rows() || fresh.cols() != reader_.cols() || fresh.nnz() != reader_.nnz())
      throw InputError(detail::concat(call, "(): '", path_, "' changed since the source was opened: it holds a ",
                                      fresh.rows(), " x ", fresh.cols(), " matrix with ", fresh.nnz(),
                                      " non-zeros, was ", reader_.rows(), " x ", reader_.cols(), " with ",
                                      reader_.nnz()));
    reader_ = std::move(fresh);
    next_row_ = 0;
  }

  bool next(Chunk<Scalar>& out) override {
    if (next_row_ >= reader_.rows()) return false;
    if (next_row_ == 0)
      stamp_.check();
    else
      stamp_.check_size();
    out.is_sparse = true;
    out.first_row = next_row_;
    out.dense.resize(0, reader_.cols());
    out.labels.resize(0);
    if (!reader_.read_rows(chunk_rows_, out.sparse)) return false;
    next_row_ += out.sparse.rows();
    return true;
  }

  Index n_features() const override { return reader_.cols(); }
  Index n_rows() const override { return reader_.rows(); }
  Index chunk_rows() const override { return chunk_rows_; }
  std::string description() const override { return path_; }

 private:
  static constexpr const char* call = "NpzSource";
  static const std::string& checked(const std::string& path, Index chunk_rows) {
    if (chunk_rows < 1) throw ParameterError(detail::concat(call, "(): chunk_rows must be >= 1, got ", chunk_rows));
    return path;
  }

  std::string path_;
  Index chunk_rows_, next_row_ = 0;
  detail::NpzCsrReader<Scalar> reader_;
  detail::FileStamp stamp_;
};

}  // namespace somtile
