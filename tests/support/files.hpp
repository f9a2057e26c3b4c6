#pragma once
// Whole files as bytes, for tests that write damaged or hand-made files.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

namespace test_support {

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::remove(path.c_str());  // truncating in place makes ext4 flush on close: 100x slower
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}
inline bool file_exists(const std::string& path) { return std::ifstream(path).good(); }

}  // namespace test_support
