#!/usr/bin/env bash
# somtile against sparse-som (Melka & Mariage, IJCCI 2017; https://github.com/yoch/sparse-som,
# its batch program sparse-bsom) on a synthetic document collection: DOCS x TERMS tf-idf rows
# (benchmarks/make_documents.cpp: Zipf vocabulary, 20 topics, ~NNZ non-zeros per row, rows of
# unit norm), 30 x 30 rectangular planar map, 10 batch epochs, Gaussian neighbourhood,
# THREADS threads, float codebooks on both sides.
# Measured with sparse-som at commit b893b91722c4 (2020-11-27, "adding tests").
#
# Usage: benchmarks/peer_sparse_som.sh SPARSE_SOM_DIR
#   SPARSE_SOM_DIR  a checkout of sparse-som (its src/ is built here, twice: with its own
#                   Makefile flags, g++ -O2 -fopenmp, and with -O3 -march=native)
# Environment (all optional): THREADS (2) RUNS (3) WORK (a new temporary directory; programs and
#   data already there are reused; RUNS=0 prints the table of the runs already there) CXX (g++)
#   VARIANTS (all five rows of the table)
#   DOCS (100000) TERMS (50000) NNZ (100) ROWS (30) COLS (30) EPOCHS (10)
#
# Sigma: sparse-som's radius goes linearly from (ROWS + COLS) / 2 to 0.5 and sigma = 0.3 radius
# (its defaults: 9 -> 0.15 on a 30 x 30 map over epochs 1..10), the Gaussian cut at a
# Chebyshev grid distance of radius + 1. somtile has no linear schedule that ends above zero;
# the run uses Decay::exponential with the same first and last sigma (9 and 0.15: sigma_final
# is set so that epoch 10 of 10 gets 0.15), so the middle epochs have smaller sigmas; the
# second somtile row uses Decay::linear_to_zero from 9 (ending at 0.9, more smoothing than
# sparse-som). Initialisation differs: sparse-som draws every weight uniformly in [0, 1)
# (seeded by the clock), somtile takes random data rows (seed 1).
# Times: wall time of the whole program (load + train + write), the training alone (each
# program's own clock) and the CPU time of the whole program (user + sys, which a busy machine
# disturbs less than wall time), medians of RUNS, the runs of the programs interleaved. QE: one routine
# (peer_sparse_som_driver qe, double, plain loops) on both final codebooks. Peak memory:
# /usr/bin/time's maximum resident set size, against data (values + indices + row offsets) plus
# codebook, both float.
set -euo pipefail
[ $# -eq 1 ] || { sed -n '2,30p' "$0" >&2; exit 2; }
peer_src=$(realpath "$1")
repo=$(cd "$(dirname "$0")/.." && pwd)
threads=${THREADS:-2} runs=${RUNS:-3} cxx=${CXX:-g++}
docs=${DOCS:-100000} terms=${TERMS:-50000} nnz=${NNZ:-100}
rows=${ROWS:-30} cols=${COLS:-30} epochs=${EPOCHS:-10}
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
eigen=$(pkg-config --cflags eigen3 2>/dev/null || echo -I/usr/include/eigen3)
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian: time)" >&2; exit 1; }

echo "== OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}, $threads threads"
echo "== machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== sparse-som: $peer_src ($(git -C "$peer_src" rev-parse HEAD 2>/dev/null || echo 'not a git checkout'))"

# ---- builds (skipped for programs already in WORK) -------------------------------------------
build() {  # build OUTPUT COMMAND...
  local out=$1; shift
  [ -x "$out" ] || "$@" -o "$out"
}
# shellcheck disable=SC2086
build "$work/make_documents" "$cxx" -std=c++17 -O2 -I"$repo/include" $eigen "$repo/benchmarks/make_documents.cpp"
# shellcheck disable=SC2086
build "$work/somtile_native" "$cxx" -std=c++17 -O3 -march=native -DNDEBUG -fopenmp -I"$repo/include" $eigen \
  "$repo/benchmarks/peer_sparse_som_driver.cpp"
# shellcheck disable=SC2086
build "$work/somtile_x86_64" "$cxx" -std=c++17 -O3 -DNDEBUG -fopenmp -I"$repo/include" $eigen \
  "$repo/benchmarks/peer_sparse_som_driver.cpp"
peer_sources=("$peer_src/src/data.cpp" "$peer_src/src/bsom.cpp" "$peer_src/src/bsom/main.cpp")
build "$work/sparse_bsom_O2" "$cxx" --std=c++11 -O2 -s -fopenmp "${peer_sources[@]}"   # its Makefile
build "$work/sparse_bsom_native" "$cxx" --std=c++11 -O3 -march=native -s -fopenmp "${peer_sources[@]}"

# ---- data ------------------------------------------------------------------------------------
data=$work/documents.svm
[ -s "$data" ] || "$work/make_documents" "$data" "$docs" "$terms" "$nnz"
echo "== data: $data ($(du -h "$data" | cut -f1))"

# sigma_final of somtile's exponential decay so that epoch `epochs` (t = epochs - 1) gets the
# same sigma as sparse-som's last epoch.
read -r s0 s_last s_final < <(awk -v r="$rows" -v c="$cols" -v e="$epochs" 'BEGIN {
  r0 = (r + c) / 2; s0 = 0.3 * r0; sl = 0.3 * 0.5
  printf "%.6g %.6g %.6g\n", s0, sl, s0 * exp(log(sl / s0) * e / (e - 1)) }')
echo "== sigma: sparse-som linear ${s0} -> ${s_last}; somtile exponential ${s0} -> ${s_last} (sigma_final ${s_final}), and linear_to_zero from ${s0}"

calc() { awk "BEGIN { printf \"${2:-%.6f}\", $1 }"; }  # calc EXPRESSION [FORMAT]

# ---- runs ------------------------------------------------------------------------------------
# run NAME CMD...: appends "wall train rss_kib" to $work/NAME.times; somtile and sparse-som print
# their training time in different words.
run() {
  local name=$1; shift
  /usr/bin/time -v "$@" >"$work/$name.log" 2>"$work/$name.time"
  local wall rss train cpu
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/$name.time" |
    awk -F: '{ s = 0; for (i = 1; i <= NF; ++i) s = s * 60 + $i; print s }')
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/$name.time")
  cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$work/$name.time")
  train=$(sed -n -e 's/^Finished: elapsed \([0-9.e+-]*\)s.*/\1/p' -e 's/.* fit \([0-9.]*\) s,.*/\1/p' "$work/$name.log")
  echo "$wall $train $rss $cpu" >>"$work/$name.times"
  printf '   %-22s wall %7.2f s  train %7.2f s  cpu %7.2f s  peak RSS %7.1f MiB\n' "$name" "$wall" "$train" "$cpu" \
    "$(calc "$rss / 1024")"
}
variants=${VARIANTS:-sparse_som_O2 sparse_som_native somtile_native somtile_x86_64 somtile_native_linear}
want() { [[ " $variants " == *" $1 "* ]]; }
export OMP_NUM_THREADS=$threads
# Threads sleep at barriers instead of spinning (see README.md, "On a shared machine"): sparse-som
# opens one parallel loop per unit in its BMU search (900 per epoch), which spinning threads turn
# into a contest for the cores whenever anything else runs. Set OMP_WAIT_POLICY=active to undo.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
[ "$runs" -eq 0 ] || rm -f "$work"/*.times  # RUNS=0: only the table, from the runs already in WORK
for r in $(seq "$runs"); do
  echo "== run $r of $runs"
  for v in O2 native; do
    want "sparse_som_$v" || continue
    run "sparse_som_$v" "$work/sparse_bsom_$v" -i "$data" -x "$cols" -y "$rows" -d "$terms" -T "$epochs" \
      -o "$work/sparse_som_$v.cb" -v
  done
  for v in native x86_64; do
    want "somtile_$v" || continue
    run "somtile_$v" "$work/somtile_$v" train "$data" "$terms" "$rows" "$cols" "$epochs" "$s0" exponential \
      "$s_final" "$threads" "$work/somtile_$v.cb"
  done
  want somtile_native_linear && run somtile_native_linear "$work/somtile_native" train "$data" "$terms" "$rows" "$cols" "$epochs" "$s0" \
    linear_to_zero 0.01 "$threads" "$work/somtile_native_linear.cb"
done

# ---- summary ---------------------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
bytes=$(awk -v n="$docs" '{ nnz += NF - 1 } END { printf "%.1f", (nnz * 8 + (n + 1) * 4) / 1048576 }' "$data")
codebook=$(calc "$rows * $cols * $terms * 4 / 1048576")
echo
echo "data $bytes MiB (float values + int indices + row offsets), codebook $(printf %.1f "$codebook") MiB (float)"
echo
echo "| program | build | sigma | wall s | train s | CPU s (user + sys) | QE | peak RSS MiB | RSS / (data + codebook) |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
for name in $variants; do
  wall=$(cut -d' ' -f1 "$work/$name.times" | median)
  train=$(cut -d' ' -f2 "$work/$name.times" | median)
  rss=$(cut -d' ' -f3 "$work/$name.times" | median)
  cpu=$(cut -d' ' -f4 "$work/$name.times" | median)
  qe=$("$work/somtile_native" qe "$data" "$terms" "$work/$name.cb")
  case $name in
    sparse_som_O2) label="sparse-som | -O2 (its Makefile) | linear ${s0} -> ${s_last}" ;;
    sparse_som_native) label="sparse-som | -O3 -march=native | linear ${s0} -> ${s_last}" ;;
    somtile_native) label="somtile | -O3 -march=native | exponential ${s0} -> ${s_last}" ;;
    somtile_x86_64) label="somtile | -O3 (x86-64) | exponential ${s0} -> ${s_last}" ;;
    somtile_native_linear) label="somtile | -O3 -march=native | linear_to_zero ${s0} -> $(calc "$s0 / $epochs" %.2g)" ;;
  esac
  printf '| %s | %.2f | %.2f | %.2f | %s | %.0f | %.2f |\n' "$label" "$wall" "$train" "$cpu" "$qe" "$(calc "$rss / 1024")" \
    "$(calc "$rss / 1024 / ($bytes + $codebook)")"
done
