// Sparse batch training of the classic Som: time per epoch (BMU pass + update) and peak memory
// (getrusage ru_maxrss) against the data + codebook, on a synthetic document collection
// (Zipf-distributed vocabulary, tf-idf, rows normalised to unit length), built straight into
// compressed rows so that building it costs no extra memory. The epoch time also as a fraction
// of the FMA peak, counting the BMU pass's 2 x nnz x units flops (timing.hpp).
// Usage: bench_sparse_kernels [n_docs] [n_terms] [nnz_per_row] [map_side] [epochs] [threads] [float|double]
#include "timing.hpp"

#include <somtile/sparse.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // kilobytes on Linux
}

/// User + system CPU seconds of the process so far (all threads).
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double current_rss_mb() {
  long pages = 0, resident = 0;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return double(resident) * 4096.0 / (1024.0 * 1024.0);
}

/// n x F documents, nnz_per_row distinct terms each on average (uniform in [nnz/2, 3nnz/2]),
/// terms drawn from a Zipf(1) law, tf-idf weights, unit-length rows.
template <typename S>
somtile::SparseRowMatrix<S> documents(somtile::Index n, somtile::Index F, somtile::Index nnz_per_row,
                                      std::uint64_t seed) {
  using namespace somtile;
  Random rng(seed);
  std::vector<double> cdf(static_cast<std::size_t>(F));
  double total = 0.0;
  for (Index j = 0; j < F; ++j) cdf[std::size_t(j)] = total += 1.0 / double(j + 1);
  // A random permutation of term ids, so frequent terms are spread over the columns.
  const std::vector<Index> id = rng.permutation(F);
  std::vector<int> length(static_cast<std::size_t>(n));
  Index nnz = 0;
  for (Index i = 0; i < n; ++i) {
    const Index lo = std::max<Index>(1, nnz_per_row / 2);
    length[std::size_t(i)] = int(std::min<Index>(F, lo + rng.uniform_index(nnz_per_row + 1)));
    nnz += length[std::size_t(i)];
  }
  SparseRowMatrix<S> X(n, F);
  X.resizeNonZeros(nnz);
  int* outer = X.outerIndexPtr();
  int* inner = X.innerIndexPtr();
  S* value = X.valuePtr();
  std::vector<Index> df(static_cast<std::size_t>(F), 0);
  Index k = 0;
  std::vector<int> row;
  for (Index i = 0; i < n; ++i) {
    outer[i] = int(k);
    row.clear();
    while (Index(row.size()) < length[std::size_t(i)]) {
      const double r = rng.uniform() * total;
      const int j = int(id[std::size_t(std::lower_bound(cdf.begin(), cdf.end(), r) - cdf.begin())]);
      if (std::find(row.begin(), row.end(), j) == row.end()) row.push_back(j);
    }
    std::sort(row.begin(), row.end());
    for (const int j : row) {
      inner[k] = j;
      value[k] = S(1.0 + std::log(1.0 + 3.0 * rng.uniform()));  // 1 + log tf
      ++df[std::size_t(j)];
      ++k;
    }
  }
  outer[n] = int(k);
  for (Index i = 0; i < n; ++i) {
    double norm = 0.0;
    for (Index q = outer[i]; q < outer[i + 1]; ++q) {
      value[q] = S(double(value[q]) * std::log(double(n) / double(df[std::size_t(inner[q])])));
      norm += double(value[q]) * double(value[q]);
    }
    norm = std::sqrt(norm);
    if (norm > 0)
      for (Index q = outer[i]; q < outer[i + 1]; ++q) value[q] = S(double(value[q]) / norm);
  }
  return X;
}

template <typename S>
void run(somtile::Index n, somtile::Index F, somtile::Index nnz_per_row, somtile::Index side, somtile::Index epochs,
         int threads) {
  using namespace somtile;
  const auto t0 = std::chrono::steady_clock::now();
  const SparseRowMatrix<S> X = documents<S>(n, F, nnz_per_row, 7);
  const double gen_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double data_mb = (double(X.nonZeros()) * (sizeof(S) + sizeof(int)) + double(n + 1) * sizeof(int)) / 1048576.0;
  const double codebook_mb = double(side * side) * double(F) * sizeof(S) / 1048576.0;
  const double before_mb = current_rss_mb();
  SomParams p;
  p.rows = side;
  p.cols = side;
  p.epochs = epochs;
  p.training = Training::batch;
  p.sigma = double(side) / 2.0;
  p.sigma_decay = Decay::exponential;
  p.sigma_final = 0.5;
  p.n_threads = threads;
  p.init = Init::random;
  Som<S> som(p, F);
  std::vector<double> epoch_s, epoch_cpu;
  auto last = std::chrono::steady_clock::now();
  double last_cpu = cpu_seconds();
  const auto start = last;
  const TrainingHistory h = som.fit(X, [&](const EpochInfo&) {
    const auto now = std::chrono::steady_clock::now();
    const double c = cpu_seconds();
    epoch_s.push_back(std::chrono::duration<double>(now - last).count());
    epoch_cpu.push_back(c - last_cpu);
    last = now;
    last_cpu = c;
  });
  const double fit_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> sorted = epoch_s;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  std::sort(epoch_cpu.begin(), epoch_cpu.end());
  const double median_cpu = epoch_cpu[epoch_cpu.size() / 2];
  const double peak = peak_rss_mb();
  std::printf(
      "%s %ld x %ld, %.1f nnz/row (%ld nnz, %.0f MB), %ldx%ld map (codebook %.0f MB), %ld batch epochs, %d threads\n",
      sizeof(S) == 4 ? "float" : "double", long(n), long(F), double(X.nonZeros()) / double(n), long(X.nonZeros()),
      data_mb, long(side), long(side), codebook_mb, long(epochs), threads);
  std::printf(
      "  generate %.1f s | fit %.2f s (includes the first BMU pass and the column copy), epoch median %.3f s "
      "(min %.3f, max %.3f), CPU time per epoch (all threads) median %.3f s\n",
      gen_s, fit_s, median, sorted.front(), sorted.back(), median_cpu);
  std::printf("  QE %.5f -> %.5f, TE %.4f -> %.4f\n", h.quantization_errors.front(), h.quantization_errors.back(),
              h.topographic_errors.front(), h.topographic_errors.back());
  std::printf("  RSS before fit %.0f MB, peak %.0f MB = %.2f x (data + codebook = %.0f MB)\n", before_mb, peak,
              peak / (data_mb + codebook_mb), data_mb + codebook_mb);
  // The BMU pass: for every non-zero x_j, an FMA with the row j of the codebook's transposed
  // panel over all units, 2 x nnz x units flops per epoch (the update not counted).
  bench::print_peak_fraction(2.0 * double(X.nonZeros()) * double(side * side) / median * 1e-9, threads, active_isa(),
                             sizeof(S) == 8, "epoch median as its sparse BMU pass's flops (2 x nnz x units)");
  std::printf(
      "    (not flop-bound: every non-zero streams a codebook row of `units` values from cache or memory "
      "for one FMA each)\n");
  std::printf("  (%s)\n", bench::load_average().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 100000;
  const long F = argc > 2 ? std::atol(argv[2]) : 50000;
  const long nnz = argc > 3 ? std::atol(argv[3]) : 100;
  const long side = argc > 4 ? std::atol(argv[4]) : 30;
  const long epochs = argc > 5 ? std::atol(argv[5]) : 10;
  const int threads = argc > 6 ? std::atoi(argv[6]) : 0;
  const bool dbl = argc > 7 && std::strcmp(argv[7], "double") == 0;
  bench::print_machine();
  if (dbl)
    run<double>(n, F, nnz, side, epochs, threads);
  else
    run<float>(n, F, nnz, side, epochs, threads);
}
