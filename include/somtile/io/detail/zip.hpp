#pragma once
// The zip archives behind .npz files (io/sparse_npz.hpp): ZipReader lists the central
// directory (zip64 records included) and reads a member, stored or deflated (io/detail/
// inflate.hpp), checking its CRC-32; stored_zip writes an archive of stored members.
// Every size read from the file is checked against the file's length before it is used.

#include "somtile/core/error.hpp"
#include "somtile/io/detail/bytes.hpp"
#include "somtile/io/detail/inflate.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace somtile::detail {

/// One member of a zip archive, from its central directory.
struct ZipEntry {
  std::string name;
  unsigned method = 0, flags = 0;
  std::uint32_t crc = 0;
  std::uint64_t compressed = 0, size = 0, offset = 0;
};

class ZipReader {
 public:
  ZipReader(const std::string& path, const char* call) : path_(path), where_(concat(call, "(): '", path, "'")) {
    in_.open(path, std::ios::binary);
    if (!in_) throw InputError(concat(call, "(): cannot open '", path, "'"));
    in_.seekg(0, std::ios::end);
    file_size_ = std::uint64_t(in_.tellg());
    // The end-of-central-directory record: the last 22 bytes plus a comment of up to 65535.
    const std::uint64_t tail = std::min<std::uint64_t>(file_size_, 22 + 65535);
    const std::vector<unsigned char> t = read_at(file_size_ - tail, tail);
    std::int64_t eocd = -1;
    for (std::int64_t k = std::int64_t(tail) - 22; k >= 0; --k)
      if (read_le(&t[std::size_t(k)], 4) == 0x06054b50u) {
        eocd = k;
        break;
      }
    if (eocd < 0) throw InputError(concat(where_, " is not a zip archive (.npz): no end of central directory"));
    const unsigned char* e = &t[std::size_t(eocd)];
    std::uint64_t count = read_le(e + 10, 2), cd_size = read_le(e + 12, 4), cd_offset = read_le(e + 16, 4);
    const std::uint64_t eocd_pos = file_size_ - tail + std::uint64_t(eocd);
    if (count == 0xffff || cd_size == 0xffffffffu || cd_offset == 0xffffffffu) {  // zip64
      if (eocd_pos < 20) throw InputError(concat(where_, " has a malformed zip64 directory"));
      const auto loc = read_at(eocd_pos - 20, 20);
      if (read_le(loc.data(), 4) != 0x07064b50u) throw InputError(concat(where_, " has a malformed zip64 directory"));
      const std::uint64_t rec_pos = read_le(loc.data() + 8, 8);
      if (rec_pos > file_size_ || file_size_ - rec_pos < 56)
        throw InputError(concat(where_, " has a malformed zip64 directory"));
      const auto rec = read_at(rec_pos, 56);
      if (read_le(rec.data(), 4) != 0x06064b50u) throw InputError(concat(where_, " has a malformed zip64 directory"));
      count = read_le(rec.data() + 32, 8);
      cd_size = read_le(rec.data() + 40, 8);
      cd_offset = read_le(rec.data() + 48, 8);
    }
    if (cd_offset > file_size_ || cd_size > file_size_ - cd_offset || count > cd_size / 46)
      throw InputError(concat(where_, " has a central directory outside the file"));
    const auto cd = read_at(cd_offset, cd_size);
    std::size_t p = 0;
    for (std::uint64_t k = 0; k < count; ++k) {
      if (cd.size() - p < 46 || read_le(&cd[p], 4) != 0x02014b50u)
        throw InputError(concat(where_, " has a malformed central directory"));
      ZipEntry z;
      z.flags = unsigned(read_le(&cd[p + 8], 2));
      z.method = unsigned(read_le(&cd[p + 10], 2));
      z.crc = std::uint32_t(read_le(&cd[p + 16], 4));
      z.compressed = read_le(&cd[p + 20], 4);
      z.size = read_le(&cd[p + 24], 4);
      const std::size_t n = std::size_t(read_le(&cd[p + 28], 2)), x = std::size_t(read_le(&cd[p + 30], 2)),
                        c = std::size_t(read_le(&cd[p + 32], 2));
      z.offset = read_le(&cd[p + 42], 4);
      if (cd.size() - p - 46 < n + x + c) throw InputError(concat(where_, " has a malformed central directory"));
      z.name.assign(reinterpret_cast<const char*>(&cd[p + 46]), n);
      // Zip64 extra field: the 8-byte values of the fields saturated above, in this order.
      for (std::size_t q = p + 46 + n, qe = q + x; qe - q >= 4;) {
        const auto id = read_le(&cd[q], 2), len = std::size_t(read_le(&cd[q + 2], 2));
        if (qe - q - 4 < len) break;
        if (id == 1) {
          std::size_t r = q + 4;
          const std::size_t re = r + len;
          for (std::uint64_t* field : {&z.size, &z.compressed, &z.offset})
            if (*field == 0xffffffffu) {
              if (re - r < 8) throw InputError(concat(where_, " has a malformed zip64 field"));
              *field = read_le(&cd[r], 8);
              r += 8;
            }
        }
        q += 4 + len;
      }
      entries_.push_back(z);
      p += 46 + n + x + c;
    }
  }

  const ZipEntry* find(const std::string& name) const {
    for (const auto& z : entries_)
      if (z.name == name) return &z;
    return nullptr;
  }
  const std::vector<ZipEntry>& entries() const { return entries_; }

  /// The entry's bytes, inflated if needed, CRC-checked.
  std::vector<unsigned char> read(const ZipEntry& z) {
    const std::string what = concat(where_, " entry ", z.name);
    if (z.flags & 1) throw InputError(concat(what, " is encrypted"));
    if (z.method != 0 && z.method != 8)
      throw InputError(
          concat(what, " uses zip compression method ", z.method, "; only stored (0) and deflate (8) are read"));
    if (z.offset > file_size_ || file_size_ - z.offset < 30) throw InputError(concat(what, " lies outside the file"));
    const auto local = read_at(z.offset, 30);
    if (read_le(local.data(), 4) != 0x04034b50u) throw InputError(concat(what, " has no local header"));
    const std::uint64_t start = z.offset + 30 + read_le(&local[26], 2) + read_le(&local[28], 2);
    if (start > file_size_ || file_size_ - start < z.compressed) throw InputError(concat(what, " is truncated"));
    std::vector<unsigned char> bytes;
    if (z.method == 0) {
      if (z.compressed != z.size) throw InputError(concat(what, " is stored with two different sizes"));
      bytes = read_at(start, z.compressed);
    } else {
      // DEFLATE expands at most 1032:1; a larger claim is corrupt (and must not be allocated).
      if (z.size / 1032 > z.compressed + 1) throw InputError(concat(what, " claims an impossible inflated size"));
      const auto packed = read_at(start, z.compressed);
      bytes = inflate(packed.data(), packed.size(), std::size_t(z.size), what);
    }
    if (crc32(bytes.data(), bytes.size()) != z.crc) throw InputError(concat(what, " fails its CRC-32 check"));
    return bytes;
  }

  const std::string& where() const { return where_; }

 private:
  std::vector<unsigned char> read_at(std::uint64_t offset, std::uint64_t size) {
    if (offset > file_size_ || size > file_size_ - offset) throw InputError(concat(where_, " is truncated"));
    std::vector<unsigned char> out(static_cast<std::size_t>(size));
    in_.clear();
    in_.seekg(std::streamoff(offset));
    if (size > 0 && !in_.read(reinterpret_cast<char*>(out.data()), std::streamsize(size)))
      throw InputError(concat(where_, " cannot be read"));
    return out;
  }

  std::string path_, where_;
  std::ifstream in_;
  std::uint64_t file_size_ = 0;
  std::vector<ZipEntry> entries_;
};

/// A file of a zip archive being written: its name and its bytes.
struct ZipMember {
  std::string name;
  std::string bytes;
};

/// The bytes of a zip archive that stores `members` uncompressed (no zip64: an archive over
/// 4 GiB is an InputError naming `call` and `path`).
inline std::string stored_zip(const std::vector<ZipMember>& members, const char* call, const std::string& path) {
  std::string out, directory;
  for (const ZipMember& m : members) {
    const std::uint64_t offset = out.size();
    const auto crc = crc32(reinterpret_cast<const unsigned char*>(m.bytes.data()), m.bytes.size());
    const std::size_t name_len = m.name.size();
    if (m.bytes.size() >= 0xffffffffu || offset >= 0xffffffffu)
      throw InputError(concat(call, "(): '", path, "' would exceed 4 GiB"));
    // Local header: signature, version 2.0, flags 0, method 0 (stored), time, date, CRC, sizes.
    append_le(out, 0x04034b50u, 4);
    append_le(out, 20, 2);
    append_le(out, 0, 2);
    append_le(out, 0, 2);
    append_le(out, 0, 2);
    append_le(out, 0x21, 2);  // 1980-01-01
    append_le(out, crc, 4);
    append_le(out, m.bytes.size(), 4);
    append_le(out, m.bytes.size(), 4);
    append_le(out, name_len, 2);
    append_le(out, 0, 2);
    out += m.name;
    out += m.bytes;
    // Central directory header.
    append_le(directory, 0x02014b50u, 4);
    append_le(directory, 20, 2);
    append_le(directory, 20, 2);
    append_le(directory, 0, 2);
    append_le(directory, 0, 2);
    append_le(directory, 0, 2);
    append_le(directory, 0x21, 2);
    append_le(directory, crc, 4);
    append_le(directory, m.bytes.size(), 4);
    append_le(directory, m.bytes.size(), 4);
    append_le(directory, name_len, 2);
    append_le(directory, 0, 2);
    append_le(directory, 0, 2);
    append_le(directory, 0, 2);
    append_le(directory, 0, 2);
    append_le(directory, 0x01800000u, 4);  // external attributes: -rw-------
    append_le(directory, offset, 4);
    directory += m.name;
  }
  if (out.size() + directory.size() >= 0xffffffffu)
    throw InputError(concat(call, "(): '", path, "' would exceed 4 GiB"));
  const std::uint64_t cd_offset = out.size();
  out += directory;
  append_le(out, 0x06054b50u, 4);
  append_le(out, 0, 2);
  append_le(out, 0, 2);
  append_le(out, 5, 2);
  append_le(out, 5, 2);
  append_le(out, directory.size(), 4);
  append_le(out, cd_offset, 4);
  append_le(out, 0, 2);
  return out;
}

}  // namespace somtile::detail
