// Linked into every test program: the process works in a fresh directory of its own, removed
// at exit. ctest runs test cases in parallel (the float and double variants of one case too),
// and many of them write and read files by relative name.
#include <stdlib.h>  // mkdtemp

#include <filesystem>
#include <string>
#include <system_error>

namespace {

struct PrivateWorkingDirectory {
  std::filesystem::path dir;
  PrivateWorkingDirectory() {
    std::error_code ec;
    std::string pattern = (std::filesystem::temp_directory_path(ec) / "somtile_test_XXXXXX").string();
    if (ec || mkdtemp(pattern.data()) == nullptr) return;  // stay where ctest started us
    dir = pattern;
    std::filesystem::current_path(dir, ec);
  }
  ~PrivateWorkingDirectory() {
    if (dir.empty()) return;
    std::error_code ec;
    std::filesystem::current_path(dir.parent_path(), ec);
    std::filesystem::remove_all(dir, ec);
  }
};

const PrivateWorkingDirectory private_working_directory;

}  // namespace
