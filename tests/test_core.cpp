// Random numbers, input validation, the enum name tables and the version macros (the
// preprocessing module has test_preprocessing.cpp).
// Scalars: no templated test cases.
#include <somtile/cluster.hpp>
#include <somtile/core/detail/validate.hpp>
#include <somtile/core/random.hpp>
#include <somtile/core/types.hpp>
#include <somtile/core/warning.hpp>
#include <somtile/grid/schedule.hpp>
#include <somtile/growing.hpp>
#include <somtile/som.hpp>
#include <somtile/version.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace somtile;

TEST_CASE("Random is reproducible and well distributed", "[random]") {
  Random a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) CHECK(a() == b());
  CHECK(Random(42)() != c());
  // Known first output pins the generator across platforms and standard libraries.
  Random pinned(0);
  const auto first = pinned();
  CHECK(Random(0)() == first);

  Random r(7);
  double sum = 0, sum_sq = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double z = r.normal();
    sum += z;
    sum_sq += z * z;
  }
  CHECK(sum / n == Approx(0.0).margin(0.01));
  CHECK(sum_sq / n == Approx(1.0).epsilon(0.01));

  std::vector<int> hist(7, 0);
  for (int i = 0; i < 70000; ++i) {
    const Index k = r.uniform_index(7);
    REQUIRE(k >= 0);
    REQUIRE(k < 7);
    ++hist[std::size_t(k)];
  }
  for (int h : hist) CHECK(std::abs(h - 10000) < 500);
  for (int i = 0; i < 1000; ++i) {
    const double u = r.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
  }
}

TEST_CASE("permutations and samples", "[random]") {
  Random r(1);
  auto p = r.permutation(50);
  std::sort(p.begin(), p.end());
  for (Index i = 0; i < 50; ++i) CHECK(p[std::size_t(i)] == i);
  const auto s = r.sample_without_replacement(100, 30);
  CHECK(s.size() == 30);
  CHECK(std::set<Index>(s.begin(), s.end()).size() == 30);
  CHECK(*std::max_element(s.begin(), s.end()) < 100);
  // Oracle: the dense partial Fisher–Yates on an explicit 0..n-1 array, with the same draws
  // (the sampler keeps only the moved positions, so it must give these indices exactly).
  for (const auto& [n, k] : {std::pair<Index, Index>{1, 1}, {7, 7}, {100, 30}, {1000, 1}, {5000, 400}, {64, 0}}) {
    Random a(9), b(9);
    std::vector<Index> order(std::size_t(n), 0);
    std::iota(order.begin(), order.end(), Index(0));
    for (Index i = 0; i < k; ++i) std::swap(order[std::size_t(i)], order[std::size_t(i + b.uniform_index(n - i))]);
    order.resize(std::size_t(k));
    CHECK(a.sample_without_replacement(n, k) == order);
    CHECK(a() == b());  // the same number of draws
  }
  Random f1 = r.fork(1), f2 = r.fork(2), f1b = r.fork(1);
  const auto x = f1();
  CHECK(x == f1b());
  CHECK(x != f2());
}

TEST_CASE("data validation names the call, the rule and the value", "[errors]") {
  RowMatrix<double> empty(0, 3);
  CHECK_THROWS_AS(detail::check_data("Som::fit", empty), InputError);
  CHECK_THROWS_WITH(detail::check_data("Som::fit", empty), "Som::fit(): X has no samples (0 rows)");
  RowMatrix<double> no_features(3, 0);
  CHECK_THROWS_WITH(detail::check_data("Som::fit", no_features), "Som::fit(): X has no features (0 columns)");
  RowMatrix<double> X = RowMatrix<double>::Ones(3, 2);
  X(1, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(detail::check_data("Som::fit", X), "Som::fit(): X must be finite, but X(1, 1) = nan");
  X(1, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(detail::check_data("Som::fit", X), "Som::fit(): X must be finite, but X(1, 1) = inf");
  X(1, 1) = 0;
  CHECK_NOTHROW(detail::check_data("Som::fit", X));
  CHECK_THROWS_WITH(detail::check_data("SomVQ::predict", X, 4, "SomVQ"),
                    "SomVQ::predict(): X has 2 features, but this SomVQ expects 4");
  CHECK_THROWS_AS(detail::check_labels("SomClassifier::fit", Labels::Zero(2), 3), InputError);
  CHECK_THROWS_WITH(detail::check_labels("SomClassifier::fit", Labels::Zero(2), 3),
                    "SomClassifier::fit(): y has 2 labels, but X has 3 samples");
  CHECK_THROWS_AS(detail::check_positive("Som", "sigma", 0.0), ParameterError);
  CHECK_THROWS_WITH(detail::check_positive("Som", "epochs", -2), "Som(): epochs must be > 0, got -2");
  CHECK_THROWS_WITH(detail::check_non_negative("Som", "sigma", -1.5), "Som(): sigma must be >= 0, got -1.5");
  CHECK_THROWS_AS(detail::check_positive("Som", "sigma", std::numeric_limits<double>::infinity()), ParameterError);
}

// The fast checks (one vectorised sum) against cell-by-cell loops: every single non-finite
// cell, mixed infinities (whose sum is NaN with no NaN cell), extreme finite values, in float
// and double and through a strided view, as Som reads its data.
TEMPLATE_TEST_CASE("finiteness and missing-value checks agree with cell-by-cell loops", "[errors]", float, double) {
  using S = TestType;
  const S inf = std::numeric_limits<S>::infinity(), nan = std::numeric_limits<S>::quiet_NaN();
  const S big = std::numeric_limits<S>::max(), tiny = std::numeric_limits<S>::denorm_min();
  RowMatrix<S> base(5, 7);
  for (Index i = 0; i < base.size(); ++i) base.data()[i] = S(i % 3 == 0 ? big : i % 3 == 1 ? -big : tiny);
  const auto naive_finite = [](const auto& X) {
    for (Index i = 0; i < X.rows(); ++i)
      for (Index j = 0; j < X.cols(); ++j)
        if (!std::isfinite(double(X(i, j)))) return false;
    return true;
  };
  const auto naive_nan = [](const auto& X) {
    for (Index i = 0; i < X.rows(); ++i)
      for (Index j = 0; j < X.cols(); ++j)
        if (std::isnan(double(X(i, j)))) return true;
    return false;
  };
  std::vector<RowMatrix<S>> cases{base};
  for (const S bad : {inf, -inf, nan})
    for (Index k = 0; k < base.size(); k += 4) {
      RowMatrix<S> X = base;
      X.data()[k] = bad;
      cases.push_back(X);
    }
  RowMatrix<S> both = base;
  both(1, 2) = inf, both(3, 5) = -inf;  // inf + -inf: NaN in the sum, no NaN in the data
  cases.push_back(both);
  for (const RowMatrix<S>& X : cases) {
    const ConstRowRef<S> view(X.leftCols(5));  // rows 7 apart: a strided view
    CHECK(detail::all_finite(X) == naive_finite(X));
    CHECK(detail::has_missing(X) == naive_nan(X));
    CHECK(detail::all_finite(view) == naive_finite(view));
    CHECK(detail::has_missing(view) == naive_nan(view));
    CHECK(detail::has_missing(X) == X.hasNaN());
  }
  CHECK_FALSE(detail::has_missing(both));
  CHECK_THROWS_WITH(detail::check_data("Som::fit", both), Catch::Contains("X must be finite, but X(1, 2) = inf"));
}

// Each table must list exactly the enumerators, in order: the last enumerator's index + 1 is
// the table's size, and every name reads back to its enumerator.
template <typename Enum>
void check_enum_table(Enum last, std::string_view last_name) {
  CAPTURE(last_name);
  CHECK(enum_count<Enum> == std::size_t(last) + 1);
  CHECK(enum_name(last) == last_name);
  std::set<std::string_view> distinct;
  for (std::size_t k = 0; k < enum_count<Enum>; ++k) {
    const Enum e = Enum(k);
    CHECK(enum_from_name<Enum>(enum_name(e)) == e);
    distinct.insert(enum_name(e));
  }
  CHECK(distinct.size() == enum_count<Enum>);
  CHECK_FALSE(enum_from_name<Enum>("no such name").has_value());
}

TEST_CASE("Every choice enum has one name per enumerator", "[core]") {
  check_enum_table(Topology::hexagonal, "hexagonal");
  check_enum_table(Neighborhood::triangle, "triangle");
  check_enum_table(Distance::chebyshev, "chebyshev");
  check_enum_table(Decay::exponential, "exponential");
  check_enum_table(Covariance::tied, "tied");
  check_enum_table(Init::uniform, "uniform");
  check_enum_table(Training::batch, "batch");
  check_enum_table(SigmaDecay::linear, "linear");
  check_enum_table(GrowthCriterion::entropy, "entropy");
  check_enum_table(ClusterMethod::hdbscan, "hdbscan");
  check_enum_table(FeatureSpace::combined, "combined");
  check_enum_table(ClusterSelection::leaf, "leaf");
  check_enum_table(AutoK::silhouette, "silhouette");
  check_enum_table(EpochMetrics::during_epoch, "during_epoch");
  check_enum_table(Scaling::minmax, "minmax");
  CHECK(enum_name(Topology(7)) == "?");
}

// tests/CMakeLists.txt passes the version CMake parsed from version.hpp; if the parse were
// wrong (or the header's lines disagreed), this would fail.
#ifndef SOMTILE_CMAKE_PROJECT_VERSION
#error "SOMTILE_CMAKE_PROJECT_VERSION (CMake's PROJECT_VERSION) must be defined for this test"
#endif
#if SOMTILE_VERSION != SOMTILE_VERSION_MAJOR * 10000 + SOMTILE_VERSION_MINOR * 100 + SOMTILE_VERSION_PATCH
#error "SOMTILE_VERSION must be usable in #if and equal major*10000 + minor*100 + patch"
#endif

TEST_CASE("version macros agree with each other and with CMake", "[version]") {
  const std::string joined = std::to_string(SOMTILE_VERSION_MAJOR) + "." + std::to_string(SOMTILE_VERSION_MINOR) + "." +
                             std::to_string(SOMTILE_VERSION_PATCH);
  CHECK(joined == SOMTILE_VERSION_STRING);
  CHECK(std::string(SOMTILE_CMAKE_PROJECT_VERSION) == SOMTILE_VERSION_STRING);
  // The number is unambiguous only while minor and patch stay below 100.
  CHECK(SOMTILE_VERSION_MINOR < 100);
  CHECK(SOMTILE_VERSION_PATCH < 100);
  CHECK(SOMTILE_VERSION == SOMTILE_VERSION_MAJOR * 10000 + SOMTILE_VERSION_MINOR * 100 + SOMTILE_VERSION_PATCH);
}
