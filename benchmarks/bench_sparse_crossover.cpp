// Dense against sparse training of the same Som on the same values: where does the sparse path
// (O(nnz x units) BMU search, sums over the non-zeros) stop paying against the dense GEMM path?
//
//   bench_sparse_crossover [threads=2] [runs=3] [rows=20000] [features=2000] [map side=15]
//
// Data: rows x features, each row's non-zeros at uniformly drawn columns (density d, the same
// count in every row), values uniform in (0, 1]; the same matrix given to Som<float>::fit as a
// RowMatrix (dense) and as a SparseRowMatrix. Map side x side, rectangular, 5 batch epochs,
// sigma side / 2 -> 0.5 exponential, Init::random (the same codebook for both, same seed).
// Prints the median fit time of each and the final QE (which must agree).
#include <somtile/sparse.hpp>

#include "timing.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace somtile;

namespace {

// CPU seconds (user + system) of this process: on a shared machine a steadier measure of work
// than wall time.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  const Index n = argc > 3 ? std::atol(argv[3]) : 20000;
  const Index d = argc > 4 ? std::atol(argv[4]) : 2000;
  const Index side = argc > 5 ? std::atol(argv[5]) : 15;
  bench::print_machine();
  std::printf("load average %s\n", bench::load_average().c_str());
  std::printf(
      "bench_sparse_crossover: %lld x %lld, %lld x %lld map, 5 batch epochs, float, %d threads, median of %d (%s)\n",
      (long long)n, (long long)d, (long long)side, (long long)side, threads, runs, SOMTILE_BENCH_ARCH);
  std::printf(
      "| density | nnz per row | dense fit s | sparse fit s | dense / sparse | dense CPU s | sparse CPU s | "
      "CPU dense / sparse | QE dense | QE sparse |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const double density : {0.002, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5}) {
    const Index per_row = std::max<Index>(1, Index(density * double(d) + 0.5));
    Random rng(7);
    std::vector<Eigen::Triplet<float>> triplets;
    std::vector<Index> cols(static_cast<std::size_t>(d));
    for (Index j = 0; j < d; ++j) cols[std::size_t(j)] = j;
    for (Index i = 0; i < n; ++i) {
      for (Index k = 0; k < per_row; ++k) {  // a partial Fisher-Yates shuffle: distinct columns
        const Index j = k + Index(rng.uniform() * double(d - k)) % (d - k);
        std::swap(cols[std::size_t(k)], cols[std::size_t(j)]);
        triplets.emplace_back(int(i), int(cols[std::size_t(k)]), float(1.0 - rng.uniform()));
      }
    }
    SparseRowMatrix<float> Xs(n, d);
    Xs.setFromTriplets(triplets.begin(), triplets.end());
    triplets = {};
    const RowMatrix<float> Xd = RowMatrix<float>(Xs);

    SomParams p;
    p.rows = p.cols = side;
    p.epochs = 5;
    p.training = Training::batch;
    p.sigma = double(side) / 2;
    p.sigma_decay = Decay::exponential;
    p.sigma_final = 0.5;
    p.n_threads = threads;
    p.seed = 3;
    double qe_dense = 0, qe_sparse = 0;
    std::vector<double> t_dense, t_sparse, c_dense, c_sparse;
    for (int r = 0; r < runs; ++r) {
      Som<float> dense(p, d), sparse(p, d);
      double c0 = cpu_seconds();
      t_dense.push_back(bench::seconds_of([&] { qe_dense = dense.fit(Xd).quantization_errors.back(); }));
      double c1 = cpu_seconds();
      c_dense.push_back(c1 - c0);
      t_sparse.push_back(bench::seconds_of([&] { qe_sparse = sparse.fit(Xs).quantization_errors.back(); }));
      c_sparse.push_back(cpu_seconds() - c1);
    }
    const double md = bench::median(t_dense), ms = bench::median(t_sparse);
    const double cd = bench::median(c_dense), cs = bench::median(c_sparse);
    std::printf("| %.1f%% | %lld | %.3f | %.3f | %.1f | %.3f | %.3f | %.1f | %.5f | %.5f |\n", 100 * density,
                (long long)per_row, md, ms, md / ms, cd, cs, cd / cs, qe_dense, qe_sparse);
    std::fflush(stdout);
  }
  return 0;
}
