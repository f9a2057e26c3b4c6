// Missing values (Missing::mask): the masked BMU kernel, the data checks, and (below) the
// classic Som trained on data with NaN cells, each against naive loops written here.
#include <somtile/core/detail/validate.hpp>
#include <somtile/core/random.hpp>
#include <somtile/kernels/bmu.hpp>
#include <somtile/kernels/masked_bmu.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

using namespace somtile;

namespace {

const double nan_v = std::numeric_limits<double>::quiet_NaN();

RowMatrix<double> random_matrix(Index rows, Index cols, std::uint64_t seed) {
  Random rng(seed);
  RowMatrix<double> M(rows, cols);
  for (Index i = 0; i < M.size(); ++i) M.data()[i] = rng.normal();
  return M;
}

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
      case Distance::euclidean: s += (x - w) * (x - w); break;
      case Distance::manhattan: s += std::abs(x - w); break;
      case Distance::chebyshev: s = std::max(s, std::abs(x - w)); break;
      case Distance::cosine: xy += x * w; xx += x * x; ww += w * w; break;
    }
  }
  const double scale = double(F) / double(p);
  switch (metric) {
    case Distance::euclidean: return std::sqrt(scale * s);
    case Distance::manhattan: return scale * s;
    case Distance::chebyshev: return s;
    case Distance::cosine: return (xx == 0 || ww == 0) ? 1.0 : 1.0 - xy / std::sqrt(xx * ww);
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
  const RowMatrix<double> X = with_holes(random_matrix(2000, 8, 1), 0.2, 11);
  const RowMatrix<double> W = random_matrix(64, 8, 2);
  REQUIRE(detail::has_missing(X));
  for (auto metric : {Distance::euclidean, Distance::cosine, Distance::manhattan, Distance::chebyshev}) {
    INFO("metric " << enum_name(metric));
    for (bool second : {false, true}) {
      const auto r = find_bmus<double>(X, W, metric, second, 1, Missing::mask);
      const auto r2 = find_bmus<double>(X, W, metric, second, 2, Missing::mask);
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
        CHECK(detail::masked_distance<double>(metric, X.row(i), W.row(r.bmu[i])) ==
              Approx(d[std::size_t(r.bmu[i])]).epsilon(1e-12).margin(1e-12));
      }
      CHECK(mismatches == 0);
    }
  }
}

TEST_CASE("masked BMU search on complete data is find_bmus bit for bit", "[missing][bmu]") {
  const RowMatrix<double> X = random_matrix(300, 5, 3), W = random_matrix(30, 5, 4);
  for (auto metric : {Distance::euclidean, Distance::cosine, Distance::manhattan, Distance::chebyshev}) {
    const auto a = find_bmus<double>(X, W, metric, true, 1);
    const auto b = find_bmus<double>(X, W, metric, true, 1, Missing::mask);
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
  const auto a = find_bmus<double>(X, W, Distance::euclidean, true, 2);
  const auto b = find_bmus<double>(Xh, W, Distance::euclidean, true, 2, Missing::mask);
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
  W << 9, 9, 9,  1, 2, 0,  5, 5, 5,  1, 2, 7,  1, 2, 7;
  RowMatrix<double> X(2, 3);
  X << 1, 2, nan_v,  nan_v, 2, 7;
  for (auto metric : {Distance::euclidean, Distance::manhattan, Distance::chebyshev}) {
    const auto r = find_bmus<double>(X, W, metric, true, 1, Missing::mask);
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
  const auto one = find_bmus<double>(X, W.topRows(1), Distance::euclidean, true, 1, Missing::mask);
  CHECK(one.bmu.isZero());
  CHECK((one.second.array() == -1).all());
}

TEST_CASE("data checks with Missing", "[missing][errors]") {
  RowMatrix<double> X(4, 3);
  X << 1, 2, 3,  4, nan_v, 6,  7, 8, 9,  1, 1, 1;
  CHECK_NOTHROW(detail::check_data("f", X, 3, "Som", Missing::mask));
  CHECK(error_of([&] { detail::check_data("f", X, 3, "Som", Missing::reject); }) ==
        "f(): X must be finite, but X(1, 1) = nan");
  CHECK(error_of([&] { detail::check_data("f", X, 3, "Som"); }) == "f(): X must be finite, but X(1, 1) = nan");
  CHECK(error_of([&] { detail::check_data("f", X, 4, "Som", Missing::mask); }) ==
        "f(): X has 3 features, but this Som expects 4");
  X(2, 2) = -std::numeric_limits<double>::infinity();
  CHECK(error_of([&] { detail::check_data("f", X, 3, "Som", Missing::mask); }) ==
        "f(): X must be finite or NaN (missing), but X(2, 2) = -inf");
  X(2, 2) = 0;
  X.row(3).setConstant(nan_v);
  CHECK(error_of([&] { detail::check_data("f", X, 3, "Som", Missing::mask); }) ==
        "f(): X row 3 has no present feature (all NaN)");
  CHECK(error_of([&] { detail::check_data("f", RowMatrix<double>(0, 3), Missing::mask); }) ==
        "f(): X has no samples (0 rows)");
  CHECK(error_of([&] { detail::check_data("f", RowMatrix<double>(2, 0), Missing::mask, "Y"); }) ==
        "f(): Y has no features (0 columns)");
}
