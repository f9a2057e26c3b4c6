#pragma once
// The one way somtile writes a file: the contents go to "<path>.tmp", which is renamed over
// <path> only once it is complete, so a failed or interrupted write never leaves a truncated
// file under the real name. On every failure (open, write, close, rename, or an exception from
// the caller's writer) the temporary is removed before the InputError propagates.
// Used by the .npy, .npz, svmlight, model and SOM_PAK writers, SvgCanvas::save and the CLI.

#include "somtile/core/error.hpp"

#include <cstdio>
#include <string>
#include <string_view>
#include <type_traits>

namespace somtile::detail {

/// Writes through "<path>.tmp": `write(std::FILE*)` writes the contents; an exception it throws
/// removes the temporary and propagates. Messages start with "`call`(): " (nothing when `call`
/// is empty). \throws InputError when the temporary cannot be opened, written, closed or renamed.
template <typename Write, std::enable_if_t<std::is_invocable_v<Write&, std::FILE*>, int> = 0>
void write_file_replacing(const std::string& path, std::string_view call, Write&& write) {
  const std::string tmp = path + ".tmp";
  const std::string who = call.empty() ? std::string() : concat(call, "(): ");
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw InputError(concat(who, "cannot write '", tmp, "'"));
  try {
    write(f);
  } catch (...) {
    std::fclose(f);
    std::remove(tmp.c_str());
    throw;
  }
  const bool written = std::ferror(f) == 0;
  if (std::fclose(f) != 0 || !written) {
    std::remove(tmp.c_str());
    throw InputError(concat(who, "cannot write '", tmp, "'"));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw InputError(concat(who, "cannot rename '", tmp, "' to '", path, "'"));
  }
}

/// Writes `bytes` to `path` the same way.
inline void write_file_replacing(const std::string& path, std::string_view call, std::string_view bytes) {
  write_file_replacing(path, call, [&](std::FILE* f) { std::fwrite(bytes.data(), 1, bytes.size(), f); });
}

}  // namespace somtile::detail
