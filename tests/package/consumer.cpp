// Built against an installed somtile through find_package(somtile CONFIG REQUIRED), then run.
// Light headers only: this tests the package, not the library.
#include <somtile/grid/grid.hpp>
#include <somtile/version.hpp>

#include <cmath>
#include <cstring>
#include <iostream>

#ifdef _OPENMP
#include <omp.h>
#endif

int main() {
  int failures = 0;
  const auto check = [&](bool ok, const char* what) {
    if (!ok) {
      std::cerr << "somtile consumer: FAILED: " << what << "\n";
      ++failures;
    }
  };

  // Hexagonal grids put all six neighbours at distance 1.
  const somtile::Grid grid(4, 4, somtile::Topology::hexagonal);
  const somtile::Index u = grid.unit(1, 1);
  check(grid.neighbors(u).size() == 6, "six neighbours on a hexagonal grid");
  for (const somtile::Index v : grid.neighbors(u))
    check(std::abs(grid.distance(u, v) - 1.0) < 1e-12, "hexagonal neighbours at distance 1");

  check(std::strcmp(SOMTILE_VERSION_STRING, SOMTILE_PACKAGE_VERSION) == 0, "version.hpp says the package's version");

#ifdef _OPENMP
  const bool openmp = omp_get_max_threads() >= 1;  // also links the OpenMP runtime
#else
  const bool openmp = false;
#endif
  check(openmp == bool(SOMTILE_EXPECT_OPENMP), "OpenMP reaches the consumer iff somtile uses it");

  std::cout << "somtile consumer: somtile " << SOMTILE_VERSION_STRING << ", OpenMP " << (openmp ? "on" : "off")
            << (failures ? ": FAILED" : ": ok") << "\n";
  return failures ? 1 : 0;
}
