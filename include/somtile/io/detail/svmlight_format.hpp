#pragma once
// The pieces of read_svmlight and write_svmlight (io/svmlight.hpp) and SvmlightSource
// (io/svmlight_source.hpp): the rules of a line, and the writer behind both label types.

#include "somtile/core/detail/file_writer.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/io/detail/line_reader.hpp"
#include "somtile/io/detail/parse_number.hpp"
#include "somtile/io/vocabulary.hpp"

#include <Eigen/SparseCore>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace somtile::detail {

inline bool svm_blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

/// A non-negative decimal integer in [b, e) that is at most `max`; false otherwise.
inline bool svm_parse_index(const char* b, const char* e, std::int64_t max, std::int64_t& out) {
  if (b == e) return false;
  std::int64_t v = 0;
  for (; b < e; ++b) {
    if (*b < '0' || *b > '9') return false;
    v = v * 10 + (*b - '0');
    if (v > max) return false;
  }
  out = v;
  return true;
}

/// One line of an svmlight file by read_svmlight's rules (io/svmlight.hpp): false for a line
/// that is blank after its comment; otherwise its label, and its indices (as written, before any
/// 1-based shift) and values appended to `indices` and `values`. Errors name the file, the line
/// and the token.
template <typename S>
bool svm_parse_line(const char* b, const char* e, Index line_no, const char* call, const std::string& path,
                    bool one_based, std::vector<int>& indices, std::vector<S>& values, double& label) {
  // Stored indices are int (SparseRowMatrix's StorageIndex); a 1-based file's largest index is
  // one more than its largest column.
  constexpr std::int64_t max_index = std::numeric_limits<int>::max() - 1;
  if (const void* hash = std::memchr(b, '#', std::size_t(e - b))) e = static_cast<const char*>(hash);
  while (b < e && svm_blank(*b)) ++b;
  while (e > b && svm_blank(e[-1])) --e;
  if (b == e) return false;
  auto bad = [&](const char* tb, const char* te, const char* rule) {
    return InputError(concat(call, "(): ", path, ":", line_no, ": '", std::string(tb, te), "' ", rule));
  };
  // The label.
  const char* t = b;
  while (t < e && !svm_blank(*t)) ++t;
  if (std::memchr(b, ',', std::size_t(t - b))) throw bad(b, t, "is a multilabel; only one label per line is supported");
  if (std::memchr(b, ':', std::size_t(t - b)))
    throw bad(b, t, "is not a label (a line starts with its label, then index:value pairs)");
  if (!parse_number(b, t, label) || !std::isfinite(label)) throw bad(b, t, "is not a finite number (the label)");
  const auto row_start = indices.size();
  bool first = true;
  while (t < e) {
    while (t < e && svm_blank(*t)) ++t;
    const char* tb = t;
    while (t < e && !svm_blank(*t)) ++t;
    const char* colon = static_cast<const char*>(std::memchr(tb, ':', std::size_t(t - tb)));
    if (!colon) throw bad(tb, t, "is not an index:value pair");
    if (colon - tb == 3 && std::memcmp(tb, "qid", 3) == 0) {
      std::int64_t qid;
      const char* qb = colon + 1;
      if (qb < t && *qb == '-') ++qb;
      if (!first) throw bad(tb, t, "is a qid that does not follow the label");
      if (!svm_parse_index(qb, t, std::numeric_limits<std::int64_t>::max() / 10, qid))
        throw bad(tb, t, "is not an integer query id");
      first = false;
      continue;
    }
    first = false;
    std::int64_t index;
    if (colon < t && colon > tb && *tb == '-') throw bad(tb, t, "has a negative index");
    if (!svm_parse_index(tb, colon, max_index, index)) {
      const bool digits = colon > tb && std::all_of(tb, colon, [](char c) { return c >= '0' && c <= '9'; });
      throw bad(tb, t,
                digits ? "has an index beyond 2^31 - 2" : "does not start with an index (a non-negative integer)");
    }
    if (one_based && index == 0) throw bad(tb, t, "has index 0 in a file read as 1-based (IndexBase::one)");
    if (indices.size() > row_start && index <= indices.back())
      throw bad(tb, t,
                indices.back() == index ? "repeats the previous index (indices must be unique)"
                                        : "has a smaller index than the previous one (indices must increase)");
    double v;
    if (!parse_number(colon + 1, t, v) || !std::isfinite(v))
      throw bad(tb, t, "has a value that is not a finite number");
    if (!std::isfinite(S(v))) throw bad(tb, t, "has a value out of the float range");
    indices.push_back(int(index));
    values.push_back(S(v));
  }
  return true;
}

/// What a whole file's lines say about its columns: the smallest and largest index, the line of
/// the largest, whether every label is an integer (and so fits Labels).
struct SvmExtent {
  std::int64_t min_seen = std::numeric_limits<std::int64_t>::max(), max_seen = -1;
  Index max_line = 0, rows = 0;
  bool all_integer = true, any_index = false;
  void add(double label, const int* indices, std::size_t n, Index line_no) {
    ++rows;
    all_integer = all_integer && label == std::floor(label) && std::fabs(label) <= 9007199254740992.0;
    for (std::size_t k = 0; k < n; ++k) {
      any_index = true;
      min_seen = std::min<std::int64_t>(min_seen, indices[k]);
      if (indices[k] > max_seen) {
        max_seen = indices[k];
        max_line = line_no;
      }
    }
  }
};

/// The feature columns of a file: its index base, column count and names.
struct SvmColumns {
  bool one_based = false;
  Index cols = 0;
  std::vector<std::string> names;
};

/// read_svmlight's rules for the index base (automatic: 1-based unless some index is 0), the
/// feature count (the largest index + 1, n_features, or the vocabulary's names) and their checks.
inline SvmColumns svm_columns(const SvmExtent& x, bool automatic, bool one, Index n_features,
                              const std::string& vocabulary, const char* call, const std::string& path) {
  SvmColumns out;
  out.one_based = one || (automatic && x.any_index && x.min_seen > 0);
  const Index needed = x.max_seen < 0 ? 0 : Index(x.max_seen) + (out.one_based ? 0 : 1);
  const char* base = out.one_based ? ", 1-based" : ", 0-based";
  if (n_features > 0 && n_features < needed)
    throw InputError(concat(call, "(): n_features is ", n_features, ", but '", path, "':", x.max_line, " has index ",
                            x.max_seen, " (", needed, " features", base, ")"));
  if (!vocabulary.empty()) {
    out.names = read_vocabulary(vocabulary);
    const auto names = Index(out.names.size());
    if (n_features > 0 && names != n_features)
      throw InputError(concat(call, "(): the vocabulary '", vocabulary, "' has ", names, " names, but n_features is ",
                              n_features, "; give one name per feature"));
    if (names < needed)
      throw InputError(concat(call, "(): the vocabulary '", vocabulary, "' has ", names, " names, but '", path,
                              "':", x.max_line, " has index ", x.max_seen, " (", needed, " features", base,
                              "); give one name per feature"));
  }
  out.cols = n_features > 0 ? n_features : !out.names.empty() ? Index(out.names.size()) : needed;
  return out;
}

template <typename S, typename Label>
void write_svmlight_impl(const std::string& path, const SparseRowMatrix<S>& X, Index n_labels, Label&& label,
                         bool zero_based) {
  constexpr const char* call = "write_svmlight";
  if (n_labels != X.rows())
    throw InputError(concat(call, "(): y has ", n_labels, " labels, but X has ", X.rows(), " rows"));
  const char* format = std::is_same_v<S, float> ? " %d:%.9g" : " %d:%.17g";
  const int shift = zero_based ? 0 : 1;
  write_file_replacing(path, call, [&](std::FILE* f) {
    for (Index i = 0; i < X.rows(); ++i) {
      label(f, i);
      for (typename SparseRowMatrix<S>::InnerIterator it(X, i); it; ++it) {
        const double v = double(it.value());
        if (!std::isfinite(v)) throw InputError(concat(call, "(): X(", i, ", ", it.col(), ") = ", v, " is not finite"));
        std::fprintf(f, format, int(it.col()) + shift, v);
      }
      std::fputc('\n', f);
    }
  });
}

}  // namespace somtile::detail
