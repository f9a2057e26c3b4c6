// W4 (issue 8): scale.
//   (a) 1 000 000 x 64 float on a 50 x 50 map, 2 batch epochs; peak memory against the data size.
//   (b) a 200 x 200 map (40 000 units) on 50 000 x 32 data, 2 batch epochs: no units^2 matrix.
// PCA initialisation is part of the timed job. Thread counts are interleaved round by round.
// Each time also as a fraction of the FMA peak (timing.hpp), counting the BMU passes' flops only.
// Usage: bench_scale [threads, e.g. 1,2; 0 = all] [a|b|ab] [repeats]
#include "timing.hpp"
#include "w1_data.hpp"

#include <somtile/somtile.hpp>

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace somtile;

// Peak resident memory: VmHWM from /proc/self/status, which writing "5" to clear_refs resets
// (so W4b is not measured against W4a's peak); getrusage's lifetime peak elsewhere.
static void reset_peak_rss() {
  if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
    std::fputs("5", f);
    std::fclose(f);
  }
}

static double peak_rss_mib() {
  if (std::FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    long kib = -1;
    while (std::fgets(line, sizeof line, f))
      if (std::sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
    std::fclose(f);
    if (kib >= 0) return double(kib) / 1024.0;
  }
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // Linux reports KiB
}

static void run(const char* name, Index n, Index f, Index side, const std::vector<int>& thread_counts, int repeats) {
  reset_peak_rss();
  const double before = peak_rss_mib();
  const RowMatrix<float> X = bench::blobs(n, f, 10, 3, 5);
  const double data_mib = double(X.size()) * sizeof(float) / (1024.0 * 1024.0);
  const double with_data = peak_rss_mib();
  std::vector<std::function<void()>> runs;
  std::vector<double> qe(thread_counts.size());
  for (std::size_t k = 0; k < thread_counts.size(); ++k) {
    SomParams p;
    p.rows = side;
    p.cols = side;
    p.epochs = 2;
    p.sigma = double(side) / 4;
    p.sigma_final = 1;
    p.sigma_decay = Decay::exponential;
    p.training = Training::batch;
    p.init = Init::pca;
    p.n_threads = thread_counts[k];
    runs.push_back([p, f, &X, &q = qe[k]] {
      Som<float> som(p, f);
      som.initialize_weights(X);
      q = som.fit(X).quantization_errors.back();
    });
  }
  const std::string load_before = bench::load_average();
  const std::vector<double> t = bench::interleaved_medians(repeats, runs);
  const std::string load_after = bench::load_average();
  const double peak = peak_rss_mib();
  for (std::size_t k = 0; k < thread_counts.size(); ++k)
    std::printf("%s %ldx%ld on %ldx%ld (%ld units), 2 batch epochs, %d threads: median %.2f s%s, QE %.4f\n", name,
                long(n), long(f), long(side), long(side), long(side * side), detail::resolve_threads(thread_counts[k]),
                t[k], k > 0 ? (" = " + std::to_string(t[0] / t[k]).substr(0, 4) + "x").c_str() : "", qe[k]);
  // The job as its BMU passes (2 epochs and the errors after the last: 3 x 2 n units f); PCA
  // initialisation and the updates are not counted.
  const double flops = 3.0 * 2.0 * double(n) * double(side * side) * double(f);
  for (std::size_t k = 0; k < thread_counts.size(); ++k)
    bench::print_peak_fraction(flops / t[k] * 1e-9, thread_counts[k], active_isa(), false,
                               std::string(name) + " as its 3 BMU passes' flops (the rest not counted), " +
                                   std::to_string(detail::resolve_threads(thread_counts[k])) + " threads");
  std::printf(
      "   data %.0f MiB, process peak %.0f MiB (before data %.0f, with data %.0f): training added %.0f MiB = "
      "%.2fx data  (%s before, %s after)\n",
      data_mib, peak, before, with_data, peak - with_data, (peak - with_data) / data_mib, load_before.c_str(),
      load_after.c_str());
}

int main(int argc, char** argv) {
  bench::print_machine();
  const std::vector<int> thread_counts = bench::thread_list(argc > 1 ? argv[1] : "0");
  const std::string which = argc > 2 ? argv[2] : "ab";
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 3;
  if (which.find('a') != std::string::npos) run("W4a", 1000000, 64, 50, thread_counts, repeats);
  if (which.find('b') != std::string::npos) run("W4b", 50000, 32, 200, thread_counts, repeats);
  return 0;
}
