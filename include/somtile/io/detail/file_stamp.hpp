#pragma once
// What a streaming source (io/chunk_source.hpp) remembers of its file to notice that the file
// changed between passes: its size, its leading bytes (the header) and, for a zip archive, its
// last bytes (the directory). A source that read another file in a later pass would train on
// data nobody asked for. Sources open the file anew at each rewind(), so a file replaced
// under the same name is the one checked and the one read.

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
  /// Records the size of `path`, its first min(size, head_bytes) bytes and its last
  /// min(size, tail_bytes) bytes (a zip archive's directory).
  FileStamp(std::string path, std::uint64_t head_bytes, const char* call, std::uint64_t tail_bytes = 0)
      : path_(std::move(path)), call_(call) {
    size_ = current_size();
    head_ = read_part(0, head_bytes < size_ ? head_bytes : size_);
    tail_size_ = tail_bytes < size_ ? tail_bytes : size_;
    tail_ = read_part(size_ - tail_size_, tail_size_);
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
    if (read_part(0, head_.size()) != head_)
      throw InputError(concat(call_, "(): '", path_, "' changed since the source was opened: its header (the first ",
                              head_.size(), " bytes) differs (a source reads the same file in every pass)"));
    if (read_part(size_ - tail_size_, tail_size_) != tail_)
      throw InputError(concat(call_, "(): '", path_, "' changed since the source was opened: its last ", tail_size_,
                              " bytes differ (a source reads the same file in every pass)"));
  }

 private:
  std::uint64_t current_size() const {
    std::error_code ec;
    const auto n = std::filesystem::file_size(path_, ec);
    if (ec) throw InputError(concat(call_, "(): cannot read the size of '", path_, "' (", ec.message(), ")"));
    return std::uint64_t(n);
  }
  std::string read_part(std::uint64_t offset, std::uint64_t n) const {
    if (n == 0) return {};
    std::ifstream in(path_, std::ios::binary);
    if (!in) throw InputError(concat(call_, "(): cannot open '", path_, "'"));
    in.seekg(std::streamoff(offset));
    std::string out(std::size_t(n), '\0');
    in.read(out.data(), std::streamsize(n));
    out.resize(std::size_t(in.gcount()));
    return out;
  }

  std::string path_;
  const char* call_ = "";
  std::uint64_t size_ = 0, tail_size_ = 0;
  std::string head_, tail_;
};

}  // namespace somtile::detail
