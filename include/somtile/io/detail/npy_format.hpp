#pragma once
// The .npy format behind read_npy / write_npy (io/npy.hpp) and the arrays of an .npz archive
// (io/sparse_npz.hpp): header dict parsing, bounded reading of float32/float64 C-order arrays,
// and the version 1 writer. Format: "\x93NUMPY", major, minor, header length (2 bytes LE in v1,
// 4 bytes in v2/v3), a Python dict literal {'descr': '<f8', 'fortran_order': False,
// 'shape': (n, m), }, then the data.

#include "somtile/core/detail/file_writer.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/io/detail/bytes.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace somtile::detail {

/// The value text after 'key': in the header dict (up to the next ',' or, for tuples, ')').
inline std::string npy_field(const std::string& header, const std::string& key, const std::string& path,
                             const char* call = "read_npy") {
  const auto at = header.find("'" + key + "'");
  if (at == std::string::npos) throw InputError(concat(call, "(): '", path, "' has no '", key, "' in its header"));
  auto begin = header.find(':', at);
  if (begin != std::string::npos) begin = header.find_first_not_of(' ', begin + 1);
  if (begin == std::string::npos) throw InputError(concat(call, "(): '", path, "' has a malformed header"));
  auto end = header[begin] == '(' ? header.find(')', begin) : header.find_first_of(",}", begin);
  if (end == std::string::npos) throw InputError(concat(call, "(): '", path, "' has a malformed header"));
  if (header[begin] == '(') ++end;
  return header.substr(begin, end - begin);
}

/// Extents of a shape tuple "(n, m)", "(n,)" or "()"; throws on anything else.
inline std::vector<Index> npy_shape(const std::string& text, const std::string& path, const char* call = "read_npy") {
  const auto malformed = [&] { return InputError(concat(call, "(): '", path, "' has a malformed shape ", text)); };
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
      if (errno == ERANGE) throw InputError(concat(call, "(): '", path, "' has an extent out of range in ", text));
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

/// The header of a .npy file of float32/float64 values in C order: shape, item size, where the
/// data start and how many values they hold (checked against the file's size).
struct NpyHeader {
  std::vector<Index> shape;
  std::string shape_text;  ///< as the header wrote it, for messages
  std::size_t item = 0;    ///< 4 (float32) or 8 (float64)
  std::uint64_t data_offset = 0;
  std::uint64_t count = 0;  ///< values in the array
};

/// " (R complete rows)" for the data bytes a truncated file holds, "" for a 0-D array.
inline std::string complete_rows(const NpyHeader& h, std::uint64_t data_bytes) {
  if (h.shape.empty()) return "";
  long double row = static_cast<long double>(h.item);
  for (std::size_t k = 1; k < h.shape.size(); ++k) row *= static_cast<long double>(h.shape[k]);
  if (row <= 0) return "";
  return concat(" (", std::uint64_t(static_cast<long double>(data_bytes) / row), " complete rows)");
}

/// Reads and checks the header of a float32/float64 C-order array of min_dims..max_dims
/// dimensions from `in` (at the start of the file), leaving `in` at the data; errors name
/// `call` and `path`. The file must hold every data byte the shape needs.
inline NpyHeader read_npy_header(std::istream& in, const std::string& path, const char* call, std::size_t min_dims,
                                 std::size_t max_dims, const char* dims_text) {
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
    header_length =
        std::uint32_t(b[0]) | std::uint32_t(b[1]) << 8 | std::uint32_t(b[2]) << 16 | std::uint32_t(b[3]) << 24;
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

  NpyHeader h;
  h.data_offset = std::uint64_t(here) + header_length;
  const std::string descr = npy_field(header, "descr", path, call);
  if (descr == "'<f8'" || (descr == "'=f8'" && little_endian_host()))
    h.item = 8;
  else if (descr == "'<f4'" || (descr == "'=f4'" && little_endian_host()))
    h.item = 4;
  else
    throw InputError(concat(where, " holds dtype ", descr,
                            "; only little-endian float32 ('<f4') and float64 ('<f8') are supported"));
  if (!little_endian_host()) throw InputError(concat(call, "(): big-endian hosts are not supported"));
  if (npy_field(header, "fortran_order", path, call) != "False")
    throw InputError(concat(where, " is in Fortran order; only C order is supported"));

  h.shape_text = npy_field(header, "shape", path, call);
  h.shape = npy_shape(h.shape_text, path, call);
  if (h.shape.size() < min_dims || h.shape.size() > max_dims)
    throw InputError(concat(where, " has shape ", h.shape_text, "; only ", dims_text, " arrays are supported"));
  for (const Index e : h.shape)
    if (e < 0) throw InputError(concat(where, " has a negative extent in ", h.shape_text));

  // Element count, bounded by the data bytes the file has (no overflow: each step checks).
  const std::uint64_t data_bytes = remaining - header_length;
  std::uint64_t count = 1;
  bool fits = true;
  long double needed = h.item;
  for (const Index e : h.shape) needed *= static_cast<long double>(e);
  for (const Index e : h.shape) {
    if (e == 0) {
      count = 0;
      fits = true;
      break;
    }
    if (count > data_bytes / h.item / std::uint64_t(e))
      fits = false;
    else
      count *= std::uint64_t(e);
  }
  if (!fits || count * h.item > data_bytes)
    throw InputError(concat(where, " is truncated: shape ", h.shape_text, " needs ",
                            needed < 1e19L ? std::to_string(std::uint64_t(needed)) : std::string("over 1e19"),
                            " data bytes; the file holds ", data_bytes, complete_rows(h, data_bytes)));
  h.count = count;
  return h;
}

/// Reads `count` values from `in` (standing at them) into out: straight into place when the
/// file's item size is Scalar's, otherwise through a small buffer, converting each value.
/// `truncated()` is the error for a short read.
template <typename Scalar, typename Error>
void read_npy_values(std::istream& in, std::size_t item, Scalar* out, std::size_t count, Error&& truncated) {
  static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>, "reads float or double values");
  if (item == sizeof(Scalar)) {
    if (count > 0 && !in.read(reinterpret_cast<char*>(out), std::streamsize(count * item))) throw truncated();
    return;
  }
  constexpr std::size_t block = std::size_t(1) << 13;  // values per read
  std::vector<char> buffer(block * item);
  char* const bytes = buffer.data();
  for (std::size_t done = 0; done < count;) {
    const std::size_t n = std::min(block, count - done);
    if (!in.read(bytes, std::streamsize(n * item))) throw truncated();
    for (std::size_t k = 0; k < n; ++k) {
      if (item == 8) {
        double v;
        std::memcpy(&v, bytes + k * 8, 8);
        out[done + k] = Scalar(v);
      } else {
        float v;
        std::memcpy(&v, bytes + k * 4, 4);
        out[done + k] = Scalar(v);
      }
    }
    done += n;
  }
}

/// A C-order array read from a .npy file: its shape, and its values as a matrix of
/// (product of all extents but the last) x (the last extent) rows; a 1-D array is one column.
template <typename Scalar>
struct NpyArray {
  std::vector<Index> shape;
  std::string shape_text;  ///< as the header wrote it, for messages
  RowMatrix<Scalar> values;
};

/// Reads a float32/float64 C-order array of min_dims..max_dims dimensions into Scalar (no copy
/// in another type); errors name `call`.
template <typename Scalar>
NpyArray<Scalar> read_npy_array(const std::string& path, const char* call, std::size_t min_dims, std::size_t max_dims,
                                const char* dims_text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(concat(call, "(): cannot open '", path, "'"));
  const NpyHeader h = read_npy_header(in, path, call, min_dims, max_dims, dims_text);
  const Index cols = h.shape.size() >= 2 ? h.shape.back() : 1;
  long double leading = h.shape.empty() ? 1 : h.shape[0];  // rows: the product of all extents but the last
  for (std::size_t k = 1; k + 1 < h.shape.size(); ++k) leading *= static_cast<long double>(h.shape[k]);
  if (leading > 4e18L) throw InputError(concat(call, "(): '", path, "' has shape ", h.shape_text, ": too many rows"));
  NpyArray<Scalar> a{h.shape, h.shape_text, RowMatrix<Scalar>(Index(leading), cols)};
  read_npy_values(in, h.item, a.values.data(), std::size_t(h.count), [&] {
    return InputError(concat(call, "(): '", path, "' is truncated: shape ", h.shape_text, " needs ", h.count * h.item,
                             " data bytes"));
  });
  return a;
}

/// A version 1 .npy file of `bytes` bytes of `values`: dtype `descr` (e.g. "<f8") and shape
/// text `shape` ("(n, m)", "(n,)", "()"), the header padded as NumPy aligns it.
inline std::string npy_bytes(const char* descr, const std::string& shape, const void* values, std::size_t bytes) {
  std::string header = concat("{'descr': '", descr, "', 'fortran_order': False, 'shape': ", shape, ", }");
  // Magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64 (NumPy's alignment).
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  append_le(out, header.size(), 2);
  out += header;
  out.append(static_cast<const char*>(values), bytes);
  return out;
}

/// NumPy's dtype string of T: '<f4', '<f8', '<i4', '<i8', '|u1', ...
template <typename T>
std::string npy_descr() {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double> ||
                    (std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                     (sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8)),
                "write_npy writes float, double or integer arrays");
  if constexpr (std::is_floating_point_v<T>) return sizeof(T) == 4 ? "<f4" : "<f8";
  return std::string(sizeof(T) == 1 ? "|" : "<") + (std::is_signed_v<T> ? "i" : "u") + std::to_string(sizeof(T));
}

/// Writes the values of a C-order array of `shape` as a version 1 .npy file (dtype npy_descr),
/// through "<path>.tmp" renamed over `path`.
template <typename Scalar>
void write_npy_array(const std::string& path, const char* call, const std::vector<Index>& shape, const Scalar* values) {
  const std::string descr = npy_descr<Scalar>();
  if (!little_endian_host()) throw InputError(concat(call, "(): big-endian hosts are not supported"));
  std::string dims;  // "(n,)" for one dimension, "(n, m, ...)" otherwise
  std::size_t count = 1;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    dims += (k ? ", " : "") + std::to_string(shape[k]);
    count *= std::size_t(shape[k]);
  }
  if (shape.size() == 1) dims += ",";
  write_file_replacing(path, call, npy_bytes(descr.c_str(), "(" + dims + ")", values, count * sizeof(Scalar)));
}

/// An element of kind 'f' (float32/float64), 'i', 'u' or 'b' and `item` bytes at p, as a double.
inline double npy_number(char kind, std::size_t item, const unsigned char* p) {
  switch (kind) {
    case 'f':
      if (item == 4) {
        float v;
        std::memcpy(&v, p, 4);
        return double(v);
      } else {
        double v;
        std::memcpy(&v, p, 8);
        return v;
      }
    case 'i': {
      const std::uint64_t u = read_le(p, int(item));
      const int shift = 64 - 8 * int(item);
      return double(std::int64_t(u << shift) >> shift);
    }
    default:  // 'u', 'b'
      return double(read_le(p, int(item)));
  }
}

/// An integer element of kind 'i' or 'u' at p; -1 for an unsigned value beyond int64.
inline std::int64_t npy_integer(char kind, std::size_t item, const unsigned char* p) {
  const std::uint64_t u = read_le(p, int(item));
  if (kind == 'i') {
    const int shift = 64 - 8 * int(item);
    return std::int64_t(u << shift) >> shift;
  }
  return u > std::uint64_t(std::numeric_limits<std::int64_t>::max()) ? -1 : std::int64_t(u);
}

/// A 1-D array parsed from .npy bytes: its kind ('f', 'i', 'u', 'b', 'S', 'U'), item size and
/// raw little-endian elements, which start data_offset bytes into the array's bytes.
struct NpyBytes {
  char kind = 0;
  std::size_t item = 0;
  std::vector<Index> shape;
  const unsigned char* data = nullptr;
  std::size_t count = 0;
  std::size_t data_offset = 0;

  double number(std::size_t k) const { return npy_number(kind, item, data + k * item); }
  std::int64_t integer(std::size_t k) const { return npy_integer(kind, item, data + k * item); }
};

/// The length of the magic string, version, length field and header of the .npy bytes that
/// start with b[0, available) (at least 12 bytes, or all there are).
inline std::size_t npy_prefix_size(const unsigned char* b, std::size_t available, const std::string& what) {
  if (available < 10 || std::memcmp(b, "\x93NUMPY", 6) != 0)
    throw InputError(concat(what, " is not a .npy array (bad magic string)"));
  const int major = b[6];
  if (major == 1) return 10 + std::size_t(read_le(&b[8], 2));
  if (major == 2 || major == 3) {
    if (available < 12) throw InputError(concat(what, " is truncated"));
    return 12 + std::size_t(read_le(&b[8], 4));
  }
  throw InputError(concat(what, " has .npy format version ", major, ", expected 1, 2 or 3"));
}

/// Parses the .npy bytes b[0, available) (the whole header at least) of an array whose bytes
/// number `total` in all: its dtype, shape and element count, checked against `total`. `data`
/// points at the elements when `available` covers them.
inline NpyBytes parse_npy_bytes(const unsigned char* b, std::size_t available, std::uint64_t total,
                                const std::string& what, const char* call, const std::string& path) {
  const std::size_t header_end = npy_prefix_size(b, available, what);
  const std::size_t prefix = b[6] == 1 ? 10 : 12;
  if (available < header_end || total < header_end) throw InputError(concat(what, " is truncated in its header"));
  const std::string header(reinterpret_cast<const char*>(&b[prefix]), header_end - prefix);
  std::string descr = npy_field(header, "descr", path, call);
  if (npy_field(header, "fortran_order", path, call) != "False") throw InputError(concat(what, " is in Fortran order"));
  NpyBytes a;
  a.shape = npy_shape(npy_field(header, "shape", path, call), path, call);
  // descr like '<f8', '|u1', '|S3', '<U3'.
  if (descr.size() < 5 || descr.front() != '\'' || descr.back() != '\'')
    throw InputError(concat(what, " has dtype ", descr, ", which is not read"));
  descr = descr.substr(1, descr.size() - 2);
  const char order = descr[0];
  a.kind = descr[1];
  std::size_t digits = 0;
  for (std::size_t k = 2; k < descr.size(); ++k) {
    if (descr[k] < '0' || descr[k] > '9' || k > 6)
      throw InputError(concat(what, " has dtype '", descr, "', which is not read"));
    digits = digits * 10 + std::size_t(descr[k] - '0');
  }
  a.item = a.kind == 'U' ? 4 * digits : digits;
  const bool little = order == '<' || order == '|' || (order == '=' && little_endian_host());
  const bool ok_kind =
      (a.kind == 'f' && (a.item == 4 || a.item == 8)) ||
      ((a.kind == 'i' || a.kind == 'u') && (a.item == 1 || a.item == 2 || a.item == 4 || a.item == 8)) ||
      (a.kind == 'b' && a.item == 1) || ((a.kind == 'S' || a.kind == 'U') && a.item > 0);
  if (!little || !ok_kind) throw InputError(concat(what, " has dtype '", descr, "', which is not read"));
  if (!little_endian_host()) throw InputError(concat(call, "(): big-endian hosts are not supported"));
  std::uint64_t count = 1;
  const std::uint64_t data_bytes = total - header_end;
  for (const Index e : a.shape) {
    if (e < 0) throw InputError(concat(what, " has a negative extent"));
    if (e != 0 && count > data_bytes / a.item / std::uint64_t(e))
      throw InputError(concat(what, " is truncated: its shape needs more bytes than it holds"));
    count *= std::uint64_t(e);
  }
  if (count * a.item > data_bytes)
    throw InputError(concat(what, " is truncated: its shape needs more bytes than it holds"));
  a.count = std::size_t(count);
  a.data_offset = header_end;
  a.data = b + header_end;
  return a;
}

inline NpyBytes parse_npy_bytes(const std::vector<unsigned char>& b, const std::string& what, const char* call,
                                const std::string& path) {
  return parse_npy_bytes(b.data(), b.size(), b.size(), what, call, path);
}

}  // namespace somtile::detail
