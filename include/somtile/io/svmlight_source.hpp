#pragma once
// SvmlightSource: an svmlight / LIBSVM file as a ChunkSource (io/chunk_source.hpp) of sparse
// chunks, by read_svmlight's rules (io/svmlight.hpp) and messages. The constructor reads the
// file once, line by line, to settle what only the whole file tells (the index base under
// IndexBase::automatic, the feature count, the row count, whether every label is an integer)
// and to check every line; each pass then reads it again in 64 KiB blocks. Memory is one chunk.

#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/io/chunk_source.hpp"
#include "somtile/io/detail/file_stamp.hpp"
#include "somtile/io/detail/line_reader.hpp"
#include "somtile/io/detail/svmlight_format.hpp"
#include "somtile/io/svmlight.hpp"

#include <Eigen/SparseCore>

#include <algorithm>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace somtile {

/// Reads an svmlight file in sparse chunks of at most chunk_rows rows; Chunk::labels holds the
/// rows' labels when every label of the file is an integer (SvmlightData::labels' rule).
/// Each pass re-checks the file's size and first bytes: a file changed since construction is an
/// InputError naming the file and what changed.
/// \throws ParameterError when chunk_rows < 1 or options.n_features < 0.
/// \throws InputError as read_svmlight (errors name "SvmlightSource", the file, line and token).
template <typename Scalar>
class SvmlightSource final : public ChunkSource<Scalar> {
  static_assert(std::is_floating_point_v<Scalar>, "SvmlightSource reads into float or double");

 public:
  /// Opens `path` and reads it once (columns, rows, every line's rules).
  explicit SvmlightSource(const std::string& path, const SvmlightOptions& options = {}, Index chunk_rows = 65536)
      : path_(path), chunk_rows_(chunk_rows), force_one_(options.index_base == IndexBase::one) {
    if (chunk_rows < 1) throw ParameterError(detail::concat(call, "(): chunk_rows must be >= 1, got ", chunk_rows));
    if (options.n_features < 0)
      throw ParameterError(detail::concat(call, "(): n_features must be >= 0, got ", options.n_features));
    stamp_ = detail::FileStamp(path, 4096, call);
    detail::SvmExtent extent;
    detail::for_each_line(path, call, [&](const char* b, const char* e, Index line_no) {
      indices_.clear();
      values_.clear();
      double label;
      if (detail::svm_parse_line(b, e, line_no, call, path, force_one_, indices_, values_, label))
        extent.add(label, indices_.data(), indices_.size(), line_no);
    });
    if (extent.rows == 0) throw InputError(detail::concat(call, "(): '", path, "' has no sample lines"));
    const detail::SvmColumns columns =
        detail::svm_columns(extent, options.index_base == IndexBase::automatic, force_one_, options.n_features,
                            options.vocabulary, call, path);
    rows_ = extent.rows;
    cols_ = columns.cols;
    one_based_ = columns.one_based;
    integer_labels_ = extent.all_integer;
    feature_names_ = columns.names;
    lines_.open(path, call);
  }

  void rewind() override {
    stamp_.check();
    lines_.open(path_, call);  // the file checked, even if it was replaced under its name
    next_row_ = 0;
  }

  bool next(Chunk<Scalar>& out) override {
    if (next_row_ >= rows_) return false;
    if (next_row_ == 0)
      stamp_.check();
    else
      stamp_.check_size();
    indptr_.assign(1, 0);
    indices_.clear();
    values_.clear();
    labels_.clear();
    const char *b, *e;
    while (Index(labels_.size()) < chunk_rows_ && lines_.next(b, e)) {
      const auto row_start = indices_.size();
      double label;
      if (!detail::svm_parse_line(b, e, lines_.line_no(), call, path_, force_one_, indices_, values_, label)) continue;
      for (auto k = row_start; k < indices_.size(); ++k) {
        if (one_based_) --indices_[k];
        if (indices_[k] < 0 || indices_[k] >= cols_)  // only when the file changed under the same size
          throw InputError(detail::concat(call, "(): ", path_, ":", lines_.line_no(), " has index ",
                                          indices_[k] + (one_based_ ? 1 : 0), ", outside the ", cols_,
                                          " features found when the source was opened"));
      }
      if (indices_.size() > std::size_t(std::numeric_limits<int>::max()))
        throw InputError(detail::concat(call, "(): a chunk of '", path_, "' has more than 2^31 - 1 non-zeros"));
      indptr_.push_back(int(indices_.size()));
      labels_.push_back(label);
    }
    const auto n = Index(labels_.size());
    if (n == 0 || next_row_ + n > rows_)
      throw InputError(detail::concat(call, "(): '", path_, "' has ", n == 0 ? "fewer" : "more",
                                      " sample lines than the ", rows_, " it had when the source was opened"));
    out.is_sparse = true;
    out.first_row = next_row_;
    out.dense.resize(0, cols_);
    out.sparse.resize(n, cols_);
    out.sparse.resizeNonZeros(Index(indices_.size()));
    std::copy(indptr_.begin(), indptr_.end(), out.sparse.outerIndexPtr());
    std::copy(indices_.begin(), indices_.end(), out.sparse.innerIndexPtr());
    std::copy(values_.begin(), values_.end(), out.sparse.valuePtr());
    out.labels.resize(integer_labels_ ? n : 0);
    if (integer_labels_)
      for (Index i = 0; i < n; ++i) out.labels[i] = Index(labels_[std::size_t(i)]);
    next_row_ += n;
    return true;
  }

  Index n_features() const override { return cols_; }
  Index n_rows() const override { return rows_; }
  Index chunk_rows() const override { return chunk_rows_; }
  std::string description() const override { return path_; }
  bool one_based() const { return one_based_; }  ///< whether the indices are read as 1-based
  /// The features' names from SvmlightOptions::vocabulary; empty without one.
  const std::vector<std::string>& feature_names() const { return feature_names_; }

 private:
  static constexpr const char* call = "SvmlightSource";
  std::string path_;
  Index chunk_rows_, rows_ = 0, cols_ = 0, next_row_ = 0;
  bool force_one_, one_based_ = false, integer_labels_ = true;
  std::vector<std::string> feature_names_;
  detail::FileStamp stamp_;
  detail::LineReader lines_;
  std::vector<int> indptr_, indices_;
  std::vector<Scalar> values_;
  std::vector<double> labels_;
};

}  // namespace somtile
