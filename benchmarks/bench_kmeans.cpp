// KMeans with and without the bounds kept between Lloyd iterations (Yinyang k-means on the
// BMU kernel, kernels/detail/bounded_bmu.hpp): 200 000 x 64 Gaussian blobs (50 centres uniform
// in [-10, 10], unit variance), k = 256, one k-means++ seeding, both runs from the same centres.
// Prints time, iterations, inertia and whether the labels agree, interleaved medians. With a
// folder argument it also writes X.npy, init.npy and labels.npy there for
// benchmarks/peer_sklearn_kmeans.py (scikit-learn's elkan and lloyd from the same centres).
// Usage: bench_kmeans [threads] [repeats] [folder]
#include "timing.hpp"

#include <somtile/cluster.hpp>
#include <somtile/io.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace somtile;

int main(int argc, char** argv) {
  bench::print_machine();
  const int threads = argc > 1 ? std::atoi(argv[1]) : 0;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
  const Index n = 200000, f = 64, k = 256;
  Random rng(5);
  RowMatrix<double> C(50, f), X(n, f);
  for (Index i = 0; i < C.size(); ++i) C.data()[i] = rng.uniform(-10, 10);
  for (Index i = 0; i < n; ++i) {
    const Index c = rng.uniform_index(50);
    for (Index j = 0; j < f; ++j) X(i, j) = C(c, j) + rng.normal();
  }
  Random seeding(0);
  const RowMatrix<double> init = detail::kmeans_plusplus<double>(X, k, seeding, threads);
  // KMeans's tolerance: 1e-4 of the mean per-feature variance.
  const double tol = 1e-4 * (X.rowwise() - X.colwise().mean()).array().square().colwise().mean().mean();
  detail::KMeansRun<double> full, bounded;
  const auto run = [&](bool bounds, detail::KMeansRun<double>& out) {
    return [&, bounds] {
      detail::set_bounded_search(bounds);
      out = detail::lloyd<double>(X, init, 300, tol, threads);
    };
  };
  if (const char* only = std::getenv("BENCH_BOUNDS_ONLY")) {  // for profiles: =on or =off alone
    std::printf("%s: %.3f s\n", only, bench::median_seconds(repeats, run(std::string(only) == "on", bounded)));
    return 0;
  }
  const std::string before = bench::load_average();
  const std::vector<double> t = bench::interleaved_medians(repeats, {run(false, full), run(true, bounded)});
  detail::set_bounded_search(true);
  std::printf("KMeans<double> 200000x64, k=256, %d threads: full search %.3f s, bounds %.3f s = %.2fx faster\n",
              detail::resolve_threads(threads), t[0], t[1], t[0] / t[1]);
  std::printf("   iterations %d / %d, inertia %.10g / %.10g, same labels: %s (%s before, %s after)\n", full.n_iter,
              bounded.n_iter, full.inertia, bounded.inertia, full.labels == bounded.labels ? "yes" : "NO",
              before.c_str(), bench::load_average().c_str());
  std::string fractions;
  double sum = 0;
  for (std::size_t i = 0; i < bounded.distances_computed.size(); ++i) {
    sum += bounded.distances_computed[i];
    if (i < 3 || i % 20 == 0 || i + 1 == bounded.distances_computed.size())
      fractions += " " + std::to_string(i + 1) + ": " + std::to_string(bounded.distances_computed[i]).substr(0, 5);
  }
  std::printf("   distances computed per iteration%s; mean %.3f\n", fractions.c_str(),
              sum / double(std::max<std::size_t>(1, bounded.distances_computed.size())));
  if (argc > 3) {
    const std::string dir = argv[3];
    write_npy(dir + "/X.npy", X);
    write_npy(dir + "/init.npy", init);
    write_npy(dir + "/labels.npy", bounded.labels);
    std::printf("   wrote %s/X.npy, init.npy, labels.npy (tol %.10g)\n", dir.c_str(), tol);
  }
}
