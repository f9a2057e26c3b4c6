#pragma once
// Vocabulary files: the names of a data file's features, one per line, in feature order (the
// first line names the first feature: index 0 in a 0-based file, index 1 in a 1-based one).
// scikit-learn's CountVectorizer gives them as
//   open("vocab.txt", "w").write("\n".join(vectorizer.get_feature_names_out()))
// read_svmlight and read_sparse_npz take one (SvmlightOptions::vocabulary, the second argument
// of read_sparse_npz) and return the names beside the matrix, for cluster_top_features.
//
// Rules: lines end at '\n' (a '\r' before it is dropped); the last line needs no line break;
// a name is the whole line, blanks included; an empty line is an error (every feature needs a
// name), so is an empty file.

#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"

#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace somtile {

/// Reads a vocabulary file (rules above): one name per line.
/// \throws InputError when the file cannot be read, is empty or has an empty line (the message
///         names the file and the line).
template <typename = void>
std::vector<std::string> read_vocabulary(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(detail::concat("read_vocabulary(): cannot open '", path, "'"));
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty())
      throw InputError(detail::concat("read_vocabulary(): ", path, ":", names.size() + 1,
                                      " is empty; every feature needs a name, one per line"));
    names.push_back(std::move(line));
  }
  if (names.empty()) throw InputError(detail::concat("read_vocabulary(): '", path, "' is empty"));
  return names;
}

}  // namespace somtile
