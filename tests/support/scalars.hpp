#pragma once
// The scalar types every TEMPLATE_TEST_CASE runs for. The release suite runs float and
// double; the sanitizer suite (SOMTILE_TEST_DOUBLE_ONLY, set by its preset) runs double
// alone: it looks for memory errors, undefined behaviour and the serial code paths, which the
// two types share, and float would double its compile time.
#if defined(SOMTILE_TEST_DOUBLE_ONLY)
#define SOMTILE_TEST_SCALARS double
#else
#define SOMTILE_TEST_SCALARS float, double
#endif
