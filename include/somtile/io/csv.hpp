#pragma once
// CSV loading: numeric columns into a row-major matrix, with an optional integer label column.
// CsvOptions::header says whether the first line is a header; by default (Header::auto_detect)
// it is one only when none of its fields is a number, so a data row with a typo ("1,2o,3") is
// reported as a bad cell instead of being taken for a header. skip_rows lines above it (a title
// line such as scikit-learn's "569,30,malignant,benign") are skipped first.
//
// The file is read into memory at once and parsed in place: lines are found with memchr, fields
// are pointer ranges, numbers go through std::from_chars. The rules are those of the original
// line-by-line reader (std::getline, strtod), kept exactly: lines end at '\n'; a line of blanks
// (' ', '\t', '\r') is skipped but counted for the line numbers in messages; '\r' is dropped
// wherever it stands; each field is trimmed of ' ', '\t' and '"'; a field is a number when
// strtod (C locale) reads all of it without ERANGE. from_chars decides the common case (a
// normal double or an exact zero); anything else (a leading '+', hexadecimal, a subnormal or
// out-of-range value, inf/nan, stray characters) is handed to strtod, so the two never disagree.
// With CsvOptions::missing = Missing::mask, a missing value is read as NaN: an empty field, a
// field strtod reads as NaN ("nan", "NaN", "-nan") or "NA" (R's write.csv); infinite values
// are still rejected, and so are missing labels.
// write_csv writes a matrix (with labels and column names) that read_csv reads back exactly.

#include "somtile/core/detail/file_writer.hpp"
#include "somtile/core/enum_names.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/io/detail/csv_format.hpp"
#include "somtile/io/detail/csv_output.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

namespace somtile {

/// Whether the first line of a CSV file (after CsvOptions::skip_rows) is a header.
enum class Header {
  auto_detect,  ///< a header when none of its fields is a number (a missing value is no number)
  present,      ///< always a header
  absent        ///< never: the first line is data
};
template <>
struct EnumNames<Header> {
  static constexpr std::array<std::string_view, 3> names{"auto_detect", "present", "absent"};
};

/// How read_csv reads a file.
struct CsvOptions {
  /// A column name or 0-based index ("-1" = last); empty = no labels. A number that is also a
  /// header name is rejected unless both mean the same column.
  std::string label_column;
  /// Field separator.
  char delimiter = ',';
  Index skip_rows = 0;                  ///< lines skipped at the top, before the header or first row
  Missing missing = Missing::reject;    ///< mask: empty, "nan" and "NA" fields are read as NaN
  Header header = Header::auto_detect;  ///< whether the first line is a header
};

/// What read_csv returns.
struct CsvData {
  RowMatrix<double> X;               ///< feature columns
  Labels y;                          ///< label column (empty when none was asked for)
  std::vector<std::string> columns;  ///< header names of the feature columns (empty without header)
};

/// Reads a CSV file (see CsvOptions). Non-finite values are rejected with their line and
/// column; a row with another field count than the header (or first row) names both lines.
/// \throws ParameterError when skip_rows < 0.
/// \throws InputError when the file cannot be read, has no rows or holds a bad cell or row.
template <typename = void>
CsvData read_csv(const std::string& path, const CsvOptions& options) {
  if (options.skip_rows < 0)
    throw ParameterError(detail::concat("read_csv(): skip_rows must be >= 0, got ", options.skip_rows));
  const detail::FileBytes file(path);
  const char* const end = file.end();

  const char* p = file.begin();
  Index line_no = 1;
  for (; line_no <= options.skip_rows && p < end; ++line_no) {
    const char* e = detail::csv_line_end(p, end);
    p = e == end ? end : e + 1;
  }
  // The first non-blank line: the header, or the first data row.
  const char* line_end = nullptr;
  for (;; ++line_no) {
    if (p == end)
      throw InputError(detail::concat("read_csv(): '", path, "' has no rows",
                                      options.skip_rows > 0 ? " after the skipped lines" : ""));
    line_end = detail::csv_line_end(p, end);
    if (!detail::csv_blank_line(p, line_end)) break;
    p = line_end == end ? end : line_end + 1;
  }
  CsvData data;
  const detail::CsvRules rules = detail::csv_rules(
      p, line_end, line_no, path, "read_csv", options.delimiter, options.missing == Missing::mask,
      options.header == Header::present, options.header == Header::auto_detect, options.label_column, data.columns);
  const Index label = rules.label;
  if (rules.has_header) {  // data start on the next line
    p = line_end == end ? end : line_end + 1;
    ++line_no;
  }

  // Room for every row there can be: a valid row has n_columns non-empty fields, the
  // delimiters between them and a line break (except the last), so at most (bytes + 1) /
  // (2 n_columns) rows; and at most one row per line.
  const Index n_features = rules.n_features();
  const auto bytes = std::size_t(end - p);
  Index max_by_lines = p < end && end[-1] != '\n';  // a last line without a line break
  for (const char* q = p; (q = static_cast<const char*>(std::memchr(q, '\n', std::size_t(end - q)))); ++q)
    ++max_by_lines;
  const Index max_by_bytes = Index((bytes + 1) / (2 * std::size_t(rules.n_columns))) + 1;
  Index capacity = rules.mask ? max_by_lines : std::min(max_by_lines, max_by_bytes);  // missing fields may be empty
  data.X.resize(capacity, n_features);
  if (label >= 0) data.y.resize(capacity);

  Index n = 0;
  for (; p < end; ++line_no) {
    const char* const line = p;
    line_end = detail::csv_line_end(p, end);
    p = line_end == end ? end : line_end + 1;
    if (detail::csv_blank_line(line, line_end)) continue;
    if (n == capacity) {  // not reached (see above); kept so that no bound is trusted blindly
      capacity *= 2;
      data.X.conservativeResize(capacity, n_features);
      if (label >= 0) data.y.conservativeResize(capacity);
    }
    detail::csv_parse_row(rules, line, line_end, line_no, data.X.data() + n * n_features,
                          label >= 0 ? &data.y[n] : nullptr, [&](const char*& b, const char*& e, Index& next_no) {
                            next_no = line_no;
                            for (const char* q = p; q < end;) {
                              ++next_no;
                              const char* q_end = detail::csv_line_end(q, end);
                              if (!detail::csv_blank_line(q, q_end)) {
                                b = q;
                                e = q_end;
                                return true;
                              }
                              q = q_end == end ? end : q_end + 1;
                            }
                            return false;
                          });
    ++n;
  }
  if (n == 0) throw InputError(detail::concat("read_csv(): '", path, "' has a header but no data"));
  if (n < capacity) {
    data.X.conservativeResize(n, n_features);
    if (label >= 0) data.y.conservativeResize(n);
  }
  return data;
}

/// read_csv(path, CsvOptions{label_column, delimiter}).
template <typename = void>
CsvData read_csv(const std::string& path, const std::string& label_column = "", char delimiter = ',') {
  CsvOptions options;
  options.label_column = label_column;
  options.delimiter = delimiter;
  return read_csv(path, options);
}

}  // namespace somtile

namespace somtile {

/// How write_csv writes a file.
struct CsvWriteOptions {
  /// Header name of the label column, written last when there are labels and a header.
  std::string label_column = "label";
  char delimiter = ',';  ///< field separator
};

/// Writes X as a CSV file that read_csv reads back exactly: a header of `columns` (none when
/// empty), then one line per row; y, when not empty, as a last integer column named
/// options.label_column (read it back with read_csv(path, options.label_column), or with
/// label column "-1" without a header). Values are written in full precision (the shortest
/// text that reads back as the same double; 9 significant digits for float), NaN as "nan"
/// (read_csv with Missing::mask reads it back). Through "<path>.tmp", as every writer.
/// \throws InputError when X has no rows, holds an infinite or subnormal value (a double below
///         2.2e-308 in magnitude, which read_csv rejects like strtod), y's length differs from X's
///         rows, `columns` has another size than X's columns, a name holds the delimiter, a
///         quote or a line break, starts or ends with a blank, or reads as a number, or every name is
///         a missing value ("", "NA"; read_csv would take such a header for data), the label
///         column's name is also a feature column's, or the file cannot be written.
/// \throws ParameterError when the delimiter is a letter, digit, '+', '-', '.', '"', ' ', '\0'
///         or a line break (it would split numbers or names).
template <typename Derived>
void write_csv(const std::string& path, const Eigen::MatrixBase<Derived>& X, const Labels& y = Labels(),
               const std::vector<std::string>& columns = {}, const CsvWriteOptions& options = {}) {
  using Scalar = typename Derived::Scalar;
  static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>,
                "write_csv writes float or double matrices");
  detail::check_csv_output(X.rows(), X.cols(), y.size(), columns, options);
  const Eigen::Ref<const RowMatrix<Scalar>> M(X.derived());  // an expression is evaluated once
  const char d = options.delimiter;
  detail::write_file_replacing(path, "write_csv", [&](std::FILE* f) {
    std::string line;
    if (!columns.empty()) {
      for (std::size_t c = 0; c < columns.size(); ++c) line += (c ? std::string(1, d) : "") + columns[c];
      if (y.size() > 0) line += d + options.label_column;
      line += '\n';
    }
    char number[64];
    for (Index i = 0; i < X.rows(); ++i) {
      for (Index j = 0; j < X.cols(); ++j) {
        if (j > 0) line += d;
        const Scalar v = M(i, j);
        if (std::isnan(v)) {
          line += "nan";
          continue;
        }
        // read_csv follows strtod, which reports a range error for infinities and subnormals.
        if (!std::isfinite(v) || (v != 0 && std::fabs(double(v)) < DBL_MIN))
          throw InputError(detail::concat("write_csv(): X(", i, ", ", j, ") is ", double(v),
                                          "; read_csv reads NaN and finite numbers that are 0 or normal doubles only"));
        const auto r = std::is_same_v<Scalar, float>
                           ? std::to_chars(number, number + sizeof number, v, std::chars_format::general, 9)
                           : std::to_chars(number, number + sizeof number, v);
        line.append(number, r.ptr);
      }
      if (y.size() > 0) {
        if (X.cols() > 0) line += d;
        line += std::to_string(y[i]);
      }
      line += '\n';
      if (line.size() >= (std::size_t(1) << 16) || i + 1 == X.rows()) {
        std::fwrite(line.data(), 1, line.size(), f);
        line.clear();
      }
    }
  });
}

/// Writes what read_csv returned: write_csv(path, data.X, data.y, data.columns, options), so
/// write_csv(path, read_csv(file, label)) followed by read_csv(path, options.label_column)
/// gives the same X, y and columns (the label column moves to the end).
template <typename = void>
void write_csv(const std::string& path, const CsvData& data, const CsvWriteOptions& options = {}) {
  write_csv(path, data.X, data.y, data.columns, options);
}

}  // namespace somtile
