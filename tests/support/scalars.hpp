#pragma once
// The scalar types every TEMPLATE_TEST_CASE runs for. The release suite runs float and
// double; the sanitizer and OpenMP-off suites (SOMTILE_TEST_DOUBLE_ONLY, set by their
// presets) run double alone: they look for memory errors, undefined behaviour and the serial
// code paths, which the two types share, and float would double their compile time, the
// largest part of CI.
#if defined(SOMTILE_TEST_DOUBLE_ONLY)
#define SOMTILE_TEST_SCALARS double
#else
#define SOMTILE_TEST_SCALARS float, double
#endif
