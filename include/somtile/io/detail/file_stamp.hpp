#pragma once
// What a streaming source (io/chunk_source.hpp) remembers of its file to notice that the file
// changed between passes: its size and its leading bytes (the header). A source that read
// another file in a later pass would train on data nobody asked for.

#include "somtile/core/error.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace somtile::detail {

class FileStamp {
 public:
  FileStamp() = default;
  /// Records the size of `path` and its first min(size, head_bytes) bytes.
  FileStamp(std::string path, std::uint64_t head_bytes, const char* call) : path_(std::move(path)), call_(call) {
    size_ = current_size();
    head_ = read_head(head_bytes < size_ ? head_bytes : size_);
  }

  std::uint64_t size() const { return size_; }

  /// Throws an InputError naming the file and what changed when its size differs.
  void check_size() const {
    const std::uint64_t now = current_size();
    if (now != size_)
      throw InputError(concat(call_, "(): '", path_, "' changed since the source was opened: its size is now ", now,
                              " bytes, was ", size_, " (a source reads the same file in every pass)"));
  }

  /// check_size, and the leading bytes.
  void check() const {
    check_size();
    if (read_head(head_.size()) != head_)
      throw InputError(concat(call_, "(): '", path_, "' changed since the source was opened: its header (the first ",
                              head_.size(), " bytes) differs (a source reads the same file in every pass)"));
  }

 private:
  std::uint64_t current_size() const {
    std::error_code ec;
    const auto n = std::filesystem::file_size(path_, ec);
    if (ec) throw InputError(concat(call_, "(): cannot read the size of '", path_, "' (", ec.message(), ")"));
    return std::uint64_t(n);
  }
  std::string read_head(std::uint64_t n) const {
    std::ifstream in(path_, std::ios::binary);
    if (!in) throw InputError(concat(call_, "(): cannot open '", path_, "'"));
    std::string out(std::size_t(n), '\0');
    in.read(out.data(), std::streamsize(n));
    out.resize(std::size_t(in.gcount()));
    return out;
  }

  std::string path_;
  const char* call_ = "";
  std::uint64_t size_ = 0;
  std::string head_;
};

}  // namespace somtile::detail
