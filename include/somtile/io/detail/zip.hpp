#pragma once
// The zip archives behind .npz files (io/sparse_npz.hpp, io/npz_source.hpp): ZipReader lists
// the central directory (zip64 records included) and reads a member, stored or deflated
// (io/detail/inflate.hpp), whole or in pieces (ZipMemberReader), checking its CRC-32;
// stored_zip writes an archive of stored members.
// Every size read from the file is checked against the file's length before it is used.

#include "somtile/core/error.hpp"
#include "somtile/io/detail/bytes.hpp"
#include "somtile/io/detail/inflate.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
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

/// The bytes of one zip member, read in pieces: stored members straight from the file,
/// deflated ones through a streaming Inflater, 64 KiB of input at a time. The CRC-32 is
/// checked when the last byte has been read (finish() reads what is left).
class ZipMemberReader {
 public:
  ZipMemberReader() = default;
  ZipMemberReader(const std::string& path, const ZipEntry& z, std::uint64_t start, const std::string& what)
      : input_(std::make_unique<Input>()), size_(z.size), crc_expected_(z.crc) {
    Input& input = *input_;
    input.what = what;
    input.packed_left = z.compressed;
    input.file.open(path, std::ios::binary);
    if (!input.file) throw InputError(concat(what, " cannot be read"));
    input.file.seekg(std::streamoff(start));
    if (z.method == 8)
      inflater_ = std::make_unique<Inflater>(nullptr, 0, std::size_t(z.size), what,
                                             [in = input_.get()](const unsigned char*& p) { return in->refill(p); });
  }

  std::uint64_t left() const { return size_ - read_; }  ///< bytes not read yet

  /// The next n bytes (n <= left()).
  void read(unsigned char* dst, std::size_t n) {
    if (n > left()) throw InputError(concat(input_->what, " ends before the bytes its array needs"));
    if (inflater_)
      inflater_->read(dst, n);
    else
      input_->read(dst, n);
    crc_ = crc32(dst, n, crc_);
    read_ += n;
  }

  /// Reads what is left (checking the end of a deflated stream) and the CRC-32.
  void finish() {
    std::vector<unsigned char> rest(std::size_t(std::min<std::uint64_t>(left(), std::uint64_t(1) << 16)));
    while (left() > 0) read(rest.data(), std::size_t(std::min<std::uint64_t>(left(), rest.size())));
    if (inflater_) inflater_->finish();
    if (crc_ != crc_expected_) throw InputError(concat(input_->what, " fails its CRC-32 check"));
  }

 private:
  // The file side, behind a pointer so that the inflater's refill keeps pointing at it when the
  // reader moves.
  struct Input {
    std::ifstream file;
    std::vector<unsigned char> buffer;
    std::uint64_t packed_left = 0;
    std::string what;
    void read(unsigned char* dst, std::size_t n) {
      if (n > 0 && !file.read(reinterpret_cast<char*>(dst), std::streamsize(n)))
        throw InputError(concat(what, " cannot be read (the file is shorter than its directory says)"));
    }
    std::size_t refill(const unsigned char*& p) {  // the next block of compressed bytes
      const auto n = std::size_t(std::min<std::uint64_t>(packed_left, std::uint64_t(1) << 16));
      buffer.resize(n);
      read(buffer.data(), n);
      packed_left -= n;
      p = buffer.data();
      return n;
    }
  };
  std::unique_ptr<Input> input_;
  std::uint64_t size_ = 0, read_ = 0;
  std::uint32_t crc_ = 0, crc_expected_ = 0;
  std::unique_ptr<Inflater> inflater_;
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
    ZipMemberReader member = open(z);
    std::vector<unsigned char> bytes(static_cast<std::size_t>(z.size));
    member.read(bytes.data(), bytes.size());
    member.finish();
    return bytes;
  }

  /// A reader of the entry's bytes in pieces (its own file handle), checked as read() checks.
  ZipMemberReader open(const ZipEntry& z) {
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
    if (z.method == 0 && z.compressed != z.size) throw InputError(concat(what, " is stored with two different sizes"));
    // DEFLATE expands at most 1032:1; a larger claim is corrupt (and must not be allocated).
    if (z.method == 8 && z.size / 1032 > z.compressed + 1)
      throw InputError(concat(what, " claims an impossible inflated size"));
    if (z.size > std::uint64_t(std::numeric_limits<std::size_t>::max() / 2))
      throw InputError(concat(what, " is too large"));
    return ZipMemberReader(path_, z, start, what);
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
