#pragma once
// CSV loading: numeric columns into a row-major matrix, with an optional integer label column.
// A first line that does not parse as numbers is taken as the header.

#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace somtile {

struct CsvData {
  RowMatrix<double> X;               ///< feature columns
  Labels y;                          ///< label column (empty when none was asked for)
  std::vector<std::string> columns;  ///< header names of the feature columns (empty without header)
};

namespace detail {

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

inline bool parse_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && errno != ERANGE;
}

}  // namespace detail

/// Reads a CSV file. `label_column` is a column name or a 0-based index ("-1" = last column);
/// empty means no labels. Non-finite values are rejected with their line and column.
inline CsvData read_csv(const std::string& path, const std::string& label_column = "",
                        char delimiter = ',') {
  std::ifstream in(path);
  if (!in) throw InputError(detail::concat("read_csv(): cannot open '", path, "'"));
  std::vector<std::vector<std::string>> rows;
  std::vector<Index> line_numbers;
  std::string line;
  for (Index number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    rows.push_back(detail::split_csv_line(line, delimiter));
    line_numbers.push_back(number);
  }
  if (rows.empty()) throw InputError(detail::concat("read_csv(): '", path, "' has no rows"));

  CsvData data;
  std::vector<std::string> header;
  double probe;
  for (const auto& field : rows.front())
    if (!detail::parse_number(field, probe)) {
      header = rows.front();
      break;
    }
  const std::size_t first = header.empty() ? 0 : 1;
  const auto n_columns = static_cast<Index>(rows.front().size());

  Index label = -1;
  if (!label_column.empty()) {
    for (Index c = 0; c < Index(header.size()); ++c)
      if (header[std::size_t(c)] == label_column) label = c;
    if (label < 0) {
      double index;
      if (!detail::parse_number(label_column, index) || index != std::floor(index) ||
          index < -1 || index >= double(n_columns))
        throw InputError(detail::concat("read_csv(): label column '", label_column,
                                        "' is neither a column name nor an index in [-1, ",
                                        n_columns, ")"));
      label = index < 0 ? n_columns - 1 : Index(index);
    }
  }

  const Index n = Index(rows.size() - first), n_features = n_columns - (label >= 0 ? 1 : 0);
  if (n == 0) throw InputError(detail::concat("read_csv(): '", path, "' has a header but no data"));
  data.X.resize(n, n_features);
  if (label >= 0) data.y.resize(n);
  for (Index c = 0; c < Index(header.size()); ++c)
    if (c != label) data.columns.push_back(header[std::size_t(c)]);

  for (Index i = 0; i < n; ++i) {
    const auto& fields = rows[std::size_t(i) + first];
    const Index line_no = line_numbers[std::size_t(i) + first];
    if (Index(fields.size()) != n_columns)
      throw InputError(detail::concat("read_csv(): ", path, ":", line_no, " has ", fields.size(),
                                      " fields, expected ", n_columns));
    for (Index c = 0, j = 0; c < n_columns; ++c) {
      double v;
      const auto& field = fields[std::size_t(c)];
      if (!detail::parse_number(field, v) || !std::isfinite(v))
        throw InputError(detail::concat("read_csv(): ", path, ":", line_no, " column ", c + 1,
                                        ": '", field, "' is not a finite number"));
      if (c == label) {
        if (v != std::floor(v))
          throw InputError(detail::concat("read_csv(): ", path, ":", line_no, " column ", c + 1,
                                          ": label '", field, "' is not an integer"));
        // Beyond 2^53 doubles skip integers, and converting past Index's range is undefined.
        if (std::abs(v) > 9007199254740992.0)
          throw InputError(detail::concat("read_csv(): ", path, ":", line_no, " column ", c + 1,
                                          ": label '", field, "' is out of range (|label| <= 2^53)"));
        data.y[i] = Index(v);
      } else {
        data.X(i, j++) = v;
      }
    }
  }
  return data;
}

}  // namespace somtile
