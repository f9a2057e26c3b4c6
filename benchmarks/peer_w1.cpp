// Helper of peer_somoclu.sh (built by that script, not by CMake).
//   peer_w1 write PATH        writes W1, the data of bench_som (20 000 x 64 standardised blobs,
//                             10 centres, seed 7, float), as plain text: one sample per line,
//                             values separated by one space (somoclu's dense format; somtile
//                             reads it with --delimiter ' ').
//   peer_w1 qe DATA CODEBOOK  prints the quantization error (mean Euclidean distance from each
//                             sample to its nearest codebook vector, in double) of a codebook
//                             file: somoclu's .wts or a SOM_PAK .cod from `somtile export`; lines
//                             that are not exactly one vector of numbers (headers) are skipped.
#include <somtile/core/random.hpp>
#include <somtile/core/types.hpp>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "w1_data.hpp"

using namespace somtile;

// Rows of exactly `dim` numbers (dim = 0: the first such row's length) from a text file.
RowMatrix<double> read_vectors(const char* path, Index dim) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(std::string("cannot open ") + path);
  std::vector<double> values;
  std::string line;
  Index rows = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<double> row;
    std::string token;
    bool numeric = true;
    while (fields >> token) {
      double v;
      const auto r = std::from_chars(token.data(), token.data() + token.size(), v);
      if (r.ec != std::errc() || r.ptr != token.data() + token.size()) numeric = false;
      row.push_back(v);
    }
    if (!numeric || row.empty() || (dim > 0 && Index(row.size()) != dim)) continue;
    dim = Index(row.size());
    values.insert(values.end(), row.begin(), row.end());
    ++rows;
  }
  RowMatrix<double> M(rows, dim);
  std::copy(values.begin(), values.end(), M.data());
  return M;
}

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "write") == 0) {
    const RowMatrix<float> X = bench::w1_blobs(20000, 64, 10, 7);
    std::string text;
    char buffer[32];
    for (Index i = 0; i < X.rows(); ++i)
      for (Index j = 0; j < X.cols(); ++j) {
        const auto r = std::to_chars(buffer, buffer + sizeof buffer, X(i, j));
        text.append(buffer, r.ptr);
        text += j + 1 < X.cols() ? ' ' : '\n';
      }
    std::ofstream(argv[2], std::ios::binary) << text;
    return 0;
  }
  if (argc == 4 && std::strcmp(argv[1], "qe") == 0) {
    const RowMatrix<double> X = read_vectors(argv[2], 0);
    const RowMatrix<double> W = read_vectors(argv[3], X.cols());
    if (X.rows() == 0 || W.rows() == 0) {
      std::fprintf(stderr, "peer_w1 qe: no data or no codebook vectors of %ld values\n", long(X.cols()));
      return 1;
    }
    double sum = 0;
    for (Index i = 0; i < X.rows(); ++i) sum += std::sqrt((W.rowwise() - X.row(i)).rowwise().squaredNorm().minCoeff());
    std::printf("%.4f (%ld samples, %ld units)\n", sum / double(X.rows()), long(X.rows()), long(W.rows()));
    return 0;
  }
  std::fprintf(stderr, "usage: peer_w1 write PATH | peer_w1 qe DATA CODEBOOK\n");
  return 2;
}
