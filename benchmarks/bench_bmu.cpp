// Roofline of the BMU pass: GFLOP/s of find_bmus against a plain Eigen GEMM of the same shape,
// measured in one run. Usage: bench_bmu [n_samples] [n_features] [n_units] [threads]
#include "timing.hpp"

#include <somtile/somtile.hpp>

#include <cstdio>
#include <cstdlib>

template <typename S>
void run(somtile::Index n, somtile::Index f, somtile::Index units, int threads) {
  using namespace somtile;
  Random rng(1);
  RowMatrix<S> X(n, f), W(units, f);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = S(rng.normal());
  for (Index i = 0; i < W.size(); ++i) W.data()[i] = S(rng.normal());
  const double flops = 2.0 * double(n) * double(units) * double(f);

  RowMatrix<S> G(n, units);
  Eigen::setNbThreads(threads);
  const double t_gemm = bench::median_seconds(9, [&] { G.noalias() = X * W.transpose(); });
  const double t_bmu = bench::median_seconds(9, [&] { find_bmus<S>(X, W, Distance::euclidean, false, threads); });
  const double t_bmu2 = bench::median_seconds(9, [&] { find_bmus<S>(X, W, Distance::euclidean, true, threads); });
  std::printf("%-6s %ldx%ld vs %ld units, %d threads: GEMM %.1f GFLOP/s (%.1f ms) | BMU %.1f GFLOP/s "
              "(%.1f ms, %.0f%% of GEMM) | BMU+second %.1f GFLOP/s (%.0f%%)\n",
              sizeof(S) == 4 ? "float" : "double", long(n), long(f), long(units), threads,
              flops / t_gemm * 1e-9, t_gemm * 1e3, flops / t_bmu * 1e-9, t_bmu * 1e3,
              100.0 * t_gemm / t_bmu, flops / t_bmu2 * 1e-9, 100.0 * t_gemm / t_bmu2);
}

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 20000;
  const long f = argc > 2 ? std::atol(argv[2]) : 64;
  const long units = argc > 3 ? std::atol(argv[3]) : 1600;
  const int threads = argc > 4 ? std::atoi(argv[4]) : somtile::detail::resolve_threads(0);
  run<float>(n, f, units, threads);
  run<double>(n, f, units, threads);
  return 0;
}
