#!/usr/bin/env bash
# Every public header compiles on its own: one translation unit per header outside detail/,
# syntax only. Usage: tools/check-headers.sh [compiler]   (default: c++; jobs: nproc)
set -euo pipefail
cd "$(dirname "$0")/.."
cxx=${1:-c++}
flags=(-std=c++17 -fsyntax-only -fopenmp -Wall -Wextra -Wpedantic -Wshadow -Werror -Iinclude
       -I/usr/include/eigen3)
# The MPI component needs mpi.h; skip it where MPI is not installed.
mpi_flags=$(mpicxx --showme:compile 2>/dev/null | sed "s/-I/-isystem /g" || true)
export cxx mpi_flags
export flags_str="${flags[*]}"
find include/somtile -name '*.hpp' -not -path '*/detail/*' | sort | xargs -P "$(nproc)" -I{} bash -c '
  h=${1#include/}
  extra=""
  case $h in
    somtile/mpi.hpp|somtile/mpi/*) [ -n "$mpi_flags" ] || exit 0; extra=$mpi_flags ;;
  esac
  if ! echo "#include <$h>" | $cxx $flags_str $extra -x c++ - -o /dev/null 2>/tmp/check-headers.$$.log; then
    echo "FAIL $h"; cat /tmp/check-headers.$$.log; rm -f /tmp/check-headers.$$.log; exit 1
  fi
  rm -f /tmp/check-headers.$$.log' _ {} || { echo "some public headers do not compile on their own"; exit 1; }
echo "every public header compiles on its own ($(find include/somtile -name '*.hpp' -not -path '*/detail/*' | wc -l) headers)"
