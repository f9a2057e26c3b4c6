#pragma once
// How the instruction-set level is found (kernels/isa.hpp declares the public face): the
// build's own vector width, the CPU's best level (x86-64 with GCC or Clang: __builtin_cpu_supports),
// and the cap from set_max_isa() or SOMTILE_MAX_ISA, once per process. Also the pieces every
// dispatched kernel is written with: a body marked SOMTILE_ALWAYS_INLINE is inlined into one
// function per level (the build's own, and on x86-64 SOMTILE_TARGET_AVX2 and
// SOMTILE_TARGET_AVX512 ones), and isa_variant() picks the function for active_isa().

#include "somtile/kernels/isa.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define SOMTILE_X86_DISPATCH 1
#else
#define SOMTILE_X86_DISPATCH 0
#endif

#if defined(__GNUC__)
#define SOMTILE_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define SOMTILE_ALWAYS_INLINE inline
#endif
// Clang splits 512-bit vectors in two unless the function asks for them (its tuning for AVX-512
// CPUs prefers 256 bits), which spills the kernels' register blocks: every function a vectorised
// body is inlined into carries SOMTILE_WIDE_VECTORS (measured: the W5 BMU pass 1.6x faster).
#if defined(__clang__)
#define SOMTILE_WIDE_VECTORS __attribute__((min_vector_width(512)))
#else
#define SOMTILE_WIDE_VECTORS
#endif
#if SOMTILE_X86_DISPATCH
#define SOMTILE_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define SOMTILE_TARGET_AVX512 \
  __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))) SOMTILE_WIDE_VECTORS
#endif

namespace somtile {
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
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl"))
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

#if SOMTILE_X86_DISPATCH
/// The variant of a kernel for the level active_isa() names now: `compiled` (the build's own
/// target) unless the level is above the build's. Read once per call of a kernel's user, never
/// per sample.
template <typename F>
F isa_variant(F compiled, F avx2, F avx512) {
  const Isa isa = active_isa();
  if (isa == compiled_isa) return compiled;
  return isa == Isa::avx512 ? avx512 : avx2;
}
#endif

}  // namespace detail

inline void set_max_isa(Isa isa) { detail::max_isa_setting().store(int(isa)); }

inline Isa active_isa() {
  static const Isa cpu = detail::cpu_isa();
  const int capped = std::min(int(cpu), detail::max_isa_setting().load());
  return Isa(capped > int(detail::compiled_isa) ? capped : int(detail::compiled_isa));
}

}  // namespace somtile
