#pragma once
// The instruction-set levels of the dispatched kernels (kernels/isa.hpp) that this CPU runs, for
// tests that run every level and compare them. Header-only, as data.hpp.
#include <somtile/kernels/isa.hpp>

#include <cmath>
#include <vector>

namespace test_support {

/// Every level from the build's own to the CPU's best.
inline std::vector<somtile::Isa> kernel_levels() {
  std::vector<somtile::Isa> out;
  for (int l = int(somtile::detail::compiled_isa); l <= int(somtile::detail::cpu_isa()); ++l)
    out.push_back(somtile::Isa(l));
  return out;
}

/// Caps the level while it lives and restores the default cap when it leaves.
struct LevelCap {
  explicit LevelCap(somtile::Isa isa) { somtile::set_max_isa(isa); }
  ~LevelCap() { somtile::set_max_isa(somtile::Isa::avx512); }
  LevelCap(const LevelCap&) = delete;
  LevelCap& operator=(const LevelCap&) = delete;
};

/// a b + c rounded once (fused) or the product rounded first: the two ways a level computes a
/// multiply-add. `volatile` keeps the compiler from fusing the second.
template <typename S>
S multiply_add(S a, S b, S c, bool fused) {
  if (fused) return std::fma(a, b, c);
  volatile S product = a * b;
  return product + c;
}

}  // namespace test_support
