#pragma once
// Every level of the BMU kernel this CPU runs, from the build's own to the CPU's best
// (kernels/isa.hpp); tests run each under a LevelCap, which restores the default cap when it
// leaves.
#include <somtile/kernels/isa.hpp>

#include <vector>

namespace test_support {

inline std::vector<somtile::Isa> kernel_levels() {
  std::vector<somtile::Isa> out;
  for (int l = int(somtile::detail::compiled_isa); l <= int(somtile::detail::cpu_isa()); ++l)
    out.push_back(somtile::Isa(l));
  return out;
}

struct LevelCap {
  explicit LevelCap(somtile::Isa isa) { somtile::set_max_isa(isa); }
  ~LevelCap() { somtile::set_max_isa(somtile::Isa::avx512); }
};

}  // namespace test_support
