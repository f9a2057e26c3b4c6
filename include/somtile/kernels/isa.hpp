#pragma once
// Which vector instructions somtile's hand-vectorised kernels use, and how they are chosen.
//
// A default build (no -march) targets baseline x86-64: SSE2, 16-byte vectors, no FMA. On x86-64
// with GCC or Clang the BMU kernel is therefore compiled three more times, for AVX2+FMA and for
// AVX-512 (functions with target attributes), and the widest one the running CPU supports is
// picked once per process. Elsewhere (AArch64/NEON, other compilers) the kernel is compiled
// for the build's own target only. The level can be capped, for tests and comparisons, with
// set_max_isa() or the environment variable SOMTILE_MAX_ISA=baseline|avx2|avx512.

namespace somtile {

/// Instruction-set levels of the hand-vectorised kernels, from the least to the most capable.
/// `baseline` is what the build targets (SSE2 for a default x86-64 build, NEON on AArch64,
/// or whatever -march says); avx2 (with FMA) and avx512 (F, DQ, BW, VL) are runtime choices on
/// x86-64.
enum class Isa { baseline, avx2, avx512 };

inline const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::avx2:
      return "avx2";
    case Isa::avx512:
      return "avx512";
    default:
      return "baseline";
  }
}

/// Caps the level the kernels may use (they never go below the build's own target). For
/// comparing levels on one machine; results are the same at every level up to rounding, and
/// BMUs are the same exactly (near ties are decided by direct distances).
inline void set_max_isa(Isa isa);

/// The level the kernels use now: the CPU's best, capped by set_max_isa / SOMTILE_MAX_ISA, and
/// never below what the build targets.
inline Isa active_isa();

}  // namespace somtile

// CPU detection and the cap, after the declarations above.
#include "somtile/kernels/detail/isa_dispatch.hpp"
