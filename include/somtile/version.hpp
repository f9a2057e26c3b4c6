#pragma once
// somtile's version. This header is the one place it is written down: the top-level
// CMakeLists.txt reads the three numbers below before project(), so the package version
// (somtileConfigVersion.cmake), the `somtile --version` output and this header cannot drift
// apart. Bump the three numbers and the string together; tests/test_core.cpp checks that they
// agree with each other and with what CMake parsed.

#define SOMTILE_VERSION_MAJOR 0
#define SOMTILE_VERSION_MINOR 1
#define SOMTILE_VERSION_PATCH 0
#define SOMTILE_VERSION_STRING "0.1.0"

/// One comparable number: major * 10000 + minor * 100 + patch (0.1.0 -> 100).
#define SOMTILE_VERSION (SOMTILE_VERSION_MAJOR * 10000 + SOMTILE_VERSION_MINOR * 100 + SOMTILE_VERSION_PATCH)
