#pragma once
// Little-endian integers in byte buffers, as the .npy and zip formats store them.

#include <cstdint>
#include <string>

namespace somtile::detail {

/// The unsigned little-endian integer of `bytes` bytes at p.
inline std::uint64_t read_le(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int k = bytes - 1; k >= 0; --k) v = v << 8 | p[k];
  return v;
}

/// Appends the low `bytes` bytes of v, little-endian.
inline void append_le(std::string& s, std::uint64_t v, int bytes) {
  for (int k = 0; k < bytes; ++k) s += char((v >> (8 * k)) & 0xff);
}

}  // namespace somtile::detail
