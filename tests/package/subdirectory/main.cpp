// Built in a parent project that add_subdirectory()s somtile.
#include <somtile/grid/grid.hpp>
#include <somtile/version.hpp>

#include <cstdio>

int main() {
  const somtile::Grid grid(2, 3);
  const bool ok = grid.size() == 6;
  std::printf("somtile %s in a parent project: %s\n", SOMTILE_VERSION_STRING, ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
