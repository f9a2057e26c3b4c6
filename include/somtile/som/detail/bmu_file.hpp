#pragma once
// The file behind Som::predict(source, path): a 1-D int64 .npy written as the BMUs are found.
// The count is not known until the pass ends, so the header reserves room for any count (its
// dict padded with spaces to a fixed 128 bytes) and is rewritten at the end. Everything goes to
// "<path>.part", renamed over `path` only once the pass is complete; a failed pass removes it.

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace somtile::detail {

class BmuFile {
 public:
  BmuFile(const std::string& path, const char* call) : path_(path), part_(path + ".part"), call_(call) {
    const std::uint16_t probe = 1;
    if (*reinterpret_cast<const unsigned char*>(&probe) != 1)
      throw InputError(concat(call, "(): big-endian hosts are not supported"));
    out_.open(part_, std::ios::binary | std::ios::trunc);
    if (!out_) throw InputError(concat(call, "(): cannot write '", part_, "'"));
    write_header(0);
  }
  BmuFile(const BmuFile&) = delete;
  BmuFile& operator=(const BmuFile&) = delete;
  ~BmuFile() {
    if (done_) return;
    out_.close();
    std::remove(part_.c_str());  // an incomplete pass leaves nothing that looks like a result
  }

  void append(const Labels& bmu) {
    buffer_.assign(bmu.data(), bmu.data() + bmu.size());
    out_.write(reinterpret_cast<const char*>(buffer_.data()), std::streamsize(buffer_.size() * sizeof(std::int64_t)));
    if (!out_) throw InputError(concat(call_, "(): writing '", part_, "' failed (disk full?)"));
    count_ += bmu.size();
  }

  /// Rewrites the header with the count, closes and renames the file over the path.
  void finish() {
    out_.seekp(0);
    write_header(count_);
    out_.close();
    if (!out_) throw InputError(concat(call_, "(): writing '", part_, "' failed (disk full?)"));
    if (std::rename(part_.c_str(), path_.c_str()) != 0)
      throw InputError(concat(call_, "(): cannot rename '", part_, "' to '", path_, "'"));
    done_ = true;
  }

 private:
  static constexpr std::size_t header_bytes = 128;  // magic, version, length, dict and '\n'

  void write_header(Index count) {
    std::string dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (" + std::to_string(count) + ",), }";
    dict.resize(header_bytes - 10 - 1, ' ');
    dict += '\n';
    const char prefix[10] = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0, char(dict.size() & 0xff), char(dict.size() >> 8)};
    out_.write(prefix, 10);
    out_.write(dict.data(), std::streamsize(dict.size()));
    if (!out_) throw InputError(concat(call_, "(): writing '", part_, "' failed"));
  }

  std::string path_, part_;
  const char* call_;
  std::ofstream out_;
  std::vector<std::int64_t> buffer_;
  Index count_ = 0;
  bool done_ = false;
};

}  // namespace somtile::detail
