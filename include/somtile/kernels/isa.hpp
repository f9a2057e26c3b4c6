#pragma once
// Which vector instructions somtile's hand-vectorised kernels use, and how they are chosen.
//
// A default build (no -march) targets baseline x86-64: SSE2, 16-byte vectors, no FMA. On x86-64
// with GCC or Clang the BMU kernel is therefore compiled three more times, for AVX2+FMA and for
// AVX-512 (functions with target attributes), and the widest one the running CPU supports is
// picked once per process. Elsewhere (AArch64/NEON, other compilers) the kernel is compiled
// for the build's own target only. The level can be capped, for tests and comparisons, with
// set_max_isa() or the environment variable SOMTILE_MAX_ISA=baseline|avx2|avx512.

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define SOMTILE_X86_DISPATCH 1
#else
#define SOMTILE_X86_DISPATCH 0
#endif

namespace somtile {

/// Instruction-set levels of the hand-vectorised kernels, from the least to the most capable.
/// `baseline` is what the build targets (SSE2 for a default x86-64 build, NEON on AArch64,
/// or whatever -march says); avx2 (with FMA) and avx512 (F, DQ, BW, VL) are runtime choices on
/// x86-64.
enum class Isa { baseline, avx2, avx512 };

inline const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::avx2: return "avx2";
    case Isa::avx512: return "avx512";
    default: return "baseline";
  }
}

namespace detail {

/// Bytes in one vector register of the build's own target (0: no generic vectors, scalar code).
#if !defined(__GNUC__)
inline constexpr int native_vector_bytes = 0;
#elif defined(__AVX512F__) && defined(__AVX512DQ__) && defined(__AVX512BW__) && defined(__AVX512VL__)
inline constexpr int native_vector_bytes = 64;
#elif defined(__AVX2__)
inline constexpr int native_vector_bytes = 32;
#else
inline constexpr int native_vector_bytes = 16;  // SSE2, NEON, and a safe split elsewhere
#endif

/// The level the build's own target already has (the dispatch never goes below it).
inline constexpr Isa compiled_isa = native_vector_bytes == 64   ? Isa::avx512
                                    : native_vector_bytes == 32 ? Isa::avx2
                                                                : Isa::baseline;

inline Isa cpu_isa() {
#if SOMTILE_X86_DISPATCH
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
    return Isa::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::avx2;
#endif
  return compiled_isa;
}

inline Isa isa_from_environment(Isa fallback) {
  const char* v = std::getenv("SOMTILE_MAX_ISA");
  if (!v) return fallback;
  if (std::strcmp(v, "baseline") == 0) return Isa::baseline;
  if (std::strcmp(v, "avx2") == 0) return Isa::avx2;
  return fallback;  // "avx512" or anything else: no cap
}

inline std::atomic<int>& max_isa_setting() {
  static std::atomic<int> cap{int(isa_from_environment(Isa::avx512))};
  return cap;
}

}  // namespace detail

/// Caps the level the kernels may use (they never go below the build's own target). For
/// comparing levels on one machine; results are the same at every level up to rounding, and
/// BMUs are the same exactly (near ties are decided by direct distances).
inline void set_max_isa(Isa isa) { detail::max_isa_setting().store(int(isa)); }

/// The level the kernels use now: the CPU's best, capped by set_max_isa / SOMTILE_MAX_ISA, and
/// never below what the build targets.
inline Isa active_isa() {
  static const Isa cpu = detail::cpu_isa();
  const int capped = std::min(int(cpu), detail::max_isa_setting().load());
  return Isa(capped > int(detail::compiled_isa) ? capped : int(detail::compiled_isa));
}

}  // namespace somtile
