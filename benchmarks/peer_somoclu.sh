#!/usr/bin/env bash
# somtile against somoclu (https://github.com/peterwittek/somoclu) on W1: 20 000 x 64
# standardised Gaussian blobs (10 centres, bench_som's data), 40 x 40 planar rectangular map,
# 10 batch epochs, Gaussian neighbourhood, sigma 20 -> 1 exponential, 2 threads.
# Measured with somoclu at commit baae540d1d07 (2024-01-18, "Merge pull request #174").
#
# Usage: benchmarks/peer_somoclu.sh SOMOCLU_BINARY SOMTILE_BINARY
# Environment (all optional):
#   SOMOCLU_SRC  somoclu's src/ directory: also time somoclu's train() call alone (a driver,
#                benchmarks/peer_somoclu_driver.cpp, built against its sources, no MPI/CUDA)
#   BENCH_SOM    path of bench_som: also print somtile's W1 batch training call (bench_som 2)
#   THREADS (2)  RUNS (5)  WORK (a new temporary directory)  CXX (g++)
# Needs hyperfine (else medians of RUNS timed with date), a C++17 compiler and Eigen 3.4.
# Nothing is downloaded; see benchmarks/README.md for building somoclu.
set -euo pipefail
[ $# -eq 2 ] || { sed -n '2,15p' "$0" >&2; exit 2; }
somoclu=$(realpath "$1") somtile=$(realpath "$2")
repo=$(cd "$(dirname "$0")/.." && pwd)
threads=${THREADS:-2} runs=${RUNS:-5} cxx=${CXX:-g++}
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
eigen=$(pkg-config --cflags eigen3 2>/dev/null || echo -I/usr/include/eigen3)

echo "== machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(cat /proc/loadavg)"
echo "== somtile: $("$somtile" --version)   somoclu: $somoclu   work: $work"

# The data: one file both programs read (somoclu: whitespace-separated dense rows; somtile:
# --delimiter ' ').
# shellcheck disable=SC2086
"$cxx" -std=c++17 -O2 -I"$repo/include" $eigen "$repo/benchmarks/peer_w1.cpp" -o "$work/peer_w1"
"$work/peer_w1" write "$work/w1.txt"
echo "== W1 written: $work/w1.txt ($(wc -l <"$work/w1.txt") lines, $(du -h "$work/w1.txt" | cut -f1))"

somoclu_cmd="OMP_NUM_THREADS=$threads $(printf %q "$somoclu") -k 0 -x 40 -y 40 -e 10 -m planar -g rectangular -n gaussian -d 1 -p 0 -r 20 -R 1 -t exponential $(printf %q "$work/w1.txt") $(printf %q "$work/somoclu_w1")"
somtile_cmd="OMP_NUM_THREADS=$threads $(printf %q "$somtile") train $(printf %q "$work/w1.txt") --delimiter ' ' --rows 40 --cols 40 --epochs 10 --training batch --sigma 20 --sigma-final 1 --sigma-decay exponential --init pca --dtype float --threads $threads --quiet -o $(printf %q "$work/w1.som")"
echo "== (a) somoclu CLI:  $somoclu_cmd"
echo "== (b) somtile CLI:  $somtile_cmd"

if command -v hyperfine >/dev/null; then
  hyperfine --warmup 1 --runs "$runs" --export-markdown "$work/cli.md" \
    -n somoclu "$somoclu_cmd" -n somtile "$somtile_cmd"
else
  for name in somoclu somtile; do
    cmd=${name}_cmd times=()
    for _ in $(seq "$runs"); do
      t0=$(date +%s.%N); bash -c "${!cmd}" >/dev/null; t1=$(date +%s.%N)
      times+=("$(echo "$t1 - $t0" | bc)")
    done
    printf '%s: median %s s of %s runs\n' "$name" \
      "$(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")" "$runs"
  done
fi

# Quantization error of each final codebook on the data, computed the same way (double).
bash -c "$somtile_cmd" | sed 's/^/   somtile says: /'
"$somtile" export "$work/w1.som" --format cod -o "$work/w1.cod" >/dev/null
echo "== QE somoclu: $("$work/peer_w1" qe "$work/w1.txt" "$work/somoclu_w1.wts")"
echo "== QE somtile: $("$work/peer_w1" qe "$work/w1.txt" "$work/w1.cod")"

# The training calls alone.
if [ -n "${SOMOCLU_SRC:-}" ]; then
  src=$(realpath "$SOMOCLU_SRC")
  "$cxx" -O3 -march=native -fopenmp -I"$src" "$repo/benchmarks/peer_somoclu_driver.cpp" \
    "$src"/{denseCpuKernels,io,mapDistanceFunctions,sparseCpuKernels,training,uMatrix}.cpp \
    -o "$work/peer_somoclu_driver"
  echo "== (c) somoclu train() alone:"
  OMP_NUM_THREADS=$threads "$work/peer_somoclu_driver" "$work/w1.txt" 10 "$runs"
fi
if [ -n "${BENCH_SOM:-}" ]; then
  echo "== (d) somtile training call alone (bench_som $threads: PCA init + fit, float):"
  "$BENCH_SOM" "$threads" "$runs" | grep -A1 '^W1 batch'
fi
