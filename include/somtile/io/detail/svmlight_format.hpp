#pragma once
// The pieces of read_svmlight and write_svmlight (io/svmlight.hpp): a line reader over blocks
// of the file, token rules, and the writer behind both label types.

#include "somtile/core/detail/file_writer.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/io/detail/parse_number.hpp"

#include <Eigen/SparseCore>

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

/// Calls f(begin, end, line_number) for each line of the file (without its '\n'), reading it
/// in blocks; a line longer than a block grows the buffer.
template <typename F>
void for_each_line(const std::string& path, const char* call, F&& f) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(concat(call, "(): cannot open '", path, "'"));
  std::vector<char> buffer(std::size_t(1) << 16);
  std::size_t filled = 0;  // bytes in the buffer, from its start
  Index line_no = 0;
  bool eof = false;
  while (!eof) {
    in.read(buffer.data() + filled, std::streamsize(buffer.size() - filled));
    const auto got = std::size_t(in.gcount());
    eof = got == 0 || !in;
    filled += got;
    const char* p = buffer.data();
    const char* const end = buffer.data() + filled;
    for (;;) {
      const void* nl = std::memchr(p, '\n', std::size_t(end - p));
      if (!nl) break;
      const char* e = static_cast<const char*>(nl);
      f(p, e, ++line_no);
      p = e + 1;
    }
    const auto rest = std::size_t(end - p);
    if (eof) {
      if (rest > 0) f(p, end, ++line_no);
      break;
    }
    std::memmove(buffer.data(), p, rest);
    filled = rest;
    if (filled == buffer.size()) buffer.resize(2 * buffer.size());  // one line fills the block
  }
}

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
