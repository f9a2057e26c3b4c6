// BMU search, per-unit sums and map quality against brute-force oracles.
// Scalars: float and double everywhere (the kernels have float code paths: vector widths,
// rounding, overflow).
#include <somtile/core/random.hpp>
#include <somtile/kernels/batch.hpp>
#include <somtile/kernels/bmu.hpp>
#include <somtile/kernels/detail/bounded_bmu.hpp>
#include <somtile/kernels/detail/team_bmu.hpp>
#include <somtile/metrics/som_quality.hpp>
#include <somtile/som/detail/chunk_bounds.hpp>

#include <catch2/catch.hpp>
#include "support/data.hpp"
#include "support/isa_levels.hpp"
#include "support/scalars.hpp"
#include "support/sizes.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

using namespace somtile;

namespace {

using test_support::kernel_levels;
using test_support::LevelCap;
using test_support::normal_matrix;

// The bounded-search tests' data: n rows of F features around six centres 4 apart.
template <typename S>
RowMatrix<S> six_blobs(Index n, Index F) {
  const RowMatrix<S> C = normal_matrix<S>(6, F, 3) * S(4);
  RowMatrix<S> X = normal_matrix<S>(n, F, 4);
  for (Index i = 0; i < n; ++i) X.row(i) += C.row(i % 6);
  return X;
}

// Half a k-means step: each unit moves halfway to the mean of the samples it is the BMU of.
template <typename S>
void half_kmeans_step(const RowMatrix<S>& X, const Labels& bmu, RowMatrix<S>& W) {
  RowMatrix<S> sum = RowMatrix<S>::Zero(W.rows(), W.cols());
  Vector<S> count = Vector<S>::Zero(W.rows());
  for (Index i = 0; i < X.rows(); ++i) sum.row(bmu[i]) += X.row(i), count[bmu[i]] += 1;
  for (Index u = 0; u < W.rows(); ++u)
    if (count[u] > 0) W.row(u) = (W.row(u) + sum.row(u) / count[u]) / S(2);
}

// Naive oracle in double: all distances, then the two smallest with lowest-index ties.
double naive_distance(Distance metric, const RowMatrix<double>& X, Index i, const RowMatrix<double>& W, Index u) {
  double d = 0;
  switch (metric) {
    case Distance::euclidean:
      for (Index j = 0; j < X.cols(); ++j) d += (X(i, j) - W(u, j)) * (X(i, j) - W(u, j));
      return std::sqrt(d);
    case Distance::manhattan:
      for (Index j = 0; j < X.cols(); ++j) d += std::abs(X(i, j) - W(u, j));
      return d;
    case Distance::chebyshev:
      for (Index j = 0; j < X.cols(); ++j) d = std::max(d, std::abs(X(i, j) - W(u, j)));
      return d;
    case Distance::cosine: {
      double xy = 0, xx = 0, yy = 0;
      for (Index j = 0; j < X.cols(); ++j) {
        xy += X(i, j) * W(u, j);
        xx += X(i, j) * X(i, j);
        yy += W(u, j) * W(u, j);
      }
      return 1.0 - xy / std::sqrt(xx * yy);
    }
  }
  return d;
}

}  // namespace

TEMPLATE_TEST_CASE("BMU search equals brute force for every metric", "[bmu]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = normal_matrix<S>(1500, 9, 1);  // several blocks for 300 units? see below
  const RowMatrix<S> W = normal_matrix<S>(301, 9, 2);
  const RowMatrix<double> Xd = X.template cast<double>(), Wd = W.template cast<double>();
  const double tol = std::is_same_v<S, float> ? 1e-4 : 1e-10;
  for (auto metric : {Distance::euclidean, Distance::cosine, Distance::manhattan, Distance::chebyshev}) {
    // The oracle's nearest and second-nearest unit of every row, lowest index on ties: once per
    // metric, then every kernel level is held to it (one assertion per level, naming the first
    // row that fails, so that the check costs little next to the search under the sanitizers).
    const auto n = std::size_t(X.rows());
    std::vector<Index> best(n), second(n);
    std::vector<double> best_d(n), second_d(n);
    for (std::size_t i = 0; i < n; ++i) {
      double b = std::numeric_limits<double>::infinity(), s2 = b;
      Index bu = -1, su = -1;
      for (Index u = 0; u < W.rows(); ++u) {
        const double d = naive_distance(metric, Xd, Index(i), Wd, u);
        if (d < b) {
          s2 = b, su = bu, b = d, bu = u;
        } else if (d < s2) {
          s2 = d, su = u;
        }
      }
      best[i] = bu, second[i] = su, best_d[i] = b, second_d[i] = s2;
    }
    for (const Isa level : kernel_levels()) {
      const LevelCap cap(level);
      INFO("metric " << int(metric) << ", kernel " << isa_name(active_isa()));
      const auto r = find_bmus<S>(X, W, {metric, SecondBmu::find});
      Index mismatches = 0, failures = 0, first_failure = -1;
      for (std::size_t i = 0; i < n; ++i) {
        const Index row = Index(i);
        // The chosen units are optimal up to rounding; in double they are the oracle's exactly.
        const double d_bmu = naive_distance(metric, Xd, row, Wd, r.bmu[row]);
        const double d_second = naive_distance(metric, Xd, row, Wd, r.second[row]);
        const bool ok = d_bmu <= best_d[i] + tol && d_second <= second_d[i] + tol && r.bmu[row] != r.second[row] &&
                        double(r.distance[row]) == Approx(d_bmu).epsilon(tol).margin(tol);
        if (!ok && failures++ == 0) first_failure = row;
        if (r.bmu[row] != best[i] || r.second[row] != second[i]) ++mismatches;
      }
      INFO("first failing row " << first_failure);
      CHECK(failures == 0);
      if (std::is_same_v<S, double>)
        CHECK(mismatches == 0);
      else
        CHECK(mismatches <= 3);
    }
  }
}

TEMPLATE_TEST_CASE("BMU ties go to the lowest unit index", "[bmu]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  // Small integers: every product and sum is exact, so the tie is exact in any order.
  RowMatrix<S> W(6, 3);
  W << 0, 0, 0, 5, 5, 5, 1, 2, 3, 9, 9, 9, 1, 2, 3, 1, 2, 3;
  RowMatrix<S> X(3, 3);
  X << 1, 2, 3, 1, 2, 4, 5, 5, 5;
  for (auto metric : {Distance::euclidean, Distance::manhattan, Distance::chebyshev}) {
    const auto r = find_bmus<S>(X, W, {metric, SecondBmu::find});
    CHECK(r.bmu[0] == 2);
    CHECK(r.second[0] == 4);
    CHECK(r.bmu[1] == 2);
    CHECK(r.second[1] == 4);
    CHECK(r.bmu[2] == 1);
  }
  const auto one = find_bmus<S>(X, W.topRows(1), {Distance::euclidean, SecondBmu::find});
  CHECK(one.bmu.isZero());
  CHECK((one.second.array() == -1).all());
}

TEMPLATE_TEST_CASE("BMU ties go to the lowest unit across SIMD lanes and blocks", "[bmu]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  // Half-integer coordinates: every distance, expanded or direct, is exact. 70 units on 64
  // lattice points, so tied best and second units sit in different lanes; 200 samples leave a
  // partly filled group of lanes and, with 2 threads, several blocks.
  Random rng(7);
  RowMatrix<S> W(70, 3), X(200, 3);
  for (Index i = 0; i < W.size(); ++i) W.data()[i] = S(rng.uniform_index(4));
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = S(0.5 * double(rng.uniform_index(7)));
  Index unique_best_tied_second = 0;
  for (const Isa level : kernel_levels())
    for (int threads : {1, 2}) {
      const LevelCap cap(level);
      const auto r = find_bmus<S>(X, W, {Distance::euclidean, SecondBmu::find, threads});
      for (Index i = 0; i < X.rows(); ++i) {
        std::vector<std::pair<double, Index>> d;
        for (Index u = 0; u < W.rows(); ++u)
          d.emplace_back((X.row(i) - W.row(u)).template cast<double>().squaredNorm(), u);
        std::stable_sort(d.begin(), d.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        INFO("sample " << i << " threads " << threads << ", kernel " << isa_name(level));
        CHECK(r.bmu[i] == d[0].second);
        CHECK(r.second[i] == d[1].second);
        CHECK(double(r.distance[i]) == Approx(std::sqrt(d[0].first)));
        if (threads == 1 && level == Isa::baseline && d[0].first < d[1].first && d[1].first == d[2].first)
          ++unique_best_tied_second;
      }
    }
  CHECK(unique_best_tied_second > 20);  // the lane scan itself decides these ties
}

TEMPLATE_TEST_CASE("BMU search is identical for 1 and 2 threads", "[bmu][threads]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = normal_matrix<S>(5000, 16, 3);
  const RowMatrix<S> W = normal_matrix<S>(400, 16, 4);
  for (auto metric : {Distance::euclidean, Distance::cosine, Distance::manhattan}) {
    const auto a = find_bmus<S>(X, W, {metric, SecondBmu::find, 1});
    const auto b = find_bmus<S>(X, W, {metric, SecondBmu::find, 2});
    CHECK(a.bmu == b.bmu);
    CHECK(a.second == b.second);
    CHECK(a.distance == b.distance);
  }
  const auto r = find_bmus<S>(X, W);
  const auto s1 = unit_sums<S>(X, r.bmu, W.rows(), 1);
  const auto s2 = unit_sums<S>(X, r.bmu, W.rows(), 2);
  CHECK(s1.sums == s2.sums);
  CHECK(s1.counts == s2.counts);
}

TEMPLATE_TEST_CASE("unit sums equal a naive loop", "[batch]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = normal_matrix<S>(257, 5, 5);
  Random rng(6);
  Labels bmu(X.rows());
  for (Index i = 0; i < bmu.size(); ++i) bmu[i] = rng.uniform_index(12);
  const auto s = unit_sums<S>(X, bmu, 13);
  RowMatrix<S> sums = RowMatrix<S>::Zero(13, 5);
  Vector<S> counts = Vector<S>::Zero(13);
  for (Index i = 0; i < X.rows(); ++i) {
    sums.row(bmu[i]) += X.row(i);
    counts[bmu[i]] += 1;
  }
  CHECK(s.counts == counts);
  CHECK(s.counts[12] == 0);
  CHECK((s.sums - sums).cwiseAbs().maxCoeff() < S(1e-4));
}

TEMPLATE_TEST_CASE("quantization and topographic error on a hand-computed case", "[quality]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  // A 1 x 3 map whose middle unit sits far away: units 0 and 2 are not grid neighbours.
  RowMatrix<S> W(3, 1);
  W << 0, 10, 1;
  RowMatrix<S> X(4, 1);
  X << 0.25, 9, 0.75, 2;
  const auto r = find_bmus<S>(X, W, {Distance::euclidean, SecondBmu::find});
  CHECK(r.bmu == (Labels(4) << 0, 1, 2, 2).finished());
  CHECK(r.second == (Labels(4) << 2, 2, 0, 0).finished());
  // Distances 0.25, 1, 0.25, 1 -> QE 0.625.
  CHECK(quantization_error(r) == Approx(0.625));
  // Pairs (0,2) and (2,0) are two hops apart, (1,2) are neighbours: 3 of 4 samples.
  CHECK(topographic_error(r, Grid(1, 3)) == Approx(0.75));
  // On a torus the ends touch, so no sample is a topographic error.
  CHECK(topographic_error(r, Grid(1, 3, Topology::rectangular, true)) == 0.0);
}

TEMPLATE_TEST_CASE("BMU search with huge values: squares overflow, distances do not", "[bmu][degenerate]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  // A power of two, so scaling is exact: the oracle runs on the unscaled data. Its square
  // overflows the scalar type (float: 2^200 > 3.4e38; double: 2^1200 > 1.8e308).
  const int exponent = std::is_same_v<S, float> ? 100 : 600;
  const double scale = std::ldexp(1.0, exponent);
  const RowMatrix<double> Xd = normal_matrix<double>(40, 3, 31), Wd = normal_matrix<double>(12, 3, 32);
  const RowMatrix<S> X = (Xd * scale).cast<S>(), W = (Wd * scale).cast<S>();
  REQUIRE(X.allFinite());
  for (const Isa level : kernel_levels())
    for (auto metric : {Distance::euclidean, Distance::cosine, Distance::manhattan, Distance::chebyshev}) {
      const LevelCap cap(level);
      INFO("metric " << int(metric) << ", kernel " << isa_name(level));
      const auto r = find_bmus<S>(X, W, {metric, SecondBmu::find});
      for (Index i = 0; i < X.rows(); ++i) {
        std::vector<double> d(std::size_t(W.rows()));
        for (Index u = 0; u < W.rows(); ++u) d[std::size_t(u)] = naive_distance(metric, Xd, i, Wd, u);
        const Index best = Index(std::min_element(d.begin(), d.end()) - d.begin());
        CHECK(r.bmu[i] == best);
        CHECK(r.second[i] != r.bmu[i]);
        const double unit = metric == Distance::cosine ? 1.0 : scale;  // cosine ignores the scale
        CHECK(double(r.distance[i]) / unit == Approx(d[std::size_t(best)]).epsilon(1e-5).margin(1e-6));
      }
      CHECK(std::isfinite(quantization_error(r)));
    }
  // Distances beyond the largest scalar: no crash, a tie at infinity goes to unit 0.
  const S top = std::numeric_limits<S>::max();
  RowMatrix<S> far_x = RowMatrix<S>::Constant(2, 2, top), far_w = RowMatrix<S>::Constant(3, 2, -top);
  const auto r = find_bmus<S>(far_x, far_w, {Distance::euclidean, SecondBmu::find});
  CHECK(r.bmu == Labels::Zero(2));
}

TEMPLATE_TEST_CASE("team BMU search equals find_bmus for any team and split of the units", "[bmu][team]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  // Data that reaches every path: integer grids (exact ties and near ties decided by direct
  // distances, runners-up outside the margin), duplicated units, Gaussian noise, and values
  // whose squares overflow (every distance decided directly).
  struct Case {
    const char* name;
    RowMatrix<S> X, W;
  };
  std::vector<Case> cases;
  {
    RowMatrix<S> X = normal_matrix<S>(150, 5, 1), W = normal_matrix<S>(37, 5, 2);
    cases.push_back({"gaussian", X, W});
    X = X.array().round();
    W = W.array().round();
    W.row(20) = W.row(3);
    cases.push_back({"integer grid with duplicate units", X, W});
    RowMatrix<S> one = RowMatrix<S>::Zero(1, 5);
    RowMatrix<S> lone = W.topRows(1);
    cases.push_back({"one unit", X, lone});
    cases.push_back({"one sample", one, W});
    const S huge = std::is_same_v<S, float> ? S(1e19) : S(1e150);
    cases.push_back({"squares overflow", RowMatrix<S>(X * huge), RowMatrix<S>(W * huge)});
  }
  for (const Isa level : kernel_levels())
    for (const Case& c : cases) {
      const LevelCap cap(level);
      const Index U = c.W.rows();
      for (const Distance metric : {Distance::euclidean, Distance::cosine, Distance::manhattan, Distance::chebyshev}) {
        for (const bool with_second : {false, true}) {
          const BmuResult<S> expected =
              find_bmus<S>(c.X, c.W, {metric, with_second ? SecondBmu::find : SecondBmu::skip, 1});
          // Teams of 1, 2 and 3 with uneven splits, one of them empty.
          const std::vector<std::vector<Index>> splits = {{0, U}, {0, U / 3, U}, {0, 0, U / 2, U}, {0, U, U, U}};
          for (const auto& split : splits) {
            const int team = int(split.size()) - 1;
#if !defined(_OPENMP)
            if (team > 1) continue;  // without OpenMP a team is one thread
#endif
            detail::TeamBmu<S> bmus(team, c.X.rows());
            std::vector<BmuResult<S>> got(static_cast<std::size_t>(team));
            for (int repeat = 0; repeat < 2; ++repeat)  // the same buffers searched twice
              detail::parallel_team(team, [&](int thread, int threads) {
                REQUIRE(threads == team);
                bmus.search(thread, threads, split[std::size_t(thread)], split[std::size_t(thread) + 1], c.X, c.W,
                            metric, with_second, got[std::size_t(thread)]);
              });
            for (int t = 0; t < team; ++t) {
              INFO(c.name << ", kernel " << isa_name(level) << ", metric " << int(metric) << ", second " << with_second
                          << ", team " << team << ", thread " << t);
              const BmuResult<S>& r = got[std::size_t(t)];
              CHECK(r.bmu == expected.bmu);
              CHECK(r.second == expected.second);
              CHECK(((r.distance.array() == expected.distance.array()) ||
                     (r.distance.array().isNaN() && expected.distance.array().isNaN()))
                        .all());
            }
          }
        }
      }
    }
}

TEMPLATE_TEST_CASE("BMU search gives the same units at every kernel level", "[bmu][isa]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  // Levels differ in rounding (FMA or not, lane order), but near ties are decided by direct
  // distances, so the units are the same; group and panel edges are hit by 97 units and
  // 1001 samples, and the 130-feature case accumulates long dot products.
  INFO("this CPU runs levels up to " << isa_name(detail::cpu_isa()) << ", the build targets "
                                     << isa_name(detail::compiled_isa));
  for (const Index features : {Index(3), Index(16), Index(130)}) {
    const RowMatrix<S> X = normal_matrix<S>(1001, features, 11), W = normal_matrix<S>(97, features, 12);
    for (const Distance metric : {Distance::euclidean, Distance::cosine}) {
      BmuResult<S> first;
      for (const Isa level : kernel_levels()) {
        const LevelCap cap(level);
        REQUIRE(active_isa() == level);
        const BmuResult<S> r = find_bmus<S>(X, W, {metric, SecondBmu::find, 2});
        if (level == kernel_levels().front()) {
          first = r;
          continue;
        }
        INFO(features << " features, metric " << int(metric) << ", kernel " << isa_name(level));
        CHECK(r.bmu == first.bmu);
        CHECK(r.second == first.second);
        CHECK(r.distance == first.distance);
      }
    }
  }
  // The cap never goes below the build's own level, and SOMTILE_MAX_ISA names are parsed.
  {
    const LevelCap cap(Isa::baseline);
    CHECK(active_isa() == detail::compiled_isa);
  }
  CHECK(active_isa() == detail::cpu_isa());
  CHECK(std::string(isa_name(Isa::avx2)) == "avx2");
}

// The bool forms of find_bmus stay for one release (deprecated): the same result as the
// BmuSearch form they forward to, and the default search finds no second BMU.
TEST_CASE("find_bmus: deprecated bool forms equal the BmuSearch form", "[bmu][deprecated]") {
  const RowMatrix<double> X = normal_matrix<double>(90, 5, 3), W = normal_matrix<double>(12, 5, 4);
  RowMatrix<double> Xnan = X;
  Xnan(3, 1) = std::numeric_limits<double>::quiet_NaN();
  for (const Distance metric : {Distance::euclidean, Distance::cosine, Distance::manhattan}) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    const BmuResult<double> old2 = find_bmus<double>(X, W, metric, true, 2);
    const BmuResult<double> old1 = find_bmus<double>(X, W, metric, false);
    const BmuResult<double> old_masked = find_bmus<double>(Xnan, W, metric, true, 1, Missing::mask);
#pragma GCC diagnostic pop
    const BmuResult<double> now2 = find_bmus<double>(X, W, {metric, SecondBmu::find, 2});
    CHECK(old2.bmu == now2.bmu);
    CHECK(old2.second == now2.second);
    CHECK(old2.distance == now2.distance);
    const BmuResult<double> now1 = find_bmus<double>(X, W, BmuSearch{metric});
    CHECK(old1.bmu == now1.bmu);
    CHECK(now1.second.size() == 0);
    const BmuResult<double> now_masked = find_bmus<double>(Xnan, W, {metric, SecondBmu::find, 1, Missing::mask});
    CHECK(old_masked.bmu == now_masked.bmu);
    CHECK(old_masked.second == now_masked.second);
  }
  CHECK(find_bmus<double>(X, W).bmu == find_bmus<double>(X, W, {Distance::euclidean, SecondBmu::skip}).bmu);
}

// The bounded search against find_bmus, pass after pass, on codebooks that move like training's:
// a k-means step (every unit to the mean of its samples, blended with where it was), then
// shrinking random moves. Data with exact ties (integer grid, duplicate units) and Gaussian
// blobs; groups from map tiles and from clustering the codebook.
TEMPLATE_TEST_CASE("bounded BMU search equals find_bmus on every pass", "[bmu][bounded]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  struct Case {
    const char* name;
    RowMatrix<S> X, W;
  };
  std::vector<Case> cases;
  {
    const RowMatrix<S> X = six_blobs<S>(test_support::full_or_reduced(900, 400), 9);
    cases.push_back({"blobs", X, RowMatrix<S>(X.topRows(120))});
    RowMatrix<S> Xi = RowMatrix<S>(X.array().round()), Wi = RowMatrix<S>(Xi.middleRows(7, 96));
    Wi.row(40) = Wi.row(3);
    Wi.row(77) = Wi.row(3);
    cases.push_back({"integer grid, duplicate units", Xi, Wi});
    const S huge = std::is_same_v<S, float> ? S(1e19) : S(1e150);
    cases.push_back(
        {"squares overflow", RowMatrix<S>(X.topRows(200) * huge), RowMatrix<S>(X.middleRows(300, 70) * huge)});
  }
  for (const Isa level : kernel_levels())
    for (const Case& c : cases)
      for (const bool second : {true, false})
        for (const int threads : {1, 2})
          for (const bool tiles : {true, false}) {
            const LevelCap cap(level);
            const Index U = c.W.rows();
            auto groups = tiles ? detail::grid_tiles(U / 8, 8, 6) : detail::nearby_groups<S>(c.W, 7);
            detail::BoundedBmuSearch<S> bounded(groups, second, threads);
            RowMatrix<S> W = c.W;
            Random rng(11);
            double least = 1;
            for (int pass = 0; pass < 12; ++pass) {
              INFO(c.name << ", kernel " << isa_name(level) << ", second " << second << ", threads " << threads
                          << ", tiles " << tiles << ", pass " << pass);
              const BmuResult<S> expected =
                  find_bmus<S>(c.X, W, {Distance::euclidean, second ? SecondBmu::find : SecondBmu::skip, 1});
              BmuResult<S> got;
              bounded.search(c.X, W, got);
              REQUIRE(got.bmu == expected.bmu);
              REQUIRE(got.second == expected.second);
              REQUIRE(((got.distance.array() == expected.distance.array()) ||
                       (got.distance.array().isNaN() && expected.distance.array().isNaN()))
                          .all());
              if (pass > 0) least = std::min(least, bounded.stats().scored_fraction);
              // The next codebook: half a k-means step, then a shrinking random move.
              half_kmeans_step(c.X, got.bmu, W);
              const S step = S(0.3) / S(pass + 1) * (std::string(c.name) == "squares overflow" ? S(0) : S(1));
              for (Index u = 0; u < U; ++u)
                if (u % 5 == pass % 5)
                  for (Index j = 0; j < W.cols(); ++j) W(u, j) += step * S(rng.normal());
            }
            // The bounds must rule work out, or the search is a slow full search. (Map tiles of a
            // codebook drawn from the data are not near each other: those bounds do little.)
            if (std::string(c.name) == "blobs" && !tiles) CHECK(least < 0.35);
          }
}

TEMPLATE_TEST_CASE("bounded BMU search in blocks of the samples equals find_bmus on every pass", "[bmu][bounded]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = six_blobs<S>(2000, 9);
  struct Block {  // restored after the test
    double saved = detail::bounded_block_bytes().load();
    ~Block() { detail::bounded_block_bytes().store(saved); }
  } restore;
  // Blocks of 256 rows (the last one shorter): X is 8 blocks.
  detail::bounded_block_bytes().store(256.0 * 9 * sizeof(S));
  // With second BMUs (training), without, and without distances either (k-means: samples whose
  // bounds prove their centre are not read).
  for (const auto& [second, distances] : {std::pair{true, true}, std::pair{false, true}, std::pair{false, false}}) {
    RowMatrix<S> W = X.topRows(120);
    detail::BoundedBmuSearch<S> bounded(detail::nearby_groups<S>(W, 30), second, 2);
    double least = 1;
    for (int pass = 0; pass < 8; ++pass) {
      INFO("second " << second << ", distances " << distances << ", pass " << pass);
      const BmuResult<S> expected =
          find_bmus<S>(X, W, {Distance::euclidean, second ? SecondBmu::find : SecondBmu::skip, 1});
      BmuResult<S> got;
      bounded.search(X, W, got, distances);
      REQUIRE(got.bmu == expected.bmu);
      REQUIRE(got.second == expected.second);
      if (distances) REQUIRE(got.distance == expected.distance);
      if (pass > 0) least = std::min(least, bounded.stats().scored_fraction);
      half_kmeans_step(X, got.bmu, W);
    }
    CHECK(least < 0.75);  // each block kept its bounds
  }
}

TEMPLATE_TEST_CASE("bounded BMU search starts over when the data's shape changes", "[bmu][bounded]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = normal_matrix<S>(300, 4, 5), W = normal_matrix<S>(40, 4, 6);
  detail::BoundedBmuSearch<S> bounded(detail::grid_tiles(5, 8, 6), true, 1);
  BmuResult<S> got;
  bounded.search(X, W, got);
  const RowMatrix<S> fewer = X.topRows(100);
  bounded.search(fewer, W, got);  // 100 samples: the bounds of 300 do not apply
  CHECK(got.bmu == find_bmus<S>(fewer, W, {Distance::euclidean, SecondBmu::find, 1}).bmu);
  CHECK(bounded.stats().scored_fraction == 1.0);
  bounded.reset();
  bounded.search(fewer, W, got);
  CHECK(bounded.stats().scored_fraction == 1.0);
}

TEMPLATE_TEST_CASE("bounded BMU search in chunks equals find_bmus, with states in memory or in a file",
                   "[bmu][bounded][source]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = six_blobs<S>(900, 9);
  const Index chunk = 128, chunks = 8;  // the last one of 4 rows
  struct Limit {                        // bytes of chunk states kept in memory, restored after the test
    std::size_t saved = detail::chunk_bounds_memory().load();
    ~Limit() { detail::chunk_bounds_memory().store(saved); }
  } restore;
  // A state of 128 rows takes about 128 x (12 + 4 groups x 4 + 4) bytes plus its padding.
  const std::size_t limit = GENERATE(std::size_t(0), std::size_t(3) * 5000, std::numeric_limits<std::size_t>::max());
  detail::chunk_bounds_memory().store(limit);
  RowMatrix<S> W = X.topRows(120);
  detail::ChunkBounds<S> bounds(detail::nearby_groups<S>(W, 30), 2);
  Random rng(11);
  double least = 1;
  for (int pass = 0; pass < 8; ++pass) {
    bounds.begin_pass(W);
    if (pass == 4) {  // an interrupted pass: three chunks, then the pass starts over
      BmuResult<S> got;
      for (Index k = 0; k < 3; ++k) bounds.search(X.middleRows(k * chunk, chunk), got);
      bounds.begin_pass(W);
    }
    Labels bmu(X.rows());
    for (Index k = 0; k < chunks; ++k) {
      INFO("limit " << limit << ", pass " << pass << ", chunk " << k);
      const Index first = k * chunk, rows = std::min(chunk, X.rows() - first);
      const RowMatrix<S> part = X.middleRows(first, rows);
      const BmuResult<S> expected = find_bmus<S>(part, W, {Distance::euclidean, SecondBmu::find, 1});
      BmuResult<S> got;
      if (pass == 2 && k == 5) {  // searched elsewhere (a chunk with missing values)
        bounds.skip();
        got = expected;
      } else {
        bounds.search(part, got);
      }
      REQUIRE(got.bmu == expected.bmu);
      REQUIRE(got.second == expected.second);
      REQUIRE(got.distance == expected.distance);
      bmu.segment(first, rows) = got.bmu;
    }
    bounds.end_pass();
    if (pass > 0) least = std::min(least, bounds.stats().scored_fraction);
    // The next codebook: half a k-means step, then a shrinking random move.
    half_kmeans_step(X, bmu, W);
    for (Index u = 0; u < W.rows(); ++u)
      if (u % 5 == pass % 5)
        for (Index j = 0; j < W.cols(); ++j) W(u, j) += S(0.3) / S(pass + 1) * S(rng.normal());
  }
  CHECK(least < 0.75);  // the states carried the bounds from pass to pass (1 without them)
  if (limit == 0) CHECK(bounds.chunks_in_file() == std::size_t(chunks));
  if (limit == std::numeric_limits<std::size_t>::max()) CHECK(bounds.chunks_in_file() == 0);
  if (limit == std::size_t(3) * 5000) {
    CHECK(bounds.chunks_in_file() > 0);
    CHECK(bounds.chunks_in_file() < std::size_t(chunks));
  }
}

#if defined(__linux__)
TEST_CASE("bounded BMU search in chunks: a temporary file that fails is dropped, the results stay exact",
          "[bmu][bounded][source]") {
  using S = double;
  RowMatrix<S> X = normal_matrix<S>(600, 5, 8);
  struct Restore {
    std::size_t limit = detail::chunk_bounds_memory().load();
    std::FILE* (*open)() = detail::chunk_bounds_file().load();
    ~Restore() {
      detail::chunk_bounds_memory().store(limit);
      detail::chunk_bounds_file().store(open);
    }
  } restore;
  detail::chunk_bounds_memory().store(0);
  // A disk that is full (every write fails), and no file at all.
  const auto full = []() -> std::FILE* { return std::fopen("/dev/full", "w+b"); };
  const auto none = []() -> std::FILE* { return nullptr; };
  for (std::FILE* (*open)() : {+full, +none}) {
    detail::chunk_bounds_file().store(open);
    RowMatrix<S> W = X.topRows(80);
    detail::ChunkBounds<S> bounds(detail::nearby_groups<S>(W, 20), 2);
    for (int pass = 0; pass < 4; ++pass) {
      bounds.begin_pass(W);
      for (Index k = 0; k < 6; ++k) {
        const RowMatrix<S> part = X.middleRows(k * 100, 100);
        const BmuResult<S> expected = find_bmus<S>(part, W, {Distance::euclidean, SecondBmu::find, 1});
        BmuResult<S> got;
        CHECK(bounds.search(part, got) == -1);
        REQUIRE(got.bmu == expected.bmu);
        REQUIRE(got.second == expected.second);
        REQUIRE(got.distance == expected.distance);
      }
      bounds.end_pass();
      CHECK(bounds.stats().scored_fraction == 1.0);  // no state came back: every unit scored
      W *= S(0.9);
    }
    CHECK(bounds.chunks_in_file() == 0);
  }
}
#endif
