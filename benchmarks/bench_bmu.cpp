// Roofline of the BMU pass: GFLOP/s of find_bmus against Eigen GEMMs of the same shape, measured
// in one run (interleaved): one plain product X W^T into an n x units matrix (Eigen's own
// threads), and the same products in the BMU pass's blocks (n_threads threads, one score tile
// per thread, no scan), i.e. what the pass would cost if finding the two best units were free.
// The pass runs at every kernel level from the build's own to the CPU's best (set_max_isa).
// Each figure also as a fraction of the FMA peak of the threads' cores at its level (timing.hpp;
// a BMU pass is 2 x n x units x features flops).
// Usage: bench_bmu [n_samples] [n_features] [n_units] [threads] [repeats]
#include "timing.hpp"

#include <somtile/somtile.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

template <typename S>
void run(somtile::Index n, somtile::Index f, somtile::Index units, int threads, int repeats) {
  using namespace somtile;
  Random rng(1);
  RowMatrix<S> X(n, f), W(units, f);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = S(rng.normal());
  for (Index i = 0; i < W.size(); ++i) W.data()[i] = S(rng.normal());
  const double flops = 2.0 * double(n) * double(units) * double(f);

  RowMatrix<S> G(n, units);
  const Index block = 320;  // as find_bmus for 1600 units; scores unit-major, as there
  std::vector<RowMatrix<S>> tiles(std::size_t(detail::resolve_threads(threads)), RowMatrix<S>(units, block));
  Eigen::setNbThreads(threads);
  // find_bmus at every kernel level from the build's own to the CPU's best, interleaved with
  // the GEMMs (Eigen's code is fixed at the build's level).
  std::vector<Isa> levels;
  for (int l = int(detail::compiled_isa); l <= int(detail::cpu_isa()); ++l) levels.push_back(Isa(l));
  std::vector<std::function<void()>> runs = {[&] { G.noalias() = X * W.transpose(); },
                                             [&] {
                                               detail::parallel_for_chunks(
                                                   n, block, threads,
                                                   [&](Index b, Index e) {
                                                     auto& T = tiles[std::size_t(detail::thread_slot())];
                                                     T.leftCols(e - b).noalias() =
                                                         W * X.middleRows(b, e - b).transpose();
                                                   },
                                                   double(units) * double(f));
                                             }};
  for (const Isa level : levels)
    for (const SecondBmu second : {SecondBmu::skip, SecondBmu::find})
      runs.push_back([&, level, second] {
        set_max_isa(level);
        find_bmus<S>(X, W, {Distance::euclidean, second, threads});
      });
  const std::vector<double> t = bench::interleaved_medians(repeats, runs);
  std::printf(
      "%-6s %ldx%ld vs %ld units, %d threads: GEMM %.1f GFLOP/s (%.1f ms) | blocked GEMM %.1f GFLOP/s (%.1f ms)\n",
      sizeof(S) == 4 ? "float" : "double", long(n), long(f), long(units), threads, flops / t[0] * 1e-9, t[0] * 1e3,
      flops / t[1] * 1e-9, t[1] * 1e3);
  const bool dbl = sizeof(S) == 8;
  bench::print_peak_fraction(flops / t[0] * 1e-9, threads, detail::compiled_isa, dbl, "GEMM (the build's level)");
  bench::print_peak_fraction(flops / t[1] * 1e-9, threads, detail::compiled_isa, dbl, "blocked GEMM");
  for (std::size_t k = 0; k < levels.size(); ++k) {
    const double best = t[2 + 2 * k], with_second = t[3 + 2 * k];
    std::printf(
        "    BMU pass, kernel %-8s %6.1f GFLOP/s (%.1f ms) = %3.0f%% of blocked GEMM, %3.0f%% of GEMM | "
        "with second BMU %6.1f GFLOP/s = %3.0f%% of blocked\n",
        isa_name(levels[k]), flops / best * 1e-9, best * 1e3, 100.0 * t[1] / best, 100.0 * t[0] / best,
        flops / with_second * 1e-9, 100.0 * t[1] / with_second);
    bench::print_peak_fraction(flops / best * 1e-9, threads, levels[k], dbl,
                               std::string("BMU pass, kernel ") + isa_name(levels[k]));
  }
  std::printf("    (%s)\n", bench::load_average().c_str());
}

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 20000;
  const long f = argc > 2 ? std::atol(argv[2]) : 64;
  const long units = argc > 3 ? std::atol(argv[3]) : 1600;
  const int threads = argc > 4 ? std::atoi(argv[4]) : somtile::detail::resolve_threads(0);
  const int repeats = argc > 5 ? std::atoi(argv[5]) : 9;
  bench::print_machine();
  run<float>(n, f, units, threads, repeats);
  run<double>(n, f, units, threads, repeats);
  return 0;
}
