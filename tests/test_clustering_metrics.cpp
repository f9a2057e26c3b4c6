// Silhouette, Davies–Bouldin and Calinski–Harabasz against scikit-learn's values
// (tests/reference/make_cluster_reference.py) and their edge cases.
// Scalars: float and double against scikit-learn's values and for 1e30; double only for
// silhouette_samples' noise and singletons.
#include <somtile/io.hpp>
#include <somtile/metrics/clustering.hpp>

#include <catch2/catch.hpp>
#include "support/scalars.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace somtile;

namespace {

std::map<std::string, std::vector<double>> reference() {
  std::ifstream in(std::string(SOMTILE_REFERENCE_DIR) + "/cluster_reference.txt");
  REQUIRE(in.good());
  std::map<std::string, std::vector<double>> out;
  std::string line, name;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    fields >> name;
    double v;
    while (fields >> v) out[name].push_back(v);
  }
  return out;
}

double expected_score(const std::string& name) {
  static const auto values = reference();
  const auto it = values.find(name);
  REQUIRE(it != values.end());
  return it->second.at(0);
}

const std::vector<double>& expected_scores(const std::string& name) {
  static const auto values = reference();
  return values.at(name);
}

CsvData load(const std::string& name) { return read_csv(std::string(SOMTILE_DATA_DIR) + "/" + name + ".csv", "label"); }

// The label sets of make_cluster_reference.py's label_sets().
std::map<std::string, Labels> label_sets(const Labels& y) {
  const Index n = y.size();
  Labels noisy = y, modular(n), singleton = y;
  for (Index i = 0; i < n; ++i) {
    if (i % 7 == 3) noisy[i] = -1;
    modular[i] = (i * 5) % 4;
  }
  singleton[0] = 10;
  return {{"true", y}, {"noisy", noisy}, {"modular", modular}, {"singleton", singleton}};
}

}  // namespace

TEMPLATE_TEST_CASE("clustering metrics equal scikit-learn's on iris and wine", "[metrics]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  // The float case starts from data rounded to float, which moves the scores by ~1e-7.
  const double tol = std::is_same_v<S, float> ? 1e-5 : 1e-6;
  const double margin = std::is_same_v<S, float> ? 1e-6 : 1e-9;  // for per-sample values near 0
  for (const std::string data : {"iris", "wine"}) {
    const CsvData d = load(data);
    const RowMatrix<S> X = d.X.template cast<S>();
    for (const auto& [set, labels] : label_sets(d.y)) {
      INFO(data << " / " << set);
      CHECK(silhouette_score(X, labels) == Approx(expected_score(data + "." + set + ".silhouette")).epsilon(tol));
      CHECK(davies_bouldin_score(X, labels) ==
            Approx(expected_score(data + "." + set + ".davies_bouldin")).epsilon(tol));
      CHECK(calinski_harabasz_score(X, labels) ==
            Approx(expected_score(data + "." + set + ".calinski_harabasz")).epsilon(tol));
    }
    const Vector<double> s = silhouette_samples(X, d.y);
    const auto& expected = expected_scores(data + ".true.silhouette_samples");
    REQUIRE(s.size() == Index(expected.size()));
    for (Index i = 0; i < s.size(); ++i) CHECK(s[i] == Approx(expected[std::size_t(i)]).epsilon(tol).margin(margin));
  }
}

TEMPLATE_TEST_CASE("silhouette_samples marks noise NaN and singletons 0", "[metrics]", double) {
  using S = TestType;
  const CsvData d = load("iris");
  const RowMatrix<S> X = d.X.template cast<S>();
  auto sets = label_sets(d.y);
  const Vector<double> noisy = silhouette_samples(X, sets["noisy"]);
  double kept_sum = 0;
  Index kept = 0;
  for (Index i = 0; i < noisy.size(); ++i) {
    if (i % 7 == 3) {
      CHECK(std::isnan(noisy[i]));
    } else {
      kept_sum += noisy[i];
      ++kept;
    }
  }
  CHECK(kept_sum / double(kept) == Approx(silhouette_score(X, sets["noisy"])).epsilon(1e-12));
  CHECK(silhouette_samples(X, sets["singleton"])[0] == 0.0);
}

TEST_CASE("silhouette is identical for 1 and 2 threads", "[metrics]") {
  const CsvData d = load("wine");
  const Labels labels = label_sets(d.y)["modular"];
  const Vector<double> one = silhouette_samples(d.X, labels, 1), two = silhouette_samples(d.X, labels, 2);
  CHECK(one == two);
}

TEST_CASE("metrics follow scikit-learn's degenerate cases", "[metrics]") {
  // Every cluster a repeated point: zero within-cluster dispersion.
  RowMatrix<double> X(6, 2);
  X << 0, 0, 0, 0, 0, 0, 5, 5, 5, 5, 5, 5;
  Labels y(6);
  y << 0, 0, 0, 1, 1, 1;
  CHECK(davies_bouldin_score(X, y) == 0.0);
  CHECK(calinski_harabasz_score(X, y) == 1.0);
  CHECK(silhouette_score(X, y) == 1.0);  // a = 0, b = |(5,5)|
  // Labels need not be contiguous or start at 0.
  Labels shifted = (y.array() * 7 + 3).matrix();
  CHECK(silhouette_score(X, shifted) == silhouette_score(X, y));
}

TEST_CASE("metrics reject bad labels and data", "[metrics][errors]") {
  RowMatrix<double> X(5, 2);
  X << 0, 0, 1, 0, 0, 1, 5, 5, 6, 5;
  Labels one(5), all_distinct(5), noise_only(5), bad(5), short_labels(3), noise_leaves_one(5);
  one << 0, 0, 0, 0, 0;
  all_distinct << 0, 1, 2, 3, 4;
  noise_only << -1, -1, -1, -1, -1;
  bad << 0, 0, -2, 1, 1;
  short_labels << 0, 1, 0;
  noise_leaves_one << 0, 0, -1, -1, -1;
  const std::string range = "the number of clusters must be between 2 and the number of non-noise samples - 1";
  CHECK_THROWS_AS(silhouette_score(X, one), InputError);
  CHECK_THROWS_WITH(silhouette_score(X, one), Catch::Contains("silhouette_score(): " + range + " (4), got 1"));
  CHECK_THROWS_WITH(davies_bouldin_score(X, all_distinct),
                    Catch::Contains("davies_bouldin_score(): " + range + " (4), got 5"));
  CHECK_THROWS_WITH(calinski_harabasz_score(X, noise_only),
                    Catch::Contains("calinski_harabasz_score(): " + range + " (-1), got 0"));
  CHECK_THROWS_AS(silhouette_samples(X, noise_leaves_one), InputError);
  CHECK_THROWS_WITH(silhouette_samples(X, noise_leaves_one), Catch::Contains(range + " (1), got 1"));
  CHECK_THROWS_AS(silhouette_score(X, bad), InputError);
  CHECK_THROWS_WITH(silhouette_score(X, bad),
                    "silhouette_score(): labels must be >= -1 (-1 = noise), got labels[2] = -2");
  CHECK_THROWS_AS(davies_bouldin_score(X, short_labels), InputError);
  CHECK_THROWS_WITH(davies_bouldin_score(X, short_labels),
                    "davies_bouldin_score(): labels has 3 labels, but X has 5 samples");
  RowMatrix<double> with_nan = X;
  with_nan(1, 1) = std::nan("");
  CHECK_THROWS_AS(calinski_harabasz_score(with_nan, one), InputError);
  CHECK_THROWS_WITH(calinski_harabasz_score(with_nan, one), Catch::Contains("X must be finite, but X(1, 1) = nan"));
  CHECK_THROWS_AS(silhouette_score(RowMatrix<double>(0, 2), Labels(0)), InputError);
  CHECK_THROWS_WITH(silhouette_score(RowMatrix<double>(0, 2), Labels(0)),
                    "silhouette_score(): X has no samples (0 rows)");
}

// ---- degenerate inputs ------------------------------------------------------------------------

TEMPLATE_TEST_CASE("metrics on one feature, non-contiguous labels, identical rows and 1e30", "[metrics][degenerate]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  // One feature, labels 3, 7, 10 (10 a singleton); values from scikit-learn 1.2.1.
  const RowMatrix<S> X = (RowMatrix<S>(6, 1) << S(0), S(0.5), S(1), S(5), S(5.5), S(9)).finished();
  const Labels y = (Labels(6) << 3, 3, 3, 7, 7, 10).finished();
  CHECK(silhouette_score(X, y) == Approx(0.7179253280259471).epsilon(1e-6));
  CHECK(davies_bouldin_score(X, y) == Approx(0.10409356725146197).epsilon(1e-6));
  CHECK(calinski_harabasz_score(X, y) == Approx(152.1).epsilon(1e-6));
  const Vector<double> s = silhouette_samples(X, y);
  CHECK(s[0] == Approx(0.85714286).epsilon(1e-6));
  CHECK(s[5] == 0.0);
  // Noise (-1) is dropped: the same scores as without those rows.
  const RowMatrix<S> with_noise = (RowMatrix<S>(7, 1) << X, S(100)).finished();
  const Labels y_noise = (Labels(7) << y, -1).finished();
  CHECK(silhouette_score(with_noise, y_noise) == Approx(silhouette_score(X, y)));
  CHECK(calinski_harabasz_score(with_noise, y_noise) == Approx(calinski_harabasz_score(X, y)));
  // Identical rows in two clusters: scikit-learn gives silhouette 0, Davies-Bouldin 0, CH 1.
  const RowMatrix<S> same = RowMatrix<S>::Ones(5, 2);
  const Labels two = (Labels(5) << 4, 4, 9, 9, 9).finished();
  CHECK(silhouette_score(same, two) == 0.0);
  CHECK(davies_bouldin_score(same, two) == 0.0);
  CHECK(calinski_harabasz_score(same, two) == 1.0);
  // Every metric is scale-free: 2^100 (1.3e30, exact) gives the same values, not inf or NaN.
  const RowMatrix<S> huge = (X.template cast<double>() * std::ldexp(1.0, 100)).template cast<S>();
  CHECK(silhouette_score(huge, y) == Approx(silhouette_score(X, y)).epsilon(1e-9));
  CHECK(davies_bouldin_score(huge, y) == Approx(davies_bouldin_score(X, y)).epsilon(1e-9));
  CHECK(calinski_harabasz_score(huge, y) == Approx(calinski_harabasz_score(X, y)).epsilon(1e-9));
  // One sample, and Inf.
  CHECK_THROWS_WITH(silhouette_score(X.topRows(1), y.head(1)),
                    Catch::Contains("silhouette_score(): the number of clusters must be between 2"));
  RowMatrix<S> bad = X;
  bad(2, 0) = std::numeric_limits<S>::infinity();
  CHECK_THROWS_WITH(davies_bouldin_score(bad, y), "davies_bouldin_score(): X must be finite, but X(2, 0) = inf");
}
