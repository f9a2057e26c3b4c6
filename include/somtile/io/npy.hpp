#pragma once
// NumPy .npy reader for 1-D and 2-D arrays of little-endian float32 / float64 in C order
// (format versions 1, 2 and 3). Anything else is an InputError that says why.
// Format: "\x93NUMPY", major, minor, header length (2 bytes LE in v1, 4 bytes in v2/v3), a
// Python dict literal {'descr': '<f8', 'fortran_order': False, 'shape': (n, m), }, then data.

#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace somtile {

namespace detail {

/// The value text after 'key': in the header dict (up to the next ',' or, for tuples, ')').
inline std::string npy_field(const std::string& header, const std::string& key, const std::string& path) {
  const auto at = header.find("'" + key + "'");
  if (at == std::string::npos)
    throw InputError(concat("read_npy(): '", path, "' has no '", key, "' in its header"));
  auto begin = header.find(':', at);
  if (begin != std::string::npos) begin = header.find_first_not_of(' ', begin + 1);
  if (begin == std::string::npos) throw InputError(concat("read_npy(): '", path, "' has a malformed header"));
  auto end = header[begin] == '(' ? header.find(')', begin) : header.find_first_of(",}", begin);
  if (end == std::string::npos) throw InputError(concat("read_npy(): '", path, "' has a malformed header"));
  if (header[begin] == '(') ++end;
  return header.substr(begin, end - begin);
}

/// Extents of a shape tuple "(n, m)", "(n,)" or "()"; throws on anything else.
inline std::vector<Index> npy_shape(const std::string& text, const std::string& path) {
  const auto malformed = [&] {
    return InputError(concat("read_npy(): '", path, "' has a malformed shape ", text));
  };
  std::vector<Index> shape;
  std::size_t i = 1;  // inside the parentheses, which npy_field guarantees
  while (i + 1 < text.size()) {
    const auto next = std::min(text.find(',', i), text.size() - 1);
    const std::string part = text.substr(i, next - i);
    const auto b = part.find_first_not_of(' '), e = part.find_last_not_of(' ');
    if (b != std::string::npos) {
      const std::string digits = part.substr(b, e - b + 1);
      const bool negative = digits[0] == '-';
      if (digits.size() == std::size_t(negative) ||
          digits.find_first_not_of("0123456789", std::size_t(negative)) != std::string::npos)
        throw malformed();
      errno = 0;
      const long long extent = std::strtoll(digits.c_str(), nullptr, 10);
      if (errno == ERANGE)
        throw InputError(concat("read_npy(): '", path, "' has an extent out of range in ", text));
      shape.push_back(Index(extent));
    } else if (next != text.size() - 1) {
      throw malformed();  // an empty entry before a comma: "(,)" or "(2,,3)"
    }
    i = next + 1;
  }
  return shape;
}

inline bool little_endian_host() {
  const std::uint16_t one = 1;
  unsigned char byte;
  std::memcpy(&byte, &one, 1);
  return byte == 1;
}

}  // namespace detail

/// Reads a 2-D (or 1-D, as one column) float32/float64 C-order array as doubles.
template <typename = void>
RowMatrix<double> read_npy(const std::string& path) {
  using detail::concat;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(concat("read_npy(): cannot open '", path, "'"));
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    throw InputError(concat("read_npy(): '", path, "' is not a .npy file (bad magic string)"));
  const int major = static_cast<unsigned char>(magic[6]);
  std::uint32_t header_length = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!in.read(reinterpret_cast<char*>(b), 2)) throw InputError(concat("read_npy(): '", path, "' is truncated"));
    header_length = std::uint32_t(b[0]) | std::uint32_t(b[1]) << 8;
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char*>(b), 4)) throw InputError(concat("read_npy(): '", path, "' is truncated"));
    header_length = std::uint32_t(b[0]) | std::uint32_t(b[1]) << 8 | std::uint32_t(b[2]) << 16 | std::uint32_t(b[3]) << 24;
  } else {
    throw InputError(concat("read_npy(): '", path, "' has format version ", major, ", expected 1, 2 or 3"));
  }
  // Sizes from the header are checked against the bytes the file has before anything is
  // allocated, so a corrupt header cannot ask for gigabytes.
  const auto here = in.tellg();
  in.seekg(0, std::ios::end);
  const auto remaining = std::uint64_t(in.tellg() - here);
  in.seekg(here);
  if (header_length > remaining)
    throw InputError(concat("read_npy(): '", path, "' is truncated in its header"));
  std::string header(header_length, '\0');
  if (!in.read(header.data(), std::streamsize(header_length)))
    throw InputError(concat("read_npy(): '", path, "' is truncated in its header"));

  const std::string descr = detail::npy_field(header, "descr", path);
  std::size_t item = 0;
  if (descr == "'<f8'" || (descr == "'=f8'" && detail::little_endian_host())) item = 8;
  else if (descr == "'<f4'" || (descr == "'=f4'" && detail::little_endian_host())) item = 4;
  else
    throw InputError(concat("read_npy(): '", path, "' holds dtype ", descr,
                            "; only little-endian float32 ('<f4') and float64 ('<f8') are supported"));
  if (!detail::little_endian_host())
    throw InputError("read_npy(): big-endian hosts are not supported");
  if (detail::npy_field(header, "fortran_order", path) != "False")
    throw InputError(concat("read_npy(): '", path, "' is in Fortran order; only C order is supported"));

  const std::string shape_text = detail::npy_field(header, "shape", path);
  const std::vector<Index> shape = detail::npy_shape(shape_text, path);
  if (shape.empty() || shape.size() > 2)
    throw InputError(concat("read_npy(): '", path, "' has shape ", shape_text, "; only 1-D and 2-D arrays are supported"));
  const Index rows = shape[0], cols = shape.size() == 2 ? shape[1] : 1;
  if (rows < 0 || cols < 0) throw InputError(concat("read_npy(): '", path, "' has a negative extent in ", shape_text));

  const std::uint64_t data_bytes = remaining - header_length;
  if (cols != 0 && std::uint64_t(rows) > data_bytes / item / std::uint64_t(cols)) {
    const long double needed = static_cast<long double>(rows) * static_cast<long double>(cols) * item;
    throw InputError(concat("read_npy(): '", path, "' is truncated: shape ", shape_text, " needs ",
                            needed < 1e19L ? std::to_string(std::uint64_t(needed)) : std::string("over 1e19"),
                            " data bytes"));
  }
  const std::size_t count = std::size_t(rows) * std::size_t(cols);
  std::vector<char> bytes(count * item);
  if (!in.read(bytes.data(), std::streamsize(bytes.size())))
    throw InputError(concat("read_npy(): '", path, "' is truncated: shape ", shape_text, " needs ", bytes.size(),
                            " data bytes"));
  RowMatrix<double> X(rows, cols);
  for (std::size_t k = 0; k < count; ++k) {
    if (item == 8) {
      double v;
      std::memcpy(&v, bytes.data() + k * 8, 8);
      X.data()[k] = v;
    } else {
      float v;
      std::memcpy(&v, bytes.data() + k * 4, 4);
      X.data()[k] = double(v);
    }
  }
  return X;
}

}  // namespace somtile
