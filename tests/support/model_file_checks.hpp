#pragma once
// Checks that every saved model must pass, shared by the tests of each model:
// - saving leaves no temporary file, and saving the loaded model again gives the same bytes
//   (every field survives the round trip exactly);
// - every truncation of the file is rejected with InputError;
// - a payload byte changed to anything, with the checksum fixed up so the parser sees it, is
//   either accepted or rejected with InputError: never another exception, a crash or a
//   sanitizer report (the sanitize preset runs this);
// - the other scalar type is rejected.
#include <somtile/io/model_io.hpp>

#include "files.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

namespace test_support {

/// `bytes` with its trailing checksum recomputed.
inline std::string with_checksum(std::string bytes) {
  const std::uint64_t h = somtile::detail::fnv1a(bytes.data(), bytes.size() - 8);
  std::memcpy(&bytes[bytes.size() - 8], &h, 8);
  return bytes;
}

/// Saves `model` to `path`, runs the checks above and returns the model loaded back.
/// `load` and `load_other_scalar` are the load_<model><Scalar> functions of both types.
template <typename Model, typename Load, typename LoadOther>
Model check_model_file(const Model& model, const std::string& path, Load load, LoadOther load_other_scalar) {
  using somtile::InputError;
  somtile::save(model, path);
  CHECK_FALSE(file_exists(path + ".tmp"));
  const std::string good = read_bytes(path);
  Model back = load(path);
  somtile::save(back, path + ".again");
  CHECK(read_bytes(path + ".again") == good);
  std::remove((path + ".again").c_str());

  CHECK_THROWS_AS(load_other_scalar(path), InputError);

  const std::size_t step = std::max<std::size_t>(1, good.size() / 400);
  for (std::size_t keep = 0; keep < good.size(); keep += step) {
    write_bytes(path, good.substr(0, keep));
    CHECK_THROWS_AS(load(path), InputError);
  }
  const std::size_t payload = 8 + 4;  // magic, version: the rest is reachable past the checksum
  int accepted = 0, rejected = 0;
  for (std::size_t at = payload; at + 8 < good.size(); at += step) {
    for (const unsigned char value : {0x00, 0xff, 0x7f, 0x80}) {
      std::string bad = good;
      bad[at] = char(value);
      write_bytes(path, with_checksum(bad));
      try {
        (void)load(path);
        ++accepted;
      } catch (const InputError&) {
        ++rejected;
      } catch (const std::exception& e) {
        FAIL("byte " << at << " set to " << int(value) << ": unexpected exception " << e.what());
      }
    }
  }
  CHECK(rejected > 0);
  INFO("tampered files accepted " << accepted << ", rejected " << rejected);
  std::remove(path.c_str());
  return back;
}

}  // namespace test_support
