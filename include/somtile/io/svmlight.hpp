#pragma once
// svmlight / LIBSVM text files: one sample per line,
//   <label> [qid:<n>] <index>:<value> <index>:<value> ... [# comment]
// read into a compressed sparse row matrix, and written back.
//
// The rules are scikit-learn's load_svmlight_file (zero_based="auto", query_id=False):
// - tokens are separated by blanks (' ', '\t'; a '\r' counts as a blank); '#' starts a comment
//   that runs to the end of the line; lines that are blank after that are skipped (but counted
//   for the line numbers in messages);
// - the label is a real number (strtod, C locale: "+1", "-1", "2.5e-3"); a multilabel "1,3" is
//   rejected;
// - a "qid:<n>" token right after the label (ranking data) is checked to be an integer and
//   skipped, as scikit-learn does by default; a qid anywhere else is an error;
// - indices are non-negative decimal integers, strictly increasing within a line (sorted,
//   no duplicates); values are finite numbers (and finite in the matrix's scalar type);
//   explicit zeros are kept as stored entries, as scipy keeps them;
// - IndexBase::automatic: the file is 1-based (every index shifted down by one) unless some
//   index is 0; a file without any feature stays 0-based. IndexBase::zero / one force it (an
//   index 0 in a 1-based file is an error);
// - the feature count is the largest index + 1 (after the shift), or n_features when given,
//   which must then be at least that;
// - SvmlightOptions::vocabulary names the features (io/vocabulary.hpp: one name per line, the
//   first line for the first feature in the file's index base): without n_features its line
//   count is the feature count, which must cover the largest index; with n_features the two
//   must be equal. The names are SvmlightData::feature_names.
//
// Labels: SvmlightData::y holds every label as written (regression targets too); when each one
// is an integer (class labels such as 1, -1, 3.0) SvmlightData::labels holds them as Labels,
// otherwise it is empty.
//
// The file is read in blocks of 64 KiB (lines may be longer), so reading costs the matrix plus
// its staging vectors, not the file's size. Needs <Eigen/SparseCore>, which this header
// includes (it belongs to the sparse module, somtile/sparse.hpp).

#include "somtile/core/enum_names.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/io/detail/svmlight_format.hpp"
#include "somtile/io/vocabulary.hpp"

#include <Eigen/SparseCore>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace somtile {

/// How the feature indices of an svmlight file are numbered.
enum class IndexBase {
  automatic,  ///< 0-based if any index is 0, else 1-based (scikit-learn's zero_based="auto")
  zero,       ///< 0-based
  one         ///< 1-based (LIBSVM's convention)
};
template <>
struct EnumNames<IndexBase> {
  static constexpr std::array<std::string_view, 3> names{"automatic", "zero", "one"};
};

/// How read_svmlight reads a file.
struct SvmlightOptions {
  /// Whether indices start at 0 or 1; automatic reads 1-based unless some index is 0.
  IndexBase index_base = IndexBase::automatic;
  Index n_features = 0;  ///< 0 = the largest index + 1; otherwise at least that
  /// A vocabulary file naming the features, one per line (io/vocabulary.hpp); empty = none.
  std::string vocabulary;
};

/// What read_svmlight returns: the samples, and their labels.
template <typename S>
struct SvmlightData {
  SparseRowMatrix<S> X;    ///< one row per sample line
  std::vector<double> y;   ///< every label as written (class labels or regression targets)
  Labels labels;           ///< y as integers when every label is one; empty otherwise
  bool one_based = false;  ///< whether the indices were read as 1-based
  /// The names of X's columns, from SvmlightOptions::vocabulary; empty without one.
  std::vector<std::string> feature_names;
};

/// Reads an svmlight / LIBSVM file (rules above) into a sparse row matrix of S.
/// \throws InputError when the file cannot be read, has no sample line, or holds a bad token
///         (the message names the file, the line and the token), when n_features is smaller
///         than the file's largest index + 1, or when the vocabulary cannot be read or has
///         another line count than the features (see above).
/// \throws ParameterError when options.n_features < 0.
template <typename S = double>
SvmlightData<S> read_svmlight(const std::string& path, const SvmlightOptions& options = {}) {
  static_assert(std::is_floating_point_v<S>, "read_svmlight reads into float or double");
  constexpr const char* call = "read_svmlight";
  if (options.n_features < 0)
    throw ParameterError(detail::concat(call, "(): n_features must be >= 0, got ", options.n_features));

  std::vector<int> indptr{0};
  std::vector<int> indices;
  std::vector<S> values;
  SvmlightData<S> out;
  detail::SvmExtent extent;
  detail::for_each_line(path, call, [&](const char* b, const char* e, Index line_no) {
    double label;
    const auto row_start = indices.size();
    if (!detail::svm_parse_line(b, e, line_no, call, path, options.index_base == IndexBase::one, indices, values,
                                label))
      return;
    out.y.push_back(label);
    extent.add(label, indices.data() + row_start, indices.size() - row_start, line_no);
    if (indices.size() > std::size_t(std::numeric_limits<int>::max()))
      throw InputError(detail::concat(call, "(): '", path, "' has more than 2^31 - 1 non-zeros"));
    indptr.push_back(int(indices.size()));
  });
  const auto rows = Index(out.y.size());
  if (rows == 0) throw InputError(detail::concat(call, "(): '", path, "' has no sample lines"));
  const detail::SvmColumns columns =
      detail::svm_columns(extent, options.index_base == IndexBase::automatic, options.index_base == IndexBase::one,
                          options.n_features, options.vocabulary, call, path);
  out.one_based = columns.one_based;
  out.feature_names = columns.names;
  const Index cols = columns.cols;
  if (out.one_based)
    for (int& i : indices) --i;
  const bool all_integer = extent.all_integer;

  out.X.resize(rows, cols);
  out.X.resizeNonZeros(Index(indices.size()));
  std::copy(indptr.begin(), indptr.end(), out.X.outerIndexPtr());
  std::copy(indices.begin(), indices.end(), out.X.innerIndexPtr());
  std::copy(values.begin(), values.end(), out.X.valuePtr());
  if (all_integer) {
    out.labels.resize(rows);
    for (Index i = 0; i < rows; ++i) out.labels[i] = Index(out.y[std::size_t(i)]);
  }
  return out;
}

/// Writes X with integer labels as an svmlight file (0-based indices unless zero_based is
/// false; values with 17 significant digits for double, 9 for float, so read_svmlight and
/// scikit-learn's load_svmlight_file read back the same numbers). Indices are written in the
/// matrix's order within each row (sorted, as Eigen keeps them).
/// \throws InputError when y's size differs from X's rows, a value is not finite, or the file
///         cannot be written.
template <typename S>
void write_svmlight(const std::string& path, const SparseRowMatrix<S>& X, const Labels& y, bool zero_based = true) {
  detail::write_svmlight_impl<S>(
      path, X, y.size(), [&](std::FILE* f, Index i) { std::fprintf(f, "%lld", static_cast<long long>(y[i])); },
      zero_based);
}

/// The same with real-valued targets (written with 17 significant digits).
template <typename S>
void write_svmlight(const std::string& path, const SparseRowMatrix<S>& X, const std::vector<double>& y,
                    bool zero_based = true) {
  detail::write_svmlight_impl<S>(
      path, X, Index(y.size()), [&](std::FILE* f, Index i) { std::fprintf(f, "%.17g", y[std::size_t(i)]); },
      zero_based);
}

}  // namespace somtile
