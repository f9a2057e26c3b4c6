// Streaming a .npy file larger than memory: NpySource against read_npy<float>.
//   bench_stream make PATH [N]      writes W5, N x 64 float32 Gaussian blobs (10 centres in
//                                   [-10, 10], unit variance, seed 5), to PATH in chunks of
//                                   65 536 rows (memory: one chunk); N = 20 000 000 by default
//                                   (5.1 GB; do not commit it)
//   bench_stream read PATH [CHUNK_ROWS] [whole]
//                                   one full pass of NpySource<float> (rows/s, MB/s, peak RSS),
//                                   then, with "whole", read_npy<float> of the same file
// Peak RSS is VmHWM from /proc/self/status, the process's high-water mark: the source is
// measured first, so its figure is the source's alone. The column sums of both reads are
// compared (exactly: the same values summed in the same order).
#include "timing.hpp"

#include <somtile/core/random.hpp>
#include <somtile/io/detail/npy_format.hpp>
#include <somtile/io/npy.hpp>
#include <somtile/io/npy_source.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
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

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (argc < 3 || (mode != "make" && mode != "read")) {
    std::fprintf(stderr, "usage: bench_stream make PATH [N]\n       bench_stream read PATH [CHUNK_ROWS] [whole]\n");
    return 2;
  }
  if (mode == "make") return make(argv[2], argc > 3 ? std::atoll(argv[3]) : 20000000);
  return read(argv[2], argc > 3 ? std::atoll(argv[3]) : 65536, argc > 4 && std::string(argv[4]) == "whole");
}
