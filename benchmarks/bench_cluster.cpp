// KMeans and HDBSCAN on make_blobs-like data (isotropic Gaussian blobs, centres uniform in
// [-10, 10]^d, unit standard deviation, fixed seed): 100 000 x 2 and 20 000 x 64.
// Prints the median wall time of a few runs.
#include <somtile/cluster/hdbscan.hpp>
#include <somtile/cluster/kmeans.hpp>
#include <somtile/core/random.hpp>

#include "timing.hpp"

#include <cstdio>

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
    double t = bench::median_seconds(5, [&] { k = KMeans<double>(kp).fit(X).cluster_centers().rows(); });
    std::snprintf(name, sizeof name, "KMeans<double> k=10 n_init=1 %ldx%ld", long(n), long(d));
    std::printf("%-34s %12.4f %10ld\n", name, t, long(k));
    kp.n_init = 10;
    t = bench::median_seconds(3, [&] { k = KMeans<float>(kp).fit(Xf).cluster_centers().rows(); });
    std::snprintf(name, sizeof name, "KMeans<float> k=10 n_init=10 %ldx%ld", long(n), long(d));
    std::printf("%-34s %12.4f %10ld\n", name, t, long(k));

    HDBSCANParams hp;
    hp.min_cluster_size = 25;
    t = bench::median_seconds(3, [&] { k = HDBSCAN<double>(hp).fit(X).n_clusters(); });
    std::snprintf(name, sizeof name, "HDBSCAN mcs=25 %ldx%ld", long(n), long(d));
    std::printf("%-34s %12.4f %10ld\n", name, t, long(k));
  }
  return 0;
}
