// Missing values (Missing::mask): what the masked paths cost next to the complete-data ones.
// One run, interleaved medians: the BMU pass (find_bmus, with second BMUs) on complete data (the
// dense pass), and with a share of the rows or cells NaN (the masked pass: those rows take the
// score kernel on [x0 | mask], twice as wide), and their ratio; Som::fit, batch and
// mini-batch, on complete data with reject and with mask (the same code: must cost the same)
// and on data with NaN cells.
// Usage: bench_missing [n_samples] [n_features] [side] [threads] [repeats]
#include "timing.hpp"

#include <somtile/somtile.hpp>

#include <cstdio>
#include <cstdlib>
#include <limits>

int main(int argc, char** argv) {
  using namespace somtile;
  const Index n = argc > 1 ? std::atol(argv[1]) : 20000, f = argc > 2 ? std::atol(argv[2]) : 30;
  const Index side = argc > 3 ? std::atol(argv[3]) : 20;
  const int threads = argc > 4 ? std::atoi(argv[4]) : 0, repeats = argc > 5 ? std::atoi(argv[5]) : 5;
  bench::print_machine();
  Random rng(1);
  RowMatrix<double> X(n, f), W(side * side, f);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = rng.normal();
  for (Index i = 0; i < W.size(); ++i) W.data()[i] = rng.normal();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  RowMatrix<double> rows10 = X, cells10 = X;  // 10% of the rows miss one cell; 10% of all cells
  for (Index i = 0; i < n; i += 10) rows10(i, i % f) = nan;
  for (Index i = 0; i < cells10.size(); ++i)
    if (rng.uniform() < 0.1) cells10.data()[i] = nan;
  for (Index i = 0; i < n; ++i)
    if (cells10.row(i).array().isNaN().all()) cells10(i, 0) = 0;

  std::vector<std::function<void()>> runs = {
      [&] {
        find_bmus<double>(X, W, {Distance::euclidean, SecondBmu::find, threads});
      },
      [&] {
        find_bmus<double>(rows10, W, {Distance::euclidean, SecondBmu::find, threads, Missing::mask});
      },
      [&] {
        find_bmus<double>(cells10, W, {Distance::euclidean, SecondBmu::find, threads, Missing::mask});
      }};
  const char* names[] = {"complete", "complete, mask", "10% cells NaN"};
  for (const Training training : {Training::batch, Training::minibatch})
    for (int k = 0; k < 3; ++k)
      runs.push_back([&, training, k] {
        SomParams p;
        p.rows = p.cols = side;
        p.epochs = 5;
        p.training = training;
        p.batch_size = 256;
        p.sigma = double(side) / 4;
        p.init = Init::sample;
        p.n_threads = threads;
        p.missing = k == 0 ? Missing::reject : Missing::mask;
        Som<double> som(p, f);
        som.fit(k == 2 ? cells10 : X);
      });
  const std::vector<double> t = bench::interleaved_medians(repeats, runs);
  std::printf("%ld x %ld, %ld units, %d threads (0 = all), medians of %d\n", long(n), long(f), long(side * side),
              threads, repeats);
  std::printf(
      "find_bmus: dense pass (complete) %.1f ms | masked pass: 10%% of rows with a NaN %.1f ms (%.2fx), "
      "10%% of cells NaN (%.0f%% of rows) %.1f ms (%.2fx)\n",
      t[0] * 1e3, t[1] * 1e3, t[1] / t[0],
      100.0 * double((cells10.array().isNaN().rowwise().any()).count()) / double(n), t[2] * 1e3, t[2] / t[0]);
  for (int m = 0; m < 2; ++m)
    std::printf("Som::fit %-9s 5 epochs: %s %.1f ms | %s %.1f ms | %s %.1f ms\n", m ? "minibatch" : "batch", names[0],
                t[3 + 3 * m] * 1e3, names[1], t[4 + 3 * m] * 1e3, names[2], t[5 + 3 * m] * 1e3);
  return 0;
}
