// Streaming a .npy file larger than memory: NpySource against read_npy<float>.
//   bench_stream make PATH [N]      writes W5, N x 64 float32 Gaussian blobs (10 centres in
//                                   [-10, 10], unit variance, seed 5), to PATH in chunks of
//                                   65 536 rows (memory: one chunk); N = 20 000 000 by default
//                                   (5.1 GB; do not commit it)
//   bench_stream read PATH [CHUNK_ROWS] [whole]
//                                   one full pass of NpySource<float> (rows/s, MB/s, peak RSS),
//                                   then, with "whole", read_npy<float> of the same file
//   bench_stream fit PATH stream|memory [EPOCHS] [THREADS] [full]
//                                   W5: a 40 x 40 map, batch training (Init::random, seed 5,
//                                   sigma 10 -> asymptotic), 5 epochs, 2 threads, from
//                                   NpySource<float> (default chunk) or from read_npy<float>;
//                                   per-epoch times, peak RSS, final QE and a codebook hash.
//                                   Run each in its own process: the peak RSS is the process's.
//                                   "full": the in-memory fit without bounds between passes
//                                   (the search the streaming fit does).
// Peak RSS is VmHWM from /proc/self/status, the process's high-water mark: the source is
// measured first, so its figure is the source's alone. The column sums of both reads are
// compared (exactly: the same values summed in the same order).
#include "timing.hpp"

#include <somtile/core/random.hpp>
#include <somtile/io/detail/npy_format.hpp>
#include <somtile/io/npy.hpp>
#include <somtile/io/npy_source.hpp>
#include <somtile/kernels/detail/bounded_bmu.hpp>
#include <somtile/som/batch_statistics.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

using namespace somtile;

namespace {

double peak_rss_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  return -1;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Column sums in row order, in one sequential sweep (cheap next to the reading; the same order
// for chunks and for the whole matrix, so the sums agree exactly).
void add_rows(const RowMatrix<float>& X, std::vector<double>& sums) {
  const float* p = X.data();
  for (Index i = 0; i < X.rows(); ++i)
    for (std::size_t j = 0; j < sums.size(); ++j) sums[j] += double(*p++);
}

int make(const std::string& path, Index n) {
  constexpr Index f = 64, centers = 10, block = 65536;
  Random rng(5);
  RowMatrix<float> C(centers, f), X(block, f);
  for (Index i = 0; i < C.size(); ++i) C.data()[i] = float(rng.uniform(-10, 10));
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return 1;
  }
  const std::string header = detail::npy_bytes("<f4", "(" + std::to_string(n) + ", 64)", nullptr, 0);
  std::fwrite(header.data(), 1, header.size(), out);
  for (Index done = 0; done < n;) {
    const Index rows = std::min(block, n - done);
    for (Index i = 0; i < rows; ++i) {
      const Index c = rng.uniform_index(centers);
      for (Index j = 0; j < f; ++j) X(i, j) = C(c, j) + float(rng.normal());
    }
    std::fwrite(X.data(), sizeof(float), std::size_t(rows * f), out);
    done += rows;
  }
  if (std::fclose(out) != 0) return 1;
  std::printf("wrote %s: %lld x 64 float32, %.1f MB, peak RSS %.1f MiB\n", path.c_str(), static_cast<long long>(n),
              double(header.size() + std::size_t(n) * 64 * 4) / 1e6, peak_rss_mib());
  return 0;
}

int read(const std::string& path, Index chunk_rows, bool whole) {
  bench::print_machine();
  const double rss0 = peak_rss_mib();
  auto t0 = std::chrono::steady_clock::now();
  NpySource<float> source(path, chunk_rows);
  Chunk<float> chunk;
  std::vector<double> sums(std::size_t(source.n_features()));
  Index rows = 0;
  for (source.rewind(); source.next(chunk);) {
    add_rows(chunk.dense, sums);
    rows += chunk.rows();
  }
  const double t = seconds_since(t0);
  const double mb = double(rows) * double(source.n_features()) * 4 / 1e6;
  std::printf(
      "NpySource<float>, chunk_rows %lld: %lld rows in %.2f s: %.3g rows/s, %.0f MB/s, peak RSS %.1f MiB "
      "(%.1f MiB before)\n",
      static_cast<long long>(chunk_rows), static_cast<long long>(rows), t, double(rows) / t, mb / t, peak_rss_mib(),
      rss0);
  if (!whole) return 0;
  t0 = std::chrono::steady_clock::now();
  const RowMatrix<float> X = read_npy<float>(path);
  std::vector<double> whole_sums(std::size_t(X.cols()));
  add_rows(X, whole_sums);
  const double tw = seconds_since(t0);
  std::printf("read_npy<float>: %lld rows in %.2f s: %.3g rows/s, %.0f MB/s, peak RSS %.1f MiB\n",
              static_cast<long long>(X.rows()), tw, double(X.rows()) / tw, mb / tw, peak_rss_mib());
  std::printf("column sums %s\n", whole_sums == sums ? "agree" : "DIFFER");
  return 0;
}

int fit(const std::string& path, const std::string& how, Index epochs, int threads, bool full) {
  bench::print_machine();
  std::printf("# %s\n", bench::load_average().c_str());
  SomParams p;
  p.rows = p.cols = 40;
  p.epochs = epochs;
  p.sigma = 10;
  p.training = Training::batch;
  p.init = Init::random;
  p.seed = 5;
  p.n_threads = threads;
  if (full) detail::set_bounded_search(false);
  Som<float> som(p, 64);
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<double> at;  // seconds at each epoch's callback
  const auto on_epoch = [&](const EpochInfo&) { at.push_back(seconds_since(t0)); };
  TrainingHistory h;
  double read_s = 0;
  if (how == "stream") {
    NpySource<float> src(path);
    h = som.fit(src, on_epoch);
  } else {
    const RowMatrix<float> X = read_npy<float>(path);
    read_s = seconds_since(t0);
    h = som.fit(X, on_epoch);
  }
  const double total = seconds_since(t0);
  std::vector<double> per_epoch;
  for (std::size_t e = 1; e < at.size(); ++e) per_epoch.push_back(at[e] - at[e - 1]);
  std::vector<double> sorted = per_epoch;
  std::sort(sorted.begin(), sorted.end());
  std::uint64_t hash = 1469598103934665603ull;  // FNV-1a of the codebook's bytes
  const auto* b = reinterpret_cast<const unsigned char*>(som.weights().data());
  for (std::size_t k = 0; k < std::size_t(som.weights().size()) * sizeof(float); ++k)
    hash = (hash ^ b[k]) * 1099511628211ull;
  std::printf("%s%s, %d threads, %lld epochs: total %.1f s (read %.1f s, to the first epoch's errors %.1f s)\n",
              how.c_str(), full ? " (full search)" : "", threads, static_cast<long long>(epochs), total, read_s,
              at.empty() ? 0.0 : at[0]);
  std::printf("per epoch (one BMU pass and update, epochs 2..%lld):", static_cast<long long>(epochs));
  for (const double t : per_epoch) std::printf(" %.2f", t);
  std::printf(" s; median %.2f s\n", sorted.empty() ? 0.0 : sorted[sorted.size() / 2]);
  if (!h.distances_computed.empty()) {
    std::printf("distances scored per pass (share of samples x units):");
    for (const double f : h.distances_computed) std::printf(" %.3f", f);
    std::printf("\n");
  }
  std::printf("final QE %.9g TE %.6f, codebook hash %016llx, peak RSS %.1f MiB\n", h.quantization_errors.back(),
              h.topographic_errors.back(), static_cast<unsigned long long>(hash), peak_rss_mib());
  std::printf("# %s\n", bench::load_average().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (argc < 3 || (mode != "make" && mode != "read" && mode != "fit") ||
      (mode == "fit" && (argc < 4 || (std::string(argv[3]) != "stream" && std::string(argv[3]) != "memory")))) {
    std::fprintf(stderr,
                 "usage: bench_stream make PATH [N]\n       bench_stream read PATH [CHUNK_ROWS] [whole]\n"
                 "       bench_stream fit PATH stream|memory [EPOCHS] [THREADS] [full]\n");
    return 2;
  }
  if (mode == "fit")
    return fit(argv[2], argv[3], argc > 4 ? std::atoll(argv[4]) : 5, argc > 5 ? std::atoi(argv[5]) : 2,
               argc > 6 && std::string(argv[6]) == "full");
  if (mode == "make") return make(argv[2], argc > 3 ? std::atoll(argv[3]) : 20000000);
  return read(argv[2], argc > 3 ? std::atoll(argv[3]) : 65536, argc > 4 && std::string(argv[4]) == "whole");
}
