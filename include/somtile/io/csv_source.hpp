#pragma once
// CsvSource: a CSV file as a ChunkSource (io/chunk_source.hpp) of dense chunks, read line by
// line in 64 KiB blocks: memory is one chunk, whatever the file's size. The parser, options
// (CsvOptions: label column, delimiter, skip_rows, missing values, header) and messages are
// read_csv's (io/csv.hpp), but for the reader's name: "CsvSource(): data.csv:7 column 2: ...".
// A missing value under Missing::mask is a NaN cell.

#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/io/chunk_source.hpp"
#include "somtile/io/csv.hpp"
#include "somtile/io/detail/csv_format.hpp"
#include "somtile/io/detail/file_stamp.hpp"
#include "somtile/io/detail/line_reader.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace somtile {

/// Reads a CSV file in dense chunks of at most chunk_rows rows; with a label column, the rows'
/// labels are Chunk::labels. The constructor reads the lines up to the first data row (the
/// header, the column count, the label column); the rows are parsed as each pass reads them, so
/// a bad row is an InputError of next() naming the file, its 1-based line and the rule, as
/// read_csv's. n_rows() is -1 until a pass has read the whole file, then the row count.
/// Each pass re-checks the file's size and its lines up to the first data row: a file changed
/// since construction is an InputError naming the file and what changed.
/// \throws ParameterError when chunk_rows < 1 or skip_rows < 0.
/// \throws InputError as read_csv when the file cannot be read, has no rows, or its first
///         lines set no valid header and label column.
template <typename Scalar>
class CsvSource final : public ChunkSource<Scalar> {
  static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>, "CsvSource reads float or double");

 public:
  /// Opens `path` and reads its lines up to the first data row.
  explicit CsvSource(const std::string& path, const CsvOptions& options = {}, Index chunk_rows = 65536)
      : path_(path), chunk_rows_(chunk_rows) {
    if (chunk_rows < 1) throw ParameterError(detail::concat(call, "(): chunk_rows must be >= 1, got ", chunk_rows));
    if (options.skip_rows < 0)
      throw ParameterError(detail::concat(call, "(): skip_rows must be >= 0, got ", options.skip_rows));
    lines_.open(path, call);
    const char *b, *e;
    for (Index k = 0; k < options.skip_rows && lines_.next(b, e); ++k) {
    }
    std::uint64_t first_start = 0;
    Index first_before = 0;
    for (;;) {  // the first non-blank line: the header, or the first data row
      first_start = lines_.offset();
      first_before = lines_.line_no();
      if (!lines_.next(b, e))
        throw InputError(detail::concat(call, "(): '", path, "' has no rows",
                                        options.skip_rows > 0 ? " after the skipped lines" : ""));
      if (!detail::csv_blank_line(b, e)) break;
    }
    rules_ = detail::csv_rules(b, e, lines_.line_no(), path, call, options.delimiter, options.missing == Missing::mask,
                               options.header == Header::present, options.header == Header::auto_detect,
                               options.label_column, columns_);
    const std::uint64_t head_end = lines_.offset();
    if (rules_.has_header) {
      data_offset_ = head_end;
      data_line_ = lines_.line_no();
      bool data = false;
      while (!data && lines_.next(b, e)) data = !detail::csv_blank_line(b, e);
      if (!data) throw InputError(detail::concat(call, "(): '", path, "' has a header but no data"));
    } else {
      data_offset_ = first_start;
      data_line_ = first_before;
    }
    stamp_ = detail::FileStamp(path, head_end, call);
    rewind_lines();
  }

  void rewind() override {
    stamp_.check();
    lines_.open(path_, call);  // the file checked, even if it was replaced under its name
    rewind_lines();
  }

  bool next(Chunk<Scalar>& out) override {
    if (done_) return false;
    if (next_row_ == 0)
      stamp_.check();
    else
      stamp_.check_size();
    const Index F = rules_.n_features();
    const bool labelled = rules_.label >= 0;
    out.is_sparse = false;
    out.first_row = next_row_;
    // Room grows to chunk_rows as rows come (a chunk_rows far above the file's rows costs
    // nothing), and is kept for the next chunk.
    const Index start = std::min(chunk_rows_, Index(1024));
    if (out.dense.rows() < start || out.dense.cols() != F) out.dense.resize(start, F);
    out.labels.resize(labelled ? out.dense.rows() : 0);
    Index n = 0;
    const char *b, *e;
    while (n < chunk_rows_ && lines_.next(b, e)) {
      if (detail::csv_blank_line(b, e)) continue;
      if (n == out.dense.rows()) {
        const Index grown = std::min(chunk_rows_, 2 * n);
        out.dense.conservativeResize(grown, F);
        if (labelled) out.labels.conservativeResize(grown);
      }
      detail::csv_parse_row(
          rules_, b, e, lines_.line_no(), out.dense.data() + n * F, labelled ? &out.labels[n] : nullptr,
          [&](const char*& nb, const char*& ne, Index& next_no) { return look_ahead(nb, ne, next_no); });
      ++n;
    }
    if (n < chunk_rows_) {
      done_ = true;
      rows_seen_ = next_row_ + n;
      if (n == 0) return false;
    }
    if (n != out.dense.rows()) {
      out.dense.conservativeResize(n, F);
      if (labelled) out.labels.conservativeResize(n);
    }
    next_row_ += n;
    return true;
  }

  Index n_features() const override { return rules_.n_features(); }
  Index n_rows() const override { return rows_seen_; }
  Index chunk_rows() const override { return chunk_rows_; }
  std::string description() const override { return path_; }
  /// The feature columns' names from the header (without the label column); empty without one.
  const std::vector<std::string>& columns() const { return columns_; }

 private:
  static constexpr const char* call = "CsvSource";

  void rewind_lines() {
    lines_.seek(data_offset_, data_line_);
    next_row_ = 0;
    done_ = false;
  }

  // The next non-blank line after the current one, read by a second reader (the first keeps
  // its buffer), for the message about a bad first line.
  bool look_ahead(const char*& b, const char*& e, Index& line_no) {
    detail::LineReader ahead(path_, call);
    ahead.seek(lines_.offset(), lines_.line_no());
    while (ahead.next(b, e))
      if (!detail::csv_blank_line(b, e)) {
        ahead_.assign(b, e);
        b = ahead_.data();
        e = b + ahead_.size();
        line_no = ahead.line_no();
        return true;
      }
    return false;
  }

  std::string path_;
  Index chunk_rows_, next_row_ = 0, rows_seen_ = -1, data_line_ = 0;
  std::uint64_t data_offset_ = 0;
  bool done_ = false;
  detail::CsvRules rules_;
  std::vector<std::string> columns_;
  detail::FileStamp stamp_;
  detail::LineReader lines_;
  std::string ahead_;
};

}  // namespace somtile
