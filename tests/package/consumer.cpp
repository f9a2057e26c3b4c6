// Built against an installed somtile through find_package(somtile CONFIG REQUIRED).
#include <somtile/somtile.hpp>

#include <iostream>

int main() {
  using namespace somtile;
  RowMatrix<double> W(4, 2);
  W << 0, 0, 1, 0, 0, 1, 1, 1;
  RowMatrix<double> X(2, 2);
  X << 0.9, 0.1, 0.1, 0.8;
  const auto r = find_bmus<double>(X, W);
  const bool ok = r.bmu[0] == 1 && r.bmu[1] == 2;
  std::cout << "somtile consumer: BMUs " << r.bmu.transpose() << (ok ? " ok" : " WRONG") << "\n";
  return ok ? 0 : 1;
}
