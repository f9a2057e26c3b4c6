// W4 (issue 8): scale.
//   (a) 1 000 000 x 64 float on a 50 x 50 map, 2 batch epochs; peak memory against the data size.
//   (b) a 200 x 200 map (40 000 units) on 50 000 x 32 data, 2 batch epochs: no units^2 matrix.
// Usage: bench_scale [threads] [a|b|ab]
#include "timing.hpp"

#include <somtile/somtile.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace somtile;

static double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // Linux reports KiB
}

static RowMatrix<float> blobs(Index n, Index f, std::uint64_t seed) {
  Random rng(seed);
  RowMatrix<float> C(10, f), X(n, f);
  for (Index i = 0; i < C.size(); ++i) C.data()[i] = float(rng.uniform(-3, 3));
  for (Index i = 0; i < n; ++i) {
    const Index c = rng.uniform_index(10);
    for (Index j = 0; j < f; ++j) X(i, j) = C(c, j) + float(rng.normal());
  }
  return X;
}

static void run(const char* name, Index n, Index f, Index side, int threads) {
  const double before = peak_rss_mib();
  const RowMatrix<float> X = blobs(n, f, 5);
  const double data_mib = double(X.size()) * sizeof(float) / (1024.0 * 1024.0);
  const double with_data = peak_rss_mib();
  SomParams p;
  p.rows = side; p.cols = side; p.epochs = 2; p.sigma = double(side) / 4; p.sigma_final = 1;
  p.sigma_decay = Decay::exponential; p.training = Training::batch; p.init = Init::pca; p.n_threads = threads;
  Som<float> som(p, f);
  const auto t0 = std::chrono::steady_clock::now();
  som.initialize_weights(X);
  const auto h = som.fit(X);
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double peak = peak_rss_mib();
  std::printf("%s %ldx%ld on %ldx%ld (%ld units), 2 batch epochs, %d threads: %.2f s, QE %.4f | data %.0f MiB, "
              "process peak %.0f MiB (before data %.0f, with data %.0f): training added %.0f MiB = %.2fx data\n",
              name, long(n), long(f), long(side), long(side), long(side * side), detail::resolve_threads(threads), t,
              h.quantization_errors.back(), data_mib, peak, before, with_data, peak - with_data,
              (peak - with_data) / data_mib);
}

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 0;
  const std::string which = argc > 2 ? argv[2] : "ab";
  if (which.find('a') != std::string::npos) run("W4a", 1000000, 64, 50, threads);
  if (which.find('b') != std::string::npos) run("W4b", 50000, 32, 200, threads);
  return 0;
}
