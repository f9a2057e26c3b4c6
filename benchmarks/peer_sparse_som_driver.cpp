// somtile's side of benchmarks/peer_sparse_som.sh, and the one quantization-error routine both
// programs' codebooks are measured with.
//
//   peer_sparse_som_driver train DATA.svm N_FEATURES ROWS COLS EPOCHS SIGMA DECAY SIGMA_FINAL THREADS OUT.cb
//       read_svmlight<float> (0-based), Som<float> batch fit (Init::random, Gaussian,
//       rectangular, planar), the codebook written in sparse-som's binary format
//       ("rows cols dim\n" then rows*cols*dim float32). Prints load and fit wall times, the
//       peak resident set (getrusage) and the data and codebook bytes.
//   peer_sparse_som_driver qe DATA.svm N_FEATURES CODEBOOK.cb
//       mean Euclidean distance of each row to its nearest codebook vector, in double, by a
//       plain loop over the row's non-zeros and the units (||x||^2 - 2 x.w + ||w||^2); no somtile
//       kernel is involved.
#include <somtile/io/svmlight.hpp>
#include <somtile/sparse.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

using namespace somtile;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // kilobytes on Linux
}

Decay parse_decay(const std::string& name) {
  for (std::size_t k = 0; k < EnumNames<Decay>::names.size(); ++k)
    if (EnumNames<Decay>::names[k] == name) return Decay(k);
  std::cerr << "unknown decay " << name << "\n";
  std::exit(2);
}

SvmlightData<float> load(const std::string& path, Index n_features) {
  SvmlightOptions options;
  options.index_base = IndexBase::zero;  // make_documents writes 0-based indices, as sparse-som reads by default
  options.n_features = n_features;
  return read_svmlight<float>(path, options);
}

int train(char** a) {
  const std::string data = a[2];
  const Index n_features = std::atol(a[3]);
  SomParams p;
  p.rows = std::atol(a[4]);
  p.cols = std::atol(a[5]);
  p.epochs = std::atol(a[6]);
  p.sigma = std::atof(a[7]);
  p.sigma_decay = parse_decay(a[8]);
  p.sigma_final = std::atof(a[9]);
  p.n_threads = std::atoi(a[10]);
  p.training = Training::batch;
  p.init = Init::random;
  p.seed = 1;
  const std::string out = a[11];

  const double t0 = now();
  SvmlightData<float> d = load(data, n_features);
  const SparseRowMatrix<float>& X = d.X;
  d.y = {};
  d.y.shrink_to_fit();
  const double t1 = now();
  Som<float> som(p, X.cols());
  const TrainingHistory h = som.fit(X);
  const double t2 = now();
  const double data_mib = double(X.nonZeros()) * (4 + 4) / 1048576.0 + double(X.rows() + 1) * 4 / 1048576.0;
  const double codebook_mib = double(som.n_units()) * double(X.cols()) * 4 / 1048576.0;
  std::printf(
      "somtile: load %.3f s, fit %.3f s, peak RSS %.1f MiB, data %.1f MiB + codebook %.1f MiB = %.1f MiB "
      "(ratio %.2f), last epoch QE (somtile) %.6f\n",
      t1 - t0, t2 - t1, peak_rss_mib(), data_mib, codebook_mib, data_mib + codebook_mib,
      peak_rss_mib() / (data_mib + codebook_mib), h.quantization_errors.back());
  std::printf("sigma per epoch:");
  for (Index t = 0; t < p.epochs; ++t) std::printf(" %.3f", som.sigma_at(t));
  std::printf("\n");
  std::ofstream f(out, std::ios::binary);
  f << p.rows << ' ' << p.cols << ' ' << X.cols() << '\n';
  f.write(reinterpret_cast<const char*>(som.weights().data()), std::streamsize(som.weights().size() * 4));
  return f ? 0 : 1;
}

int qe(char** a) {
  const SvmlightData<float> d = load(a[2], std::atol(a[3]));
  const SparseRowMatrix<float>& X = d.X;
  std::ifstream f(a[4], std::ios::binary);
  std::size_t rows = 0, cols = 0, dim = 0;
  f >> rows >> cols >> dim;
  f.get();
  if (!f || dim != std::size_t(X.cols())) {
    std::cerr << "qe: bad codebook header in " << a[4] << "\n";
    return 1;
  }
  const std::size_t units = rows * cols;
  std::vector<float> W(units * dim);
  f.read(reinterpret_cast<char*>(W.data()), std::streamsize(W.size() * 4));
  if (!f) {
    std::cerr << "qe: truncated codebook " << a[4] << "\n";
    return 1;
  }
  // The codebook transposed (dim x units), so that each non-zero of a row adds to all units'
  // dot products with one contiguous loop.
  std::vector<float> Wt(units * dim);
  std::vector<double> w2(units, 0.0);
  for (std::size_t u = 0; u < units; ++u)
    for (std::size_t j = 0; j < dim; ++j) {
      Wt[j * units + u] = W[u * dim + j];
      w2[u] += double(W[u * dim + j]) * W[u * dim + j];
    }
  W = {};
  double total = 0;
#pragma omp parallel reduction(+ : total)
  {
    std::vector<double> dot(units);
#pragma omp for schedule(dynamic, 256)
    for (Index i = 0; i < X.rows(); ++i) {
      double x2 = 0;
      std::fill(dot.begin(), dot.end(), 0.0);
      for (int k = X.outerIndexPtr()[i]; k < X.outerIndexPtr()[i + 1]; ++k) {
        const double x = X.valuePtr()[k];
        const float* w = Wt.data() + std::size_t(X.innerIndexPtr()[k]) * units;
        x2 += x * x;
        for (std::size_t u = 0; u < units; ++u) dot[u] += x * double(w[u]);
      }
      double best = std::numeric_limits<double>::infinity();
      for (std::size_t u = 0; u < units; ++u) best = std::min(best, x2 - 2 * dot[u] + w2[u]);
      total += std::sqrt(std::max(best, 0.0));
    }
  }
  std::printf("%.6f\n", total / double(X.rows()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "train" && argc == 12) return train(argv);
  if (mode == "qe" && argc == 5) return qe(argv);
  std::cerr << "usage: peer_sparse_som_driver train DATA.svm N_FEATURES ROWS COLS EPOCHS SIGMA DECAY SIGMA_FINAL "
               "THREADS OUT.cb\n       peer_sparse_som_driver qe DATA.svm N_FEATURES CODEBOOK.cb\n";
  return 2;
}
