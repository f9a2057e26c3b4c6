#pragma once
// Fuzz targets for somtile's file readers, shared by the libFuzzer entry points (fuzz_*.cpp)
// and the regression test that replays tests/fuzz_regressions/<target>/ (tests/test_io.cpp).
//
// Each target takes raw bytes, writes them to a per-process temporary file (the readers take
// paths) and calls the readers on it. A reader may reject any input with somtile::InputError or
// another std::invalid_argument; anything else (another exception, a crash, a sanitizer report,
// a hang, a huge allocation) is a bug.

#include <somtile/io/csv.hpp>
#include <somtile/io/model_io.hpp>
#include <somtile/io/npy.hpp>

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace somtile::fuzz {

/// A temporary file for `tag`, unique to this process, so parallel fuzz jobs do not collide.
inline std::string temp_path(const char* tag) {
  const auto dir = std::filesystem::temp_directory_path();
  return (dir / ("somtile_fuzz_" + std::to_string(::getpid()) + "_" + tag)).string();
}

inline std::string write_temp(const char* tag, const std::uint8_t* data, std::size_t size) {
  const std::string path = temp_path(tag);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
  if (!out) throw std::runtime_error("fuzz: cannot write " + path);
  return path;
}

/// Runs `f`; the documented rejections (InputError, ParameterError: std::invalid_argument)
/// are expected outcomes, everything else propagates.
template <typename F>
void allow_input_errors(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument&) {
  }
}

/// read_csv. The first byte picks the label column and the delimiter; the rest is the file.
inline void fuzz_csv(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  static const char* const labels[] = {"", "label", "-1", "0", "1", "2"};
  static const char delimiters[] = {',', ';', '\t', ' '};
  const std::uint8_t pick = data[0];
  const std::string label = labels[(pick & 0x7) % 6];
  const char delimiter = delimiters[(pick >> 3) & 0x3];
  const std::string path = write_temp("csv", data + 1, size - 1);
  allow_input_errors([&] {
    const CsvData d = read_csv(path, label, delimiter);
    // Whatever parses must be a consistent, finite data set.
    if (d.X.rows() <= 0 || (label.empty() ? d.y.size() != 0 : d.y.size() != d.X.rows()) ||
        !d.X.allFinite())
      throw std::logic_error("fuzz_csv: read_csv returned an inconsistent data set");
  });
  std::remove(path.c_str());
}

/// read_npy on the bytes as they are.
inline void fuzz_npy(const std::uint8_t* data, std::size_t size) {
  const std::string path = write_temp("npy", data, size);
  allow_input_errors([&] {
    const RowMatrix<double> X = read_npy(path);
    if (X.rows() < 0 || X.cols() < 0) throw std::logic_error("fuzz_npy: negative extent");
  });
  std::remove(path.c_str());
}

/// The model loaders. The trailing FNV-1a checksum is recomputed first, so that mutations
/// reach the parser instead of stopping at the checksum test; the bytes as given (without the
/// fix-up) also go to the SOM_PAK text reader.
inline void fuzz_model(const std::uint8_t* data, std::size_t size) {
  std::vector<char> bytes(data, data + size);
  const std::string raw = write_temp("model_pak", data, size);
  allow_input_errors([&] { (void)load_som_pak<double>(raw); });
  std::remove(raw.c_str());

  if (bytes.size() >= 8) {
    const std::uint64_t sum = detail::fnv1a(bytes.data(), bytes.size() - 8);
    std::memcpy(bytes.data() + bytes.size() - 8, &sum, 8);
  }
  const std::string path =
      write_temp("model", reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  allow_input_errors([&] { (void)load_som<float>(path); });
  allow_input_errors([&] { (void)load_som<double>(path); });
  std::remove(path.c_str());
}

}  // namespace somtile::fuzz
