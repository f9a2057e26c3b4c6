// Missing values (Missing::mask): the masked BMU kernel, the data checks, and (below) the
// classic Som trained on data with NaN cells, each against naive loops written here.
// Scalars: double, and float too where the masked euclidean search is checked.
#include <somtile/core/detail/validate.hpp>
#include <somtile/core/random.hpp>
#include <somtile/io.hpp>
#include <somtile/kernels/bmu.hpp>
#include <somtile/kernels/detail/masked_distance.hpp>
#include <somtile/missing.hpp>
#include <somtile/preprocessing.hpp>
#include <somtile/som.hpp>

#include <catch2/catch.hpp>
#include "support/data.hpp"
#include "support/isa_levels.hpp"
#include "support/scalars.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

using namespace somtile;

namespace {

using test_support::normal_matrix;

const double nan_v = std::numeric_limits<double>::quiet_NaN();

// About `fraction` of the cells set to NaN, at least one present feature left in every row.
RowMatrix<double> with_holes(RowMatrix<double> X, double fraction, std::uint64_t seed) {
  Random rng(seed);
  for (Index i = 0; i < X.rows(); ++i) {
    for (Index j = 0; j < X.cols(); ++j)
      if (rng.uniform() < fraction) X(i, j) = nan_v;
    if (X.row(i).array().isNaN().all()) X(i, rng.uniform_index(X.cols())) = 1.0;
  }
  return X;
}

// The masked distance by its definition: present features P, p = |P|, F features.
double naive_masked(Distance metric, const RowMatrix<double>& X, Index i, const RowMatrix<double>& W, Index u) {
  const Index F = X.cols();
  double s = 0, xy = 0, xx = 0, ww = 0;
  Index p = 0;
  for (Index j = 0; j < F; ++j) {
    const double x = X(i, j), w = W(u, j);
    if (std::isnan(x)) continue;
    ++p;
    switch (metric) {
      case Distance::euclidean:
        s += (x - w) * (x - w);
        break;
      case Distance::manhattan:
        s += std::abs(x - w);
        break;
      case Distance::chebyshev:
        s = std::max(s, std::abs(x - w));
        break;
      case Distance::cosine:
        xy += x * w;
        xx += x * x;
        ww += w * w;
        break;
    }
  }
  const double scale = double(F) / double(p);
  switch (metric) {
    case Distance::euclidean:
      return std::sqrt(scale * s);
    case Distance::manhattan:
      return scale * s;
    case Distance::chebyshev:
      return s;
    case Distance::cosine:  // clamped to [0, 2] as distance() is: a row with one present feature ties exactly
      return (xx == 0 || ww == 0) ? 1.0 : std::clamp(1.0 - xy / std::sqrt(xx * ww), 0.0, 2.0);
  }
  return 0;
}

// All units' masked distances, then the two smallest with ties to the lowest index.
std::vector<Index> naive_order(Distance metric, const RowMatrix<double>& X, Index i, const RowMatrix<double>& W,
                               std::vector<double>& d) {
  d.assign(std::size_t(W.rows()), 0.0);
  for (Index u = 0; u < W.rows(); ++u) d[std::size_t(u)] = naive_masked(metric, X, i, W, u);
  std::vector<Index> order(d.size());
  std::iota(order.begin(), order.end(), Index(0));
  std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) { return d[std::size_t(a)] < d[std::size_t(b)]; });
  return order;
}

template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no InputError";
}

}  // namespace

// ---- masked BMU kernel ---------------------------------------------------------------------

TEST_CASE("masked BMU search equals a brute-force masked search", "[missing][bmu]") {
  // 2000 rows: with 2 threads the masked rows are split into several chunks.
  const RowMatrix<double> X = with_holes(normal_matrix(2000, 8, 1), 0.2, 11);
  const RowMatrix<double> W = normal_matrix(64, 8, 2);
  REQUIRE(detail::has_missing(X));
  for (auto metric : {Distance::euclidean, Distance::cosine, Distance::manhattan, Distance::chebyshev}) {
    INFO("metric " << enum_name(metric));
    for (bool second : {false, true}) {
      const auto r = find_bmus<double>(X, W, {metric, second ? SecondBmu::find : SecondBmu::skip, 1, Missing::mask});
      const auto r2 = find_bmus<double>(X, W, {metric, second ? SecondBmu::find : SecondBmu::skip, 2, Missing::mask});
      CHECK(r.bmu == r2.bmu);
      CHECK(r.second == r2.second);
      CHECK(r.distance == r2.distance);  // bit-identical for any thread count
      REQUIRE(r.second.size() == (second ? X.rows() : 0));
      Index mismatches = 0;
      for (Index i = 0; i < X.rows(); ++i) {
        std::vector<double> d;
        const std::vector<Index> order = naive_order(metric, X, i, W, d);
        if (r.bmu[i] != order[0] || (second && r.second[i] != order[1])) ++mismatches;
        CHECK(r.distance[i] == Approx(d[std::size_t(order[0])]).epsilon(1e-12).margin(1e-12));
        // The reported distance is masked_distance's, bit for bit.
        CHECK(detail::masked_distance<double>(metric, X.row(i), W.row(r.bmu[i])) == r.distance[i]);
      }
      CHECK(mismatches == 0);
    }
  }
}

TEST_CASE("masked BMU search on complete data is find_bmus bit for bit", "[missing][bmu]") {
  const RowMatrix<double> X = normal_matrix(300, 5, 3), W = normal_matrix(30, 5, 4);
  for (auto metric : {Distance::euclidean, Distance::cosine, Distance::manhattan, Distance::chebyshev}) {
    const auto a = find_bmus<double>(X, W, {metric, SecondBmu::find, 1});
    const auto b = find_bmus<double>(X, W, {metric, SecondBmu::find, 1, Missing::mask});
    CHECK(a.bmu == b.bmu);
    CHECK(a.second == b.second);
    CHECK(a.distance == b.distance);
    for (Index i = 0; i < 20; ++i)  // masked_distance of a complete row is distance()
      CHECK(detail::masked_distance<double>(metric, X.row(i), W.row(i)) ==
            distance<double>(metric, X.row(i), W.row(i)));
  }
  // The complete rows of a matrix with holes get exactly find_bmus's answer.
  RowMatrix<double> Xh = X;
  Xh(7, 2) = nan_v;
  Xh(100, 0) = nan_v;
  const auto a = find_bmus<double>(X, W, {Distance::euclidean, SecondBmu::find, 2});
  const auto b = find_bmus<double>(Xh, W, {Distance::euclidean, SecondBmu::find, 2, Missing::mask});
  for (Index i = 0; i < X.rows(); ++i) {
    if (i == 7 || i == 100) continue;
    CHECK(a.bmu[i] == b.bmu[i]);
    CHECK(a.second[i] == b.second[i]);
    CHECK(a.distance[i] == b.distance[i]);
  }
}

TEST_CASE("masked BMU ties go to the lowest unit index", "[missing][bmu]") {
  // Units 1 and 3 differ only in the missing feature: an exact tie.
  RowMatrix<double> W(5, 3);
  W << 9, 9, 9, 1, 2, 0, 5, 5, 5, 1, 2, 7, 1, 2, 7;
  RowMatrix<double> X(2, 3);
  X << 1, 2, nan_v, nan_v, 2, 7;
  for (auto metric : {Distance::euclidean, Distance::manhattan, Distance::chebyshev}) {
    const auto r = find_bmus<double>(X, W, {metric, SecondBmu::find, 1, Missing::mask});
    CHECK(r.bmu[0] == 1);
    CHECK(r.second[0] == 3);
    CHECK(r.bmu[1] == 3);
    CHECK(r.second[1] == 4);
    CHECK(r.distance[0] == 0.0);
  }
  // F / p scaling: one of three features present, |x - w| = 2 on it.
  RowMatrix<double> x(1, 3), w(1, 3);
  x << nan_v, 3, nan_v;
  w << 0, 1, 0;
  CHECK(detail::masked_distance<double>(Distance::euclidean, x.row(0), w.row(0)) == Approx(std::sqrt(12.0)));
  CHECK(detail::masked_distance<double>(Distance::manhattan, x.row(0), w.row(0)) == Approx(6.0));
  CHECK(detail::masked_distance<double>(Distance::chebyshev, x.row(0), w.row(0)) == 2.0);
  CHECK(detail::masked_distance<double>(Distance::cosine, x.row(0), w.row(0)) == Approx(0.0).margin(1e-15));
  w << 1, 0, 1;  // |w_P| = 0: the zero-norm convention
  CHECK(detail::masked_distance<double>(Distance::cosine, x.row(0), w.row(0)) == 1.0);
  const auto one = find_bmus<double>(X, W.topRows(1), {Distance::euclidean, SecondBmu::find, 1, Missing::mask});
  CHECK(one.bmu.isZero());
  CHECK((one.second.array() == -1).all());
}

// ---- masked euclidean search (the GEMM form), float and double, against brute force ----------

namespace {

// The masked euclidean distance by its definition, in S: the squares of the present features in
// feature order, times F / p, square root.
template <typename S>
S naive_masked_euclidean(const RowMatrix<S>& X, Index i, const RowMatrix<S>& W, Index u) {
  S s = 0;
  Index p = 0;
  for (Index j = 0; j < X.cols(); ++j) {
    if (std::isnan(X(i, j))) continue;
    ++p;
    const S d = X(i, j) - W(u, j);
    s += d * d;
  }
  return std::sqrt(S(X.cols()) / S(p) * s);
}

// Brute force over the units: best and second best, ties to the lowest index.
template <typename S>
std::pair<Index, Index> naive_top_two(const RowMatrix<S>& X, Index i, const RowMatrix<S>& W, std::vector<S>& d) {
  d.resize(std::size_t(W.rows()));
  Index best = -1, next = -1;
  for (Index u = 0; u < W.rows(); ++u) {
    d[std::size_t(u)] = naive_masked_euclidean(X, i, W, u);
    if (best < 0 || d[std::size_t(u)] < d[std::size_t(best)]) {
      next = best;
      best = u;
    } else if (next < 0 || d[std::size_t(u)] < d[std::size_t(next)]) {
      next = u;
    }
  }
  return {best, next};
}

// find_bmus with Missing::mask on 1 and 2 threads, with and without second BMUs, against the
// brute force; the rows with NaN get the brute force's distance bit for bit (the loop's
// arithmetic), the complete ones the dense search's.
template <typename S>
void check_masked_euclidean(const RowMatrix<S>& X, const RowMatrix<S>& W) {
  for (const Isa level : test_support::kernel_levels())
    for (const bool second : {false, true}) {
      const test_support::LevelCap cap(level);
      INFO("kernel " << isa_name(level) << ", second BMU " << second);
      const SecondBmu sb = second ? SecondBmu::find : SecondBmu::skip;
      const auto r1 = find_bmus<S>(X, W, {Distance::euclidean, sb, 1, Missing::mask});
      const auto r2 = find_bmus<S>(X, W, {Distance::euclidean, sb, 2, Missing::mask});
      CHECK(r1.bmu == r2.bmu);
      CHECK(r1.second == r2.second);
      CHECK(r1.distance == r2.distance);
      Index wrong_bmu = 0, wrong_second = 0, wrong_distance = 0;
      std::vector<S> d;
      for (Index i = 0; i < X.rows(); ++i) {
        const auto [best, next] = naive_top_two(X, i, W, d);
        wrong_bmu += r1.bmu[i] != best;
        if (second) wrong_second += r1.second[i] != next;
        const S want = d[std::size_t(best)];
        if (X.row(i).hasNaN()
                ? r1.distance[i] != want
                : std::abs(r1.distance[i] - want) > S(64) * std::numeric_limits<S>::epsilon() * (want + 1))
          ++wrong_distance;
      }
      CHECK(wrong_bmu == 0);
      CHECK(wrong_second == 0);
      CHECK(wrong_distance == 0);
    }
}

}  // namespace

TEMPLATE_TEST_CASE("masked euclidean BMU search equals brute force at 0%, 10% and 50% missing", "[missing][bmu]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  // 13 features and 53 units: no multiple of any vector width or panel; 700 rows: many groups
  // and several chunks per thread.
  const RowMatrix<S> W = normal_matrix<S>(53, 13, 21);
  for (const double fraction : {0.0, 0.1, 0.5}) {
    INFO("missing fraction " << fraction);
    RowMatrix<S> X = with_holes(normal_matrix(700, 13, 22), fraction, 23).template cast<S>();
    for (Index i = 0; i < 40; ++i) {  // rows with a single present feature
      const Index keep = i % 13;
      for (Index j = 0; j < 13; ++j)
        if (j != keep) X(7 * i, j) = std::numeric_limits<S>::quiet_NaN();
      if (std::isnan(X(7 * i, keep))) X(7 * i, keep) = S(0.5);
    }
    check_masked_euclidean<S>(X, W);
  }
}

TEMPLATE_TEST_CASE("masked euclidean BMU ties go to the lowest unit index", "[missing][bmu]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const S nan = std::numeric_limits<S>::quiet_NaN();
  const Index F = 9;
  // Units 0..29 random; 30..39 duplicate 0..9; 40..49 copy 10..19 on features 2..8 and differ on
  // 0 and 1; 50..59 copy 20..29, which then change on features 0 and 1 (the lower index holds
  // the changed copy). The rows: units 0..29 plus a little noise, features 0 and 1 missing.
  RowMatrix<S> W(60, F);
  W.topRows(30) = normal_matrix<S>(30, F, 31);
  W.middleRows(30, 10) = W.topRows(10);
  W.middleRows(40, 10) = W.middleRows(10, 10);
  W.middleRows(40, 10).leftCols(2).array() += S(3);
  W.middleRows(50, 10) = W.middleRows(20, 10);
  RowMatrix<S> X = W.topRows(30) + S(0.01) * normal_matrix<S>(30, F, 32);
  X.leftCols(2).setConstant(nan);
  W.middleRows(20, 10).leftCols(2).array() -= S(5);
  for (const int threads : {1, 2}) {
    const auto r = find_bmus<S>(X, W, {Distance::euclidean, SecondBmu::find, threads, Missing::mask});
    for (Index i = 0; i < 30; ++i) {  // unit i and unit 30 + i tie exactly: the lower index first
      CHECK(r.bmu[i] == i);
      CHECK(r.second[i] == 30 + i);
      CHECK(r.distance[i] == naive_masked_euclidean(X, i, W, 30 + i));
    }
  }
  check_masked_euclidean<S>(X, W);
}

TEMPLATE_TEST_CASE("masked euclidean BMU search settles rounding near ties exactly", "[missing][bmu]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const S eps = std::numeric_limits<S>::epsilon();
  const Index F = 20, centers = 8, per_center = 6;
  // Far from the origin the expanded score |x0|^2 - 2 x0.w + m.(w∘w) cancels: units whose masked
  // distances differ by far less than its rounding. Centers 0..3 have a unit at the center
  // itself (distance 0: a clear best) and a cluster of near-tied runners-up, so the second BMU
  // hangs on the near tie while the best does not; centers 4..7 have only the cluster, so the
  // BMU hangs on it.
  Random rng(41);
  RowMatrix<S> W(centers * (per_center + 1), F), X(centers * 4, F);
  Index u = 0;
  for (Index c = 0; c < centers; ++c) {
    Vector<S> center(F), v(F);
    for (Index j = 0; j < F; ++j) {
      center[j] = S(1000 + 300 * c) + S(rng.normal());
      v[j] = S(22 + rng.uniform());
    }
    if (c < 4) W.row(u++) = center.transpose();
    for (Index k = 0; k < per_center; ++k) {
      for (Index j = 0; j < F; ++j) W(u, j) = center[j] + v[j] + S(2e5) * eps * S(rng.normal());
      ++u;
    }
    for (Index r = 0; r < 4; ++r) {
      X.row(4 * c + r) = center.transpose();
      for (Index j = 0; j < F; ++j)
        if (rng.uniform() < 0.25) X(4 * c + r, j) = std::numeric_limits<S>::quiet_NaN();
      X(4 * c + r, r) = center[r];  // never all missing
    }
  }
  W.conservativeResize(u, F);
  // The construction is a hard one: the expanded scores, summed in S, order some of the
  // near-tied units differently from the masked distances.
  Index misordered = 0;
  for (Index i = 0; i < X.rows(); ++i) {
    std::vector<S> d;
    naive_top_two(X, i, W, d);
    std::vector<S> score(std::size_t(W.rows()));
    for (Index w = 0; w < W.rows(); ++w) {
      S sc = 0;
      for (Index j = 0; j < F; ++j)
        if (!std::isnan(X(i, j))) sc += W(w, j) * W(w, j) - S(2) * X(i, j) * W(w, j);
      score[std::size_t(w)] = sc;
    }
    for (Index a = 0; a < W.rows(); ++a)
      for (Index b = a + 1; b < W.rows(); ++b)
        if ((d[std::size_t(a)] < d[std::size_t(b)]) != (score[std::size_t(a)] < score[std::size_t(b)])) ++misordered;
  }
  CHECK(misordered > 0);
  check_masked_euclidean<S>(X, W);
}

TEMPLATE_TEST_CASE("masked euclidean BMU search with huge values: squares overflow, distances do not",
                   "[missing][bmu][degenerate]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  // A power of two whose square overflows S (float: 2^200 > 3.4e38; double: 2^1200 > 1.8e308);
  // the oracle sums in long double, where it does not.
  const int exponent = std::is_same_v<S, float> ? 100 : 600;
  const S huge = S(std::ldexp(1.0, exponent));
  const RowMatrix<S> X0 = with_holes(normal_matrix(200, 6, 51), 0.3, 52).template cast<S>();
  const RowMatrix<S> W0 = normal_matrix<S>(17, 6, 53);
  RowMatrix<S> X_half = X0;  // every other row huge (the exact loop), the others through the kernel
  for (Index i = 0; i < X_half.rows(); i += 2) X_half.row(i) *= huge;
  struct Case {
    const char* name;
    RowMatrix<S> X, W;
  };
  const std::vector<Case> cases = {{"huge rows", X_half, W0}, {"huge codebook", X0, RowMatrix<S>(W0 * huge)}};
  for (const Case& c : cases)
    for (const Isa level : test_support::kernel_levels()) {
      const test_support::LevelCap cap(level);
      INFO(c.name << ", kernel " << isa_name(level));
      const auto r = find_bmus<S>(c.X, c.W, {Distance::euclidean, SecondBmu::find, 2, Missing::mask});
      Index wrong = 0;
      for (Index i = 0; i < c.X.rows(); ++i) {
        std::vector<long double> d(std::size_t(c.W.rows()));
        for (Index u = 0; u < c.W.rows(); ++u) {
          long double sum = 0;
          Index p = 0;
          for (Index j = 0; j < c.X.cols(); ++j)
            if (!std::isnan(c.X(i, j))) {
              const long double t = (long double)c.X(i, j) - (long double)c.W(u, j);
              sum += t * t;
              ++p;
            }
          d[std::size_t(u)] = std::sqrt((long double)c.X.cols() / (long double)p * sum);
        }
        std::vector<Index> order(d.size());
        std::iota(order.begin(), order.end(), Index(0));
        std::stable_sort(order.begin(), order.end(),
                         [&](Index a, Index b) { return d[std::size_t(a)] < d[std::size_t(b)]; });
        const long double want = d[std::size_t(order[0])];
        if (r.bmu[i] != order[0] || r.second[i] != order[1] || !std::isfinite(r.distance[i]) ||
            std::abs((long double)r.distance[i] - want) > 1e-5L * want)
          ++wrong;
      }
      CHECK(wrong == 0);
    }
}

TEST_CASE("data checks with Missing", "[missing][errors]") {
  RowMatrix<double> X(4, 3);
  X << 1, 2, 3, 4, nan_v, 6, 7, 8, 9, 1, 1, 1;
  CHECK_NOTHROW(detail::check_data("f", X, 3, "Som", Missing::mask));
  // The NaN message names the setting that reads it as a missing value (the plain check has none).
  CHECK(error_of([&] { detail::check_data("f", X, 3, "Som", Missing::reject); }) ==
        "f(): X must be finite, but X(1, 1) = nan; if NaN marks missing values, set missing = Missing::mask");
  CHECK(error_of([&] { detail::check_data("f", X, 3, "Som"); }) == "f(): X must be finite, but X(1, 1) = nan");
  CHECK(error_of([&] { detail::check_data("f", X, 4, "Som", Missing::mask); }) ==
        "f(): X has 3 features, but this Som expects 4");
  X(2, 2) = -std::numeric_limits<double>::infinity();
  CHECK(error_of([&] { detail::check_data("f", X, 3, "Som", Missing::mask); }) ==
        "f(): X must be finite or NaN (missing), but X(2, 2) = -inf");
  X(2, 2) = 0;
  X.row(3).setConstant(nan_v);
  CHECK(error_of([&] { detail::check_data("f", X, 3, "Som", Missing::mask); }) ==
        "f(): X row 4 (X.row(3)) has no present feature (all NaN)");
  CHECK(error_of([&] { detail::check_data("f", RowMatrix<double>(0, 3), Missing::mask); }) ==
        "f(): X has no samples (0 rows)");
  CHECK(error_of([&] { detail::check_data("f", RowMatrix<double>(2, 0), Missing::mask, "Y"); }) ==
        "f(): Y has no features (0 columns)");
}

// ---- NaN-aware scalers ---------------------------------------------------------------------

namespace {

// tests/reference/make_missing_reference.py
RowMatrix<double> scaler_holes() {
  RowMatrix<double> X(5, 4);
  X << 1, nan_v, 3, nan_v, 2, 5, nan_v, nan_v, nan_v, 7, 3, nan_v, 4, 8, 3, nan_v, 0.5, nan_v, 3, 1;
  return X;
}

void check_values(const RowMatrix<double>& got, std::vector<double> want) {
  REQUIRE(got.size() == Index(want.size()));
  for (Index k = 0; k < got.size(); ++k) {
    if (std::isnan(want[std::size_t(k)])) {
      CHECK(std::isnan(got.data()[k]));
      continue;
    }
    CHECK(got.data()[k] == Approx(want[std::size_t(k)]).epsilon(1e-14).margin(1e-14));
  }
}

}  // namespace

TEST_CASE("scalers with Missing::mask ignore NaN in fit and keep it in transform, as scikit-learn",
          "[missing][scaler]") {
  const RowMatrix<double> X = scaler_holes();
  RowMatrix<double> Q(1, 4);
  Q << 3, nan_v, 2, 4;
  StandardScaler<double> standard;
  standard.fit(X, Missing::mask);
  check_values(standard.mean().transpose(), {1.875, 6.666666666666667, 3.0, 1.0});
  check_values(standard.var().transpose(), {1.796875, 1.5555555555555554, 0.0, 0.0});
  check_values(standard.scale().transpose(), {1.340475661845451, 1.247219128924647, 1.0, 1.0});
  check_values(standard.transform(Q, Missing::mask), {0.8392543274162825, nan_v, -1.0, 3.0});
  check_values(standard.inverse_transform(standard.transform(Q, Missing::mask), Missing::mask), {3, nan_v, 2, 4});
  MinMaxScaler<double> minmax;
  minmax.fit(X, Missing::mask);
  check_values(minmax.data_min().transpose(), {0.5, 5.0, 3.0, 1.0});
  check_values(minmax.data_max().transpose(), {4.0, 8.0, 3.0, 1.0});
  check_values(minmax.scale().transpose(), {0.2857142857142857, 0.3333333333333333, 1.0, 1.0});
  check_values(minmax.min().transpose(), {-0.14285714285714285, -1.6666666666666665, -3.0, -1.0});
  check_values(minmax.transform(Q, Missing::mask), {0.7142857142857142, nan_v, -1.0, 3.0});
  Scaler<double> scaler(Scaling::standard);
  scaler.fit(X, Missing::mask);
  check_values(scaler.transform(Q, Missing::mask), {0.8392543274162825, nan_v, -1.0, 3.0});

  // Without the flag: today's rule and message; a fit that fails keeps the previous one.
  CHECK(error_of([&] { standard.fit(X); }) ==
        "StandardScaler::fit(): X must be finite, but X(0, 1) = nan; if NaN marks missing values, set missing = "
        "Missing::mask");
  CHECK(error_of([&] { minmax.transform(Q); }) ==
        "MinMaxScaler::transform(): X must be finite, but X(0, 1) = nan; if NaN marks missing values, set missing = "
        "Missing::mask");
  RowMatrix<double> column = X;
  column.col(3).setConstant(nan_v);
  CHECK(error_of([&] { standard.fit(column, Missing::mask); }) ==
        "StandardScaler::fit(): X column 4 (X.col(3)) has no present value (all NaN)");
  CHECK(error_of([&] { minmax.fit(column, Missing::mask); }) ==
        "MinMaxScaler::fit(): X column 4 (X.col(3)) has no present value (all NaN)");
  CHECK(standard.mean()[3] == 1.0);
  CHECK(minmax.data_max()[3] == 1.0);
  // Complete data: the flag changes nothing.
  RowMatrix<double> full = normal_matrix(20, 3, 5);
  StandardScaler<double> a, b;
  a.fit(full);
  b.fit(full, Missing::mask);
  CHECK(a.mean() == b.mean());
  CHECK(a.var() == b.var());
}

TEST_CASE("warn_if_unscaled ignores NaN", "[missing][scaler]") {
  RowMatrix<double> X(3, 2);
  X << nan_v, 0, 1, 1000, 2, nan_v;
  std::vector<std::string> seen;
  ScopedWarningHandler capture([&](std::string_view w) { seen.emplace_back(w); });
  detail::warn_if_unscaled<double>("f", X);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].find("a factor of 1000 (column 2: 1000, column 1: 1)") != std::string::npos);
}

// ---- Som with Missing::mask ------------------------------------------------------------------

namespace {

SomParams mask_params(Training training) {
  SomParams p;
  p.rows = 3;
  p.cols = 4;
  p.epochs = 1;
  p.sigma = 1.3;
  p.learning_rate = 0.4;
  p.training = training;
  p.missing = Missing::mask;
  p.n_threads = 1;
  return p;
}

// The BMU of every row by brute-force masked search (ties: lowest unit).
std::vector<Index> naive_bmus(const RowMatrix<double>& X, const RowMatrix<double>& W, Distance metric) {
  std::vector<Index> out;
  for (Index i = 0; i < X.rows(); ++i) {
    std::vector<double> d;
    out.push_back(naive_order(metric, X, i, W, d)[0]);
  }
  return out;
}

}  // namespace

TEST_CASE("Som batch epoch with NaN equals the per-feature rule by naive loops", "[missing][som]") {
  const RowMatrix<double> X = with_holes(normal_matrix(40, 4, 21), 0.25, 22);
  for (auto neighborhood : {Neighborhood::gaussian, Neighborhood::bubble}) {
    SomParams p = mask_params(Training::batch);
    p.neighborhood = neighborhood;
    Som<double> som(p, 4);
    som.initialize_weights(X);
    const RowMatrix<double> W0 = som.weights();
    REQUIRE(W0.allFinite());
    const TrainingHistory h = som.fit(X);
    const std::vector<Index> bmu = naive_bmus(X, W0, p.distance);
    const NeighborhoodTable table(som.grid(), p.neighborhood, som.sigma_at(0));
    RowMatrix<double> W1 = W0;
    for (Index n = 0; n < som.n_units(); ++n)
      for (Index j = 0; j < 4; ++j) {
        double num = 0, den = 0;
        for (Index i = 0; i < X.rows(); ++i) {
          if (std::isnan(X(i, j))) continue;
          num += table(bmu[std::size_t(i)], n) * X(i, j);
          den += table(bmu[std::size_t(i)], n);
        }
        if (den > 0) W1(n, j) = num / den;
      }
    for (Index k = 0; k < W1.size(); ++k)
      CHECK(som.weights().data()[k] == Approx(W1.data()[k]).epsilon(1e-12).margin(1e-12));
    // The epoch's error: the mean masked distance to the BMU under the new weights.
    double qe = 0;
    const std::vector<Index> bmu1 = naive_bmus(X, som.weights(), p.distance);
    for (Index i = 0; i < X.rows(); ++i) qe += naive_masked(p.distance, X, i, som.weights(), bmu1[std::size_t(i)]);
    CHECK(h.quantization_errors.at(0) == Approx(qe / double(X.rows())).epsilon(1e-12));
    CHECK(som.quantization_error(X) == Approx(qe / double(X.rows())).epsilon(1e-12));
  }
}

TEST_CASE("Som mini-batch epoch with NaN updates present features only", "[missing][som]") {
  const RowMatrix<double> X = with_holes(normal_matrix(30, 5, 31), 0.2, 32);
  SomParams p = mask_params(Training::minibatch);
  p.batch_size = 1000;  // one batch: the permutation does not matter
  p.distance = Distance::manhattan;
  Som<double> som(p, 5);
  som.initialize_weights(X);
  const RowMatrix<double> W0 = som.weights();
  som.fit(X);
  const std::vector<Index> bmu = naive_bmus(X, W0, p.distance);
  const NeighborhoodTable table(som.grid(), p.neighborhood, som.sigma_at(0));
  const double step = som.learning_rate_at(0) / double(X.rows());
  RowMatrix<double> W1 = W0;
  for (Index n = 0; n < som.n_units(); ++n)
    for (Index j = 0; j < 5; ++j)
      for (Index i = 0; i < X.rows(); ++i)
        if (!std::isnan(X(i, j))) W1(n, j) += step * table(bmu[std::size_t(i)], n) * (X(i, j) - W0(n, j));
  for (Index k = 0; k < W1.size(); ++k)
    CHECK(som.weights().data()[k] == Approx(W1.data()[k]).epsilon(1e-12).margin(1e-12));
}

TEST_CASE("Som with mask: predict, transform, errors and impute against naive loops", "[missing][som]") {
  const RowMatrix<double> X = with_holes(normal_matrix(50, 4, 41), 0.2, 42);
  SomParams p = mask_params(Training::batch);
  p.epochs = 3;
  p.distance = Distance::cosine;
  Som<double> som(p, 4);
  som.fit(X);
  const RowMatrix<double>& W = som.weights();
  const std::vector<Index> bmu = naive_bmus(X, W, p.distance);
  const Labels got = som.predict(X);
  const RowMatrix<double> D = som.transform(X);
  double qe = 0;
  for (Index i = 0; i < X.rows(); ++i) {
    CHECK(got[i] == bmu[std::size_t(i)]);
    for (Index u = 0; u < som.n_units(); ++u)
      CHECK(D(i, u) == Approx(naive_masked(p.distance, X, i, W, u)).margin(1e-12));
    qe += naive_masked(p.distance, X, i, W, bmu[std::size_t(i)]);
  }
  CHECK(som.quantization_error(X) == Approx(qe / double(X.rows())).epsilon(1e-12));
  const RowMatrix<double> hits = hit_map(som, X);
  CHECK(hits.sum() == double(X.rows()));

  // impute: NaN cells from the BMU's weight, in the data's units (with a standard scaling too).
  for (Scaling scaling : {Scaling::none, Scaling::standard}) {
    SomParams q = p;
    q.scaling = scaling;
    q.distance = Distance::euclidean;
    Som<double> s2(q, 4);
    s2.fit(X);
    const RowMatrix<double> Xs = s2.scaler().transform(X, Missing::mask);
    const std::vector<Index> b = naive_bmus(Xs, s2.weights(), q.distance);
    const RowMatrix<double> Wd = s2.weights_in_data_units();
    const RowMatrix<double> filled = impute(s2, X);
    REQUIRE(filled.allFinite());
    for (Index i = 0; i < X.rows(); ++i)
      for (Index j = 0; j < 4; ++j) CHECK(filled(i, j) == (std::isnan(X(i, j)) ? Wd(b[std::size_t(i)], j) : X(i, j)));
  }
}

TEST_CASE("Som with mask: any thread count, and complete data bit-identical to reject", "[missing][som]") {
  const RowMatrix<double> full = normal_matrix(800, 8, 51);
  const RowMatrix<double> X = with_holes(full, 0.2, 52);
  for (Training training : {Training::batch, Training::minibatch}) {
    SomParams p = mask_params(training);
    p.rows = 10;
    p.cols = 10;
    p.epochs = 3;
    p.batch_size = 64;
    p.sigma = 3;
    p.init = Init::pca;
    Som<double> one(p, 8), two(p, 8);
    p.n_threads = 2;
    two = Som<double>(p, 8);
    const TrainingHistory h1 = one.fit(X), h2 = two.fit(X);
    CHECK(one.weights() == two.weights());
    CHECK(h1.quantization_errors == h2.quantization_errors);
    CHECK(h1.topographic_errors == h2.topographic_errors);
    CHECK(one.weights().allFinite());

    // Complete data: mask and reject give the same bits.
    SomParams r = p;
    r.missing = Missing::reject;
    Som<double> masked(p, 8), rejecting(r, 8);
    const TrainingHistory hm = masked.fit(full), hr = rejecting.fit(full);
    CHECK(masked.weights() == rejecting.weights());
    CHECK(hm.quantization_errors == hr.quantization_errors);
    CHECK(masked.transform(full.topRows(20)) == rejecting.transform(full.topRows(20)));
  }
}

TEST_CASE("Som initialisation with NaN reads mean-filled rows", "[missing][som]") {
  RowMatrix<double> X(4, 2);
  X << 1, nan_v, 3, 10, nan_v, 20, 5, 30;
  RowMatrix<double> filled = X;  // column means of the present values: 3 and 20
  filled(0, 1) = 20;
  filled(2, 0) = 3;
  SomParams p = mask_params(Training::batch);
  p.rows = 2;
  p.cols = 2;
  Som<double> som(p, 2);
  som.initialize_weights(X, Init::sample);  // 4 units, 4 rows: each row once
  std::vector<int> used(4, 0);
  for (Index u = 0; u < 4; ++u)
    for (Index i = 0; i < 4; ++i)
      if (som.weights().row(u) == filled.row(i)) ++used[std::size_t(i)];
  CHECK(used == std::vector<int>{1, 1, 1, 1});
  som.initialize_weights(X, Init::uniform);
  for (Index u = 0; u < 4; ++u) {
    CHECK(som.weights()(u, 0) >= 1);
    CHECK(som.weights()(u, 0) <= 5);
    CHECK(som.weights()(u, 1) >= 10);
    CHECK(som.weights()(u, 1) <= 30);
  }
  som.initialize_weights(X, Init::pca);
  CHECK(som.weights().allFinite());
}

TEST_CASE("Som with mask saves and loads its setting (model version 3)", "[missing][som][io]") {
  const RowMatrix<double> X = with_holes(normal_matrix(30, 3, 61), 0.2, 62);
  Som<double> som(mask_params(Training::batch), 3);
  som.fit(X);
  const std::string path = "missing_som.somtile";
  save(som, path);
  const Som<double> back = load_som<double>(path);
  CHECK(back.params().missing == Missing::mask);
  CHECK(back.predict(X) == som.predict(X));
  CHECK(back.weights() == som.weights());
  // A version 2 file has no such field: it loads as reject.
  detail::ModelWriter v2(2);
  v2(som);
  v2.save(path, "Som", 8);
  const Som<double> old = load_som<double>(path);
  CHECK(old.params().missing == Missing::reject);
  CHECK(old.weights() == som.weights());
  std::remove(path.c_str());
}

TEST_CASE("Som with missing values: error paths", "[missing][som][errors]") {
  RowMatrix<double> X = normal_matrix(10, 3, 71);
  X(1, 2) = nan_v;
  SomParams reject = mask_params(Training::batch);
  reject.missing = Missing::reject;
  Som<double> r(reject, 3);
  CHECK(error_of([&] { r.fit(X); }) ==
        "Som::fit(): X must be finite, but X(1, 2) = nan; if NaN marks missing values, set missing = Missing::mask");
  Som<double> m(mask_params(Training::batch), 3);
  CHECK_THROWS_AS(impute(m, X), NotFittedError);
  m.fit(X);
  const RowMatrix<double> W = m.weights();
  RowMatrix<double> bad = X;
  bad(4, 0) = std::numeric_limits<double>::infinity();
  CHECK(error_of([&] { m.fit(bad); }) == "Som::fit(): X must be finite or NaN (missing), but X(4, 0) = inf");
  CHECK(error_of([&] { m.predict(bad); }) == "Som::predict(): X must be finite or NaN (missing), but X(4, 0) = inf");
  CHECK(error_of([&] { impute(m, bad); }) == "impute(): X must be finite or NaN (missing), but X(4, 0) = inf");
  bad = X;
  bad.row(6).setConstant(nan_v);
  CHECK(error_of([&] { m.fit(bad); }) == "Som::fit(): X row 7 (X.row(6)) has no present feature (all NaN)");
  CHECK(error_of([&] { m.transform(bad); }) == "Som::transform(): X row 7 (X.row(6)) has no present feature (all NaN)");
  CHECK(error_of([&] { impute(m, bad); }) == "impute(): X row 7 (X.row(6)) has no present feature (all NaN)");
  CHECK(m.weights() == W);  // failed calls leave the model as it was
  bad = X;
  bad.col(0).setConstant(nan_v);
  Som<double> fresh(mask_params(Training::batch), 3);
  CHECK(error_of([&] { fresh.fit(bad); }) == "Som::fit(): X column 1 (X.col(0)) has no present value (all NaN)");
  CHECK_FALSE(fresh.is_fitted());
  CHECK_NOTHROW(m.fit(bad));  // a trained map keeps the weights of a feature the data never show
  CHECK(m.weights().allFinite());
  // impute works on a map trained without mask.
  Som<double> plain(reject, 3);
  plain.fit(normal_matrix(10, 3, 72));
  CHECK(impute(plain, X).allFinite());
  CHECK(impute(plain, X).row(0) == X.row(0));
}

TEST_CASE("read_csv with Missing::mask reads empty, nan and NA fields as NaN", "[missing][io][csv]") {
  const std::string path = "holes.csv";
  {
    std::ofstream out(path);
    out << "a,b,c,label\n1,,3,0\nnan,2,NA,1\n 4 , \"\" ,-nan,2\n";
  }
  CsvOptions options;
  options.label_column = "label";
  CHECK(error_of([&] { read_csv(path, options); }) ==
        "read_csv(): " + path +
            ":2 column 2: '' is not a finite number (a missing value? set missing = Missing::mask to read it as one)");
  options.missing = Missing::mask;
  const CsvData d = read_csv(path, options);
  REQUIRE(d.X.rows() == 3);
  CHECK(d.columns == std::vector<std::string>{"a", "b", "c"});
  CHECK(d.X(0, 0) == 1);
  CHECK(std::isnan(d.X(0, 1)));
  CHECK(std::isnan(d.X(1, 0)));
  CHECK(std::isnan(d.X(1, 2)));
  CHECK(d.X(2, 0) == 4);
  CHECK(std::isnan(d.X(2, 1)));
  CHECK(std::isnan(d.X(2, 2)));
  CHECK(d.y == (Labels(3) << 0, 1, 2).finished());
  {
    std::ofstream out(path);
    out << "1,,3\n2,inf,1\n";  // no header: the first row has a missing field; inf is still rejected
  }
  options.label_column.clear();
  CHECK(error_of([&] { read_csv(path, options); }) ==
        "read_csv(): " + path + ":2 column 2: 'inf' is not a finite number");
  {
    std::ofstream out(path);
    out << "a,label\n1,\n";  // a missing label is not a missing value
  }
  options.label_column = "label";  // and masking would not read it, so the message does not offer it
  CHECK(error_of([&] { read_csv(path, options); }) == "read_csv(): " + path + ":2 column 2: '' is not a finite number");
  std::remove(path.c_str());
}

TEST_CASE("suggest_som_params with Missing::mask", "[missing][som]") {
  const RowMatrix<double> full = normal_matrix(60, 3, 81);
  const RowMatrix<double> X = with_holes(full, 0.1, 82);
  CHECK(error_of([&] { suggest_som_params(X); }).find("suggest_som_params(): X must be finite") == 0);
  const SomParams p = suggest_som_params(X, Scaling::standard, Missing::mask);
  CHECK(p.missing == Missing::mask);
  CHECK(p.scaling == Scaling::standard);
  CHECK(p.rows * p.cols == suggest_som_params(full).rows * suggest_som_params(full).cols);
}
