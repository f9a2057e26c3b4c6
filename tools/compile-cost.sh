#!/usr/bin/env bash
# What a translation unit pays to use somtile, in CPU seconds (user + system) of one compiler
# run, against Eigen-only references. Each TU is compiled `repeats` times, interleaved across
# include trees, and the median is reported with the peak memory.
#
#   tools/compile-cost.sh                      # this checkout's include/
#   tools/compile-cost.sh old/include include  # two trees side by side (e.g. a git worktree)
#   CXX=clang++ REPEATS=5 CXXFLAGS="-O2 -march=x86-64-v3" tools/compile-cost.sh
#
# The TUs include the module headers (somtile/som.hpp, ...) and fall back to the layout before
# them, so that an older tree can be measured by the same script.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -gt 0 ] || set -- "$here/include"
CXX=${CXX:-g++}
CXXFLAGS=${CXXFLAGS:--O2}
repeats=${REPEATS:-3}
omp=-fopenmp
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/eigen_dense.cpp" <<'CPP'
#include <Eigen/Dense>
int main() {}
CPP
cat > "$work/eigen_la.cpp" <<'CPP'
// The linear algebra a SOM needs, with Eigen alone: a row-major GEMM, row norms, an
// eigen-decomposition.
#include <Eigen/Dense>
#include <cstdio>
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
int main() {
  const RowMatrix X = RowMatrix::Random(200, 4), W = RowMatrix::Random(100, 4);
  RowMatrix D(200, 100);
  D.noalias() = X * W.transpose();
  const Eigen::VectorXd norms = W.rowwise().squaredNorm();
  Eigen::Index best = 0;
  (D.row(0).transpose() * -2.0 + norms).minCoeff(&best);
  const Eigen::MatrixXd C = (X.transpose() * X) / 199.0;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(C);
  std::printf("%ld %g\n", long(best), eig.eigenvalues()(3));
}
CPP
cat > "$work/somtile_all.cpp" <<'CPP'
#include <somtile/somtile.hpp>
int main() {}
CPP
cat > "$work/som_fit.cpp" <<'CPP'
// The classic SOM's module header only: construct, fit, predict.
#if __has_include(<somtile/som.hpp>)
#include <somtile/som.hpp>
#else
#include <somtile/som/som.hpp>
#endif
#include <cstdio>
int main() {
  const somtile::RowMatrix<double> X = somtile::RowMatrix<double>::Random(200, 4);
  somtile::SomParams p;
  p.rows = 8;
  p.cols = 8;
  somtile::Som<double> som(p, 4);
  som.fit(X);
  std::printf("%d\n", int(som.predict(X)[0]));
}
CPP
cat > "$work/analysis_app.cpp" <<'CPP'
// An analysis app: a SOM with its maps and neuron clustering, k-means, a growing classifier,
// pictures, and the model saved and loaded.
#include <somtile/somtile.hpp>
#include <somtile/viz.hpp>
#include <cstdio>
using namespace somtile;
int main() {
  const RowMatrix<double> X = RowMatrix<double>::Random(300, 4);
  Labels y(300);
  for (Index i = 0; i < 300; ++i) y[i] = X(i, 0) > 0 ? 1 : 0;
  SomParams p;
  p.rows = 10;
  p.cols = 10;
  p.training = Training::batch;
  Som<double> som(p, 4);
  som.fit(X);
  const ClusterResult clusters = som.cluster();
  KMeans<double> km(KMeansParams{});
  km.fit(X);
  SomClassifier<double> clf;
  clf.fit(X, y);
  const double accuracy = clf.score(X, y);
  save(som, "/tmp/somtile_compile_cost.som");
  const Som<double> loaded = load_som<double>("/tmp/somtile_compile_cost.som");
  viz::plot_u_matrix(som, "/tmp/somtile_compile_cost.svg");
  viz::plot_cluster_map(som, clusters, "/tmp/somtile_compile_cost2.svg");
  viz::plot_growing_som(clf, "/tmp/somtile_compile_cost3.svg");
  std::printf("%g %d %d\n", accuracy, int(km.predict(X)[0]), int(loaded.predict(X)[0]));
}
CPP

# The analysis app again, as a program that links somtile::precompiled compiles it.
cp "$work/analysis_app.cpp" "$work/analysis_app_precompiled.cpp"

measure() {  # include-dir tu -> "cpu_seconds peak_MB"
  local inc=$1 tu=$2 t defs=""
  case $tu in *_precompiled) defs=-DSOMTILE_PRECOMPILED ;; esac
  t=$( { /usr/bin/time -f '%U %S %M' "$CXX" -std=c++17 $CXXFLAGS $omp $defs -I"$inc" -I/usr/include/eigen3 \
          -c "$work/$tu.cpp" -o /dev/null; } 2>&1 | tail -1)
  awk '{printf "%.2f %.0f\n", $1 + $2, $3 / 1024}' <<<"$t"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

tus=(eigen_dense eigen_la somtile_all som_fit analysis_app analysis_app_precompiled)
declare -A runs mem
for ((r = 0; r < repeats; ++r)); do
  for tu in "${tus[@]}"; do
    for inc in "$@"; do
      case $tu in eigen_*) [ "$inc" = "$1" ] || continue ;; esac
      read -r s m < <(measure "$inc" "$tu")
      runs["$inc|$tu"]+="$s "
      mem["$inc|$tu"]=$m
    done
  done
done

echo "$CXX $($CXX -dumpversion) $CXXFLAGS $omp; CPU seconds, median of $repeats; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
ref() { tr ' ' '\n' <<<"${runs["$1|$2"]}" | grep . | median; }
dense=$(ref "$1" eigen_dense); la=$(ref "$1" eigen_la)
printf '| translation unit | %s |\n|---|' "$(printf '%s | ' "$@" | sed 's/ | $//')"
for inc in "$@"; do printf -- '---|'; done; echo
for tu in "${tus[@]}"; do
  printf '| %s |' "$tu"
  for inc in "$@"; do
    key=$inc; case $tu in eigen_*) key=$1 ;; esac
    s=$(tr ' ' '\n' <<<"${runs["$key|$tu"]}" | grep . | median)
    case $tu in
      somtile_all) ratio=$(awk -v a="$s" -v b="$dense" 'BEGIN{printf " (%.1fx Eigen/Dense)", a/b}') ;;
      som_fit|analysis_app*) ratio=$(awk -v a="$s" -v b="$la" 'BEGIN{printf " (%.1fx Eigen LA)", a/b}') ;;
      *) ratio="" ;;
    esac
    printf ' %s s, %s MB%s |' "$s" "${mem["$key|$tu"]}" "$ratio"
  done
  echo
done
