#pragma once
// Streaming input: a ChunkSource hands out a data set as blocks of consecutive rows (Chunk), so
// data larger than memory can be read in passes. The sources for files are NpySource
// (io/npy_source.hpp), CsvSource (io/csv_source.hpp), SvmlightSource (io/svmlight_source.hpp)
// and NpzSource (io/npz_source.hpp); CallbackSource (io/callback_source.hpp) wraps a function.
// Needs <Eigen/SparseCore> for sparse chunks, which this header includes.

#include "somtile/core/types.hpp"

#include <Eigen/SparseCore>

#include <string>

namespace somtile {

/// One block of consecutive rows read from a source.
template <typename Scalar>
struct Chunk {
  RowMatrix<Scalar> dense;         ///< the rows when !is_sparse (NaN marks a missing cell)
  SparseRowMatrix<Scalar> sparse;  ///< the rows when is_sparse (compressed)
  bool is_sparse = false;          ///< whether the rows are in `sparse` (else in `dense`)
  Index first_row = 0;             ///< row number of the first row in the whole source (0-based)
  /// The rows' labels where the source has them (CsvSource's label column, SvmlightSource's
  /// labels when every one is an integer); empty otherwise.
  Labels labels;
  /// The number of rows in the chunk.
  Index rows() const { return is_sparse ? sparse.rows() : dense.rows(); }
};

/// A source of row chunks: one pass = rewind() then next() until it returns false.
/// Every pass yields the same rows in the same order and chunking.
template <typename Scalar>
class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  virtual void rewind() = 0;                    ///< start a new pass (re-checks the file: size/header unchanged)
  virtual bool next(Chunk<Scalar>& out) = 0;    ///< the next chunk (reusing out's memory); false at the end
  virtual Index n_features() const = 0;         ///< columns of every chunk
  virtual Index n_rows() const { return -1; }   ///< rows per pass if known in advance, else -1
  virtual Index chunk_rows() const = 0;         ///< at most this many rows per chunk
  virtual std::string description() const = 0;  ///< e.g. the path, for error messages
};

}  // namespace somtile
