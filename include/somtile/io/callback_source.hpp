#pragma once
// CallbackSource: a ChunkSource (io/chunk_source.hpp) whose chunks a function of the user's
// makes (rows from a database, a generator, another format), so a trainer that reads sources
// reads them too.

#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/io/chunk_source.hpp"

#include <functional>
#include <string>
#include <utility>

namespace somtile {

/// A source whose next() calls `next(chunk)`: the function fills the chunk (dense or sparse,
/// n_features columns, at most chunk_rows rows, at least one) and returns true, or returns
/// false at the end of the pass; `rewind()` starts the next pass. The source sets
/// Chunk::first_row and checks each chunk's shape: a chunk with another column count, no rows
/// or more than chunk_rows rows is an InputError naming the source and the chunk's first row.
/// Every pass must yield the same rows (the function's promise; a trainer relies on it).
/// \throws ParameterError when n_features < 0, chunk_rows < 1, or a function is empty.
template <typename Scalar>
class CallbackSource final : public ChunkSource<Scalar> {
 public:
  /// A source of chunks of n_features columns made by `next`; `n_rows` (-1: unknown) is checked
  /// at the end of each pass; `description` names the source in messages.
  CallbackSource(Index n_features, std::function<bool(Chunk<Scalar>&)> next, std::function<void()> rewind,
                 Index chunk_rows = 65536, Index n_rows = -1, std::string description = "CallbackSource")
      : n_features_(n_features),
        chunk_rows_(chunk_rows),
        n_rows_(n_rows),
        next_(std::move(next)),
        rewind_(std::move(rewind)),
        description_(std::move(description)) {
    if (n_features < 0) throw ParameterError(detail::concat(call, "(): n_features must be >= 0, got ", n_features));
    if (chunk_rows < 1) throw ParameterError(detail::concat(call, "(): chunk_rows must be >= 1, got ", chunk_rows));
    if (!next_ || !rewind_) throw ParameterError(detail::concat(call, "(): the next and rewind functions must be set"));
  }

  void rewind() override {
    rewind_();
    next_row_ = 0;
  }

  bool next(Chunk<Scalar>& out) override {
    if (!next_(out)) {
      if (n_rows_ >= 0 && next_row_ != n_rows_)
        throw InputError(
            detail::concat(call, "(): ", description_, " ended after ", next_row_, " rows, but n_rows is ", n_rows_));
      return false;
    }
    const Index rows = out.rows(), cols = out.is_sparse ? out.sparse.cols() : out.dense.cols();
    if (cols != n_features_ || rows < 1 || rows > chunk_rows_ || (out.labels.size() != 0 && out.labels.size() != rows))
      throw InputError(detail::concat(call, "(): ", description_, " gave a chunk of ", rows, " x ", cols, " at row ",
                                      next_row_ + 1, " with ", out.labels.size(), " labels; chunks have 1 to ",
                                      chunk_rows_, " rows of ", n_features_,
                                      " features, and no labels or one per row"));
    if (out.is_sparse) out.sparse.makeCompressed();
    out.first_row = next_row_;
    next_row_ += rows;
    return true;
  }

  Index n_features() const override { return n_features_; }
  Index n_rows() const override { return n_rows_; }
  Index chunk_rows() const override { return chunk_rows_; }
  std::string description() const override { return description_; }

 private:
  static constexpr const char* call = "CallbackSource";
  Index n_features_, chunk_rows_, n_rows_, next_row_ = 0;
  std::function<bool(Chunk<Scalar>&)> next_;
  std::function<void()> rewind_;
  std::string description_;
};

}  // namespace somtile
