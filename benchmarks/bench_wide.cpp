// Wide data: a synthetic TF-IDF matrix of 3 883 documents x 11 441 terms with ~0.8% nonzeros
// (the size of a user's corpus), stored dense.
// - PCA initialisation (detail::principal_axes, what Init::pca and suggest_som_params run):
//   wall time and the process's peak RSS (getrusage) after it;
// - the automatic k of Som::cluster() (k-means over k = 2..10, best silhouette) on a map of
//   18 x 15 = 270 units trained on that matrix, against the same clustering with k given.
// Usage: bench_wide [pca|cluster|all] [threads, e.g. 1,2]
#include <somtile/cluster.hpp>
#include <somtile/core/random.hpp>
#include <somtile/preprocessing.hpp>
#include <somtile/som.hpp>

#include "timing.hpp"

#include <sys/resource.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

using namespace somtile;

namespace {

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // kilobytes on Linux
}

// TF-IDF-like rows: ~92 distinct terms per document drawn with Zipf-like frequencies, counts
// 1..3, weighted by log(n / df) and L2-normalised; a seeded generator.
RowMatrix<double> make_tfidf(Index n, Index terms, Index per_doc, std::uint64_t seed) {
  Random rng(seed);
  RowMatrix<double> X = RowMatrix<double>::Zero(n, terms);
  // Inverse-CDF table of p(j) ~ 1 / (j + 20), shuffled over the columns.
  std::vector<double> cdf(std::size_t(terms), 0.0);
  double total = 0;
  for (Index j = 0; j < terms; ++j) cdf[std::size_t(j)] = (total += 1.0 / double(j + 20));
  const std::vector<Index> column = rng.permutation(terms);
  for (Index i = 0; i < n; ++i)
    for (Index t = 0; t < per_doc; ++t) {
      const double u = rng.uniform() * total;
      const Index j = Index(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
      X(i, column[std::size_t(std::min(j, terms - 1))]) += double(1 + rng.uniform_index(3));
    }
  for (Index j = 0; j < terms; ++j) {
    const double df = double((X.col(j).array() != 0).count());
    if (df > 0) X.col(j) *= std::log(double(n) / df) + 1.0;
  }
  for (Index i = 0; i < n; ++i) X.row(i) /= std::max(X.row(i).norm(), 1e-300);
  return X;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "all";
  const std::vector<int> threads = bench::thread_list(argc > 2 ? argv[2] : "1,2");
  bench::print_machine();
  const RowMatrix<double> X = make_tfidf(3883, 11441, 100, 7);
  const double nnz = double((X.array() != 0).count());
  std::printf("data: %lld x %lld, %.2f%% nonzero, %.0f MB dense; peak RSS after generating: %.0f MB; %s\n",
              (long long)X.rows(), (long long)X.cols(), 100.0 * nnz / double(X.size()), double(X.size()) * 8 / 1e6,
              peak_rss_mb(), bench::load_average().c_str());

  if (what == "pca" || what == "all") {
    detail::PrincipalAxes axes;
    const double t = bench::seconds_of([&] { axes = detail::principal_axes(X, 2); });
    std::printf("PCA initialisation (principal_axes, k = 2): %.3f s, variances %.6g %.6g, peak RSS %.0f MB\n", t,
                axes.variances(0), axes.variances(1), peak_rss_mb());
    // Standardised, as suggest_som_params(X, Scaling::standard) and a Som with that scaling see it:
    // every cell nonzero, each column mostly one value.
    const RowMatrix<double> Z = StandardScaler<double>().fit(X).transform(X);
    const double ts = bench::seconds_of([&] { axes = detail::principal_axes(Z, 2); });
    std::printf("PCA initialisation of the standardised matrix: %.3f s, variances %.6g %.6g, peak RSS %.0f MB\n", ts,
                axes.variances(0), axes.variances(1), peak_rss_mb());
  }
  if (what == "cluster" || what == "all") {
    SomParams p;
    p.rows = 18;
    p.cols = 15;
    p.training = Training::batch;
    p.init = Init::sample;
    p.epochs = 3;
    p.sigma = 3;
    Som<double> som(p, X.cols());
    som.fit(X);
    std::printf("map: %lld units x %lld features (%s)\n", (long long)som.n_units(), (long long)X.cols(),
                bench::load_average().c_str());
    for (int n_threads : threads) {
      ClusterParams automatic;
      automatic.n_threads = n_threads;
      ClusterResult r;
      const double t_auto = bench::seconds_of([&] { r = som.cluster(automatic); });
      ClusterParams given = automatic;
      given.n_clusters = r.n_clusters;
      const double t_given = bench::seconds_of([&] { som.cluster(given); });
      // The candidates one by one on the codebook itself, each with its own silhouette: the
      // computation before the shared distances and the reduced coordinates.
      std::vector<double> direct;
      const double t_direct = bench::seconds_of([&] {
        const RowMatrix<double> F = som.weights();
        for (Index k = 2; k <= 10; ++k) {
          KMeansParams kp;
          kp.n_clusters = k;
          kp.n_threads = n_threads;
          direct.push_back(silhouette_score(F, KMeans<double>(kp).fit(F).labels(), n_threads));
        }
      });
      double largest = 0;
      for (std::size_t c = 0; c < direct.size(); ++c)
        largest = std::max(largest, std::abs(direct[c] - r.k_scores[c + 1]));
      std::printf(
          "cluster(), %d thread(s): automatic k (k = 2..10, silhouette) %.3f s -> k = %lld, silhouette %.4f;"
          " k given %.3f s; the candidates on the codebook, one silhouette each: %.3f s (scores within %.1e)\n",
          n_threads, t_auto, (long long)r.n_clusters, r.metrics.silhouette, t_given, t_direct, largest);
    }
  }
}
