#pragma once
// The checks behind write_csv (io/csv.hpp): what read_csv could not read back is refused before
// anything is written.

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/io/detail/csv_format.hpp"
#include "somtile/io/detail/parse_number.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace somtile::detail {

template <typename Options>
void check_csv_output(Index rows, Index cols, Index labels, const std::vector<std::string>& columns,
                      const Options& options) {
  constexpr const char* call = "write_csv";
  const char d = options.delimiter;
  require(d != '\0' && !std::isalnum(static_cast<unsigned char>(d)) &&
              std::string("+-.\" \r\n").find(d) == std::string::npos,
          call, "the delimiter '", d, "' would split numbers or names; use ',', ';', '\\t' or '|'");
  require<InputError>(rows >= 1, call, "X has no rows; read_csv needs at least one");
  require<InputError>(labels == 0 || labels == rows, call, "y has ", labels, " labels, but X has ", rows,
                      " rows (pass one label per row, or none)");
  require<InputError>(cols >= 1 || labels > 0, call, "X has no columns and there are no labels: nothing to write");
  require<InputError>(columns.empty() || Index(columns.size()) == cols, call, "there are ", columns.size(),
                      " column names, but X has ", cols, " columns (pass one name per column, or none)");
  if (columns.empty()) return;
  std::vector<std::string> header = columns;
  if (labels > 0) {
    require<InputError>(std::find(columns.begin(), columns.end(), options.label_column) == columns.end(), call,
                        "the label column's name '", options.label_column,
                        "' is also a feature column's; read_csv could not tell them apart");
    header.push_back(options.label_column);
  }
  // read_csv (Header::auto_detect, csv_looks_like_header) takes a first line with any number in
  // it for data, and so a line of nothing but missing values under Missing::mask.
  bool all_missing = true;
  for (const std::string& name : header) {
    const bool bad =
        name.find_first_of(std::string{d, '"', '\n', '\r'}) != std::string::npos ||
        (!name.empty() && (name.front() == ' ' || name.front() == '\t' || name.back() == ' ' || name.back() == '\t'));
    require<InputError>(!bad, call, "the column name '", name,
                        "' holds the delimiter, a quote or a line break, or starts or ends with a blank; "
                        "read_csv would not read it back");
    double v;  // "" and "NA" do not parse; "nan" does, and makes a line data even without Missing::mask
    require<InputError>(!parse_number(name, v), call, "the column name '", name,
                        "' reads as a number, so read_csv would take the header for data; give names that are "
                        "not numbers (such as 'x",
                        name, "')");
    all_missing = all_missing && csv_missing_text(name.data(), name.data() + name.size());
  }
  require<InputError>(!all_missing, call,
                      "every column name is empty or 'NA', so read_csv would take the header for data; give at "
                      "least one name that is not a missing value");
}

}  // namespace somtile::detail
