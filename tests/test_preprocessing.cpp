// The preprocessing module: StandardScaler and MinMaxScaler against scikit-learn, a model's
// Scaler, train_test_split and the feature-scale warning.
// Scalars: float and double for the scalers (each type has its own tolerance against
// scikit-learn's values); the rest is not templated.
#include <somtile/core/types.hpp>
#include <somtile/core/warning.hpp>
#include <somtile/preprocessing.hpp>

#include <catch2/catch.hpp>

#include "support/scalars.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

using namespace somtile;

namespace {

// tests/reference/make_scaler_reference.py: column 1 is constant, columns 0 and 2 differ in
// scale by ~70 times.
template <typename Scalar>
RowMatrix<Scalar> scaler_data() {
  RowMatrix<Scalar> X(5, 4);
  X << 1, 5, 1200, -3, 2, 5, 800, -1, 4, 5, 1500, -2.5, 7, 5, 900, 0.5, 11, 5, 1000, -0.25;
  return X;
}
template <typename Scalar>
RowMatrix<Scalar> scaler_query() {
  RowMatrix<Scalar> Q(1, 4);
  Q << 3, 6, 1100, 1;
  return Q;
}

template <typename Scalar, typename Derived>
void check_values(const Eigen::MatrixBase<Derived>& got, std::vector<double> want) {
  const double tol = std::is_same_v<Scalar, float> ? 2e-6 : 1e-13;
  REQUIRE(got.size() == Index(want.size()));
  for (Index k = 0; k < got.size(); ++k) {
    const double g = double(got.derived().data()[k]);
    CHECK(g == Approx(want[std::size_t(k)]).epsilon(tol).margin(tol));
  }
}

}  // namespace

TEMPLATE_TEST_CASE("StandardScaler matches scikit-learn, constant columns included", "[preprocessing][scaler]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = scaler_data<S>(), Q = scaler_query<S>();
  StandardScaler<S> scaler;
  CHECK_FALSE(scaler.is_fitted());
  const RowMatrix<S> Z = scaler.fit_transform(X);
  CHECK(scaler.is_fitted());
  CHECK(scaler.n_features() == 4);
  check_values<S>(scaler.mean(), {5.0, 5.0, 1080.0, -1.25});
  check_values<S>(scaler.var(), {13.2, 0.0, 61600.0, 1.75});
  check_values<S>(scaler.scale(), {3.63318042491699, 1.0, 248.19347291981714, 1.3228756555322954});
  check_values<S>(scaler.transform(Q), {-0.5504818825631803, 1.0, 0.08058229640253803, 1.7008401285415224});
  // Every column of the training data: mean 0, population std 1 (0 for the constant column).
  for (Index j = 0; j < 4; ++j) {
    CHECK(double(Z.col(j).mean()) == Approx(0.0).margin(1e-6));
    const double sd = std::sqrt(double((Z.col(j).array() - Z.col(j).mean()).square().mean()));
    CHECK(sd == Approx(j == 1 ? 0.0 : 1.0).margin(1e-5));
  }
  const RowMatrix<S> back = scaler.inverse_transform(Z);
  for (Index k = 0; k < X.size(); ++k)
    CHECK(double(back.data()[k]) == Approx(double(X.data()[k])).epsilon(1e-5).margin(1e-5));
}

TEMPLATE_TEST_CASE("MinMaxScaler matches scikit-learn, feature range and constant columns included",
                   "[preprocessing][scaler]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = scaler_data<S>(), Q = scaler_query<S>();
  MinMaxScaler<S> scaler;
  const RowMatrix<S> Z = scaler.fit_transform(X);
  check_values<S>(scaler.data_min(), {1.0, 5.0, 800.0, -3.0});
  check_values<S>(scaler.data_max(), {11.0, 5.0, 1500.0, 0.5});
  check_values<S>(scaler.scale(), {0.1, 1.0, 0.0014285714285714286, 0.2857142857142857});
  check_values<S>(scaler.min(), {-0.1, -5.0, -1.1428571428571428, 0.8571428571428571});
  check_values<S>(scaler.transform(Q), {0.20000000000000004, 1.0, 0.4285714285714286, 1.1428571428571428});
  CHECK(double(Z.minCoeff()) >= -1e-7);
  CHECK(double(Z.maxCoeff()) <= 1 + 1e-6);
  const RowMatrix<S> back = scaler.inverse_transform(scaler.transform(Q));
  for (Index k = 0; k < Q.size(); ++k) CHECK(double(back.data()[k]) == Approx(double(Q.data()[k])).epsilon(1e-5));

  MinMaxScaler<S> wide({-1.0, 2.0});
  wide.fit(X);
  check_values<S>(wide.scale(), {0.3, 3.0, 0.004285714285714286, 0.8571428571428571});
  check_values<S>(wide.min(), {-1.3, -16.0, -4.428571428571429, 1.5714285714285712});
  check_values<S>(wide.transform(Q), {-0.40000000000000013, 2.0, 0.2857142857142856, 2.4285714285714284});
}

TEST_CASE("Scalers reject bad input and use before fit, and keep their fit", "[preprocessing][scaler][errors]") {
  const RowMatrix<double> X = scaler_data<double>();
  StandardScaler<double> standard;
  MinMaxScaler<double> minmax;
  CHECK_THROWS_MATCHES(
      standard.transform(X), NotFittedError,
      Catch::Message("StandardScaler::transform(): this StandardScaler is not fitted yet; call fit() first"));
  CHECK_THROWS_AS(standard.mean(), NotFittedError);
  CHECK_THROWS_MATCHES(
      minmax.inverse_transform(X), NotFittedError,
      Catch::Message("MinMaxScaler::inverse_transform(): this MinMaxScaler is not fitted yet; call fit() first"));
  CHECK_THROWS_AS(minmax.data_min(), NotFittedError);
  standard.fit(X);
  minmax.fit(X);
  const RowMatrix<double> three = X.leftCols(3);
  CHECK_THROWS_MATCHES(
      standard.transform(three), InputError,
      Catch::Message("StandardScaler::transform(): X has 3 features, but this StandardScaler expects 4"));
  CHECK_THROWS_MATCHES(minmax.transform(three), InputError,
                       Catch::Message("MinMaxScaler::transform(): X has 3 features, but this MinMaxScaler expects 4"));
  RowMatrix<double> bad = X;
  bad(2, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(standard.fit(bad), Catch::StartsWith("StandardScaler::fit(): X must be finite, but X(2, 1) = "));
  CHECK_THROWS_WITH(minmax.fit(bad), Catch::StartsWith("MinMaxScaler::fit(): X must be finite"));
  CHECK_THROWS_WITH(minmax.transform(bad), Catch::StartsWith("MinMaxScaler::transform(): X must be finite"));
  CHECK_THROWS_WITH(standard.fit(RowMatrix<double>(0, 4)), Catch::Contains("has no samples"));
  // The failed fits kept the first one.
  CHECK(standard.mean()[2] == 1080.0);
  CHECK(minmax.data_max()[2] == 1500.0);
  CHECK_THROWS_MATCHES(MinMaxScaler<double>({1.0, 1.0}), ParameterError,
                       Catch::Message("MinMaxScaler(): feature_min must be < feature_max (both finite), got 1 and 1"));
  CHECK_THROWS_AS(MinMaxScaler<double>({0.0, std::numeric_limits<double>::infinity()}), ParameterError);
}

TEST_CASE("Scaler (a model's scaling) dispatches on its kind", "[preprocessing][scaler]") {
  const RowMatrix<double> X = scaler_data<double>();
  Scaler<double> none;
  CHECK(none.is_fitted());
  RowMatrix<double> storage;
  const ConstRowRef<double> same = none.scaled_view(X, storage);
  CHECK(same.data() == X.data());  // no copy without scaling
  CHECK(storage.size() == 0);
  Scaler<double> standard(Scaling::standard), minmax(Scaling::minmax);
  CHECK_FALSE(standard.is_fitted());
  CHECK_THROWS_AS(standard.transform(X), NotFittedError);
  standard.fit(X);
  minmax.fit(X);
  const RowMatrix<double> Zs = StandardScaler<double>().fit_transform(X), Zm = MinMaxScaler<double>().fit_transform(X);
  CHECK(standard.transform(X) == Zs);
  CHECK(minmax.transform(X) == Zm);
  CHECK(standard.scaled_view(X, storage) == Zs);
  for (Index j = 0; j < 4; ++j) {
    CHECK(standard.to_data_units(Zs(3, j), j) == Approx(X(3, j)));
    CHECK(minmax.to_data_units(Zm(3, j), j) == Approx(X(3, j)));
  }
}

TEST_CASE("train_test_split partitions the samples, reproducibly", "[preprocessing][split]") {
  const Index n = 40;
  RowMatrix<double> X(n, 2);
  Labels y(n);
  for (Index i = 0; i < n; ++i) {
    X(i, 0) = double(i);
    X(i, 1) = double(-i);
    y[i] = i % 4;
  }
  const Split<double> s = train_test_split<double>(X, y, 0.25, 7);
  CHECK(s.test_index.size() == 10);  // ceil(0.25 * 40)
  CHECK(s.train_index.size() == 30);
  std::vector<Index> all(s.train_index);
  all.insert(all.end(), s.test_index.begin(), s.test_index.end());
  std::sort(all.begin(), all.end());
  for (Index i = 0; i < n; ++i) CHECK(all[std::size_t(i)] == i);
  for (std::size_t k = 0; k < s.test_index.size(); ++k) {
    CHECK(s.X_test(Index(k), 0) == double(s.test_index[k]));
    CHECK(s.y_test[Index(k)] == s.test_index[k] % 4);
  }
  for (std::size_t k = 0; k < s.train_index.size(); ++k) CHECK(s.X_train(Index(k), 1) == -double(s.train_index[k]));
  const Split<double> again = train_test_split<double>(X, y, 0.25, 7), other = train_test_split<double>(X, y, 0.25, 8);
  CHECK(again.test_index == s.test_index);
  CHECK(other.test_index != s.test_index);
  CHECK(std::is_sorted(s.test_index.begin(), s.test_index.end()) == false);  // shuffled, as scikit-learn's
  // Without labels.
  const Split<double> unlabelled = train_test_split<double>(X, Labels(), 0.1, 1);
  CHECK(unlabelled.X_test.rows() == 4);
  CHECK(unlabelled.y_test.size() == 0);
}

TEST_CASE("train_test_split with stratify keeps the class proportions", "[preprocessing][split]") {
  // 60 / 30 / 10 samples of classes 5, -1, 2, interleaved.
  std::vector<Index> labels;
  for (int k = 0; k < 10; ++k) {
    for (int a = 0; a < 6; ++a) labels.push_back(5);
    for (int b = 0; b < 3; ++b) labels.push_back(-1);
    labels.push_back(2);
  }
  const Index n = Index(labels.size());
  const Labels y = Eigen::Map<const Labels>(labels.data(), n);
  RowMatrix<double> X(n, 1);
  for (Index i = 0; i < n; ++i) X(i, 0) = double(i);
  for (const std::uint64_t seed : {0u, 1u, 2u}) {
    const Split<double> s = train_test_split<double>(X, y, 0.2, seed, true);
    REQUIRE(s.y_test.size() == 20);
    CHECK((s.y_test.array() == 5).count() == 12);
    CHECK((s.y_test.array() == -1).count() == 6);
    CHECK((s.y_test.array() == 2).count() == 2);
    CHECK((s.y_train.array() == 5).count() == 48);
    CHECK((s.y_train.array() == 2).count() == 8);
    std::vector<Index> all(s.train_index);
    all.insert(all.end(), s.test_index.begin(), s.test_index.end());
    std::sort(all.begin(), all.end());
    for (Index i = 0; i < n; ++i) REQUIRE(all[std::size_t(i)] == i);
    for (std::size_t k = 0; k < s.test_index.size(); ++k) CHECK(s.y_test[Index(k)] == y[s.test_index[k]]);
  }
  // Shares that do not divide evenly: 7 test samples of 3 classes sized 10, 7, 3 (exact 3.5,
  // 2.45, 1.05): floors 3, 2, 1, the last one to the largest remainder (class 0).
  Labels z(20);
  for (Index i = 0; i < 20; ++i) z[i] = i < 10 ? 0 : i < 17 ? 1 : 2;
  const Split<double> odd = train_test_split<double>(RowMatrix<double>::Zero(20, 1), z, 0.35, 3, true);
  CHECK((odd.y_test.array() == 0).count() == 4);
  CHECK((odd.y_test.array() == 1).count() == 2);
  CHECK((odd.y_test.array() == 2).count() == 1);
}

TEST_CASE("train_test_split rejects bad fractions, sizes and classes", "[preprocessing][split][errors]") {
  RowMatrix<double> X = RowMatrix<double>::Zero(10, 2);
  Labels y = Labels::Zero(10);
  CHECK_THROWS_MATCHES(train_test_split<double>(X, y, 0.0), ParameterError,
                       Catch::Message("train_test_split(): test_fraction must be in (0, 1), got 0"));
  CHECK_THROWS_AS(train_test_split<double>(X, y, 1.0), ParameterError);
  CHECK_THROWS_AS(train_test_split<double>(X, y, std::numeric_limits<double>::quiet_NaN()), ParameterError);
  CHECK_THROWS_MATCHES(train_test_split<double>(X, Labels::Zero(9), 0.5), InputError,
                       Catch::Message("train_test_split(): y has 9 labels, but X has 10 samples"));
  CHECK_THROWS_MATCHES(
      train_test_split<double>(X, Labels(), 0.5, 0, true), InputError,
      Catch::Message("train_test_split(): y has 0 labels, but X has 10 samples (stratify needs labels)"));
  CHECK_THROWS_MATCHES(train_test_split<double>(RowMatrix<double>::Zero(1, 2), Labels::Zero(1), 0.5), ParameterError,
                       Catch::Message("train_test_split(): test_fraction 0.5 of 1 samples leaves 0 training and 1 test "
                                      "samples; both must be >= 1"));
  y[9] = 3;
  CHECK_THROWS_MATCHES(
      train_test_split<double>(X, y, 0.5, 0, true), InputError,
      Catch::Message("train_test_split(): class 3 has only 1 sample; stratify needs at least 2 per class"));
  for (Index i = 0; i < 10; ++i) y[i] = i / 2;  // 5 classes of 2
  CHECK_THROWS_MATCHES(train_test_split<double>(X, y, 0.2, 0, true), InputError,
                       Catch::Message("train_test_split(): stratify needs at least one sample of each of the 5 classes "
                                      "in both parts, but the split has 8 training and 2 test samples"));
  X(4, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(train_test_split<double>(X, Labels(), 0.5),
                    Catch::StartsWith("train_test_split(): X must be finite"));
}

TEST_CASE("The feature-scale warning names the columns and the fix", "[preprocessing][warning]") {
  std::vector<std::string> warnings;
  ScopedWarningHandler capture([&](std::string_view w) { warnings.emplace_back(w); });
  RowMatrix<double> X(4, 3);
  // ranges of the columns: 1, 0 (constant, ignored), 201
  X << 0, 7, 0, 1, 7, 201, 0, 7, 0, 1, 7, 201;
  detail::warn_if_unscaled<double>("Som::fit", X);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] ==
        "Som::fit(): the features' ranges (max - min) differ by a factor of 201 (column 3: 201, "
        "column 1: 1), so the widest features dominate the distances; set scaling = "
        "Scaling::standard in the params (or scale the data)");
  X(1, 2) = X(3, 2) = 100;  // range 100: a factor of 100, not more
  detail::warn_if_unscaled<double>("Som::fit", X);
  CHECK(warnings.size() == 1);
}
