#pragma once
// Raw DEFLATE decoder (RFC 1951), whole or in pieces, and CRC-32, for reading .npz files (zip archives that
// numpy.savez_compressed and scipy.sparse.save_npz write). A straightforward canonical-Huffman
// decoder in the manner of zlib's contrib/puff: stored, fixed and dynamic blocks, bounded in
// every table and length, so corrupt input is an InputError, never a crash or a huge
// allocation (the output size is known from the zip directory and enforced).

#include "somtile/core/error.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace somtile::detail {

inline std::uint32_t crc32(const unsigned char* data, std::size_t size, std::uint32_t crc = 0) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (std::size_t i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

/// A raw DEFLATE stream decoded in pieces: read(dst, n) gives the next n bytes, keeping only
/// the 32 KiB window that back-references need, so a large zip member is inflated in chunks of
/// its output. The input is [in, in + in_size), then, when `refill` is given, the blocks it
/// hands out (refill(p) points p at the next block and returns its size; 0 at the end).
class Inflater {
 public:
  /// `out_size` is the exact decoded size (from the zip directory); `what` names the stream in
  /// messages ("read_sparse_npz(): 'x.npz' entry data.npy").
  Inflater(const unsigned char* in, std::size_t in_size, std::size_t out_size, std::string what,
           std::function<std::size_t(const unsigned char*&)> refill = {})
      : in_(in), in_size_(in_size), out_size_(out_size), what_(std::move(what)), refill_(std::move(refill)) {}

  /// The next n decoded bytes, into dst.
  void read(unsigned char* dst, std::size_t n) {
    std::size_t got = 0;
    while (got < n) step(dst, got, n);
  }

  /// Decodes to the end of the stream after the last byte has been read: more output than
  /// out_size, or a broken end, is an error.
  void finish() {
    unsigned char none;
    while (state_ != State::done) {
      std::size_t got = 0;
      step(&none, got, 1);
    }
  }

  std::size_t produced() const { return produced_; }

  /// The whole output at once.
  std::vector<unsigned char> run() {
    std::vector<unsigned char> out(out_size_);
    read(out.data(), out.size());
    finish();
    return out;
  }

 private:
  static constexpr int max_bits = 15;
  struct Huffman {
    std::array<short, max_bits + 1> count{};
    std::array<short, 288> symbol{};
  };

  [[noreturn]] void fail(const char* why) const { throw InputError(what_ + " " + why); }

  enum class State { header, stored, codes, done };
  static constexpr std::size_t window = std::size_t(1) << 15;  // the farthest a match looks back

  unsigned char in_byte(const char* truncated) {
    if (pos_ == in_size_) {
      if (refill_) {
        in_size_ = refill_(in_);
        pos_ = 0;
      }
      if (pos_ == in_size_) fail(truncated);
    }
    return in_[pos_++];
  }

  unsigned bits(int need) {
    std::uint32_t val = bitbuf_;
    while (bitcnt_ < need) {
      val |= std::uint32_t(in_byte("is truncated (the compressed stream ends early)")) << bitcnt_;
      bitcnt_ += 8;
    }
    bitbuf_ = val >> need;
    bitcnt_ -= need;
    return val & ((1u << need) - 1);
  }

  void emit(unsigned char byte, unsigned char* dst, std::size_t& got) {
    if (produced_ == out_size_) fail("inflates to more bytes than the zip directory says");
    window_[produced_ & (window - 1)] = byte;
    ++produced_;
    dst[got++] = byte;
  }

  // Decodes a little (a block header, a symbol, or bytes of a copy or stored block) into
  // dst[got, n).
  void step(unsigned char* dst, std::size_t& got, std::size_t n) {
    if (copy_len_ > 0) {
      for (; copy_len_ > 0 && got < n; --copy_len_) emit(window_[(produced_ - copy_dist_) & (window - 1)], dst, got);
      return;
    }
    switch (state_) {
      case State::header: {
        if (window_.empty()) window_.resize(window);
        last_ = bits(1) != 0;
        const unsigned type = bits(2);
        if (type == 0)
          stored();
        else if (type == 1)
          fixed();
        else if (type == 2)
          dynamic();
        else
          fail("has an invalid block type");
        return;
      }
      case State::stored:
        for (; stored_left_ > 0 && got < n; --stored_left_) emit(in_byte("is truncated (a stored block)"), dst, got);
        if (stored_left_ == 0) end_block();
        return;
      case State::codes: {
        static constexpr short lbase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                            31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
        static constexpr short lext[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                           2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
        static constexpr short dbase[30] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                            33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                            1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
        static constexpr short dext[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                           6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
        while (got < n) {  // symbols until the output asked for is there or the block ends
          int symbol = decode(lencode_);
          if (symbol < 256) {
            emit(static_cast<unsigned char>(symbol), dst, got);
            continue;
          }
          if (symbol == 256) {
            end_block();
            return;
          }
          symbol -= 257;
          if (symbol >= 29) fail("has an invalid length symbol");
          const std::size_t len = std::size_t(lbase[symbol]) + bits(lext[symbol]);
          const int dsym = decode(distcode_);
          if (dsym >= 30) fail("has an invalid distance symbol");
          const std::size_t dist = std::size_t(dbase[dsym]) + bits(dext[dsym]);
          if (dist > produced_) fail("refers back before the start of the data");
          if (out_size_ - produced_ < len) fail("inflates to more bytes than the zip directory says");
          copy_len_ = len;
          copy_dist_ = dist;
          for (; copy_len_ > 0 && got < n; --copy_len_)
            emit(window_[(produced_ - copy_dist_) & (window - 1)], dst, got);
        }
        return;
      }
      case State::done:
        fail("inflates to fewer bytes than the zip directory says");
    }
  }

  void end_block() { state_ = last_ ? State::done : State::header; }

  // Builds the decoding tables from code lengths; false if the lengths over-subscribe the code
  // (an incomplete code is allowed, as in puff, only for a single-code distance tree).
  static int construct(Huffman& h, const short* length, int n) {
    h.count.fill(0);
    for (int s = 0; s < n; ++s) h.count[std::size_t(length[s])]++;
    if (h.count[0] == n) return 0;
    int left = 1;
    for (int len = 1; len <= max_bits; ++len) {
      left <<= 1;
      left -= h.count[std::size_t(len)];
      if (left < 0) return -1;
    }
    std::array<short, max_bits + 1> offs{};
    for (int len = 1; len < max_bits; ++len)
      offs[std::size_t(len + 1)] = short(offs[std::size_t(len)] + h.count[std::size_t(len)]);
    for (int s = 0; s < n; ++s)
      if (length[s] != 0) h.symbol[std::size_t(offs[std::size_t(length[s])]++)] = short(s);
    return left;
  }

  int decode(const Huffman& h) {
    int code = 0, first = 0, index = 0;
    for (int len = 1; len <= max_bits; ++len) {
      code |= int(bits(1));
      const int count = h.count[std::size_t(len)];
      if (code - count < first) return h.symbol[std::size_t(index + (code - first))];
      index += count;
      first += count;
      first <<= 1;
      code <<= 1;
    }
    fail("has an invalid Huffman code");
  }

  void stored() {
    bitbuf_ = 0;
    bitcnt_ = 0;
    unsigned char h[4];
    for (auto& byte : h) byte = in_byte("is truncated (a stored block header)");
    const unsigned len = h[0] | unsigned(h[1]) << 8;
    const unsigned nlen = h[2] | unsigned(h[3]) << 8;
    if (len != (~nlen & 0xffffu)) fail("has a stored block with a bad length check");
    if (out_size_ - produced_ < len) fail("inflates to more bytes than the zip directory says");
    stored_left_ = len;
    state_ = State::stored;
  }

  void fixed() {
    if (!fixed_built_) {
      short lengths[288];
      int s = 0;
      for (; s < 144; ++s) lengths[s] = 8;
      for (; s < 256; ++s) lengths[s] = 9;
      for (; s < 280; ++s) lengths[s] = 7;
      for (; s < 288; ++s) lengths[s] = 8;
      construct(fixed_len_, lengths, 288);
      for (s = 0; s < 30; ++s) lengths[s] = 5;
      construct(fixed_dist_, lengths, 30);
      fixed_built_ = true;
    }
    lencode_ = fixed_len_;
    distcode_ = fixed_dist_;
    state_ = State::codes;
  }

  void dynamic() {
    static constexpr short order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    const int nlen = int(bits(5)) + 257, ndist = int(bits(5)) + 1, ncode = int(bits(4)) + 4;
    if (nlen > 286 || ndist > 30) fail("has a dynamic block with too many codes");
    short lengths[320] = {};
    int index = 0;
    for (; index < ncode; ++index) lengths[order[index]] = short(bits(3));
    for (; index < 19; ++index) lengths[order[index]] = 0;
    Huffman& lencode = lencode_;
    Huffman& distcode = distcode_;
    if (construct(lencode, lengths, 19) != 0) fail("has an incomplete code-length code");
    index = 0;
    while (index < nlen + ndist) {
      int symbol = decode(lencode);
      if (symbol < 16) {
        lengths[index++] = short(symbol);
      } else {
        short len = 0;
        if (symbol == 16) {
          if (index == 0) fail("repeats a code length before the first one");
          len = lengths[index - 1];
          symbol = 3 + int(bits(2));
        } else if (symbol == 17) {
          symbol = 3 + int(bits(3));
        } else {
          symbol = 11 + int(bits(7));
        }
        if (index + symbol > nlen + ndist) fail("has too many code lengths");
        while (symbol--) lengths[index++] = len;
      }
    }
    if (lengths[256] == 0) fail("has no end-of-block code");
    const int err = construct(lencode, lengths, nlen);
    if (err < 0 || (err > 0 && nlen - lencode.count[0] != 1)) fail("has an incomplete literal/length code");
    const int derr = construct(distcode, lengths + nlen, ndist);
    if (derr < 0 || (derr > 0 && ndist - distcode.count[0] != 1)) fail("has an incomplete distance code");
    state_ = State::codes;
  }

  const unsigned char* in_;
  std::size_t in_size_, pos_ = 0, out_size_;
  std::string what_;
  std::function<std::size_t(const unsigned char*&)> refill_;
  std::uint32_t bitbuf_ = 0;
  int bitcnt_ = 0;
  State state_ = State::header;
  bool last_ = false;
  std::size_t produced_ = 0, stored_left_ = 0, copy_len_ = 0, copy_dist_ = 0;
  std::vector<unsigned char> window_;  // the last 32 KiB of output, at produced_ mod 32 KiB
  Huffman lencode_, distcode_, fixed_len_, fixed_dist_;
  bool fixed_built_ = false;
};

/// Inflates a raw DEFLATE stream that must decode to exactly out_size bytes.
inline std::vector<unsigned char> inflate(const unsigned char* in, std::size_t in_size, std::size_t out_size,
                                          const std::string& what) {
  return Inflater(in, in_size, out_size, what).run();
}

}  // namespace somtile::detail
