// KMeans, GaussianMixture, HDBSCAN and the unit-clustering glue against scikit-learn's
// values (tests/reference/make_cluster_reference.py), naive loops and a brute-force
// O(n^2) mutual-reachability HDBSCAN reference.
// Scalars: float and double against scikit-learn's values, for save/load and for the 1e30
// cases (float overflows where double does not); double only for the other behaviour.
#include <somtile/cluster.hpp>
#include <somtile/core/random.hpp>
#include <somtile/core/warning.hpp>
#include <somtile/io.hpp>
#include <somtile/metrics/clustering.hpp>

#include <catch2/catch.hpp>
#include "support/scalars.hpp"
#include "support/sizes.hpp"

#include "support/model_file_checks.hpp"

#include <Eigen/LU>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

using namespace somtile;

namespace {

double expected_score(const std::string& name) {
  static const auto values = [] {
    std::ifstream in(std::string(SOMTILE_REFERENCE_DIR) + "/cluster_reference.txt");
    std::map<std::string, double> out;
    std::string line, key;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      double v;
      if (fields >> key >> v) out[key] = v;
    }
    return out;
  }();
  const auto it = values.find(name);
  REQUIRE(it != values.end());
  return it->second;
}

RowMatrix<double> load(const std::string& name, bool standardise) {
  RowMatrix<double> X = read_csv(std::string(SOMTILE_DATA_DIR) + "/" + name + ".csv", "label").X;
  if (standardise) {  // population standard deviation, as the reference script
    const Eigen::RowVectorXd mean = X.colwise().mean();
    X.rowwise() -= mean;
    for (Index j = 0; j < X.cols(); ++j) X.col(j) /= std::sqrt(X.col(j).squaredNorm() / double(X.rows()));
  }
  return X;
}

/// Gaussian blobs (sd `spread`) around the given centres, `per_blob` each, then `n_noise`
/// uniform points in [-box, box]^d. blob[i] = centre index or -1 for the uniform points.
RowMatrix<double> blobs(const RowMatrix<double>& centres, Index per_blob, double spread, Index n_noise, double box,
                        std::uint64_t seed, std::vector<Index>* blob = nullptr) {
  Random rng(seed);
  const Index d = centres.cols(), n = centres.rows() * per_blob + n_noise;
  RowMatrix<double> X(n, d);
  if (blob) blob->assign(std::size_t(n), -1);
  for (Index i = 0; i < n; ++i) {
    const Index c = i / per_blob;
    for (Index j = 0; j < d; ++j)
      X(i, j) = c < centres.rows() ? centres(c, j) + spread * rng.normal() : rng.uniform(-box, box);
    if (blob && c < centres.rows()) (*blob)[std::size_t(i)] = c;
  }
  return X;
}

/// True when two labellings are equal up to renaming the clusters (noise must match noise).
bool same_partition(const Labels& a, const Labels& b) {
  if (a.size() != b.size()) return false;
  std::map<Index, Index> ab, ba;
  for (Index i = 0; i < a.size(); ++i) {
    if ((a[i] < 0) != (b[i] < 0)) return false;
    if (a[i] < 0) continue;
    if (ab.emplace(a[i], b[i]).first->second != b[i] || ba.emplace(b[i], a[i]).first->second != a[i]) return false;
  }
  return true;
}

/// Parameters from defaults plus the given changes (the tests are C++17: no designated
/// initialisers).
template <typename Params, typename Set>
Params with(Set set) {
  Params p;
  set(p);
  return p;
}

}  // namespace

// ---------------------------------------------------------------- k-means

TEMPLATE_TEST_CASE("KMeans reaches scikit-learn's best inertia on real data", "[kmeans]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  struct Case {
    const char* data;
    Index k;
    bool standardise;
  };
  for (const Case c : {Case{"iris", 3, false}, Case{"iris", 3, true}, Case{"iris", 5, false}, Case{"iris", 5, true},
                       Case{"wine", 3, false}, Case{"wine", 3, true}}) {
    // float repeats the double cases only on iris, to keep the sanitizer build quick.
    if (std::is_same_v<S, float> && std::string(c.data) == "wine") continue;
    const RowMatrix<S> X = load(c.data, c.standardise).template cast<S>();
    KMeans<S> km(with<KMeansParams>([&](auto& p) { p.n_clusters = c.k; }));
    km.fit(X);
    const std::string key =
        std::string("kmeans.") + c.data + (c.standardise ? ".std" : ".raw") + ".k" + std::to_string(c.k) + ".inertia";
    INFO(key);
    CHECK(km.inertia() <= expected_score(key) * 1.01);
    CHECK(km.inertia() >= expected_score(key) * (1 - 1e-4));  // never better than the optimum

    // Oracles on the fitted state: labels are nearest centres, inertia their squared distances,
    // and the (converged) centres are the means of their members.
    const RowMatrix<S>& C = km.cluster_centers();
    const Labels& labels = km.labels();
    double inertia = 0;
    RowMatrix<double> means = RowMatrix<double>::Zero(c.k, X.cols());
    Vector<double> counts = Vector<double>::Zero(c.k);
    for (Index i = 0; i < X.rows(); ++i) {
      double nearest = INFINITY;
      for (Index u = 0; u < c.k; ++u)
        nearest = std::min(nearest, (X.row(i) - C.row(u)).template cast<double>().squaredNorm());
      CHECK((X.row(i) - C.row(labels[i])).template cast<double>().squaredNorm() <= nearest * (1 + 1e-5) + 1e-9);
      inertia += (X.row(i) - C.row(labels[i])).template cast<double>().squaredNorm();
      means.row(labels[i]) += X.row(i).template cast<double>();
      counts[labels[i]] += 1;
    }
    CHECK(km.inertia() == Approx(inertia).epsilon(1e-5));
    CHECK(km.n_iter() < 300);
    for (Index u = 0; u < c.k; ++u) {
      REQUIRE(counts[u] > 0);
      CHECK((means.row(u) / counts[u] - C.row(u).template cast<double>()).norm() <=
            1e-4 * (1 + means.row(u).norm() / counts[u]));
    }
    CHECK(km.predict(X) == labels);
  }
}

TEMPLATE_TEST_CASE("KMeans transform, fit_predict and determinism", "[kmeans]", double) {
  using S = TestType;
  const RowMatrix<S> X = load("wine", true).template cast<S>();
  KMeans<S> one(with<KMeansParams>([&](auto& p) {
    p.n_clusters = 4;
    p.n_init = 3;
    p.seed = 7;
    p.n_threads = 1;
  }));
  KMeans<S> two(with<KMeansParams>([&](auto& p) {
    p.n_clusters = 4;
    p.n_init = 3;
    p.seed = 7;
    p.n_threads = 2;
  }));
  const Labels labels = one.fit_predict(X);
  two.fit(X);
  CHECK(labels == two.labels());
  CHECK(one.cluster_centers() == two.cluster_centers());
  CHECK(one.inertia() == two.inertia());
  CHECK(KMeans<S>(with<KMeansParams>([&](auto& p) {
          p.n_clusters = 4;
          p.n_init = 3;
          p.seed = 7;
        }))
            .fit(X)
            .cluster_centers() == one.cluster_centers());

  const RowMatrix<S> T = one.transform(X.topRows(20));
  REQUIRE(T.rows() == 20);
  REQUIRE(T.cols() == 4);
  for (Index i = 0; i < 20; ++i)
    for (Index u = 0; u < 4; ++u) {
      double d2 = 0;
      for (Index j = 0; j < X.cols(); ++j) d2 += std::pow(double(X(i, j)) - double(one.cluster_centers()(u, j)), 2);
      CHECK(double(T(i, u)) == Approx(std::sqrt(d2)).epsilon(1e-5));
    }
}

// Lloyd's loop keeps the sums of clusters whose members did not change: every step must give
// the centres and labels a fresh update_centers gives, bit for bit, empty-cluster moves included.
TEMPLATE_TEST_CASE("KMeans's kept cluster sums equal fresh sums", "[kmeans]", float, double) {
  using S = TestType;
  Random rng(11);
  const Index n = 400, k = 12;
  RowMatrix<S> X(n, 5);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = S(rng.normal() * 1e3);
  Labels labels(n);
  for (Index i = 0; i < n; ++i) labels[i] = rng.uniform_index(k);
  for (const int threads : {1, 2}) {
    detail::ClusterSums<S> cache;
    Labels kept = labels;
    for (int step = 0; step < 30; ++step) {
      INFO("threads " << threads << ", step " << step);
      // Move a few samples (none from step 20 on), and empty a cluster every fifth step.
      for (int m = 0; m < (step < 20 ? 3 * (step % 4) : 0); ++m) kept[rng.uniform_index(n)] = rng.uniform_index(k);
      if (step % 5 == 4)
        for (Index i = 0; i < n; ++i)
          if (kept[i] == step % k) kept[i] = (step + 1) % k;
      Labels fresh = kept;
      Vector<double> d_fresh(n), d_kept(n);
      for (Index i = 0; i < n; ++i) d_fresh[i] = d_kept[i] = double(rng.uniform());
      const RowMatrix<S> old = RowMatrix<S>::Zero(k, X.cols());
      const RowMatrix<S> expected = detail::update_centers<S>(X, fresh, d_fresh, old, k, threads);
      const RowMatrix<S> got = detail::update_centers<S>(X, kept, d_kept, old, k, threads, &cache);
      REQUIRE(kept == fresh);
      REQUIRE(got == expected);
    }
  }
}

TEMPLATE_TEST_CASE("KMeans moves an empty cluster onto the worst-fitted sample", "[kmeans]", double) {
  using S = TestType;
  // Samples on a line; cluster 2 won nothing. Its centre must move onto the sample farthest
  // from its own centre (sample 5, distance^2 100), which then belongs to cluster 2.
  RowMatrix<S> X(6, 1);
  X << 0, 1, 2, 10, 11, 30;
  Labels labels(6);
  labels << 0, 0, 0, 1, 1, 1;
  Vector<double> dist2(6);
  dist2 << 1, 0, 1, 25, 81, 100;
  const RowMatrix<S> C = detail::update_centers<S>(X, labels, dist2, RowMatrix<S>(), 3, 1);
  CHECK(labels[5] == 2);
  CHECK(C(2, 0) == S(30));
  CHECK(C(0, 0) == S(1));
  CHECK(C(1, 0) == Approx(10.5));
  // The farthest sample is alone in its cluster: the next farthest one moves instead.
  Labels alone(6);
  alone << 0, 0, 0, 0, 0, 1;
  const RowMatrix<S> C2 = detail::update_centers<S>(X, alone, dist2, RowMatrix<S>(), 3, 1);
  CHECK(alone[5] == 1);
  CHECK(alone[4] == 2);
  CHECK(C2(2, 0) == S(11));
  CHECK(C2(1, 0) == S(30));
  // Only duplicates (3 distinct points, k = 5): the fit still ends with zero inertia.
  RowMatrix<S> D(12, 2);
  for (Index i = 0; i < 12; ++i) D.row(i) << S(i % 3), S(10 * (i % 3));
  KMeans<S> km(with<KMeansParams>([&](auto& p) { p.n_clusters = 5; }));
  CHECK(km.fit(D).inertia() == 0.0);
  CHECK((km.labels().minCoeff() >= 0 && km.labels().maxCoeff() < 5));
}

TEST_CASE("KMeans reports bad parameters, bad data and use before fit", "[kmeans][errors]") {
  const RowMatrix<double> X = load("iris", false);
  KMeans<double> unfitted;
  CHECK_THROWS_AS(unfitted.labels(), NotFittedError);
  CHECK_THROWS_WITH(unfitted.labels(), "KMeans::labels(): this KMeans is not fitted yet; call fit() first");
  CHECK_THROWS_AS(unfitted.predict(X), NotFittedError);
  CHECK_THROWS_WITH(unfitted.inertia(), Catch::Contains("KMeans::inertia(): this KMeans is not fitted yet"));

  CHECK_THROWS_AS(KMeans<double>(with<KMeansParams>([&](auto& p) { p.n_clusters = 200; })).fit(X), ParameterError);
  CHECK_THROWS_WITH(KMeans<double>(with<KMeansParams>([&](auto& p) { p.n_clusters = 200; })).fit(X),
                    "KMeans::fit(): n_clusters must be <= n_samples (150), got 200");
  CHECK_THROWS_AS(KMeans<double>(with<KMeansParams>([&](auto& p) { p.n_clusters = 0; })).fit(X), ParameterError);
  CHECK_THROWS_WITH(KMeans<double>(with<KMeansParams>([&](auto& p) { p.n_clusters = 0; })).fit(X),
                    "KMeans(): n_clusters must be > 0, got 0");
  CHECK_THROWS_WITH(KMeans<double>(with<KMeansParams>([&](auto& p) { p.n_init = 0; })).fit(X),
                    "KMeans(): n_init must be > 0, got 0");
  CHECK_THROWS_WITH(KMeans<double>(with<KMeansParams>([&](auto& p) { p.max_iter = -1; })).fit(X),
                    "KMeans(): max_iter must be > 0, got -1");
  CHECK_THROWS_AS(KMeans<double>(with<KMeansParams>([&](auto& p) { p.tol = -1; })).fit(X), ParameterError);
  CHECK_THROWS_WITH(KMeans<double>(with<KMeansParams>([&](auto& p) { p.tol = -1; })).fit(X),
                    "KMeans(): tol must be >= 0, got -1");
  CHECK_THROWS_WITH(KMeans<double>(with<KMeansParams>([&](auto& p) { p.n_threads = -2; })).fit(X),
                    "KMeans(): n_threads must be >= 0, got -2");

  // A failed fit leaves the fitted model as it was.
  KMeans<double> km(with<KMeansParams>([&](auto& p) { p.n_clusters = 3; }));
  km.fit(X);
  const Labels before = km.labels();
  RowMatrix<double> bad = X;
  bad(4, 2) = std::nan("");
  CHECK_THROWS_AS(km.fit(bad), InputError);
  CHECK_THROWS_WITH(km.fit(bad), "KMeans::fit(): X must be finite, but X(4, 2) = nan");
  CHECK(km.labels() == before);
  CHECK_THROWS_AS(km.predict(X.leftCols(2)), InputError);
  CHECK_THROWS_WITH(km.predict(X.leftCols(2)), "KMeans::predict(): X has 2 features, but this KMeans expects 4");
  CHECK_THROWS_WITH(km.transform(RowMatrix<double>(0, 4)), "KMeans::transform(): X has no samples (0 rows)");
}

// ---------------------------------------------------------------- Gaussian mixtures

TEMPLATE_TEST_CASE("GaussianMixture matches scikit-learn's log-likelihood for every covariance type", "[gmm]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const std::pair<const char*, Covariance> types[] = {{"full", Covariance::full},
                                                      {"diag", Covariance::diag},
                                                      {"spherical", Covariance::spherical},
                                                      {"tied", Covariance::tied}};
  for (const auto& [data, standardise] : {std::pair{"iris", false}, std::pair{"wine", true}}) {
    if (std::is_same_v<S, float> && std::string(data) == "wine") continue;  // as in the k-means test
    const RowMatrix<S> X = load(data, standardise).template cast<S>();
    const double n = double(X.rows());
    for (const auto& [name, type] : types) {
      const std::string key = std::string("gmm.") + data + "." + name + ".k3.";
      INFO(key);
      const Covariance covariance = type;  // C++17 lambdas cannot capture structured bindings
      GaussianMixture<S> gm(with<GaussianMixtureParams>([&](auto& p) {
        p.n_components = 3;
        p.covariance_type = covariance;
        p.n_init = 10;
      }));
      gm.fit(X);
      CHECK(gm.score(X) == Approx(expected_score(key + "score")).margin(1e-3));
      // The parameter count is what BIC and AIC add to -2 n score: recover scikit-learn's.
      const double sk_penalty = expected_score(key + "bic") + 2 * n * expected_score(key + "score");
      CHECK(gm.bic(X) + 2 * n * gm.score(X) == Approx(sk_penalty).epsilon(1e-9));
      CHECK(double(gm.n_parameters()) * std::log(n) == Approx(sk_penalty).epsilon(1e-9));
      CHECK(gm.aic(X) + 2 * n * gm.score(X) ==
            Approx(expected_score(key + "aic") + 2 * n * expected_score(key + "score")).epsilon(1e-9));
      CHECK(gm.converged());
      CHECK(gm.lower_bound() == Approx(gm.score(X)).margin(1e-3));

      const RowMatrix<S> P = gm.predict_proba(X);
      const Labels hard = gm.predict(X);
      for (Index i = 0; i < X.rows(); ++i) {
        CHECK(double(P.row(i).sum()) == Approx(1.0).epsilon(1e-5));
        Index arg;
        P.row(i).maxCoeff(&arg);
        CHECK((hard[i] == arg || P(i, hard[i]) == P(i, arg)));
      }
      CHECK(double(gm.weights().sum()) == Approx(1.0).epsilon(1e-6));
      const auto cov = gm.covariances();
      const Index d = X.cols();
      switch (type) {
        case Covariance::full:
          REQUIRE(cov.size() == 3);
          CHECK((cov[0].rows() == d && cov[0].cols() == d));
          break;
        case Covariance::tied:
          REQUIRE(cov.size() == 1);
          CHECK((cov[0].rows() == d && cov[0].cols() == d));
          break;
        case Covariance::diag:
          REQUIRE(cov.size() == 3);
          CHECK((cov[0].rows() == 1 && cov[0].cols() == d));
          break;
        case Covariance::spherical:
          REQUIRE(cov.size() == 3);
          CHECK((cov[0].rows() == 1 && cov[0].cols() == 1));
          break;
      }
    }
  }
}

TEST_CASE("GaussianMixture densities equal the explicit Gaussian formula", "[gmm]") {
  const RowMatrix<double> X = load("iris", false);
  for (const Covariance type : {Covariance::full, Covariance::diag, Covariance::spherical, Covariance::tied}) {
    GaussianMixture<double> gm(with<GaussianMixtureParams>([&](auto& p) {
      p.n_components = 2;
      p.covariance_type = type;
    }));
    gm.fit(X);
    const auto cov = gm.covariances();
    const Index d = X.cols();
    const auto covariance = [&](Index c) -> Eigen::MatrixXd {
      switch (type) {
        case Covariance::full:
          return cov[std::size_t(c)];
        case Covariance::tied:
          return cov[0];
        case Covariance::diag:
          return cov[std::size_t(c)].row(0).transpose().asDiagonal();
        case Covariance::spherical:
          return Eigen::MatrixXd::Identity(d, d) * cov[std::size_t(c)](0, 0);
      }
      return {};
    };
    const Vector<double> log_p = gm.score_samples(X);
    for (Index i = 0; i < X.rows(); i += 7) {
      double p = 0;
      for (Index c = 0; c < 2; ++c) {
        const Eigen::MatrixXd S = covariance(c);
        const Eigen::VectorXd diff = (X.row(i) - gm.means().row(c)).transpose();
        const double quad = diff.dot(S.inverse() * diff);
        p += gm.weights()[c] * std::exp(-0.5 * quad) / std::sqrt(std::pow(2 * M_PI, double(d)) * S.determinant());
      }
      CHECK(log_p[i] == Approx(std::log(p)).epsilon(1e-9));
    }
  }
}

TEST_CASE("GaussianMixture is identical for 1 and 2 threads", "[gmm]") {
  const RowMatrix<double> X = load("wine", true);
  GaussianMixture<double> one(with<GaussianMixtureParams>([&](auto& p) {
    p.n_components = 3;
    p.n_init = 2;
    p.seed = 3;
    p.n_threads = 1;
  }));
  GaussianMixture<double> two(with<GaussianMixtureParams>([&](auto& p) {
    p.n_components = 3;
    p.n_init = 2;
    p.seed = 3;
    p.n_threads = 2;
  }));
  one.fit(X);
  two.fit(X);
  CHECK(one.means() == two.means());
  CHECK(one.predict_proba(X) == two.predict_proba(X));
  CHECK(one.lower_bound() == two.lower_bound());
}

TEST_CASE("GaussianMixture reports bad parameters, bad data and use before fit", "[gmm][errors]") {
  const RowMatrix<double> X = load("iris", false);
  GaussianMixture<double> unfitted;
  CHECK_THROWS_AS(unfitted.predict(X), NotFittedError);
  CHECK_THROWS_WITH(unfitted.predict(X),
                    "GaussianMixture::predict(): this GaussianMixture is not fitted yet; call fit() first");
  CHECK_THROWS_WITH(unfitted.means(), Catch::Contains("GaussianMixture::means(): this GaussianMixture is not fitted"));
  CHECK_THROWS_AS(unfitted.bic(X), NotFittedError);

  CHECK_THROWS_AS(GaussianMixture<double>(with<GaussianMixtureParams>([&](auto& p) { p.n_components = 151; })).fit(X),
                  ParameterError);
  CHECK_THROWS_WITH(GaussianMixture<double>(with<GaussianMixtureParams>([&](auto& p) { p.n_components = 151; })).fit(X),
                    "GaussianMixture::fit(): n_components must be <= n_samples (150), got 151");
  CHECK_THROWS_WITH(GaussianMixture<double>(with<GaussianMixtureParams>([&](auto& p) { p.n_components = 0; })).fit(X),
                    "GaussianMixture(): n_components must be > 0, got 0");
  CHECK_THROWS_WITH(GaussianMixture<double>(with<GaussianMixtureParams>([&](auto& p) { p.reg_covar = -1e-3; })).fit(X),
                    "GaussianMixture(): reg_covar must be >= 0, got -0.001");
  CHECK_THROWS_WITH(GaussianMixture<double>(with<GaussianMixtureParams>([&](auto& p) { p.max_iter = 0; })).fit(X),
                    "GaussianMixture(): max_iter must be > 0, got 0");
  CHECK_THROWS_WITH(GaussianMixture<double>(with<GaussianMixtureParams>([&](auto& p) { p.tol = -1; })).fit(X),
                    "GaussianMixture(): tol must be >= 0, got -1");
  CHECK_THROWS_WITH(GaussianMixture<double>(with<GaussianMixtureParams>([&](auto& p) { p.n_init = 0; })).fit(X),
                    "GaussianMixture(): n_init must be > 0, got 0");
  CHECK_THROWS_AS(GaussianMixture<double>(with<GaussianMixtureParams>([](auto& p) { p.n_threads = -4; })).fit(X),
                  ParameterError);
  CHECK_THROWS_WITH(GaussianMixture<double>(with<GaussianMixtureParams>([](auto& p) { p.n_threads = -4; })).fit(X),
                    "GaussianMixture(): n_threads must be >= 0, got -4");
  CHECK_THROWS_AS(unfitted.predict_proba(X), NotFittedError);
  CHECK_THROWS_AS(unfitted.score_samples(X), NotFittedError);
  CHECK_THROWS_WITH(unfitted.covariances(),
                    "GaussianMixture::covariances(): this GaussianMixture is not fitted yet; call fit() first");
  CHECK_THROWS_AS(GaussianMixture<double>().fit(X.topRows(1)), InputError);
  CHECK_THROWS_WITH(GaussianMixture<double>().fit(X.topRows(1)),
                    "GaussianMixture::fit(): X needs at least 2 samples, got 1");

  // Collapsed data without regularisation: a singular covariance.
  RowMatrix<double> flat(6, 2);
  flat << 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5;
  GaussianMixture<double> gm(with<GaussianMixtureParams>([&](auto& p) { p.n_components = 2; }));
  gm.fit(X);
  const RowMatrix<double> means = gm.means();
  CHECK_THROWS_AS(GaussianMixture<double>(with<GaussianMixtureParams>([&](auto& p) { p.reg_covar = 0; })).fit(flat),
                  InputError);
  CHECK_THROWS_WITH(GaussianMixture<double>(with<GaussianMixtureParams>([&](auto& p) { p.reg_covar = 0; })).fit(flat),
                    Catch::Contains("GaussianMixture::fit(): the covariance of a component is not positive definite"));
  RowMatrix<double> bad = X;
  bad(0, 0) = INFINITY;
  CHECK_THROWS_AS(gm.fit(bad), InputError);
  CHECK(gm.means() == means);  // a failed fit leaves the model as it was
  CHECK_THROWS_WITH(gm.score(X.leftCols(3)),
                    "GaussianMixture::score(): X has 3 features, but this GaussianMixture expects 4");
}

// ---------------------------------------------------------------- HDBSCAN

namespace {

// Edges ordered by weight, then by their smaller and larger end point: a strict order, so the
// minimum spanning tree is unique and any correct algorithm finds the same one.
bool edge_before(double w, Index a, Index b, double w2, Index a2, Index b2) {
  if (w != w2) return w < w2;
  if (std::min(a, b) != std::min(a2, b2)) return std::min(a, b) < std::min(a2, b2);
  return std::max(a, b) < std::max(a2, b2);
}

// Brute-force reference: all pairwise mutual-reachability distances, then Prim on the matrix.
std::vector<SpanningEdge> brute_force_mst(const RowMatrix<double>& X, Index min_samples) {
  const Index n = X.rows();
  Eigen::MatrixXd D(n, n);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j) D(i, j) = (X.row(i) - X.row(j)).norm();
  Vector<double> core(n);
  for (Index i = 0; i < n; ++i) {
    std::vector<double> row(D.row(i).data(), D.row(i).data() + n);
    for (Index j = 0; j < n; ++j) row[std::size_t(j)] = D(i, j);
    std::sort(row.begin(), row.end());
    core[i] = row[std::size_t(min_samples - 1)];  // the point itself is row[0]
  }
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j) D(i, j) = std::max({D(i, j), core[i], core[j]});
  std::vector<SpanningEdge> edges;
  std::vector<bool> in(std::size_t(n), false);
  std::vector<double> best(std::size_t(n), INFINITY);
  std::vector<Index> from(std::size_t(n), 0);
  Index current = 0;
  for (Index step = 1; step < n; ++step) {
    in[std::size_t(current)] = true;
    Index next = -1;
    for (Index j = 0; j < n; ++j) {
      if (in[std::size_t(j)]) continue;
      if (edge_before(D(current, j), current, j, best[std::size_t(j)], from[std::size_t(j)], j)) {
        best[std::size_t(j)] = D(current, j);
        from[std::size_t(j)] = current;
      }
      if (next < 0 || edge_before(best[std::size_t(j)], from[std::size_t(j)], j, best[std::size_t(next)],
                                  from[std::size_t(next)], next))
        next = j;
    }
    edges.push_back({from[std::size_t(next)], next, best[std::size_t(next)]});
    current = next;
  }
  return edges;
}

double total_weight(const std::vector<SpanningEdge>& edges) {
  double sum = 0;
  for (const auto& e : edges) sum += e.distance;
  return sum;
}

Index count_clusters(const Labels& labels) { return labels.size() ? std::max<Index>(labels.maxCoeff() + 1, 0) : 0; }

}  // namespace

TEST_CASE("HDBSCAN agrees with a brute-force mutual-reachability reference", "[hdbscan]") {
  // Low dimension takes the k-d tree Borůvka path, high dimension the dense Prim path; d = 0
  // stands for points on a small integer grid: duplicates and equal distances everywhere.
  for (const Index d : {Index(2), Index(3), Index(24), Index(0)}) {
    RowMatrix<double> X;
    if (d > 0) {
      RowMatrix<double> centres = RowMatrix<double>::Zero(4, d);
      for (Index c = 0; c < 4; ++c) centres(c, c % d) = 6.0 * double(c + 1) - 12.0 * double(c % 2);
      X = blobs(centres, 50, 0.8, 40, 14.0, 100 + std::uint64_t(d));
    } else {
      Random rng(9);
      X.resize(160, 2);
      for (Index i = 0; i < X.size(); ++i) X.data()[i] = double(rng.uniform_index(7)) + (i % 4 == 0 ? 12 : 0);
    }
    for (const HDBSCANParams p :
         {with<HDBSCANParams>([&](auto& p) { p.min_cluster_size = 8; }), with<HDBSCANParams>([&](auto& p) {
            p.min_cluster_size = 5;
            p.min_samples = 3;
          }),
          with<HDBSCANParams>([&](auto& p) {
            p.min_cluster_size = 12;
            p.min_samples = 1;
          }),
          with<HDBSCANParams>([&](auto& p) {
            p.min_cluster_size = 6;
            p.cluster_selection_method = ClusterSelection::leaf;
          }),
          with<HDBSCANParams>([&](auto& p) {
            p.min_cluster_size = 8;
            p.cluster_selection_epsilon = 3.0;
          }),
          with<HDBSCANParams>([&](auto& p) {
            p.min_cluster_size = 8;
            p.allow_single_cluster = true;
          })}) {
      INFO("d = " << d << ", min_cluster_size = " << p.min_cluster_size << ", min_samples = " << p.min_samples);
      HDBSCAN<double> hd(p);
      hd.fit(X);
      const Index min_samples = p.min_samples > 0 ? p.min_samples : p.min_cluster_size;
      const auto reference = brute_force_mst(X, min_samples);
      REQUIRE(hd.minimum_spanning_tree().size() == reference.size());
      CHECK(total_weight(hd.minimum_spanning_tree()) == Approx(total_weight(reference)).epsilon(1e-12));
      // Under the (weight, smaller end, larger end) order the tree is unique: same edges.
      std::set<std::pair<Index, Index>> found, expected_edges;
      for (const auto& e : hd.minimum_spanning_tree()) found.insert({std::min(e.from, e.to), std::max(e.from, e.to)});
      for (const auto& e : reference) expected_edges.insert({std::min(e.from, e.to), std::max(e.from, e.to)});
      CHECK(found == expected_edges);
      // The same condensation and selection on the reference tree gives the same partition.
      const auto tree = detail::condense(X.rows(), reference, p.min_cluster_size);
      const auto selection = detail::select_clusters(tree, p.cluster_selection_method == ClusterSelection::leaf,
                                                     p.cluster_selection_epsilon, p.allow_single_cluster);
      const auto expected = detail::label_points(tree, selection, p.cluster_selection_epsilon, p.allow_single_cluster);
      CHECK(same_partition(hd.labels(), expected.labels));
      CHECK(hd.probabilities().isApprox(expected.probabilities));
    }
  }
}

TEMPLATE_TEST_CASE("HDBSCAN finds separated blobs and labels uniform noise -1", "[hdbscan]", double) {
  using S = TestType;
  RowMatrix<double> centres(3, 2);
  centres << -10, -10, 0, 10, 10, -5;
  std::vector<Index> blob;
  // Uniform points sparse enough that their core distances (15 neighbours) exceed the blob
  // separation, so only those near a blob can join it.
  const RowMatrix<double> Xd = blobs(centres, 150, 0.5, 80, 60.0, 5, &blob);
  const RowMatrix<S> X = Xd.template cast<S>();
  HDBSCAN<S> hd(with<HDBSCANParams>([&](auto& p) { p.min_cluster_size = 15; }));
  const Labels labels = hd.fit_predict(X);
  REQUIRE(hd.n_clusters() == 3);
  // Each blob is one cluster (its majority label), different blobs different clusters.
  std::set<Index> blob_labels;
  for (Index c = 0; c < 3; ++c) {
    std::map<Index, Index> votes;
    for (Index i = 0; i < X.rows(); ++i)
      if (blob[std::size_t(i)] == c) ++votes[labels[i]];
    const auto top =
        std::max_element(votes.begin(), votes.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    CHECK(top->first >= 0);
    CHECK(top->second >= 140);
    blob_labels.insert(top->first);
  }
  CHECK(blob_labels.size() == 3);
  // Uniform points far from every blob are noise, and more outlying than blob members.
  Index far = 0, far_noise = 0;
  double noise_score = 0, blob_score = 0;
  for (Index i = 0; i < X.rows(); ++i) {
    CHECK((hd.outlier_scores()[i] >= 0 && hd.outlier_scores()[i] <= 1));
    CHECK((hd.probabilities()[i] >= 0 && hd.probabilities()[i] <= 1));
    if (labels[i] < 0) CHECK(hd.probabilities()[i] == 0);
    if (blob[std::size_t(i)] >= 0) {
      blob_score += hd.outlier_scores()[i] / 450;
      continue;
    }
    noise_score += hd.outlier_scores()[i] / 80;
    double nearest = INFINITY;
    for (Index c = 0; c < 3; ++c) nearest = std::min(nearest, (Xd.row(i) - centres.row(c)).norm());
    if (nearest > 25) {
      ++far;
      far_noise += labels[i] < 0;
    }
  }
  CHECK(far >= 30);
  CHECK(far_noise == far);
  CHECK(noise_score > blob_score + 0.3);
  // Each cluster has members at full strength.
  for (Index c = 0; c < 3; ++c) {
    double top = 0;
    for (Index i = 0; i < X.rows(); ++i)
      if (labels[i] == c) top = std::max(top, hd.probabilities()[i]);
    CHECK(top == 1.0);
  }
}

TEST_CASE("HDBSCAN selection: epsilon merges close clusters, leaf splits nested ones", "[hdbscan]") {
  // Two blobs 3 apart and a third far away.
  RowMatrix<double> centres(3, 2);
  centres << 0, 0, 3, 0, 30, 0;
  const RowMatrix<double> X = blobs(centres, 60, 0.3, 0, 0, 11);
  const Index plain =
      count_clusters(HDBSCAN<double>(with<HDBSCANParams>([&](auto& p) { p.min_cluster_size = 10; })).fit(X).labels());
  const Index merged = count_clusters(HDBSCAN<double>(with<HDBSCANParams>([&](auto& p) {
                                        p.min_cluster_size = 10;
                                        p.cluster_selection_epsilon = 5;
                                      }))
                                          .fit(X)
                                          .labels());
  CHECK(plain == 3);
  CHECK(merged == 2);
  // Leaf selection gives at least as many (finer) clusters as excess of mass.
  const HDBSCANParams leaf = with<HDBSCANParams>([&](auto& p) {
    p.min_cluster_size = 10;
    p.cluster_selection_method = ClusterSelection::leaf;
  });
  CHECK(count_clusters(HDBSCAN<double>(leaf).fit(X).labels()) >= plain);
  // One tight blob: nothing without allow_single_cluster's permission to return the root.
  const RowMatrix<double> single = blobs(RowMatrix<double>::Zero(1, 2), 80, 0.3, 0, 0, 12);
  const Labels with_root = HDBSCAN<double>(with<HDBSCANParams>([&](auto& p) {
                             p.min_cluster_size = 40;
                             p.allow_single_cluster = true;
                           }))
                               .fit(single)
                               .labels();
  CHECK(count_clusters(with_root) == 1);
  CHECK(count_clusters(
            HDBSCAN<double>(with<HDBSCANParams>([&](auto& p) { p.min_cluster_size = 40; })).fit(single).labels()) != 1);
}

TEST_CASE("HDBSCAN is identical for 1 and 2 threads", "[hdbscan]") {
  for (const Index d : {Index(2), Index(20)}) {
    RowMatrix<double> centres = RowMatrix<double>::Zero(3, d);
    centres(1, 0) = 5;
    centres(2, 1) = 5;
    const RowMatrix<double> X = blobs(centres, 120, 1.0, 30, 8.0, 21);
    HDBSCAN<double> one(with<HDBSCANParams>([&](auto&p) {
      p.min_cluster_size = 10;
      p.n_threads = 1;
    })),
        two(with<HDBSCANParams>([&](auto&p) {
          p.min_cluster_size = 10;
          p.n_threads = 2;
        }));
    one.fit(X);
    two.fit(X);
    CHECK(one.labels() == two.labels());
    CHECK(one.probabilities() == two.probabilities());
    CHECK(one.outlier_scores() == two.outlier_scores());
    REQUIRE(one.minimum_spanning_tree().size() == two.minimum_spanning_tree().size());
    for (std::size_t e = 0; e < one.minimum_spanning_tree().size(); ++e) {
      CHECK(one.minimum_spanning_tree()[e].from == two.minimum_spanning_tree()[e].from);
      CHECK(one.minimum_spanning_tree()[e].distance == two.minimum_spanning_tree()[e].distance);
    }
  }
}

TEST_CASE("HDBSCAN reports bad parameters, bad data and use before fit", "[hdbscan][errors]") {
  const RowMatrix<double> X = load("iris", false);
  HDBSCAN<double> unfitted;
  CHECK_THROWS_AS(unfitted.labels(), NotFittedError);
  CHECK_THROWS_WITH(unfitted.labels(), "HDBSCAN::labels(): this HDBSCAN is not fitted yet; call fit() first");
  CHECK_THROWS_AS(unfitted.outlier_scores(), NotFittedError);
  CHECK_THROWS_AS(HDBSCAN<double>(with<HDBSCANParams>([&](auto& p) { p.min_cluster_size = 1; })).fit(X),
                  ParameterError);
  CHECK_THROWS_WITH(HDBSCAN<double>(with<HDBSCANParams>([&](auto& p) { p.min_cluster_size = 1; })).fit(X),
                    "HDBSCAN(): min_cluster_size must be >= 2, got 1");
  CHECK_THROWS_AS(HDBSCAN<double>(with<HDBSCANParams>([&](auto& p) { p.min_samples = 151; })).fit(X), ParameterError);
  CHECK_THROWS_WITH(HDBSCAN<double>(with<HDBSCANParams>([&](auto& p) { p.min_samples = 151; })).fit(X),
                    "HDBSCAN::fit(): min_samples (min_cluster_size when min_samples = 0) must be <= n_samples "
                    "(150), got 151");
  CHECK_THROWS_WITH(HDBSCAN<double>(with<HDBSCANParams>([&](auto& p) { p.min_samples = -1; })).fit(X),
                    "HDBSCAN(): min_samples must be >= 0, got -1");
  CHECK_THROWS_WITH(HDBSCAN<double>(with<HDBSCANParams>([&](auto& p) { p.cluster_selection_epsilon = -0.5; })).fit(X),
                    "HDBSCAN(): cluster_selection_epsilon must be >= 0, got -0.5");
  CHECK_THROWS_AS(HDBSCAN<double>(with<HDBSCANParams>([&](auto& p) { p.min_samples = 1; })).fit(X.topRows(1)),
                  InputError);
  CHECK_THROWS_WITH(HDBSCAN<double>(with<HDBSCANParams>([&](auto& p) { p.min_samples = 1; })).fit(X.topRows(1)),
                    "HDBSCAN::fit(): X needs at least 2 samples, got 1");
  HDBSCAN<double> hd;
  hd.fit(X);
  const Labels before = hd.labels();
  RowMatrix<double> bad = X;
  bad(2, 3) = std::nan("");
  CHECK_THROWS_AS(hd.fit(bad), InputError);
  CHECK_THROWS_WITH(hd.fit(bad), "HDBSCAN::fit(): X must be finite, but X(2, 3) = nan");
  CHECK(hd.labels() == before);
  CHECK_THROWS_AS(HDBSCAN<double>(with<HDBSCANParams>([](auto& p) { p.n_threads = -1; })).fit(X), ParameterError);
  CHECK_THROWS_WITH(HDBSCAN<double>(with<HDBSCANParams>([](auto& p) { p.n_threads = -1; })).fit(X),
                    "HDBSCAN(): n_threads must be >= 0, got -1");
  CHECK_THROWS_AS(hd.fit(X.leftCols(0)), InputError);
  CHECK_THROWS_WITH(hd.fit(X.leftCols(0)), "HDBSCAN::fit(): X has no features (0 columns)");
}

// ---------------------------------------------------------------- unit clustering glue

namespace {

// A 12 x 10 map whose units form three bands of rows, each with its own weight vector.
struct ToyMap {
  RowMatrix<double> weights, positions;
  Labels region;
};

ToyMap toy_map() {
  ToyMap m{RowMatrix<double>(120, 3), RowMatrix<double>(120, 2), Labels(120)};
  Random rng(4);
  for (Index u = 0; u < 120; ++u) {
    const Index r = u / 10, c = u % 10, region = r / 4;
    m.positions.row(u) << double(r), double(c);
    m.region[u] = region;
    for (Index j = 0; j < 3; ++j) m.weights(u, j) = (j == region ? 4.0 : 0.0) + 0.2 * rng.normal();
  }
  return m;
}

}  // namespace

TEST_CASE("cluster_features: weights, positions and the balanced combination", "[som_cluster]") {
  const ToyMap m = toy_map();
  CHECK(cluster_features<double>(m.weights, m.positions, FeatureSpace::weights) == m.weights);
  CHECK(cluster_features<double>(m.weights, m.positions, FeatureSpace::positions) == m.positions);
  RowMatrix<double> scaled = m.positions * 100.0;  // the grid's units must not matter
  const RowMatrix<double> F = cluster_features<double>(m.weights, scaled, FeatureSpace::combined);
  REQUIRE(F.cols() == 5);
  const auto block_variance = [&](Index first, Index count) {
    const RowMatrix<double> B = F.middleCols(first, count);
    return (B.rowwise() - B.colwise().mean()).squaredNorm() / double(B.rows());
  };
  CHECK(block_variance(0, 3) == Approx(1.0));
  CHECK(block_variance(3, 2) == Approx(1.0));
  CHECK(F.colwise().mean().cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("cluster_units: k-means, GMM and HDBSCAN on a map's units", "[som_cluster]") {
  const ToyMap m = toy_map();
  const ClusterResult km =
      cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) { p.n_clusters = 3; }));
  CHECK(km.n_clusters == 3);
  CHECK(same_partition(km.labels, m.region));
  CHECK(km.method == ClusterMethod::kmeans);
  CHECK(km.centers.rows() == 3);
  CHECK(km.metrics.silhouette == Approx(silhouette_score(m.weights, km.labels)));
  CHECK(km.metrics.davies_bouldin == Approx(davies_bouldin_score(m.weights, km.labels)));
  CHECK(km.metrics.calinski_harabasz == Approx(calinski_harabasz_score(m.weights, km.labels)));
  CHECK(km.metrics.n_noise == 0);
  CHECK(km.inertia ==
        Approx(KMeans<double>(with<KMeansParams>([&](auto& p) { p.n_clusters = 3; })).fit(m.weights).inertia()));

  // Automatic k: the elbow of the inertia curve, the best silhouette, and the lowest BIC.
  const ClusterResult elbow = cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) {
                                                      p.max_k = 8;
                                                      p.auto_k = AutoK::elbow;
                                                    }));
  CHECK(elbow.n_clusters == 3);
  CHECK(elbow.k_scores.size() == 8);
  CHECK(elbow.k_scores == elbow_inertias(m.weights, 8));
  CHECK(elbow.k_criterion == "inertia");
  const ClusterResult sil =
      cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) { p.max_k = 6; }));
  CHECK(sil.k_criterion == "silhouette");
  CHECK(sil.n_clusters == 3);
  CHECK(same_partition(sil.labels, m.region));
  REQUIRE(sil.k_scores.size() == 6);
  CHECK(std::isnan(sil.k_scores[0]));
  for (Index k = 2; k <= 6; ++k) {  // each entry: silhouette_score of that k's k-means labels
    const Labels labels =
        KMeans<double>(with<KMeansParams>([&](auto& p) { p.n_clusters = k; })).fit(m.weights).labels();
    CHECK(sil.k_scores[std::size_t(k - 1)] == Approx(silhouette_score(m.weights, labels)));
  }
  CHECK(std::max_element(sil.k_scores.begin() + 1, sil.k_scores.end()) - sil.k_scores.begin() == 2);
  // The cap: k <= max(2, floor(sqrt(units))) = 10 for 120 units, whatever max_k says.
  for (AutoK a : {AutoK::elbow, AutoK::silhouette}) {
    const ClusterResult capped = cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) {
                                                         p.max_k = 50;
                                                         p.auto_k = a;
                                                       }));
    CHECK(capped.k_scores.size() == 10);
    const ClusterResult gm = cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) {
                                                     p.max_k = 50;
                                                     p.method = ClusterMethod::gmm;
                                                     p.covariance_type = Covariance::spherical;
                                                   }));
    CHECK(gm.k_scores.size() == 10);
    CHECK(gm.k_criterion == "bic");
  }
  {  // 5 units: K = min(10, max(2, 2), 4) = 2
    const ClusterResult five = cluster_units<double>(m.weights.topRows(5), m.positions.topRows(5), {});
    CHECK(five.k_scores.size() == 2);
    CHECK(five.n_clusters == 2);
  }
  const ClusterResult gmm = cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) {
                                                    p.method = ClusterMethod::gmm;
                                                    p.max_k = 6;
                                                    p.covariance_type = Covariance::spherical;
                                                  }));
  CHECK(gmm.n_clusters == 3);
  CHECK(same_partition(gmm.labels, m.region));
  CHECK(std::min_element(gmm.k_scores.begin(), gmm.k_scores.end()) - gmm.k_scores.begin() == 2);
  CHECK(std::isfinite(gmm.bic));
  CHECK(std::isfinite(gmm.aic));

  const ClusterResult positions = cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) {
                                                          p.n_clusters = 3;
                                                          p.feature_space = FeatureSpace::positions;
                                                        }));
  CHECK(positions.features == m.positions);
  CHECK(positions.feature_space == FeatureSpace::positions);

  const ClusterResult hd = cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) {
                                                   p.method = ClusterMethod::hdbscan;
                                                   p.feature_space = FeatureSpace::combined;
                                                 }));
  CHECK(hd.n_clusters == 3);
  CHECK(same_partition(hd.labels, m.region));
  CHECK(hd.centers.rows() == 3);
  CHECK(hd.metrics.noise_ratio == double(hd.metrics.n_noise) / 120.0);

  // One cluster: the metrics are undefined, so NaN.
  const ClusterResult one =
      cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) { p.n_clusters = 1; }));
  CHECK(std::isnan(one.metrics.silhouette));
  CHECK(std::isnan(one.metrics.davies_bouldin));
  CHECK(std::isnan(one.metrics.calinski_harabasz));
}

namespace {

// Mean silhouette by its definition: naive distance loops, no GEMM.
double brute_silhouette(const RowMatrix<double>& X, const Labels& labels) {
  const Index n = X.rows();
  const Index k = labels.maxCoeff() + 1;
  double total = 0;
  for (Index i = 0; i < n; ++i) {
    std::vector<double> sum(std::size_t(k), 0.0), count(std::size_t(k), 0.0);
    for (Index j = 0; j < n; ++j) {
      double d2 = 0;
      for (Index f = 0; f < X.cols(); ++f) d2 += (X(i, f) - X(j, f)) * (X(i, f) - X(j, f));
      sum[std::size_t(labels[j])] += std::sqrt(d2);
      count[std::size_t(labels[j])] += 1;
    }
    const auto own = std::size_t(labels[i]);
    if (count[own] <= 1) continue;  // 0
    const double a = sum[own] / (count[own] - 1);
    double b = std::numeric_limits<double>::infinity();
    for (std::size_t c = 0; c < std::size_t(k); ++c)
      if (c != own && count[c] > 0) b = std::min(b, sum[c] / count[c]);
    total += (b - a) / std::max(a, b);
  }
  return total / double(n);
}

// Units x features codebooks with four groups of units, narrow (features < units) and wide.
RowMatrix<double> grouped_codebook(Index units, Index features, std::uint64_t seed) {
  Random rng(seed);
  RowMatrix<double> centres(4, features), W(units, features);
  for (Index i = 0; i < centres.size(); ++i) centres.data()[i] = rng.uniform() < 0.1 ? 2.0 * rng.normal() : 0.0;
  for (Index u = 0; u < units; ++u)
    for (Index f = 0; f < features; ++f) W(u, f) = centres(u % 4, f) + 0.3 * rng.normal() * (rng.uniform() < 0.2);
  return W;
}

}  // namespace

TEST_CASE("cluster_units: the automatic k's silhouettes and labels are the candidates' own, on any threads",
          "[som_cluster]") {
  // Oracle: each candidate k-means on the codebook itself, scored by a brute-force silhouette
  // (what the automatic k computed, candidate by candidate, before sharing the distances and
  // clustering wide codebooks on fewer coordinates). The wide codebooks (features >= 2 x units)
  // are narrower in unoptimised builds, still wide enough for the reduced coordinates.
  using test_support::full_or_reduced;
  for (const auto& shape : {std::pair<Index, Index>{64, 6}, std::pair<Index, Index>{64, full_or_reduced(700, 160)},
                            std::pair<Index, Index>{36, full_or_reduced(2000, 200)}}) {
    const Index units = shape.first, features = shape.second;
    CAPTURE(units, features);
    const RowMatrix<double> W = grouped_codebook(units, features, std::uint64_t(units + features));
    const Index k_limit = std::min<Index>(7, Index(std::sqrt(double(units))));
    std::vector<ClusterResult> runs;
    for (const int threads : {1, 2, 3})
      runs.push_back(cluster_units<double>(W, RowMatrix<double>(), with<ClusterParams>([&](auto& p) {
                                             p.max_k = 7;
                                             p.n_threads = threads;
                                           })));
    const ClusterResult& r = runs[0];
    REQUIRE(r.k_scores.size() == std::size_t(k_limit));
    Index best_k = 2;
    double best = -1;
    for (Index k = 2; k <= k_limit; ++k) {
      const Labels labels = KMeans<double>(with<KMeansParams>([&](auto& p) { p.n_clusters = k; })).fit(W).labels();
      const double s = brute_silhouette(W, labels);
      CHECK(r.k_scores[std::size_t(k - 1)] == Approx(s).margin(1e-12));
      if (s > best) best = s, best_k = k;
    }
    CHECK(r.n_clusters == best_k);
    CHECK(r.labels == KMeans<double>(with<KMeansParams>([&](auto& p) { p.n_clusters = best_k; })).fit(W).labels());
    for (const ClusterResult& other : runs) {  // identical for 1, 2 and 3 threads
      CHECK(other.n_clusters == r.n_clusters);
      CHECK(other.labels == r.labels);
      for (std::size_t c = 1; c < r.k_scores.size(); ++c) CHECK(other.k_scores[c] == r.k_scores[c]);
      CHECK(other.inertia == r.inertia);
    }
  }
}

TEST_CASE("cluster_units: the automatic k's warnings come from the calling thread, in the order of k",
          "[som_cluster]") {
  // max_iter = 1 leaves every candidate k-means unconverged, so each one warns (with its inertia).
  const RowMatrix<double> W = grouped_codebook(64, 700, 3);
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<std::vector<std::string>> logs;
  for (const int threads : {1, 2}) {
    std::vector<std::string> log;
    bool off_thread = false;
    const ScopedWarningHandler handler([&](std::string_view w) {
      off_thread = off_thread || std::this_thread::get_id() != caller;
      log.emplace_back(w);
    });
    cluster_units<double>(W, RowMatrix<double>(), with<ClusterParams>([&](auto& p) {
                            p.max_k = 7;
                            p.max_iter = 1;
                            p.n_threads = threads;
                          }));
    CHECK_FALSE(off_thread);
    logs.push_back(log);
  }
  CHECK(logs[0].size() >= 6);  // the candidates k = 2..7, then the final fit
  CHECK(logs[1] == logs[0]);
}

TEST_CASE("elbow_k picks the largest bend", "[som_cluster]") {
  CHECK(elbow_k({100, 40, 5, 4, 3.5}) == 3);
  CHECK(elbow_k({100, 20, 15, 12, 10}) == 2);
  CHECK(elbow_k({100, 40}) == 2);
}

TEST_CASE("cluster_units reports bad parameters and data", "[som_cluster][errors]") {
  const ToyMap m = toy_map();
  CHECK_THROWS_AS(
      cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) { p.n_clusters = 121; })),
      ParameterError);
  CHECK_THROWS_WITH(
      cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) { p.n_clusters = 121; })),
      "cluster_units(): n_clusters must be <= the number of units (120), got 121");
  CHECK_THROWS_WITH(
      cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) { p.min_samples = 121; })),
      "cluster_units(): min_samples must be <= the number of units (120), got 121");
  CHECK_THROWS_WITH(
      cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) { p.max_iter = -1; })),
      "cluster_units(): max_iter must be >= 0, got -1");
  CHECK_THROWS_AS(
      cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) { p.reg_covar = -1e-3; })),
      ParameterError);
  CHECK_THROWS_WITH(
      cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) { p.reg_covar = -1e-3; })),
      "cluster_units(): reg_covar must be >= 0, got -0.001");
  CHECK_THROWS_WITH(cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) { p.max_k = 0; })),
                    "cluster_units(): max_k must be > 0, got 0");
  CHECK_THROWS_WITH(
      cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) { p.min_cluster_size = 1; })),
      "cluster_units(): min_cluster_size must be 0 (automatic) or >= 2, got 1");
  CHECK_THROWS_WITH(
      cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) { p.min_cluster_size = 121; })),
      "cluster_units(): min_cluster_size must be <= the number of units (120), got 121");
  CHECK_THROWS_AS(cluster_units<double>(m.weights, m.positions.topRows(10), with<ClusterParams>([&](auto& p) {
                                          p.feature_space = FeatureSpace::combined;
                                        })),
                  InputError);
  CHECK_THROWS_WITH(cluster_units<double>(m.weights, m.positions.topRows(10), with<ClusterParams>([&](auto& p) {
                                            p.feature_space = FeatureSpace::combined;
                                          })),
                    "cluster_features(): positions has 10 rows, but weights has 120 units");
  CHECK_THROWS_AS(cluster_units<double>(m.weights.topRows(1), m.positions.topRows(1), {}), InputError);
  CHECK_THROWS_WITH(cluster_units<double>(m.weights.topRows(1), m.positions.topRows(1), {}),
                    "cluster_units(): clustering needs at least 2 units, got 1");
  RowMatrix<double> bad = m.weights;
  bad(3, 1) = std::nan("");
  CHECK_THROWS_AS(cluster_units<double>(bad, m.positions, {}), InputError);
  CHECK_THROWS_WITH(cluster_units<double>(bad, m.positions, {}),
                    "cluster_units(): weights must be finite, but weights(3, 1) = nan");
  CHECK_THROWS_WITH(elbow_inertias(m.weights, 121),
                    "elbow_inertias(): max_k must be <= the number of samples (120), got 121");
  CHECK_THROWS_AS(elbow_inertias(m.weights, 0), ParameterError);
  CHECK_THROWS_WITH(elbow_inertias(m.weights, 0), "elbow_inertias(): max_k must be > 0, got 0");
  const auto params = [](auto set) { return with<ClusterParams>(set); };
  CHECK_THROWS_WITH(cluster_units<double>(m.weights, m.positions, params([](auto& p) { p.n_clusters = -1; })),
                    "cluster_units(): n_clusters must be >= 0, got -1");
  CHECK_THROWS_WITH(cluster_units<double>(m.weights, m.positions, params([](auto& p) { p.min_samples = -3; })),
                    "cluster_units(): min_samples must be >= 0, got -3");
  CHECK_THROWS_WITH(cluster_units<double>(m.weights, m.positions, params([](auto& p) { p.n_init = 0; })),
                    "cluster_units(): n_init must be > 0, got 0");
  CHECK_THROWS_AS(cluster_units<double>(m.weights, m.positions, params([](auto& p) { p.n_threads = -1; })),
                  ParameterError);
  CHECK_THROWS_WITH(cluster_units<double>(m.weights, m.positions, params([](auto& p) { p.n_threads = -1; })),
                    "cluster_units(): n_threads must be >= 0, got -1");
}

TEMPLATE_TEST_CASE("KMeans and GaussianMixture save/load is exact", "[kmeans][gmm][io]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  using Other = std::conditional_t<std::is_same_v<S, float>, double, float>;
  const RowMatrix<S> X = load("iris", false).cast<S>();
  KMeans<S> km(with<KMeansParams>([&](auto& p) { p.n_clusters = 3; }));
  CHECK_THROWS_WITH(save(km, "km.bin"), "save(): this KMeans is not fitted yet; there is nothing to save");
  km.fit(X);
  const KMeans<S> km_back = test_support::check_model_file(km, "km.bin", load_kmeans<S>, load_kmeans<Other>);
  CHECK(km_back.cluster_centers() == km.cluster_centers());
  CHECK(km_back.predict(X) == km.predict(X));
  CHECK(km_back.inertia() == km.inertia());

  for (const Covariance type : {Covariance::full, Covariance::diag, Covariance::spherical, Covariance::tied}) {
    GaussianMixture<S> gm(with<GaussianMixtureParams>([&](auto& p) {
      p.n_components = 3;
      p.covariance_type = type;
    }));
    gm.fit(X);
    const GaussianMixture<S> back =
        test_support::check_model_file(gm, "gmm.bin", load_gaussian_mixture<S>, load_gaussian_mixture<Other>);
    CHECK(back.predict_proba(X) == gm.predict_proba(X));
    CHECK(back.score_samples(X) == gm.score_samples(X));
    CHECK(back.n_parameters() == gm.n_parameters());
  }
}

// ---- degenerate inputs ------------------------------------------------------------------------

namespace {

// Four blob centres 8 apart in 3-D.
RowMatrix<double> four_corners() { return (RowMatrix<double>(4, 3) << 0, 0, 0, 8, 0, 0, 0, 8, 0, 8, 8, 8).finished(); }

// Smallest k = 2 inertia of 1-D data, by brute force over the split points of the sorted values.
double best_split_inertia(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const auto sse = [&](std::size_t b, std::size_t e) {
    double mean = 0;
    for (std::size_t i = b; i < e; ++i) mean += v[i];
    mean /= double(e - b);
    double s = 0;
    for (std::size_t i = b; i < e; ++i) s += (v[i] - mean) * (v[i] - mean);
    return s;
  };
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t split = 1; split < v.size(); ++split) best = std::min(best, sse(0, split) + sse(split, v.size()));
  return best;
}

}  // namespace

TEMPLATE_TEST_CASE("KMeans degenerate inputs: one sample, k = n, duplicates, one feature, 1e30", "[kmeans][degenerate]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const auto fit = [](const RowMatrix<S>& X, Index k) {
    KMeans<S> km(with<KMeansParams>([&](auto& p) {
      p.n_clusters = k;
      p.n_init = 3;
    }));
    km.fit(X);
    return km;
  };
  // One sample, k = 1: the centre is the sample.
  const RowMatrix<S> one = (RowMatrix<S>(1, 2) << S(1.5), S(-3)).finished();
  KMeans<S> km = fit(one, 1);
  CHECK(km.cluster_centers() == one);
  CHECK(km.inertia() == 0.0);
  CHECK(km.labels() == Labels::Zero(1));
  // k = n distinct samples: every sample is a centre, inertia 0.
  const RowMatrix<S> X = blobs(four_corners(), 3, 1.0, 0, 0, 71).template cast<S>();
  km = fit(X, X.rows());
  CHECK(km.inertia() == 0.0);
  std::set<Index> used(km.labels().data(), km.labels().data() + km.labels().size());
  CHECK(Index(used.size()) == X.rows());
  // Duplicated rows and more clusters than distinct points (but not than samples): inertia 0.
  const RowMatrix<S> dup = X.topRows(3).replicate(3, 1);
  km = fit(dup, 5);
  CHECK(km.inertia() == Approx(0.0).margin(1e-10));  // a mean of equal values may round
  CHECK((km.labels().minCoeff() >= 0 && km.labels().maxCoeff() < 5));
  const RowMatrix<S> same = one.replicate(7, 1);
  km = fit(same, 3);
  CHECK(km.inertia() == Approx(0.0).margin(1e-10));
  CHECK(km.cluster_centers().allFinite());
  // More clusters than samples: a clear error.
  CHECK_THROWS_WITH(fit(same, 8), "KMeans::fit(): n_clusters must be <= n_samples (7), got 8");
  CHECK_THROWS_WITH(fit(one, 2), "KMeans::fit(): n_clusters must be <= n_samples (1), got 2");
  // One feature: the best 2-split, found by brute force.
  const RowMatrix<S> line = blobs((RowMatrix<double>(2, 1) << 0, 3).finished(), 8, 1.0, 0, 0, 72).template cast<S>();
  km = fit(line, 2);
  const std::vector<double> values(line.data(), line.data() + line.size());
  CHECK(km.inertia() == Approx(best_split_inertia(values)).epsilon(1e-5));
  // A constant column adds nothing: same partition, same inertia.
  RowMatrix<S> with_constant(line.rows(), 2);
  with_constant << line, RowMatrix<S>::Constant(line.rows(), 1, S(4));
  const KMeans<S> kc = fit(with_constant, 2);
  CHECK(same_partition(kc.labels(), km.labels()));
  CHECK(kc.inertia() == Approx(km.inertia()).epsilon(1e-5));
  // 2^100 (1.3e30, exact scaling): the same partition, the inertia scaled by 2^200.
  const double scale = std::ldexp(1.0, 100);
  const RowMatrix<S> huge = (X.template cast<double>() * scale).template cast<S>();
  const KMeans<S> small = fit(X, 4), big = fit(huge, 4);
  CHECK(same_partition(small.labels(), big.labels()));
  CHECK(big.inertia() / (scale * scale) == Approx(small.inertia()).epsilon(1e-4));
  CHECK(big.cluster_centers().allFinite());
  CHECK(big.transform(huge).allFinite());
  // NaN, Inf, empty.
  RowMatrix<S> bad = X;
  bad(1, 0) = std::numeric_limits<S>::infinity();
  CHECK_THROWS_WITH(fit(bad, 2), "KMeans::fit(): X must be finite, but X(1, 0) = inf");
  CHECK_THROWS_WITH(small.predict(bad), "KMeans::predict(): X must be finite, but X(1, 0) = inf");
  CHECK_THROWS_WITH(fit(RowMatrix<S>(0, 2), 1), "KMeans::fit(): X has no samples (0 rows)");
}

TEMPLATE_TEST_CASE("GaussianMixture degenerate inputs: identical rows, k = n, constant columns, 1e30",
                   "[gmm][degenerate]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const double pi = 3.14159265358979323846;
  const auto model = [](Index k, Covariance type) {
    return GaussianMixture<S>(with<GaussianMixtureParams>([&](auto& p) {
      p.n_components = k;
      p.covariance_type = type;
    }));
  };
  const RowMatrix<S> row = (RowMatrix<S>(1, 3) << S(1), S(-2), S(0.5)).finished();
  const RowMatrix<S> same = row.replicate(6, 1);
  const RowMatrix<S> X = blobs(four_corners(), 4, 1.0, 0, 0, 73).template cast<S>();
  for (Covariance type : {Covariance::full, Covariance::diag, Covariance::spherical, Covariance::tied}) {
    INFO("covariance " << int(type));
    // Identical rows: a zero covariance plus reg_covar, so log p(x) = -d/2 log(2 pi reg).
    GaussianMixture<S> gm = model(1, type);
    gm.fit(same);
    CHECK(gm.means().isApprox(row, S(1e-6)));
    CHECK(gm.score(same) == Approx(-1.5 * std::log(2 * pi * 1e-6)).epsilon(1e-6));
    CHECK(std::isfinite(gm.bic(same)));
    // As many components as samples: each sample its own component.
    gm = model(X.rows(), type);
    gm.fit(X);
    const Labels labels = gm.predict(X);
    CHECK(std::set<Index>(labels.data(), labels.data() + labels.size()).size() == std::size_t(X.rows()));
    CHECK(gm.predict_proba(X).allFinite());
    // A constant column: its variance is reg_covar, everything stays finite.
    RowMatrix<S> constant = X;
    constant.col(1).setConstant(S(2));
    gm = model(4, type);
    gm.fit(constant);
    CHECK(std::isfinite(gm.score(constant)));
    CHECK(gm.predict_proba(constant).allFinite());
    // One feature.
    gm = model(2, type);
    gm.fit(X.leftCols(1));
    CHECK(std::isfinite(gm.score(X.leftCols(1))));
  }
  // 2^100 scaling: log p shifts by -d ln(2^100) and the partition is kept (reg_covar aside).
  const double scale = std::ldexp(1.0, 100);
  const RowMatrix<S> huge = (X.template cast<double>() * scale).template cast<S>();
  GaussianMixture<S> small = model(4, Covariance::full), big = model(4, Covariance::full);
  small.fit(X);
  big.fit(huge);
  CHECK(same_partition(small.predict(X), big.predict(huge)));
  CHECK(big.score(huge) == Approx(small.score(X) - 3 * std::log(scale)).epsilon(1e-4));
  // Too few samples, too many components, NaN.
  CHECK_THROWS_WITH(model(1, Covariance::full).fit(row), "GaussianMixture::fit(): X needs at least 2 samples, got 1");
  CHECK_THROWS_WITH(model(7, Covariance::full).fit(same),
                    "GaussianMixture::fit(): n_components must be <= n_samples (6), got 7");
  RowMatrix<S> bad = X;
  bad(0, 2) = std::numeric_limits<S>::quiet_NaN();
  CHECK_THROWS_WITH(model(2, Covariance::diag).fit(bad), "GaussianMixture::fit(): X must be finite, but X(0, 2) = nan");
  CHECK_THROWS_WITH(small.score_samples(bad), "GaussianMixture::score_samples(): X must be finite, but X(0, 2) = nan");
}

TEMPLATE_TEST_CASE("HDBSCAN degenerate inputs: identical and duplicated rows, one feature, 1e30",
                   "[hdbscan][degenerate]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const auto model = [](Index min_cluster_size, bool single = false) {
    return HDBSCAN<S>(with<HDBSCANParams>([&](auto& p) {
      p.min_cluster_size = min_cluster_size;
      p.allow_single_cluster = single;
    }));
  };
  RowMatrix<double> centres(3, 2);
  centres << 0, 0, 10, 0, 0, 10;
  const RowMatrix<S> X = blobs(centres, 12, 0.6, 0, 0, 74).template cast<S>();
  // Every row twice, with min_cluster_size and min_samples doubled: the 2m-th neighbour of a
  // doubled point is the m-th of the original, every cluster doubles in size and stability,
  // so the clustering is the original's, and a row and its copy share a label.
  const RowMatrix<S> twice = X.replicate(2, 1);
  HDBSCAN<S> once = model(5), hd = model(10);
  once.fit(X);
  hd.fit(twice);
  CHECK(once.n_clusters() == 3);
  CHECK(same_partition(hd.labels().head(X.rows()), once.labels()));
  CHECK(hd.labels().tail(X.rows()) == hd.labels().head(X.rows()));
  CHECK(hd.probabilities().allFinite());
  CHECK(hd.outlier_scores().allFinite());
  // Identical rows: one density level, so nothing separates: one cluster when a single cluster
  // is allowed, all noise otherwise; every score finite.
  const RowMatrix<S> same = RowMatrix<S>::Constant(8, 2, S(3));
  for (bool single : {false, true}) {
    hd = model(3, single);
    hd.fit(same);
    CHECK(hd.labels() == Labels::Constant(8, single ? 0 : -1));
    CHECK(hd.probabilities().allFinite());
    CHECK(hd.outlier_scores().allFinite());
  }
  // One feature: two separated groups.
  const RowMatrix<S> line = blobs((RowMatrix<double>(2, 1) << 0, 20).finished(), 10, 0.5, 0, 0, 75).template cast<S>();
  hd = model(4);
  hd.fit(line);
  CHECK(hd.n_clusters() == 2);
  // 2^100 scaling changes nothing (powers of two scale exactly).
  const RowMatrix<S> huge = (X.template cast<double>() * std::ldexp(1.0, 100)).template cast<S>();
  HDBSCAN<S> small = model(5), big = model(5);
  small.fit(X);
  big.fit(huge);
  CHECK(big.labels() == small.labels());
  CHECK(big.probabilities() == small.probabilities());
  // Errors: one sample, min_cluster_size above n, Inf.
  CHECK_THROWS_WITH(model(2).fit(X.topRows(1)), "HDBSCAN::fit(): X needs at least 2 samples, got 1");
  CHECK_THROWS_WITH(
      model(9).fit(same),
      "HDBSCAN::fit(): min_samples (min_cluster_size when min_samples = 0) must be <= n_samples (8), got 9");
  RowMatrix<S> bad = X;
  bad(3, 1) = -std::numeric_limits<S>::infinity();
  CHECK_THROWS_WITH(model(5).fit(bad), "HDBSCAN::fit(): X must be finite, but X(3, 1) = -inf");
}

TEST_CASE("cluster_units on identical units: every method gives labels, no NaN centres", "[som_cluster][degenerate]") {
  const RowMatrix<double> W = RowMatrix<double>::Constant(9, 3, 0.25);
  Grid grid(3, 3);
  for (ClusterMethod method : {ClusterMethod::kmeans, ClusterMethod::gmm, ClusterMethod::hdbscan})
    for (FeatureSpace space : {FeatureSpace::weights, FeatureSpace::combined}) {
      INFO("method " << int(method) << " space " << int(space));
      ClusterParams cp;
      cp.method = method;
      cp.feature_space = space;
      cp.n_clusters = method == ClusterMethod::hdbscan ? 0 : 2;
      cp.min_cluster_size = method == ClusterMethod::hdbscan ? 3 : 0;
      const ClusterResult r = cluster_units<double>(W, grid.positions(), cp);
      REQUIRE(r.labels.size() == 9);
      CHECK((r.labels.array() >= -1).all());
      CHECK(r.labels.maxCoeff() < std::max<Index>(r.n_clusters, 1));
      CHECK(r.centers.allFinite());
      CHECK(r.features.allFinite());
      if (space == FeatureSpace::weights && method == ClusterMethod::kmeans) CHECK(r.inertia == 0.0);
    }
  ClusterParams cp;
  cp.n_clusters = 10;
  CHECK_THROWS_WITH(cluster_units<double>(W, grid.positions(), cp),
                    "cluster_units(): n_clusters must be <= the number of units (9), got 10");
}

TEST_CASE("cluster_units passes the HDBSCAN and GMM options through", "[som_cluster]") {
  const ToyMap m = toy_map();
  const RowMatrix<double> F = cluster_features<double>(m.weights, m.positions, FeatureSpace::combined);
  for (Index min_samples : {0, 1, 4, 9})
    for (ClusterSelection selection : {ClusterSelection::eom, ClusterSelection::leaf})
      for (bool single : {false, true}) {
        INFO("min_samples " << min_samples << " selection " << enum_name(selection) << " single " << single);
        const ClusterResult r = cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) {
                                                        p.method = ClusterMethod::hdbscan;
                                                        p.feature_space = FeatureSpace::combined;
                                                        p.min_cluster_size = 8;
                                                        p.min_samples = min_samples;
                                                        p.cluster_selection_method = selection;
                                                        p.allow_single_cluster = single;
                                                      }));
        HDBSCAN<double> hd(with<HDBSCANParams>([&](auto& p) {
          p.min_cluster_size = 8;
          p.min_samples = min_samples == 0 ? 2 : min_samples;  // the units' default: 2
          p.cluster_selection_method = selection;
          p.allow_single_cluster = single;
        }));
        CHECK(r.labels == hd.fit(F).labels());
      }
  // reg_covar and max_iter reach the GMM: the same BIC as a GaussianMixture with those values.
  const ClusterResult g = cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) {
                                                  p.method = ClusterMethod::gmm;
                                                  p.n_clusters = 3;
                                                  p.reg_covar = 0.5;
                                                  p.max_iter = 7;
                                                }));
  GaussianMixture<double> gm(with<GaussianMixtureParams>([&](auto& p) {
    p.n_components = 3;
    p.reg_covar = 0.5;
    p.max_iter = 7;
  }));
  CHECK(g.bic == Approx(gm.fit(m.weights).bic(m.weights)));
  CHECK(gm.covariances()[0](0, 0) > 0.5);  // the regularisation is in the covariances
  // max_iter reaches k-means: one Lloyd iteration from the same seeding.
  const ClusterResult k1 = cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) {
                                                   p.n_clusters = 4;
                                                   p.max_iter = 1;
                                                   p.n_init = 1;
                                                 }));
  KMeans<double> km(with<KMeansParams>([&](auto& p) {
    p.n_clusters = 4;
    p.max_iter = 1;
    p.n_init = 1;
  }));
  CHECK(k1.inertia == Approx(km.fit(m.weights).inertia()));
}

TEST_CASE("cluster_units: n_clusters with HDBSCAN is ignored with a warning", "[som_cluster][warnings]") {
  const ToyMap m = toy_map();
  std::vector<std::string> warnings;
  ScopedWarningHandler capture([&](std::string_view w) { warnings.emplace_back(w); });
  const auto run = [&](Index k) {
    return cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) {
                                   p.method = ClusterMethod::hdbscan;
                                   p.n_clusters = k;
                                 }));
  };
  const ClusterResult plain = run(0);
  CHECK(warnings.empty());
  const ClusterResult with_k = run(5);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] ==
        "cluster_units(): n_clusters = 5 is ignored by hdbscan, which finds the number of clusters itself");
  CHECK(with_k.labels == plain.labels);
}

TEST_CASE("KMeans and GaussianMixture warn when they do not converge", "[kmeans][gmm][warnings]") {
  const RowMatrix<double> X = load("iris", false);
  std::vector<std::string> warnings;
  ScopedWarningHandler capture([&](std::string_view w) { warnings.emplace_back(w); });
  KMeans<double>(with<KMeansParams>([](auto& p) { p.n_clusters = 3; })).fit(X);
  GaussianMixture<double>(with<GaussianMixtureParams>([](auto& p) { p.n_components = 3; })).fit(X);
  CHECK(warnings.empty());  // the defaults converge on iris
  KMeans<double> km(with<KMeansParams>([](auto& p) {
    p.n_clusters = 3;
    p.max_iter = 1;
    p.n_init = 2;
  }));
  km.fit(X);
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::StartsWith("KMeans::fit(): the kept run (best of n_init = 2) did not converge "
                                            "within max_iter = 1 iterations (inertia "));
  CHECK(km.n_iter() == 1);
  warnings.clear();
  GaussianMixture<double> gm(with<GaussianMixtureParams>([](auto& p) {
    p.n_components = 3;
    p.max_iter = 2;
  }));
  gm.fit(X);
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::StartsWith("GaussianMixture::fit(): the kept run (best of n_init = 1) did not "
                                            "converge within max_iter = 2 iterations"));
  CHECK_FALSE(gm.converged());
}

// ---------------------------------------------------------------- top features of clusters

namespace {

// The oracle: every (weight, feature) pair of a centre, fully sorted, largest weight first,
// ties to the lower feature.
std::vector<std::pair<double, Index>> naive_top(const Eigen::RowVectorXd& centre, Index k) {
  std::vector<std::pair<double, Index>> all;
  for (Index j = 0; j < centre.size(); ++j) all.emplace_back(centre[j], j);
  std::sort(all.begin(), all.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  all.resize(std::min<std::size_t>(all.size(), std::size_t(k)));
  return all;
}

void check_against_naive(const std::vector<TopFeature>& got, const Eigen::RowVectorXd& centre, Index k,
                         const std::vector<std::string>& names) {
  const auto want = naive_top(centre, k);
  REQUIRE(got.size() == want.size());
  for (std::size_t t = 0; t < want.size(); ++t) {
    CHECK(got[t].feature == want[t].second);
    CHECK(got[t].weight == Approx(want[t].first).margin(1e-12));
    CHECK(got[t].name == (names.empty() ? std::string() : names[std::size_t(want[t].second)]));
  }
}

}  // namespace

TEST_CASE("cluster_top_features ranks each centre as a full sort does", "[som_cluster][top_features]") {
  Random rng(8);
  RowMatrix<double> W(60, 12);
  for (Index k = 0; k < W.size(); ++k) W.data()[k] = rng.normal();
  for (Index u = 0; u < 60; ++u) W(u, u % 4) += 5;  // four groups of units
  const ClusterResult km =
      cluster_units<double>(W, RowMatrix<double>(), with<ClusterParams>([](auto& p) { p.n_clusters = 4; }));
  std::vector<std::string> names;
  for (Index j = 0; j < 12; ++j) names.push_back("f" + std::to_string(j));
  for (const Index k : {Index(1), Index(3), Index(12), Index(20)}) {
    const auto top = cluster_top_features(km, k, names);
    REQUIRE(top.size() == 4);
    for (Index c = 0; c < 4; ++c) check_against_naive(top[std::size_t(c)], km.centers.row(c), k, names);
  }
  CHECK(cluster_top_features(km, 2)[0][0].name.empty());  // no names given

  // The codebook overload: the mean of each cluster's units, noise left out; ties to the lower
  // feature.
  ClusterResult r;
  r.n_clusters = 3;
  r.labels = Labels::Zero(60);
  for (Index u = 0; u < 60; ++u) r.labels[u] = u % 5 == 4 ? -1 : u % 2;  // cluster 2 has no unit
  r.feature_space = FeatureSpace::positions;
  W.col(7) = W.col(5);  // equal means: a tie
  const auto top = cluster_top_features(r, W, 5, names);
  REQUIRE(top.size() == 3);
  CHECK(top[2].empty());
  for (Index c = 0; c < 2; ++c) {
    Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(12);
    Index n = 0;
    for (Index u = 0; u < 60; ++u)
      if (r.labels[u] == c) {
        mean += W.row(u);
        ++n;
      }
    check_against_naive(top[std::size_t(c)], mean / double(n), 5, names);
  }
  const Eigen::RowVectorXd flat = Eigen::RowVectorXd::Constant(4, 1.0);
  ClusterResult tie;
  tie.n_clusters = 1;
  tie.labels = Labels::Zero(1);
  tie.centers = flat;
  const auto tied = cluster_top_features(tie, 2);
  CHECK(tied[0][0].feature == 0);
  CHECK(tied[0][1].feature == 1);
}

TEST_CASE("cluster_top_features errors", "[som_cluster][top_features][errors]") {
  const ToyMap m = toy_map();
  const ClusterResult km =
      cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) { p.n_clusters = 3; }));
  CHECK_THROWS_AS(cluster_top_features(km, 0), ParameterError);
  CHECK_THROWS_WITH(cluster_top_features(km, 0), "cluster_top_features(): k must be >= 1, got 0");
  CHECK_THROWS_WITH(cluster_top_features(km, 2, {"a", "b"}),
                    "cluster_top_features(): there are 2 feature names for 3 features; give one name per feature "
                    "(or none)");
  const ClusterResult grid = cluster_units<double>(m.weights, m.positions, with<ClusterParams>([&](auto& p) {
                                                     p.n_clusters = 3;
                                                     p.feature_space = FeatureSpace::positions;
                                                   }));
  CHECK_THROWS_AS(cluster_top_features(grid, 2), InputError);
  CHECK_THROWS_WITH(cluster_top_features(grid, 2),
                    "cluster_top_features(): the units were clustered on their positions, so the centres are not "
                    "features; pass the codebook instead: cluster_top_features(result, som.weights_in_data_units(), "
                    "k)");
  CHECK(cluster_top_features(grid, m.weights, 1).size() == 3);  // the codebook overload works on any space
  CHECK_THROWS_WITH(cluster_top_features(grid, m.weights.topRows(5), 1),
                    "cluster_top_features(): weights is 5 x 3, but the result labels 120 units (weights must hold one "
                    "codebook row per unit)");
  CHECK_THROWS_WITH(cluster_top_features(grid, m.weights, 1, {"a"}),
                    "cluster_top_features(): there are 1 feature names for 3 features; give one name per feature "
                    "(or none)");
}

// With k >= 64 Lloyd's assignment keeps bounds between iterations (Yinyang k-means on the BMU
// kernel); the labels, centres, inertia and iteration count must be those of the full search.
TEMPLATE_TEST_CASE("KMeans with bounds equals the full search exactly", "[kmeans][bounded]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  Random rng(21);
  RowMatrix<S> C(12, 8), X(test_support::full_or_reduced(3000, 1200), 8);  // k = 90 keeps bounds either way
  for (Index i = 0; i < C.size(); ++i) C.data()[i] = S(rng.uniform(-6, 6));
  for (Index i = 0; i < X.rows(); ++i)
    for (Index j = 0; j < X.cols(); ++j) X(i, j) = C(i % 12, j) + S(rng.normal());
  X.row(7) = X.row(8);  // duplicates: exact ties between centres that land on them
  for (const int threads : {1, 2}) {
    INFO("threads " << threads);
    const auto fit = [&](bool bounds) {
      detail::set_bounded_search(bounds);
      KMeans<S> km(with<KMeansParams>([&](auto& p) {
        p.n_clusters = 90;
        p.n_init = 2;
        p.seed = 3;
        p.n_threads = threads;
      }));
      km.fit(X);
      detail::set_bounded_search(true);
      return km;
    };
    const KMeans<S> full = fit(false), bounded = fit(true);
    CHECK(bounded.labels() == full.labels());
    CHECK(bounded.cluster_centers() == full.cluster_centers());
    CHECK(bounded.inertia() == full.inertia());
    CHECK(bounded.n_iter() == full.n_iter());
  }
  // The run itself: the bounds skip most distances after the first iteration.
  const RowMatrix<S> init = X.topRows(90);
  const auto run = detail::lloyd<S>(X, init, 50, 0.0, 1);
  REQUIRE(run.distances_computed.size() >= 3);
  CHECK(run.distances_computed.front() == 1.0);
  CHECK(run.distances_computed.back() < 0.5);
}
