// read_csv throughput (issue 16): writes the W1 data (20 000 x 64 standardised blobs, float,
// shortest round-trip text, a header line; about 15 MB) to a temporary CSV file, then reads it
// back with read_csv and prints the median MB/s (file bytes per second, one thread; the file is
// in the page cache after the first run). Checks that every value reads back exactly.
// Usage: bench_io [repeats]
#include "timing.hpp"
#include "w1_data.hpp"

#include <somtile/core/random.hpp>
#include <somtile/io/csv.hpp>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

using namespace somtile;

int main(int argc, char** argv) {
  bench::print_machine();
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 7;
  const RowMatrix<float> X = bench::w1_blobs(20000, 64, 10, 7);
  const std::string path =
      (std::filesystem::temp_directory_path() / ("somtile_bench_io_" + std::to_string(::getpid()) + ".csv")).string();
  std::string text;
  for (Index j = 0; j < X.cols(); ++j) text += (j ? ",f" : "f") + std::to_string(j);
  text += '\n';
  char buffer[32];
  for (Index i = 0; i < X.rows(); ++i)
    for (Index j = 0; j < X.cols(); ++j) {
      const auto r = std::to_chars(buffer, buffer + sizeof buffer, X(i, j));
      text.append(buffer, r.ptr);
      text += j + 1 < X.cols() ? ',' : '\n';
    }
  std::ofstream(path, std::ios::binary) << text;
  const double megabytes = double(text.size()) / 1e6;

  CsvData d;
  const std::string before = bench::load_average();
  const double t = bench::median_seconds(repeats, [&] { d = read_csv(path); });
  const std::string after = bench::load_average();
  std::remove(path.c_str());

  const bool exact = d.X.rows() == X.rows() && d.X.cols() == X.cols() &&
                     (d.X.cast<float>().array() == X.array()).all() && d.columns.size() == 64;
  std::printf("read_csv, 20000 x 64 float CSV with header, %.1f MB: median %.3f s = %.0f MB/s%s\n", megabytes, t,
              megabytes / t, exact ? "" : "  (VALUES DIFFER)");
  std::printf("   (%s before, %s after)\n", before.c_str(), after.c_str());
  return exact ? 0 : 1;
}
