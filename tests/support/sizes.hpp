#pragma once
// Data sizes of the heaviest tests. Unoptimised builds (the sanitizer suite: -O0 under
// AddressSanitizer and UndefinedBehaviorSanitizer, 10 to 30 times slower) run them on smaller
// data that takes the same code paths, so that the suite's time goes to many tests rather than
// to a few large inputs; the release suite keeps the full sizes.
namespace test_support {

#if defined(__OPTIMIZE__)
inline constexpr bool optimised_build = true;
#else
inline constexpr bool optimised_build = false;
#endif

/// `full` in optimised builds, `reduced` in unoptimised ones.
template <typename T>
constexpr T full_or_reduced(T full, T reduced) {
  return optimised_build ? full : reduced;
}

}  // namespace test_support
