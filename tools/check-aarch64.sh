#!/usr/bin/env bash
# Cross-compiles test files for AArch64 (NEON) with GCC and runs them under qemu-user.
# Correctness only: timings under emulation mean nothing.
#
#   tools/check-aarch64.sh                      # test_bmu, test_grid, test_online_som
#   tools/check-aarch64.sh test_bmu             # chosen test files (names under tests/)
#   tools/check-aarch64.sh test_bmu -- "[bmu]"  # arguments after -- go to every test binary
#
# Needs Debian's g++-aarch64-linux-gnu and qemu-user (it installs nothing), and the host's
# Eigen 3.4, nanoflann and Catch2 v2 headers (header-only, so the host copies serve).
# Environment: AARCH64_CXX (default aarch64-linux-gnu-g++), AARCH64_SYSROOT (default
# /usr/aarch64-linux-gnu), AARCH64_CXXFLAGS (default -O2), OMP_NUM_THREADS (default 2),
# BUILD_DIR (default build/aarch64).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

cxx=${AARCH64_CXX:-aarch64-linux-gnu-g++}
sysroot=${AARCH64_SYSROOT:-/usr/aarch64-linux-gnu}
cxxflags=${AARCH64_CXXFLAGS:--O2}
build=${BUILD_DIR:-$root/build/aarch64}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}

die() { echo "check-aarch64: $*" >&2; exit 1; }
command -v "$cxx" >/dev/null ||
  die "cross compiler '$cxx' not found (Debian: apt-get install g++-aarch64-linux-gnu)"
command -v qemu-aarch64 >/dev/null ||
  die "qemu-aarch64 not found (Debian: apt-get install qemu-user)"
[ -e "$sysroot/lib/ld-linux-aarch64.so.1" ] ||
  die "no AArch64 runtime under $sysroot (Debian: apt-get install g++-aarch64-linux-gnu)"

tests=()
run_args=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; run_args=("$@"); break; fi
  tests+=("${1%.cpp}"); shift
done
[ ${#tests[@]} -gt 0 ] || tests=(test_bmu test_grid test_online_som)

# The cross compiler must not search the host's /usr/include (x86-64 libc headers), so the
# header-only dependencies are reached through links of their own.
deps=$build/deps
mkdir -p "$deps"
link_dep() {  # name, candidate paths...
  local name=$1; shift
  for p in "$@"; do
    if [ -e "$p" ]; then ln -sfn "$p" "$deps/$name"; return; fi
  done
  die "$name headers not found (looked in: $*)"
}
link_dep Eigen /usr/include/eigen3/Eigen
link_dep nanoflann.hpp /usr/include/nanoflann.hpp
link_dep catch2 /usr/include/catch2
[ -e "$deps/catch2/catch.hpp" ] || die "Catch2 v2 (catch2/catch.hpp) not found (Debian: catch2)"

# -Wno-psabi: GCC's AArch64 notes that passing std::pair<double, double> changed in GCC 10.1
# (an ABI note about mixing objects built by older compilers, not a problem in the code).
common=(-std=c++17 $cxxflags -fopenmp -Wall -Wextra -Wpedantic -Wshadow -Wno-psabi
        -I "$root/include" -isystem "$deps"
        -DSOMTILE_DATA_DIR="\"$root/examples/data\""
        -DSOMTILE_REFERENCE_DIR="\"$root/tests/reference\""
        -DSOMTILE_FUZZ_REGRESSIONS_DIR="\"$root/tests/fuzz_regressions\"")

# Catch2 v2's main in a translation unit of its own (the CMake build links Catch2WithMain),
# compiled in the background while the first test file compiles.
main_obj=$build/catch_main-$(printf %s "$cxx $cxxflags" | cksum | cut -d" " -f1).o
main_pid=""
if [ ! -e "$main_obj" ]; then
  printf '#define CATCH_CONFIG_MAIN\n#include <catch2/catch.hpp>\n' > "$build/catch_main.cpp"
  echo "== compiling Catch2 main"
  "$cxx" -std=c++17 $cxxflags -isystem "$deps" -c "$build/catch_main.cpp" -o "$main_obj.tmp" &
  main_pid=$!
fi

start=$SECONDS
failed=()
for t in "${tests[@]}"; do
  src=tests/$t.cpp
  [ -e "$src" ] || die "no test file $src"
  echo "== $t: compiling ($cxx ${cxxflags})"
  t0=$SECONDS
  "$cxx" "${common[@]}" -c "$src" -o "$build/$t.o"
  if [ -n "$main_pid" ]; then
    wait "$main_pid" || die "compiling Catch2's main failed"
    mv "$main_obj.tmp" "$main_obj"
    main_pid=""
  fi
  "$cxx" "${common[@]}" "$build/$t.o" "$main_obj" -o "$build/$t"
  t1=$SECONDS
  echo "== $t: compiled in $((t1 - t0)) s; running under qemu-aarch64 (OMP_NUM_THREADS=$OMP_NUM_THREADS)"
  if qemu-aarch64 -L "$sysroot" "$build/$t" "${run_args[@]}"; then
    echo "== $t: passed in $((SECONDS - t1)) s"
  else
    echo "== $t: FAILED"
    failed+=("$t")
  fi
done
echo "check-aarch64: ${#tests[@]} test files in $((SECONDS - start)) s"
[ ${#failed[@]} -eq 0 ] || die "failed on AArch64: ${failed[*]}"
echo "check-aarch64: all passed"
