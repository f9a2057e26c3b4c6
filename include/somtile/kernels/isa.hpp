#pragma once
// Which vector instructions somtile's hand-vectorised kernels use, and how they are chosen.
//
// A default build (no -march) targets baseline x86-64: SSE2, 16-byte vectors, no FMA. On x86-64
// with GCC or Clang the hot loops are therefore compiled three times more, for AVX2+FMA and for
// AVX-512 (functions with target attributes), and the widest one the running CPU supports is
// picked once per process: the BMU kernel (kernels/detail/score_kernel.hpp, and the sparse
// one), the neighbourhood smoothing and the mini-batch update (kernels/detail/smoothing_kernels.hpp),
// and the online trainer's search and update (online/detail/online_kernels.hpp). Each kernel
// reads the level once per call of its user (a training, a search), never per sample.
// Elsewhere (AArch64/NEON, other compilers) the kernels are compiled for the build's own target
// only. The level can be capped, for tests and comparisons, with set_max_isa() or the
// environment variable SOMTILE_MAX_ISA=baseline|avx2|avx512.
//
// Results: AVX2 and AVX-512 fuse multiply-adds (FMA) and give the same bits in the smoothing,
// the mini-batch update and the online steps, as does a build for a CPU with FMA; baseline
// x86-64 rounds each product first, so its numbers differ from theirs in rounding only. BMUs
// are the same at every level. Nothing depends on the thread count.

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
/// comparing levels on one machine; results are the same at every level up to rounding (the
/// same bits at avx2 and avx512), and BMUs are the same exactly (near ties are decided by
/// direct distances).
inline void set_max_isa(Isa isa);

/// The level the kernels use now: the CPU's best, capped by set_max_isa / SOMTILE_MAX_ISA, and
/// never below what the build targets.
inline Isa active_isa();

}  // namespace somtile

// CPU detection and the cap, after the declarations above.
#include "somtile/kernels/detail/isa_dispatch.hpp"
