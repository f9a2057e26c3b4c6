#pragma once
// NumPy .npy reader for 1-D and 2-D arrays of little-endian float32 / float64 in C order
// (format versions 1, 2 and 3), and writer of 2-D float / double matrices (version 1).
// Anything else is an InputError that says why.
// Format: "\x93NUMPY", major, minor, header length (2 bytes LE in v1, 4 bytes in v2/v3), a
// Python dict literal {'descr': '<f8', 'fortran_order': False, 'shape': (n, m), }, then data.

#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <type_traits>
#include <vector>

namespace somtile {

namespace detail {

/// The value text after 'key': in the header dict (up to the next ',' or, for tuples, ')').
inline std::string npy_field(const std::string& header, const std::string& key, const std::string& path,
                             const char* call = "read_npy") {
  const auto at = header.find("'" + key + "'");
  if (at == std::string::npos)
    throw InputError(concat(call, "(): '", path, "' has no '", key, "' in its header"));
  auto begin = header.find(':', at);
  if (begin != std::string::npos) begin = header.find_first_not_of(' ', begin + 1);
  if (begin == std::string::npos) throw InputError(concat(call, "(): '", path, "' has a malformed header"));
  auto end = header[begin] == '(' ? header.find(')', begin) : header.find_first_of(",}", begin);
  if (end == std::string::npos) throw InputError(concat(call, "(): '", path, "' has a malformed header"));
  if (header[begin] == '(') ++end;
  return header.substr(begin, end - begin);
}

/// Extents of a shape tuple "(n, m)", "(n,)" or "()"; throws on anything else.
inline std::vector<Index> npy_shape(const std::string& text, const std::string& path,
                                    const char* call = "read_npy") {
  const auto malformed = [&] {
    return InputError(concat(call, "(): '", path, "' has a malformed shape ", text));
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
        throw InputError(concat(call, "(): '", path, "' has an extent out of range in ", text));
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

namespace detail {

/// A C-order array read from a .npy file, values as doubles.
struct NpyArray {
  std::vector<Index> shape;
  std::string shape_text;  ///< as the header wrote it, for messages
  std::vector<double> values;
};

/// Reads a float32/float64 C-order array of min_dims..max_dims dimensions; errors name `call`.
inline NpyArray read_npy_array(const std::string& path, const char* call, std::size_t min_dims, std::size_t max_dims,
                               const char* dims_text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(concat(call, "(): cannot open '", path, "'"));
  const std::string where = concat(call, "(): '", path, "'");
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    throw InputError(concat(where, " is not a .npy file (bad magic string)"));
  const int major = static_cast<unsigned char>(magic[6]);
  std::uint32_t header_length = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!in.read(reinterpret_cast<char*>(b), 2)) throw InputError(concat(where, " is truncated"));
    header_length = std::uint32_t(b[0]) | std::uint32_t(b[1]) << 8;
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char*>(b), 4)) throw InputError(concat(where, " is truncated"));
    header_length = std::uint32_t(b[0]) | std::uint32_t(b[1]) << 8 | std::uint32_t(b[2]) << 16 | std::uint32_t(b[3]) << 24;
  } else {
    throw InputError(concat(where, " has format version ", major, ", expected 1, 2 or 3"));
  }
  // Sizes from the header are checked against the bytes the file has before anything is
  // allocated, so a corrupt header cannot ask for gigabytes.
  const auto here = in.tellg();
  in.seekg(0, std::ios::end);
  const auto remaining = std::uint64_t(in.tellg() - here);
  in.seekg(here);
  if (header_length > remaining) throw InputError(concat(where, " is truncated in its header"));
  std::string header(header_length, '\0');
  if (!in.read(header.data(), std::streamsize(header_length)))
    throw InputError(concat(where, " is truncated in its header"));

  const std::string descr = npy_field(header, "descr", path, call);
  std::size_t item = 0;
  if (descr == "'<f8'" || (descr == "'=f8'" && little_endian_host())) item = 8;
  else if (descr == "'<f4'" || (descr == "'=f4'" && little_endian_host())) item = 4;
  else
    throw InputError(concat(where, " holds dtype ", descr,
                            "; only little-endian float32 ('<f4') and float64 ('<f8') are supported"));
  if (!little_endian_host()) throw InputError(concat(call, "(): big-endian hosts are not supported"));
  if (npy_field(header, "fortran_order", path, call) != "False")
    throw InputError(concat(where, " is in Fortran order; only C order is supported"));

  NpyArray a;
  a.shape_text = npy_field(header, "shape", path, call);
  a.shape = npy_shape(a.shape_text, path, call);
  if (a.shape.size() < min_dims || a.shape.size() > max_dims)
    throw InputError(concat(where, " has shape ", a.shape_text, "; only ", dims_text, " arrays are supported"));
  for (const Index e : a.shape)
    if (e < 0) throw InputError(concat(where, " has a negative extent in ", a.shape_text));

  // Element count, bounded by the data bytes the file has (no overflow: each step checks).
  const std::uint64_t data_bytes = remaining - header_length;
  std::uint64_t count = 1;
  bool fits = true;
  long double needed = item;
  for (const Index e : a.shape) needed *= static_cast<long double>(e);
  for (const Index e : a.shape) {
    if (e == 0) {
      count = 0;
      fits = true;
      break;
    }
    if (count > data_bytes / item / std::uint64_t(e)) fits = false;
    else count *= std::uint64_t(e);
  }
  if (!fits)
    throw InputError(concat(where, " is truncated: shape ", a.shape_text, " needs ",
                            needed < 1e19L ? std::to_string(std::uint64_t(needed)) : std::string("over 1e19"),
                            " data bytes"));
  std::vector<char> bytes(std::size_t(count) * item);
  if (!in.read(bytes.data(), std::streamsize(bytes.size())))
    throw InputError(concat(where, " is truncated: shape ", a.shape_text, " needs ", bytes.size(), " data bytes"));
  a.values.resize(std::size_t(count));
  for (std::size_t k = 0; k < a.values.size(); ++k) {
    if (item == 8) {
      std::memcpy(&a.values[k], bytes.data() + k * 8, 8);
    } else {
      float v;
      std::memcpy(&v, bytes.data() + k * 4, 4);
      a.values[k] = double(v);
    }
  }
  return a;
}

/// Writes `count` values of a C-order array of `shape` as a version 1 .npy file ('<f4' for
/// float, '<f8' for double), through "<path>.tmp" renamed over `path`.
/// Writes `bytes` to path + ".tmp" and renames it over `path`, so a failed write never leaves
/// a truncated file under the real name. \throws InputError naming `call` and the file.
inline void write_file_replacing(const std::string& path, const char* call, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), std::streamsize(bytes.size()));
    f.flush();
    if (!f) {
      std::remove(tmp.c_str());
      throw InputError(concat(call, "(): cannot write '", tmp, "'"));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw InputError(concat(call, "(): cannot rename '", tmp, "' to '", path, "'"));
  }
}

template <typename Scalar>
void write_npy_array(const std::string& path, const char* call, const std::vector<Index>& shape,
                     const Scalar* values) {
  static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>,
                "write_npy writes float (<f4) or double (<f8) arrays");
  if (!little_endian_host()) throw InputError(concat(call, "(): big-endian hosts are not supported"));
  std::string dims;  // "(n,)" for one dimension, "(n, m, ...)" otherwise
  std::size_t count = 1;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    dims += (k ? ", " : "") + std::to_string(shape[k]);
    count *= std::size_t(shape[k]);
  }
  if (shape.size() == 1) dims += ",";
  std::string header = concat("{'descr': '", sizeof(Scalar) == 4 ? "<f4" : "<f8",
                              "', 'fortran_order': False, 'shape': (", dims, "), }");
  // Magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64 (NumPy's alignment).
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += char(header.size() & 0xff);
  out += char((header.size() >> 8) & 0xff);
  out += header;
  out.append(reinterpret_cast<const char*>(values), count * sizeof(Scalar));
  write_file_replacing(path, call, out);
}

}  // namespace detail

/// Reads a 2-D (or 1-D, as one column) float32/float64 C-order array as doubles.
template <typename = void>
RowMatrix<double> read_npy(const std::string& path) {
  const detail::NpyArray a = detail::read_npy_array(path, "read_npy", 1, 2, "1-D and 2-D");
  const Index rows = a.shape[0], cols = a.shape.size() == 2 ? a.shape[1] : 1;
  return Eigen::Map<const RowMatrix<double>>(a.values.data(), rows, cols);
}

/// Writes a matrix as a 2-D .npy array (version 1, C order): float32 ('<f4') for a float
/// matrix, float64 ('<f8') for a double one, so numpy.load and read_npy read it back exactly.
/// \throws InputError if the file cannot be written.
template <typename Derived>
void write_npy(const std::string& path, const Eigen::MatrixBase<Derived>& matrix) {
  using Scalar = typename Derived::Scalar;
  const RowMatrix<Scalar> M = matrix;  // row-major: C order
  detail::write_npy_array<Scalar>(path, "write_npy", {M.rows(), M.cols()}, M.data());
}

}  // namespace somtile
