// KMeans and HDBSCAN on make_blobs-like data (isotropic Gaussian blobs, centres uniform in
// [-10, 10]^d, unit standard deviation, fixed seed): 100 000 x 2 and 20 000 x 64.
// Prints the median wall time of a few runs; KMeans with n_init = 1 also as a fraction of the
// FMA peak (timing.hpp), counting its seeding and assignment passes' flops.
#include <somtile/cluster/hdbscan.hpp>
#include <somtile/cluster/kmeans.hpp>
#include <somtile/core/random.hpp>

#include "timing.hpp"

#include <cmath>
#include <cstdio>
#include <string>

using namespace somtile;

namespace {

RowMatrix<double> make_blobs(Index n, Index d, Index centres, std::uint64_t seed) {
  Random rng(seed);
  RowMatrix<double> C(centres, d);
  for (Index i = 0; i < C.size(); ++i) C.data()[i] = rng.uniform(-10, 10);
  RowMatrix<double> X(n, d);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < d; ++j) X(i, j) = C(i % centres, j) + rng.normal();
  return X;
}

}  // namespace

int main() {
  bench::print_machine();
  std::printf("%-34s %12s %10s\n", "case", "median [s]", "clusters");
  for (const auto& [n, d] : {std::pair<Index, Index>{100000, 2}, std::pair<Index, Index>{20000, 64}}) {
    const RowMatrix<double> X = make_blobs(n, d, 10, 42);
    const RowMatrix<float> Xf = X.cast<float>();
    char name[64];

    KMeansParams kp;
    kp.n_clusters = 10;
    kp.n_init = 1;
    Index k = 0;
    int iterations = 0;
    double t = bench::median_seconds(5, [&] {
      KMeans<double> km(kp);
      km.fit(X);
      k = km.cluster_centers().rows();
      iterations = km.n_iter();
    });
    std::snprintf(name, sizeof name, "KMeans<double> k=10 n_init=1 %ldx%ld", long(n), long(d));
    std::printf("%-34s %12.4f %10ld\n", name, t, long(k));
    {
      // Flops: k-means++ seeding, 1 + (k-1)(2 + floor(ln k)) distance passes of 3 n d (subtract,
      // square, add), and n_iter + 1 assignment passes of 2 n k d (the last for the inertia);
      // the means' sums (n d per iteration) not counted.
      const double nd = double(n) * double(d), trials = 2.0 + std::floor(std::log(double(k)));
      const double flops = (1.0 + double(k - 1) * trials) * 3.0 * nd + double(iterations + 1) * 2.0 * nd * double(k);
      bench::print_peak_fraction(flops / t * 1e-9, kp.n_threads, active_isa(), true,
                                 "seeding and " + std::to_string(iterations + 1) + " assignment passes");
      std::printf(
          "    (not flop-bound: the seeding, %.0f%% of these flops, streams X once per candidate centre at 3 "
          "flops per value read; a pass against 10 centres is mostly the scan for the nearest)\n",
          100.0 * (1.0 + double(k - 1) * trials) * 3.0 * nd / flops);
    }
    kp.n_init = 10;
    t = bench::median_seconds(3, [&] { k = KMeans<float>(kp).fit(Xf).cluster_centers().rows(); });
    std::snprintf(name, sizeof name, "KMeans<float> k=10 n_init=10 %ldx%ld", long(n), long(d));
    std::printf("%-34s %12.4f %10ld\n", name, t, long(k));
    bench::print_no_peak("KMeans, n_init=10", "only the kept run's iteration count is reported, so no flop count");

    HDBSCANParams hp;
    hp.min_cluster_size = 25;
    t = bench::median_seconds(3, [&] { k = HDBSCAN<double>(hp).fit(X).n_clusters(); });
    std::snprintf(name, sizeof name, "HDBSCAN mcs=25 %ldx%ld", long(n), long(d));
    std::printf("%-34s %12.4f %10ld\n", name, t, long(k));
    bench::print_no_peak("HDBSCAN", "not flop-bound (k-d tree searches, a spanning tree, union-find)");
  }
  return 0;
}
