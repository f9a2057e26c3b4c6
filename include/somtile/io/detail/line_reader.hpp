#pragma once
// Lines of a text file read in blocks of 64 KiB (a longer line grows the buffer), for the text
// readers (read_svmlight, and the streaming CsvSource and SvmlightSource): lines end at '\n'
// (which is not part of them), and a last line without one counts when it is not empty.

#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace somtile::detail {

class LineReader {
 public:
  LineReader() = default;
  LineReader(const std::string& path, const char* call) { open(path, call); }

  void open(const std::string& path, const char* call) {
    in_ = std::ifstream(path, std::ios::binary);
    if (!in_) throw InputError(concat(call, "(): cannot open '", path, "'"));
    if (buffer_.empty()) buffer_.resize(std::size_t(1) << 16);
    seek(0, 0);
  }

  /// Continues at byte `offset` of the file, the next line being number line_no + 1.
  void seek(std::uint64_t offset, Index line_no) {
    in_.clear();
    in_.seekg(std::streamoff(offset));
    begin_ = end_ = 0;
    eof_ = false;
    offset_ = offset;
    line_no_ = line_no;
  }

  /// The next line as [b, e), valid until the next call; false at the end of the file.
  bool next(const char*& b, const char*& e) {
    for (;;) {
      const char* p = buffer_.data() + begin_;
      const char* const end = buffer_.data() + end_;
      if (const void* nl = std::memchr(p, '\n', std::size_t(end - p))) {
        b = p;
        e = static_cast<const char*>(nl);
        begin_ = std::size_t(e - buffer_.data()) + 1;
        offset_ += std::uint64_t(e - p) + 1;
        ++line_no_;
        return true;
      }
      if (eof_) {
        if (p == end) return false;
        b = p;
        e = end;
        begin_ = end_;
        offset_ += std::uint64_t(end - p);
        ++line_no_;
        return true;
      }
      // Move the partial line to the front and read more behind it.
      const std::size_t rest = end_ - begin_;
      std::memmove(buffer_.data(), buffer_.data() + begin_, rest);
      begin_ = 0;
      end_ = rest;
      if (end_ == buffer_.size()) buffer_.resize(2 * buffer_.size());  // one line fills the block
      in_.read(buffer_.data() + end_, std::streamsize(buffer_.size() - end_));
      const auto got = std::size_t(in_.gcount());
      eof_ = got == 0 || !in_;
      end_ += got;
    }
  }

  Index line_no() const { return line_no_; }        ///< the number of the line last returned (1-based)
  std::uint64_t offset() const { return offset_; }  ///< the byte after the line last returned

 private:
  std::ifstream in_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0, end_ = 0;  // unread bytes: buffer_[begin_, end_)
  bool eof_ = false;
  std::uint64_t offset_ = 0;
  Index line_no_ = 0;
};

/// Calls f(begin, end, line_number) for each line of the file.
template <typename F>
void for_each_line(const std::string& path, const char* call, F&& f) {
  LineReader lines(path, call);
  const char *b, *e;
  while (lines.next(b, e)) f(b, e, lines.line_no());
}

}  // namespace somtile::detail
