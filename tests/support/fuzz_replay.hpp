#pragma once
// Replays the saved fuzz inputs (fuzz_regressions/<target>/*) through the fuzz targets: each
// input must be rejected cleanly (the targets swallow InputError / invalid_argument) or read;
// anything else escapes and fails the test.
#include "files.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace test_support {

using FuzzTarget = void (*)(const std::uint8_t*, std::size_t);

inline void replay_fuzz_inputs(const std::vector<std::pair<std::string, FuzzTarget>>& targets) {
  namespace fs = std::filesystem;
  const fs::path root = SOMTILE_FUZZ_REGRESSIONS_DIR;
  for (const auto& [name, target] : targets) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(root / name))
      if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    INFO("target " << name);
    CHECK(files.size() >= 3);
    for (const auto& file : files) {
      INFO("input " << file.string());
      const std::string bytes = read_bytes(file.string());
      CHECK_NOTHROW(target(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    }
  }
}

}  // namespace test_support
