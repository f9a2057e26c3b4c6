#pragma once
// The rules of read_csv (io/csv.hpp) and CsvSource (io/csv_source.hpp), one home for each: the
// whole file in memory (FileBytes, read_csv's), lines, blank lines, trimmed fields,
// missing-value text, the quoted-field splitter of header lines, what the first line settles
// (CsvRules: header, column count, label column) and the parser of a data row (csv_parse_row).

#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/io/detail/parse_number.hpp"

#include <algorithm>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

namespace somtile::detail {

inline std::vector<std::string> split_csv_line(const std::string& line, char delimiter) {
  std::vector<std::string> out;
  std::string field;
  for (char ch : line) {
    if (ch == delimiter) {
      out.push_back(field);
      field.clear();
    } else if (ch != '\r') {
      field += ch;
    }
  }
  out.push_back(field);
  for (auto& f : out) {  // trim blanks and surrounding quotes
    const auto b = f.find_first_not_of(" \t\"");
    const auto e = f.find_last_not_of(" \t\"");
    f = b == std::string::npos ? std::string() : f.substr(b, e - b + 1);
  }
  return out;
}

/// Whether a trimmed field is a missing value under Missing::mask: empty, "NA", or text strtod
/// reads as NaN.
inline bool csv_missing_text(const char* b, const char* e) {
  if (b == e) return true;
  if (e - b == 2 && b[0] == 'N' && b[1] == 'A') return true;
  double v;
  return parse_number(b, e, v) && std::isnan(v);
}

inline bool csv_trimmed(char ch) { return ch == ' ' || ch == '\t' || ch == '"' || ch == '\r'; }

/// Header::auto_detect's rule: the first line is a header when none of its fields is a number.
/// With Missing::mask a line of nothing but missing values (",,", "NA,NA") is data.
inline bool csv_looks_like_header(const std::vector<std::string>& row, bool mask) {
  bool all_missing = true;
  for (const auto& field : row) {
    const char* b = field.data();
    const char* e = b + field.size();
    double v;
    const bool missing = mask && csv_missing_text(b, e);
    if (!missing && parse_number(b, e, v)) return false;
    all_missing = all_missing && missing;
  }
  return !all_missing;
}

/// The 0-based column of CsvOptions::label_column (-1 for none): a header name or an index in
/// [-1, n_columns). A number that names another column is ambiguous, and rejected.
inline Index csv_label_index(const std::string& label, const std::vector<std::string>& header, Index n_columns,
                             const std::string& path, Index first_line, const char* call = "read_csv") {
  if (label.empty()) return -1;
  Index named = -1;
  for (Index c = 0; c < Index(header.size()) && named < 0; ++c)
    if (header[std::size_t(c)] == label) named = c;
  double v;
  const bool is_index = parse_number(label, v) && v == std::floor(v) && v >= -1 && v < double(n_columns);
  const Index indexed = !is_index ? -1 : v < 0 ? n_columns - 1 : Index(v);
  if (named >= 0 && indexed >= 0 && named != indexed)
    throw InputError(concat(
        call, "(): label column '", label, "' is ambiguous: ", path, ":", first_line, " names the column at index ",
        named, " '", label, "', and index ", label, " is the column '", header[std::size_t(indexed)],
        "'; give the column's name ('", header[std::size_t(indexed)], "' for index ", label, ") or the index ", named,
        " of the column named '", label, "' (or set header = Header::absent if line ", first_line, " is data)"));
  if (named >= 0) return named;
  if (indexed >= 0) return indexed;
  if (header.empty())
    throw InputError(concat(call, "(): label column '", label, "' is not an index in [-1, ", n_columns, "), and '",
                            path, "' has no header (line ", first_line,
                            " is data), so its columns have no names (set header = Header::present if line ",
                            first_line, " is a header)"));
  std::string names;
  for (const auto& h : header) names += (names.empty() ? "'" : ", '") + h + "'";
  throw InputError(concat(call, "(): label column '", label, "' is neither a column name nor an index in [-1, ",
                          n_columns, "); the columns of ", path, ":", first_line, " are ", names));
}

/// Whether from_chars may read `ch` as part of a number (digits, sign, point, exponent, the
/// letters and parentheses of inf/nan(...)). Other delimiters end a number where they stand.
inline bool csv_number_char(char ch) {
  return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
         std::strchr("+-.()_", ch) != nullptr;
}

/// The whole file (regular file, pipe or anything else an ifstream reads).
class FileBytes {
 public:
  explicit FileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(concat("read_csv(): cannot open '", path, "'"));
    std::error_code ec;
    const auto hint = std::filesystem::file_size(path, ec);  // an error for directories, pipes
    std::size_t capacity = ec ? std::size_t(1) << 16 : std::size_t(hint) + 1;
    data_.reset(new char[capacity]);
    for (;;) {  // a short read means end of file (or an error, which ends it as getline did)
      in.read(data_.get() + size_, std::streamsize(capacity - size_));
      size_ += std::size_t(in.gcount());
      if (size_ < capacity) break;
      std::unique_ptr<char[]> bigger(new char[2 * capacity]);
      std::memcpy(bigger.get(), data_.get(), size_);
      data_ = std::move(bigger);
      capacity *= 2;
    }
  }
  const char* begin() const { return data_.get(); }
  const char* end() const { return data_.get() + size_; }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
};

inline const char* csv_line_end(const char* p, const char* end) {
  const void* nl = std::memchr(p, '\n', std::size_t(end - p));
  return nl ? static_cast<const char*>(nl) : end;
}

inline bool csv_blank_line(const char* b, const char* e) {
  for (; b < e; ++b)
    if (*b != ' ' && *b != '\t' && *b != '\r') return false;
  return true;
}

/// A field's text as split_csv_line gives it (trimmed, without '\r'), for messages.
inline std::string csv_field_text(const char* b, const char* e) {
  std::string out;
  for (; b < e; ++b)
    if (*b != '\r') out += *b;
  return out;
}

/// What the first non-blank line of a CSV file settles for every row.
struct CsvRules {
  const char* call = "read_csv";  ///< names the reader in messages
  std::string path;
  char delimiter = ',';
  bool mask = false;        ///< Missing::mask
  bool auto_detect = true;  ///< Header::auto_detect (a bad first line gets a hint)
  bool has_header = false;  ///< the first line is a header
  Index n_columns = 0;      ///< fields per row, label included
  Index label = -1;         ///< the label column, -1 for none
  Index first_line = 0;     ///< the line that set n_columns (1-based)
  /// A field that starts with a number character and is read by from_chars up to the next
  /// delimiter or the end of the line is the whole field: nothing to trim, no '\r' inside.
  bool number_then_delimiter = true;
  Index n_features() const { return n_columns - (label >= 0 ? 1 : 0); }
};

/// The rules set by the first non-blank line [b, e), number line_no: a header when `present`,
/// or when `auto_detect` and none of its fields is a number; the label column (a name or an
/// index); `columns` gets the feature columns' names (none without a header).
inline CsvRules csv_rules(const char* b, const char* e, Index line_no, const std::string& path, const char* call,
                          char delimiter, bool mask, bool present, bool auto_detect, const std::string& label_column,
                          std::vector<std::string>& columns) {
  const std::vector<std::string> first_row = split_csv_line(std::string(b, e), delimiter);
  CsvRules r;
  r.call = call;
  r.path = path;
  r.delimiter = delimiter;
  r.mask = mask;
  r.auto_detect = auto_detect;
  r.has_header = present || (auto_detect && csv_looks_like_header(first_row, mask));
  r.n_columns = Index(first_row.size());
  r.first_line = line_no;
  const std::vector<std::string> no_header;
  r.label = csv_label_index(label_column, r.has_header ? first_row : no_header, r.n_columns, path, line_no, call);
  columns.clear();
  if (r.has_header)
    for (Index c = 0; c < r.n_columns; ++c)
      if (c != r.label) columns.push_back(first_row[std::size_t(c)]);
  r.number_then_delimiter = delimiter != '\0' && !csv_number_char(delimiter);
  return r;
}

/// Parses the data row [line, line_end), number line_no, into n_features() values at `out`
/// (NaN for a missing value under Missing::mask) and its label at *label_out (when the rules
/// have a label column). Errors name the reader, the file, the line and the column: a field
/// count other than n_columns, a cell that is not a finite number (or, for float, out of its
/// range), a label that is not an integer. next_row(b, e, line_no) gives the next non-blank
/// line, if any: on a bad first line without a header, a next row with another field count
/// says more (a title line above the data) than the cell.
template <typename Scalar, typename NextRow>
void csv_parse_row(const CsvRules& r, const char* line, const char* line_end, Index line_no, Scalar* out,
                   Index* label_out, NextRow&& next_row) {
  static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>, "reads float or double");
  const char delimiter = r.delimiter;
  auto field_count_error = [&](const char* b, const char* e, Index at) {
    const auto n = std::size_t(std::count(b, e, delimiter)) + 1;
    return InputError(concat(r.call, "(): ", r.path, ":", at, " has ", n, " fields, expected ", r.n_columns,
                             " as set by line ", r.first_line, r.has_header ? " (the header" : " (the first row",
                             "; skip_rows skips lines above the data)"));
  };
  const char* f = line;
  for (Index c = 0;; ++c) {
    if (c == r.n_columns) throw field_count_error(line, line_end, line_no);
    double v;
    if (r.number_then_delimiter && f < line_end && !csv_trimmed(*f)) {
      const auto res = std::from_chars(f, line_end, v);
      const double a = std::fabs(v);
      if (res.ec == std::errc() && (res.ptr == line_end || *res.ptr == delimiter) && a > 2 * DBL_MIN && a < DBL_MAX &&
          c != r.label && (std::is_same_v<Scalar, double> || std::isfinite(Scalar(v)))) {
        *out++ = Scalar(v);
        if (res.ptr == line_end) {
          if (c + 1 != r.n_columns) throw field_count_error(line, line_end, line_no);
          return;
        }
        f = res.ptr + 1;
        continue;
      }
    }
    // The field [f, q): up to the delimiter, or the end of the line.
    const char* q = f;
    bool has_cr = false;
    for (; q < line_end && *q != delimiter; ++q) has_cr |= *q == '\r';
    const char* b = f;
    const char* e = q;
    while (b < e && csv_trimmed(*b)) ++b;
    while (e > b && csv_trimmed(e[-1])) --e;
    bool ok;
    if (has_cr && std::find(b, e, '\r') != e) {  // a '\r' inside the field: drop it
      const std::string text = csv_field_text(b, e);
      ok = parse_number(text.data(), text.data() + text.size(), v);
    } else {
      ok = parse_number(b, e, v);
    }
    if (r.mask && c != r.label && (!ok || std::isnan(v)) && csv_missing_text(b, e)) {
      ok = true;
      v = std::numeric_limits<double>::quiet_NaN();
    } else if (!ok || !std::isfinite(v) || (c != r.label && !std::isfinite(Scalar(v)))) {
      if (std::count(line, line_end, delimiter) + 1 != r.n_columns) throw field_count_error(line, line_end, line_no);
      if (ok && std::isfinite(v))
        throw InputError(concat(r.call, "(): ", r.path, ":", line_no, " column ", c + 1, ": '", csv_field_text(b, e),
                                "' is out of the float range"));
      if (line_no == r.first_line && !r.has_header) {
        // A first line with text that is not the rows' shape (a title line above the header,
        // as in scikit-learn's data files): the next row's field count says more than its text.
        const char *nb = nullptr, *ne = nullptr;
        Index next_no = 0;
        if (next_row(nb, ne, next_no) && std::count(nb, ne, delimiter) + 1 != r.n_columns)
          throw field_count_error(nb, ne, next_no);
      }
      throw InputError(concat(r.call, "(): ", r.path, ":", line_no, " column ", c + 1, ": '", csv_field_text(b, e),
                              "' is not a finite number",
                              c != r.label && csv_missing_text(b, e)
                                  ? " (a missing value? set missing = Missing::mask to read it as one)"
                              : line_no == r.first_line && r.auto_detect
                                  ? " (the line is read as data, as some of its fields are numbers; set "
                                    "header = Header::present if it is a header)"
                                  : ""));
    }
    if (c == r.label) {
      const char* problem = nullptr;
      if (v != std::floor(v)) problem = "' is not an integer";
      // Beyond 2^53 doubles skip integers, and converting past Index's range is undefined.
      else if (std::abs(v) > 9007199254740992.0)
        problem = "' is out of range (|label| <= 2^53)";
      if (problem) {
        if (std::count(line, line_end, delimiter) + 1 != r.n_columns) throw field_count_error(line, line_end, line_no);
        throw InputError(concat(r.call, "(): ", r.path, ":", line_no, " column ", c + 1, ": label '",
                                csv_field_text(b, e), problem));
      }
      if (label_out) *label_out = Index(v);
    } else {
      *out++ = Scalar(v);
    }
    if (q == line_end) {
      if (c + 1 != r.n_columns) throw field_count_error(line, line_end, line_no);
      return;
    }
    f = q + 1;
  }
}

}  // namespace somtile::detail
