#pragma once
// The pieces of read_csv (io/csv.hpp): the whole file in memory (FileBytes), lines, blank
// lines, trimmed fields, missing-value text, and the quoted-field splitter of header lines.

#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/io/detail/parse_number.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
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
                             const std::string& path, Index first_line) {
  if (label.empty()) return -1;
  Index named = -1;
  for (Index c = 0; c < Index(header.size()) && named < 0; ++c)
    if (header[std::size_t(c)] == label) named = c;
  double v;
  const bool is_index = parse_number(label, v) && v == std::floor(v) && v >= -1 && v < double(n_columns);
  const Index indexed = !is_index ? -1 : v < 0 ? n_columns - 1 : Index(v);
  if (named >= 0 && indexed >= 0 && named != indexed)
    throw InputError(concat(
        "read_csv(): label column '", label, "' is ambiguous: ", path, ":", first_line, " names the column at index ",
        named, " '", label, "', and index ", label, " is the column '", header[std::size_t(indexed)],
        "'; give the column's name ('", header[std::size_t(indexed)], "' for index ", label, ") or the index ", named,
        " of the column named '", label, "' (or set header = Header::absent if line ", first_line, " is data)"));
  if (named >= 0) return named;
  if (indexed >= 0) return indexed;
  if (header.empty())
    throw InputError(concat("read_csv(): label column '", label, "' is not an index in [-1, ", n_columns, "), and '",
                            path, "' has no header (line ", first_line,
                            " is data), so its columns have no names (set header = Header::present if line ",
                            first_line, " is a header)"));
  std::string names;
  for (const auto& h : header) names += (names.empty() ? "'" : ", '") + h + "'";
  throw InputError(concat("read_csv(): label column '", label, "' is neither a column name nor an index in [-1, ",
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

}  // namespace somtile::detail
