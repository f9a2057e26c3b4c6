// Online trainer and lattice helpers: steps and whole runs against naive full-lattice loops
// written from NumbaSOM's formulas, hand-computed torus weights, helpers against brute force,
// ordering, normalisation, determinism and error paths.
// Scalars: float and double for the step kernel, normalisation and scaling tolerances,
// determinism, projection (BMU search), huge values, overflow and save/load; double only
// elsewhere.
#include <somtile/core/warning.hpp>
#include <somtile/io.hpp>
#include <somtile/online.hpp>
#include <somtile/preprocessing.hpp>

#include <catch2/catch.hpp>
#include "support/data.hpp"
#include "support/isa_levels.hpp"
#include "support/scalars.hpp"

#include "support/model_file_checks.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

using namespace somtile;
using Catch::Contains;

// The tests keep calling the deprecated train(X, n, normalize) to show it still works.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace {

using test_support::normal_matrix;
using test_support::uniform_matrix;

// Params for a rows x cols map (the tests are C++17: no designated initialisers).
OnlineSomParams grid_params(Index rows, Index cols, bool torus = false, std::uint64_t seed = 42) {
  OnlineSomParams p;
  p.rows = rows;
  p.cols = cols;
  p.torus = torus;
  p.seed = seed;
  return p;
}

double sq_dist(const RowMatrix<double>& A, Index a, const RowMatrix<double>& B, Index b) {
  double d = 0;
  for (Index j = 0; j < A.cols(); ++j) d += (A(a, j) - B(b, j)) * (A(a, j) - B(b, j));
  return d;
}

// Brute-force nearest row of B to row a of A, lowest index on ties.
Index naive_nearest(const RowMatrix<double>& A, Index a, const RowMatrix<double>& B) {
  Index best = 0;
  for (Index b = 1; b < B.rows(); ++b)
    if (sq_dist(A, a, B, b) < sq_dist(A, a, B, best)) best = b;
  return best;
}

// Every unit of the lattice: w_u += lr h(d(bmu, u)) (x - w_u), with the grid's own distances.
void naive_update(RowMatrix<double>& W, const Grid& g, const RowMatrix<double>& X, Index i, Index bmu, double lr,
                  double sigma, Neighborhood kind) {
  for (Index u = 0; u < W.rows(); ++u) {
    const double h = neighborhood_weight(kind, g.distance_sq(bmu, u), sigma);
    for (Index f = 0; f < W.cols(); ++f) W(u, f) += lr * h * (X(i, f) - W(u, f));
  }
}

// The documented algorithm with NumbaSOM's schedule formulas written out literally
// (numbasom/core.py, _som_calc), then `extra` constant steps as partial_fit takes them.
RowMatrix<double> naive_train(const RowMatrix<double>& X, Index rows, Index cols, bool torus, Index T, Index extra,
                              std::uint64_t seed, double lr0 = 0.1) {
  const Grid g(rows, cols, Topology::rectangular, torus);
  Random rng(seed);
  RowMatrix<double> W(g.size(), X.cols());
  for (Index u = 0; u < W.rows(); ++u)
    for (Index f = 0; f < W.cols(); ++f) W(u, f) = rng.uniform(X.col(f).minCoeff(), X.col(f).maxCoeff());
  const double initial_radius = std::pow(double(std::max(rows, cols)) / 2.0, 2);
  const double time_constant = double(T) / std::log(initial_radius);
  double lr = 0, sigma = 0;
  for (Index t = 0; t < T + extra; ++t) {
    if (t < T) {
      sigma = std::sqrt(initial_radius * std::exp(-double(t) / time_constant));
      lr = lr0 * std::exp(-double(t) / double(T));
    }
    const Index i = rng.uniform_index(X.rows());
    naive_update(W, g, X, i, naive_nearest(X, i, W), lr, sigma, Neighborhood::gaussian);
  }
  return W;
}

// Mean feature-space distance between grid neighbours, over that between random unit pairs.
template <typename S>
double neighbour_to_random_ratio(const Lattice<S>& lat) {
  const RowMatrix<double> W = lat.codebook().template cast<double>();
  double near = 0, far = 0;
  Index n_near = 0;
  for (Index r = 0; r < lat.rows(); ++r)
    for (Index c = 0; c + 1 < lat.cols(); ++c, ++n_near)
      near += std::sqrt(sq_dist(W, r * lat.cols() + c, W, r * lat.cols() + c + 1));
  Random rng(5);
  for (Index k = 0; k < n_near; ++k)
    far += std::sqrt(sq_dist(W, rng.uniform_index(W.rows()), W, rng.uniform_index(W.rows())));
  return near / far;
}

}  // namespace

TEMPLATE_TEST_CASE("a windowed online step equals a naive full-lattice update", "[online][step]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const double eps = 1e-6;
  const double tol = std::is_same_v<S, float> ? 2e-6 : 1e-14;  // rounding
  Random pick(17);
  for (bool torus : {false, true}) {
    for (auto [rows, cols] : {std::pair<Index, Index>{7, 9}, {6, 5}, {1, 12}, {11, 3}}) {
      const Grid g(rows, cols, Topology::rectangular, torus);
      for (auto kind :
           {Neighborhood::gaussian, Neighborhood::bubble, Neighborhood::triangle, Neighborhood::mexican_hat}) {
        for (double sigma : {0.4, 0.7, 1.5, 2.5, 12.0}) {
          INFO("torus " << torus << ", " << rows << " x " << cols << ", kernel " << int(kind) << ", sigma " << sigma);
          const RowMatrix<S> W0 = normal_matrix<S>(g.size(), 3, pick());
          const RowMatrix<S> X = normal_matrix<S>(1, 3, pick());
          const Index bmu = pick.uniform_index(g.size());
          const double lr = 0.3;
          RowMatrix<double> naive = W0.template cast<double>();
          naive_update(naive, g, X.template cast<double>(), 0, bmu, lr, sigma, kind);

          RowMatrix<S> Wt = W0.transpose();
          detail::OnlineScratch<S> scratch(g);
          const double radius = neighborhood_radius(kind, sigma, eps);
          detail::online_update(Wt, g, X.data(), bmu, lr, sigma, kind, radius, scratch);
          const RowMatrix<double> windowed = Wt.transpose().template cast<double>();
          // Skipped units have |h| < eps, so each misses at most lr eps |x - w|.
          const double skipped = lr * eps * (naive.rowwise() - X.row(0).template cast<double>()).cwiseAbs().maxCoeff();
          CHECK((windowed - naive).cwiseAbs().maxCoeff() <= tol + skipped);
          // Units outside the square window of the kernel's support are not touched at all.
          for (Index u = 0; u < g.size(); ++u) {
            const Grid::Offset o = g.offset(bmu, u);
            if (double(std::max(o.rows, o.half_cols / 2)) > radius) CHECK(Wt.col(u) == W0.row(u).transpose());
          }
        }
      }
    }
  }
}

TEMPLATE_TEST_CASE("online step kernels equal a naive loop at every level; the FMA levels agree bit for bit",
                   "[online][step][isa]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  using test_support::multiply_add;
  // Unit counts around the vector widths and the 256-unit chunks, feature counts with and
  // without an unrolled kernel; copies of the nearest unit make exact ties.
  const std::vector<Index> unit_counts = {1, 7, 16, 33, 255, 257, 600};
  const std::vector<Index> feature_counts = {1, 2, 3, 4, 5, 9};
  std::vector<std::vector<S>> results;  // per level: every distance and updated weight, in order
  std::vector<std::vector<Index>> units_found;
  for (const Isa level : test_support::kernel_levels()) {
    const test_support::LevelCap cap(level);
    const detail::OnlineKernels<S> kernels = detail::online_kernels<S>();
    std::vector<S> all;
    std::vector<Index> found;
    bool rounding_fits[2] = {true, true};  // every case so far fits the unfused / fused oracle
    std::uint64_t seed = 1;
    for (const Index units : unit_counts)
      for (const Index F : feature_counts) {
        INFO("level " << isa_name(level) << ", " << units << " units, " << F << " features");
        RowMatrix<S> Wt = test_support::normal_matrix<S>(F, units, seed++);
        const RowMatrix<S> x = test_support::normal_matrix<S>(1, F, seed++);
        // The nearest unit by the double oracle, copied to two later units: a three-way tie.
        Index near = 0;
        double least = std::numeric_limits<double>::infinity();
        for (Index u = 0; u < units; ++u) {
          const double d =
              (Wt.col(u).template cast<double>() - x.row(0).transpose().template cast<double>()).squaredNorm();
          if (d < least) {
            least = d;
            near = u;
          }
        }
        for (Index u = near + 3; u < units; u += 97) Wt.col(u) = Wt.col(near);
        std::vector<const S*> rows(static_cast<std::size_t>(F));
        std::vector<S*> wrows(static_cast<std::size_t>(F));
        for (Index k = 0; k < F; ++k) rows[std::size_t(k)] = wrows[std::size_t(k)] = Wt.row(k).data();
        std::vector<S> distances(std::size_t(units), S(-1));
        const detail::Nearest<S> nearest = kernels.nearest({rows.data(), x.data(), F}, units, distances.data());
        // Each distance is the sum over the features in order, all fused or all rounded first;
        // the nearest unit is the first with the least.
        for (const bool fused : {false, true}) {
          std::vector<S> oracle(static_cast<std::size_t>(units));
          for (Index u = 0; u < units; ++u) {
            S acc = 0;
            for (Index k = 0; k < F; ++k) acc = multiply_add(Wt(k, u) - x(0, k), Wt(k, u) - x(0, k), acc, fused);
            oracle[std::size_t(u)] = acc;
          }
          const Index lowest = Index(std::min_element(oracle.begin(), oracle.end()) - oracle.begin());
          rounding_fits[fused] =
              rounding_fits[fused] && nearest.unit == lowest && nearest.distance == oracle[std::size_t(lowest)];
        }
        CHECK((rounding_fits[0] || rounding_fits[1]));
        CHECK(nearest.unit <= near);  // ties go to the first of the copies
        all.push_back(nearest.distance);
        found.push_back(nearest.unit);

        // The units [first, units) of a one-row lattice, in every feature, moved with rates
        // row_factor * rate[c].
        const Index first = units / 3;
        const RowMatrix<S> rate = test_support::uniform_matrix<S>(1, units, seed++);
        const S row_factor = S(0.8125);
        const RowMatrix<S> W0 = Wt;
        kernels.update({wrows.data(),
                        x.data(),
                        F,
                        units,
                        {0, 0},
                        {1, 0},
                        {first, 0},
                        {units, 0},
                        1,
                        1,
                        &row_factor,
                        rate.data(),
                        0});
        for (const bool fused : {false, true}) {
          bool same = true;
          for (Index k = 0; k < F; ++k)
            for (Index u = 0; u < units; ++u) {
              const S expect = u < first
                                   ? W0(k, u)
                                   : multiply_add(S(row_factor * rate(0, u)), S(x(0, k) - W0(k, u)), W0(k, u), fused);
              same = same && Wt(k, u) == expect;
            }
          rounding_fits[fused] = rounding_fits[fused] && same;
        }
        CHECK((rounding_fits[0] || rounding_fits[1]));
        all.insert(all.end(), Wt.data(), Wt.data() + Wt.size());
      }
    results.push_back(all);
    units_found.push_back(found);
  }
  const std::vector<Isa> levels = test_support::kernel_levels();
  for (std::size_t l = 1; l < levels.size(); ++l) {
    CHECK(units_found[l] == units_found[0]);
    if (levels[l - 1] != Isa::baseline) CHECK(results[l] == results[l - 1]);
  }
  // Squares that overflow give an infinite least distance (nearest_unit then compares the
  // distances themselves).
  const RowMatrix<S> huge = RowMatrix<S>::Constant(2, 5, std::numeric_limits<S>::max() / 4);
  const S x[2] = {-std::numeric_limits<S>::max() / 4, S(0)};
  const S* rows[2] = {huge.row(0).data(), huge.row(1).data()};
  std::vector<S> distances(5);
  CHECK(std::isinf(detail::online_kernels<S>().nearest({rows, x, 2}, 5, distances.data()).distance));
}

TEST_CASE("the Gaussian's exponentials: within 4 epsilon of std::exp at every level, the same bits at the FMA levels",
          "[online][step][isa]") {
  // exp(scale d^2) for grid offsets d, as a step asks for them; lengths around the vector widths,
  // scales down to where the arguments pass -700 (there std::exp takes over) and underflow.
  std::vector<double> offset_sq(301);
  for (std::size_t d = 0; d < offset_sq.size(); ++d) offset_sq[d] = double(d) * double(d);
  std::vector<std::vector<double>> results;
  for (const Isa level : test_support::kernel_levels()) {
    const test_support::LevelCap cap(level);
    const detail::OnlineKernels<double> kernels = detail::online_kernels<double>();
    std::vector<double> all;
    for (const double sigma : {0.3, 1.0, 2.7, 7.5, 50.0, 1e4})
      for (const Index n : {1, 2, 3, 7, 8, 9, 13, 101, 301}) {
        INFO("level " << isa_name(level) << ", sigma " << sigma << ", " << n << " offsets");
        const double scale = -1.0 / (2.0 * sigma * sigma);
        std::vector<double> out(std::size_t(n) + 1, -1.0);
        kernels.exp_scaled(offset_sq.data(), n, scale, out.data());
        for (Index d = 0; d < n; ++d) {
          const double expect = std::exp(scale * offset_sq[std::size_t(d)]);
          CHECK(std::abs(out[std::size_t(d)] - expect) <= 4 * std::numeric_limits<double>::epsilon() * expect);
        }
        CHECK(out[std::size_t(n)] == -1.0);  // nothing written past n
        all.insert(all.end(), out.begin(), out.end());
      }
    results.push_back(all);
  }
  const std::vector<Isa> levels = test_support::kernel_levels();
  for (std::size_t l = 1; l < levels.size(); ++l)
    if (levels[l - 1] != Isa::baseline) CHECK(results[l] == results[l - 1]);
}

TEMPLATE_TEST_CASE("OnlineSom trains the same bits at the FMA levels", "[online][isa]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = test_support::uniform_matrix<S>(200, 3, 4);
  for (const bool torus : {false, true}) {
    std::vector<RowMatrix<S>> lattices;
    for (const Isa level : test_support::kernel_levels()) {
      if (level == Isa::baseline) continue;  // rounds differently (no FMA)
      const test_support::LevelCap cap(level);
      OnlineSomParams p;
      p.rows = 13;
      p.cols = 21;
      p.torus = torus;
      OnlineSom<S> som(p);
      lattices.push_back(som.train(X, 3000).codebook());
    }
    for (std::size_t k = 1; k < lattices.size(); ++k) CHECK(lattices[k] == lattices[0]);
  }
}

TEMPLATE_TEST_CASE("torus steps wrap around the lattice edges", "[online][torus]", double) {
  using S = TestType;
  const double lr = 0.5, sigma = 1.0;
  for (bool torus : {false, true}) {
    const Grid g(6, 8, Topology::rectangular, torus);
    RowMatrix<S> Wt = RowMatrix<S>::Zero(1, g.size());
    const S x[1] = {S(1)};
    detail::OnlineScratch<S> scratch(g);
    detail::online_update(Wt, g, x, g.unit(0, 0), lr, sigma, Neighborhood::gaussian,
                          neighborhood_radius(Neighborhood::gaussian, sigma), scratch);
    // Hand-computed Gaussian weights from the minimum-image offsets (rows, cols).
    auto expect = [&](Index dr, Index dc) { return S(lr * std::exp(-double(dr * dr + dc * dc) / 2.0)); };
    const double tol = 1e-6;
    CHECK(double(Wt(0, g.unit(0, 0))) == Approx(lr).margin(tol));
    CHECK(double(Wt(0, g.unit(0, 1))) == Approx(expect(0, 1)).margin(tol));
    if (torus) {
      CHECK(double(Wt(0, g.unit(0, 7))) == Approx(expect(0, 1)).margin(tol));
      CHECK(double(Wt(0, g.unit(5, 0))) == Approx(expect(1, 0)).margin(tol));
      CHECK(double(Wt(0, g.unit(5, 7))) == Approx(expect(1, 1)).margin(tol));
      CHECK(double(Wt(0, g.unit(4, 6))) == Approx(expect(2, 2)).margin(tol));
      CHECK(double(Wt(0, g.unit(3, 4))) == Approx(expect(3, 4)).margin(tol));  // farthest cell
    } else {
      CHECK(double(Wt(0, g.unit(0, 7))) == Approx(expect(0, 7)).margin(tol));
      CHECK(Wt(0, g.unit(5, 7)) == S(0));  // d^2 = 74: outside the window, never touched
    }
  }
}

TEST_CASE("train and partial_fit follow NumbaSOM's schedules step by step", "[online][oracle]") {
  const RowMatrix<double> X = uniform_matrix<double>(40, 3, 3);
  for (bool torus : {false, true}) {
    INFO("torus " << torus);
    OnlineSomParams p = grid_params(8, 12, torus, 9);
    p.kernel_epsilon = 1e-13;
    OnlineSom<double> som(p);
    CHECK(som.initial_sigma() == 6.0);
    const Lattice<double> trained = som.train(X, 300);
    const RowMatrix<double> naive = naive_train(X, 8, 12, torus, 300, 0, 9);
    CHECK((trained.codebook() - naive).cwiseAbs().maxCoeff() < 1e-9);

    const Lattice<double> continued = som.partial_fit(X, 120);
    const RowMatrix<double> naive_continued = naive_train(X, 8, 12, torus, 300, 120, 9);
    CHECK((continued.codebook() - naive_continued).cwiseAbs().maxCoeff() < 1e-9);
    CHECK((continued.codebook() - trained.codebook()).cwiseAbs().maxCoeff() > 1e-3);
    CHECK(som.n_iterations() == 420);
  }
}

TEMPLATE_TEST_CASE("ordering emerges on the colour data", "[online][ordering]", double) {
  using S = TestType;
  const RowMatrix<S> colours = uniform_matrix<S>(200, 3, 1);
  for (bool torus : {false, true}) {
    INFO("torus " << torus);
    OnlineSom<S> som(grid_params(15, 20, torus));
    const Lattice<S> initial = som.train(colours, 1);  // one step: essentially the random start
    const Lattice<S> trained = som.train(colours, 4000);
    // Random start: neighbours as far apart as any pair; trained: several times closer.
    CHECK(neighbour_to_random_ratio(initial) > 0.7);
    CHECK(neighbour_to_random_ratio(trained) < 0.25);
  }
}

TEMPLATE_TEST_CASE("normalize trains in [0, 1] and returns the lattice in data units", "[online][normalize]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  RowMatrix<S> X = uniform_matrix<S>(60, 3, 4);
  X.col(0) = (X.col(0).array() * S(100) + S(500)).matrix();
  X.col(1) = (X.col(1).array() * S(0.001) - S(3)).matrix();
  X.col(2).setConstant(S(7));  // constant feature: trains as 0, maps back to 7
  const Eigen::Array<S, 1, Eigen::Dynamic> lo = X.colwise().minCoeff().array(), hi = X.colwise().maxCoeff().array();
  const OnlineSomParams p = grid_params(6, 7);
  OnlineSom<S> som(p);
  const Lattice<S> lat = som.train(X, 500, true);

  // Oracle: scale by hand, train without normalisation, map back by hand.
  RowMatrix<S> Xs = X;
  for (Index j = 0; j < 2; ++j) Xs.col(j) = ((X.col(j).array() - lo[j]) / (hi[j] - lo[j])).matrix();
  Xs.col(2).setZero();
  OnlineSom<S> plain(p);
  RowMatrix<S> expected = plain.train(Xs, 500).codebook();
  const double tol = std::is_same_v<S, float> ? 1e-4 : 1e-10;
  for (Index j = 0; j < 3; ++j) {
    const RowMatrix<S> back = expected.col(j).array() * (hi[j] - lo[j]) + lo[j];
    CHECK((lat.codebook().col(j) - back).cwiseAbs().maxCoeff() <= tol * std::max(S(1), std::abs(lo[j])));
    // Each unit is a convex mixture of its start and samples: inside the data's range.
    CHECK((lat.codebook().col(j).array() >= lo[j] - S(tol)).all());
    CHECK((lat.codebook().col(j).array() <= hi[j] + S(tol)).all());
  }
  CHECK(lat.codebook().col(0).maxCoeff() > 550);

  // partial_fit scales new data with the training min/max.
  const RowMatrix<S> more = X.topRows(10);
  const Lattice<S> cont = som.partial_fit(more, 100);
  expected = plain.partial_fit(Xs.topRows(10), 100).codebook();
  const RowMatrix<S> back0 = expected.col(0).array() * (hi[0] - lo[0]) + lo[0];
  CHECK((cont.codebook().col(0) - back0).cwiseAbs().maxCoeff() <= tol * 500);
}

TEST_CASE("learning_rate_final follows learning_rate: NumbaSOM's lr0 exp(-t / T) for any lr0", "[online][oracle]") {
  const RowMatrix<double> X = uniform_matrix<double>(40, 3, 3);
  OnlineSomParams p = grid_params(6, 9, false, 9);
  p.kernel_epsilon = 1e-13;
  p.learning_rate = 0.3;
  OnlineSom<double> som(p);
  CHECK_FALSE(som.params().learning_rate_final.has_value());
  CHECK(final_learning_rate(som.params()) == Approx(0.3 / std::exp(1.0)));
  const RowMatrix<double> naive = naive_train(X, 6, 9, false, 250, 0, 9, 0.3);
  CHECK((som.train(X, 250).codebook() - naive).cwiseAbs().maxCoeff() < 1e-9);
  // A fixed end point (the old default 0.1 / e) changes the decay's shape: another lattice.
  p.learning_rate_final = 0.1 / std::exp(1.0);
  OnlineSom<double> fixed(p);
  CHECK((fixed.train(X, 250).codebook() - naive).cwiseAbs().maxCoeff() > 1e-3);
  // Saved and loaded: unset stays unset (version 2); a version 1 file held a number.
  for (bool set : {false, true}) {
    OnlineSomParams q = p;
    if (!set) q.learning_rate_final.reset();
    OnlineSom<double> m(q);
    m.train(X, 50);
    save(m, "online_lr.bin");
    CHECK(load_online_som<double>("online_lr.bin").params().learning_rate_final == q.learning_rate_final);
    detail::ModelWriter v1(1);
    v1(m);
    v1.save("online_lr.bin", "OnlineSom", sizeof(double));
    const OnlineSom<double> old = load_online_som<double>("online_lr.bin");
    REQUIRE(old.params().learning_rate_final.has_value());
    CHECK(*old.params().learning_rate_final == final_learning_rate(q));
    CHECK(old.lattice().codebook() == m.lattice().codebook());
  }
  std::remove("online_lr.bin");
}

TEST_CASE("OnlineSom warns when sigma is wider than the lattice", "[online][warning]") {
  std::vector<std::string> warnings;
  ScopedWarningHandler capture([&](std::string_view w) { warnings.emplace_back(w); });
  OnlineSomParams p = grid_params(5, 5);
  OnlineSom<double> fine(p);  // NumbaSOM's default sigma, max(rows, cols) / 2
  p.sigma = 7.0;              // diagonal sqrt(50) = 7.07
  OnlineSom<double> also_fine(p);
  CHECK(warnings.empty());
  p.sigma = 8.0;
  OnlineSom<double> wide(p);
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::StartsWith("OnlineSom(): sigma = 8 is larger than the map"));
}

TEMPLATE_TEST_CASE("normalize in the lattice helpers: X and the lattice min-max scaled by X (NumbaSOM's normalize)",
                   "[lattice][normalize]", double) {
  using S = TestType;
  RowMatrix<S> X = uniform_matrix<S>(50, 3, 8);
  X.col(0) = (X.col(0).array() * S(1000) + S(20)).matrix();  // would dominate unscaled distances
  X.col(2).setConstant(S(4));                                // constant: scaled to 0, ignored
  OnlineSom<S> som(grid_params(6, 7, false, 2));
  const Lattice<S> lat = som.train(X, 600, /*normalize=*/true);
  // Oracle: scale both by hand with X's min and max, then the plain helpers.
  const Eigen::Array<S, 1, Eigen::Dynamic> lo = X.colwise().minCoeff().array(), hi = X.colwise().maxCoeff().array();
  RowMatrix<S> Xs = X, Ws = lat.codebook();
  for (Index j = 0; j < 3; ++j)
    for (RowMatrix<S>* M : {&Xs, &Ws}) {
      if (hi[j] > lo[j])
        M->col(j) = ((M->col(j).array() - lo[j]) / (hi[j] - lo[j])).matrix();
      else
        M->col(j).setZero();
    }
  const Lattice<S> scaled(lat.grid(), Ws);
  CHECK(project_on_lattice<S>(X, lat, true) == project_on_lattice<S>(Xs, scaled));
  const Labels labels = Labels::LinSpaced(X.rows(), 100, 100 + X.rows() - 1);
  CHECK(project_on_lattice<S>(X, lat, labels, true) == project_on_lattice<S>(Xs, scaled, labels));
  CHECK(lattice_closest_vectors<S>(X, lat, true) == lattice_closest_vectors<S>(Xs, scaled));
  CHECK(lattice_closest_vectors<S>(X, lat, labels, true) == lattice_closest_vectors<S>(Xs, scaled, labels));
  const auto a = lattice_activations<S>(X, lat, 4.0, true), b = lattice_activations<S>(Xs, scaled, 4.0);
  for (std::size_t i = 0; i < a.size(); ++i) CHECK((a[i] - b[i]).cwiseAbs().maxCoeff() < 1e-5);
  // With X the training data, the BMUs are those of the trainer's own [0, 1] space; unscaled,
  // feature 0 (range 1000) decides alone and some samples land elsewhere.
  const auto plain = project_on_lattice<S>(X, lat);
  CHECK(plain != project_on_lattice<S>(X, lat, true));
}

TEMPLATE_TEST_CASE("the same seed gives the same lattice; helpers ignore the thread count", "[online][determinism]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = uniform_matrix<S>(80, 4, 6);
  OnlineSom<S> a(grid_params(9, 10, true, 3));
  OnlineSom<S> b(grid_params(9, 10, true, 3));
  OnlineSom<S> c(grid_params(9, 10, true, 4));
  const Lattice<S> la = a.train(X, 700);
  CHECK(la.codebook() == b.train(X, 700).codebook());
  CHECK(la.codebook() != c.train(X, 700).codebook());
  CHECK(a.train(X, 700).codebook() == la.codebook());  // train() restarts from the seed
  CHECK(a.partial_fit(X, 50).codebook() == b.partial_fit(X, 50).codebook());

  for (bool normalize : {false, true}) {
    CHECK(project_on_lattice<S>(X, la, normalize, 1) == project_on_lattice<S>(X, la, normalize, 2));
    CHECK(lattice_closest_vectors<S>(X, la, normalize, 1) == lattice_closest_vectors<S>(X, la, normalize, 2));
  }
  const auto act1 = lattice_activations<S>(X, la, 3.0, false, 1), act2 = lattice_activations<S>(X, la, 3.0, false, 2);
  for (std::size_t i = 0; i < act1.size(); ++i) CHECK(act1[i] == act2[i]);
}

TEMPLATE_TEST_CASE("lattice accessors and the U-matrix match NumbaSOM's definitions", "[lattice][umatrix]", double) {
  using S = TestType;
  for (bool torus : {false, true}) {
    const Index R = 4, C = 5;
    const RowMatrix<S> W = normal_matrix<S>(R * C, 3, 8);
    const Lattice<S> lat(Grid(R, C, Topology::rectangular, torus), W);
    CHECK(lat.rows() == R);
    CHECK(lat.cols() == C);
    CHECK(lat.n_features() == 3);
    CHECK(lat(2, 3) == W.row(2 * C + 3));

    const RowMatrix<double> u = u_matrix(lat);
    const RowMatrix<double> Wd = W.template cast<double>();
    for (Index r = 0; r < R; ++r)
      for (Index c = 0; c < C; ++c) {
        double sum = 0;
        int count = 0;
        for (Index dr = -1; dr <= 1; ++dr)
          for (Index dc = -1; dc <= 1; ++dc) {
            if (dr == 0 && dc == 0) continue;
            Index rr = r + dr, cc = c + dc;
            if (torus) {
              rr = (rr + R) % R;
              cc = (cc + C) % C;
            } else if (rr < 0 || rr >= R || cc < 0 || cc >= C) {
              continue;
            }
            sum += std::sqrt(sq_dist(Wd, r * C + c, Wd, rr * C + cc));
            ++count;
          }
        CHECK(u(r, c) == Approx(sum / count).epsilon(1e-5));
      }
  }
  const Lattice<S> single(Grid(1, 1), RowMatrix<S>::Ones(1, 2));
  CHECK(u_matrix(single)(0, 0) == 0.0);
}

TEMPLATE_TEST_CASE("projection and closest vectors equal brute force", "[lattice][projection]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = normal_matrix<S>(50, 3, 10);
  const RowMatrix<S> W = normal_matrix<S>(6 * 4, 3, 11);
  const Lattice<S> lat(Grid(6, 4), W);
  const RowMatrix<double> Xd = X.template cast<double>(), Wd = W.template cast<double>();
  Labels labels(X.rows());
  for (Index i = 0; i < labels.size(); ++i) labels[i] = 100 + 3 * i;

  const LatticeProjection cells = project_on_lattice<S>(X, lat);
  const LatticeProjection labelled = project_on_lattice<S>(X, lat, labels);
  REQUIRE(cells.size() == 24);
  std::vector<std::vector<Index>> expected(24);
  for (Index i = 0; i < X.rows(); ++i) expected[std::size_t(naive_nearest(Xd, i, Wd))].push_back(i);
  CHECK(cells == expected);
  for (std::size_t u = 0; u < cells.size(); ++u) {
    REQUIRE(labelled[u].size() == cells[u].size());
    for (std::size_t k = 0; k < cells[u].size(); ++k) CHECK(labelled[u][k] == labels[cells[u][k]]);
  }

  const CellIndexMap closest = lattice_closest_vectors<S>(X, lat);
  const CellIndexMap closest_labels = lattice_closest_vectors<S>(X, lat, labels);
  REQUIRE(closest.rows() == 6);
  REQUIRE(closest.cols() == 4);
  for (Index r = 0; r < 6; ++r)
    for (Index c = 0; c < 4; ++c) {
      CHECK(closest(r, c) == naive_nearest(Wd, r * 4 + c, Xd));
      CHECK(closest_labels(r, c) == labels[closest(r, c)]);
    }
}

TEMPLATE_TEST_CASE("activations follow NumbaSOM's formula and peak at the BMU", "[lattice][activations]", double) {
  using S = TestType;
  const RowMatrix<S> X = uniform_matrix<S>(8, 3, 12);
  const RowMatrix<S> W = uniform_matrix<S>(5 * 7, 3, 13);
  const Lattice<S> lat(Grid(5, 7), W);
  const RowMatrix<double> Xd = X.template cast<double>(), Wd = W.template cast<double>();
  for (double exponent : {1.0, 8.0, 0.5}) {
    INFO("exponent " << exponent);
    const auto maps = lattice_activations<S>(X, lat, exponent);
    REQUIRE(maps.size() == 8);
    // Oracle: all squared distances, global max, power, global min-max scaling.
    double max_d = 0;
    for (Index i = 0; i < 8; ++i)
      for (Index u = 0; u < 35; ++u) max_d = std::max(max_d, sq_dist(Xd, i, Wd, u));
    std::vector<double> a;
    for (Index i = 0; i < 8; ++i)
      for (Index u = 0; u < 35; ++u) a.push_back(std::pow(max_d - sq_dist(Xd, i, Wd, u), exponent));
    const double lo = *std::min_element(a.begin(), a.end()), hi = *std::max_element(a.begin(), a.end());
    for (Index i = 0; i < 8; ++i) {
      REQUIRE(maps[std::size_t(i)].rows() == 5);
      REQUIRE(maps[std::size_t(i)].cols() == 7);
      for (Index u = 0; u < 35; ++u)
        CHECK(maps[std::size_t(i)].data()[u] == Approx((a[std::size_t(i * 35 + u)] - lo) / (hi - lo)).margin(1e-5));
      Index peak_row, peak_col;
      maps[std::size_t(i)].maxCoeff(&peak_row, &peak_col);
      CHECK(peak_row * 7 + peak_col == naive_nearest(Xd, i, Wd));
    }
  }
  // Every cell equally close (one sample, one cell): all ones.
  const Lattice<S> single(Grid(1, 1), RowMatrix<S>::Zero(1, 3));
  CHECK(lattice_activations<S>(X.topRows(1), single)[0](0, 0) == 1.0);
}

TEMPLATE_TEST_CASE("online trainer and lattice helpers reject bad input", "[online][errors]", double) {
  using S = TestType;
  // Default params with one field changed.
  auto make = [](auto change) {
    OnlineSomParams p;
    change(p);
    return OnlineSom<S>(p);
  };
  using P = OnlineSomParams&;
  CHECK_THROWS_AS(make([](P p) { p.rows = 0; }), ParameterError);
  CHECK_THROWS_WITH(make([](P p) { p.rows = 0; }), "OnlineSom(): rows must be > 0, got 0");
  CHECK_THROWS_WITH(make([](P p) { p.cols = -2; }), "OnlineSom(): cols must be > 0, got -2");
  CHECK_THROWS_AS(make([](P p) { p.learning_rate = 0; }), ParameterError);
  CHECK_THROWS_WITH(make([](P p) { p.learning_rate = 0; }), "OnlineSom(): learning_rate must be > 0, got 0");
  CHECK_THROWS_WITH(make([](P p) { p.sigma = -1; }), "OnlineSom(): sigma must be >= 0, got -1");
  CHECK_THROWS_WITH(make([](P p) { p.learning_rate_final = 0; }),
                    "OnlineSom(): learning_rate_final must be > 0, got 0");
  CHECK_THROWS_WITH(make([](P p) { p.sigma_final = -0.5; }), "OnlineSom(): sigma_final must be > 0, got -0.5");
  CHECK_NOTHROW(make([](P p) {
    p.sigma_final = 0;  // only Decay::exponential uses it
    p.sigma_decay = Decay::linear_to_zero;
  }));
  CHECK_THROWS_AS(make([](P p) { p.kernel_epsilon = 1; }), ParameterError);
  CHECK_THROWS_WITH(make([](P p) { p.kernel_epsilon = 0; }), "OnlineSom(): kernel_epsilon must be in (0, 1), got 0");

  OnlineSom<S> som(grid_params(3, 4));
  CHECK_THROWS_AS(som.lattice(), NotFittedError);
  CHECK_THROWS_WITH(som.lattice(), Contains("OnlineSom::lattice(): this OnlineSom is not trained yet"));
  const RowMatrix<S> X = uniform_matrix<S>(20, 3, 14);
  const RowMatrix<S> empty(0, 3);
  CHECK_THROWS_AS(som.train(empty, 10), InputError);
  CHECK_THROWS_WITH(som.train(empty, 10), "OnlineSom::train(): X has no samples (0 rows)");
  RowMatrix<S> bad = X;
  bad(4, 1) = std::numeric_limits<S>::quiet_NaN();
  CHECK_THROWS_AS(som.train(bad, 10), InputError);
  CHECK_THROWS_WITH(som.train(bad, 10), Contains("OnlineSom::train(): X must be finite, but X(4, 1) = "));
  CHECK_THROWS_AS(som.train(X, 0), ParameterError);
  CHECK_THROWS_WITH(som.train(X, 0), "OnlineSom::train(): num_iterations must be > 0, got 0");
  CHECK_THROWS_WITH(som.partial_fit(X, -1), "OnlineSom::partial_fit(): num_iterations must be > 0, got -1");
  CHECK_FALSE(som.is_fitted());

  const Lattice<S> lat = som.train(X, 50);
  const RowMatrix<S> two = uniform_matrix<S>(5, 2, 15);
  CHECK_THROWS_AS(som.partial_fit(two, 5), InputError);
  CHECK_THROWS_WITH(som.partial_fit(two, 5),
                    "OnlineSom::partial_fit(): X has 2 features, but this OnlineSom expects 3");
  CHECK_THROWS_WITH(som.partial_fit(bad, 5), Contains("OnlineSom::partial_fit(): X must be finite"));
  CHECK_THROWS_WITH(som.partial_fit(X, 0), "OnlineSom::partial_fit(): num_iterations must be > 0, got 0");
  CHECK_THROWS_AS(som.train(X, 0), ParameterError);
  CHECK(som.lattice().codebook() == lat.codebook());  // failed calls leave the lattice intact
  CHECK(som.n_iterations() == 50);

  CHECK_THROWS_AS(project_on_lattice<S>(two, lat), InputError);
  CHECK_THROWS_WITH(project_on_lattice<S>(two, lat),
                    "project_on_lattice(): X has 2 features, but this Lattice expects 3");
  CHECK_THROWS_WITH(project_on_lattice<S>(empty, lat), "project_on_lattice(): X has no samples (0 rows)");
  CHECK_THROWS_AS(project_on_lattice<S>(X, lat, Labels::Zero(3)), InputError);
  CHECK_THROWS_WITH(project_on_lattice<S>(X, lat, Labels::Zero(3)),
                    "project_on_lattice(): labels has 3 labels, but X has 20 samples");
  CHECK_THROWS_WITH(lattice_closest_vectors<S>(two, lat),
                    "lattice_closest_vectors(): X has 2 features, but this Lattice expects 3");
  CHECK_THROWS_WITH(lattice_closest_vectors<S>(bad, lat), Contains("lattice_closest_vectors(): X must be finite"));
  CHECK_THROWS_WITH(lattice_closest_vectors<S>(X, lat, Labels::Zero(21)),
                    "lattice_closest_vectors(): labels has 21 labels, but X has 20 samples");
  CHECK_THROWS_AS(lattice_activations<S>(two, lat), InputError);
  CHECK_THROWS_WITH(lattice_activations<S>(two, lat),
                    "lattice_activations(): X has 2 features, but this Lattice expects 3");
  CHECK_THROWS_AS(lattice_activations<S>(X, lat, 0.0), ParameterError);
  CHECK_THROWS_WITH(lattice_activations<S>(X, lat, -2.0), "lattice_activations(): exponent must be > 0, got -2");

  CHECK_THROWS_AS(Lattice<S>(Grid(3, 4), RowMatrix<S>::Zero(11, 2)), InputError);
  CHECK_THROWS_WITH(Lattice<S>(Grid(3, 4), RowMatrix<S>::Zero(11, 2)),
                    "Lattice(): the codebook has 11 rows, but the 3 x 4 grid has 12 units");
  CHECK_THROWS_AS(Lattice<S>(Grid(2, 2, Topology::hexagonal), RowMatrix<S>::Zero(4, 2)), ParameterError);
  CHECK_THROWS_WITH(Lattice<S>(Grid(2, 2, Topology::hexagonal), RowMatrix<S>::Zero(4, 2)),
                    "Lattice(): the grid must be rectangular, got a hexagonal one");
}

// ---- degenerate inputs ------------------------------------------------------------------------

TEMPLATE_TEST_CASE("OnlineSom: one sample or identical rows put every unit on that sample", "[online][degenerate]",
                   double) {
  using S = TestType;
  const RowMatrix<S> one = (RowMatrix<S>(1, 3) << S(0.5), S(-2), S(3)).finished();
  const RowMatrix<S> same = one.replicate(5, 1);
  for (const RowMatrix<S>* X : {&one, &same})
    for (Index rows : {1, 3})
      for (Index cols : {1, 4})
        for (bool torus : {false, true})
          for (bool normalize : {false, true}) {
            INFO("lattice " << rows << " x " << cols << " torus " << torus << " normalize " << normalize);
            OnlineSom<S> som(grid_params(rows, cols, torus));
            const Lattice<S> lat = som.train(*X, 30, normalize);
            for (Index u = 0; u < rows * cols; ++u) CHECK(lat.codebook().row(u) == one.row(0));
            CHECK(som.partial_fit(*X, 5).codebook() == lat.codebook());
            CHECK(u_matrix(lat).cwiseAbs().maxCoeff() == 0.0);
            CHECK(project_on_lattice<S>(*X, lat)[0].size() == std::size_t(X->rows()));  // ties: unit 0
            CHECK((lattice_closest_vectors<S>(*X, lat).array() == 0).all());
            CHECK(lattice_activations<S>(*X, lat, 8.0)[0].minCoeff() == 1.0);  // all equally close
          }
}

TEST_CASE("OnlineSom on 1 x 1 and 1 x N lattices follows the naive NumbaSOM loop", "[online][degenerate]") {
  const RowMatrix<double> X = uniform_matrix<double>(25, 2, 21);
  for (Index cols : {1, 2, 7})
    for (bool torus : {false, true}) {
      INFO("1 x " << cols << " torus " << torus);
      OnlineSomParams p = grid_params(1, cols, torus, 4);
      p.kernel_epsilon = 1e-13;
      OnlineSom<double> som(p);
      const Lattice<double> lat = som.train(X, 200);
      CHECK((lat.codebook() - naive_train(X, 1, cols, torus, 200, 0, 4)).cwiseAbs().maxCoeff() < 1e-9);
      const Labels labels = Labels::LinSpaced(25, -12, 12);  // negative labels pass through
      const auto cells = project_on_lattice<double>(X, lat, labels);
      for (Index i = 0; i < 25; ++i) {
        const auto& cell = cells[std::size_t(naive_nearest(X, i, lat.codebook()))];
        CHECK(std::find(cell.begin(), cell.end(), labels[i]) != cell.end());
      }
    }
}

TEMPLATE_TEST_CASE("OnlineSom: one feature, constant columns and huge values stay finite", "[online][degenerate]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  RowMatrix<S> X = uniform_matrix<S>(30, 3, 22);
  X.col(1).setConstant(S(7));
  for (bool normalize : {false, true}) {
    OnlineSom<S> som(grid_params(4, 5));
    const Lattice<S> lat = som.train(X, 200, normalize);
    REQUIRE(lat.codebook().allFinite());
    CHECK((lat.codebook().col(1).array() == S(7)).all());  // a constant feature stays put
    const Lattice<S> line = som.train(X.leftCols(1), 100, normalize);
    CHECK(line.codebook().allFinite());
    CHECK(line.n_features() == 1);
  }
  // 2^100 (1.3e30, a power of two so scaling is exact): in double the squares still fit and
  // training is the naive loop's; in float they do not, and normalize = true is the way to
  // train: it equals training on the unscaled data.
  const double big_scale = std::ldexp(1.0, 100);
  const RowMatrix<double> U = uniform_matrix<double>(30, 2, 23);
  OnlineSomParams p = grid_params(3, 4, false, 8);
  p.kernel_epsilon = 1e-13;
  const RowMatrix<double> huge = U * big_scale;
  const Lattice<double> big = OnlineSom<double>(p).train(huge, 150);
  CHECK((big.codebook() / big_scale - naive_train(U, 3, 4, false, 150, 0, 8)).cwiseAbs().maxCoeff() < 1e-9);
  const Lattice<S> scaled = OnlineSom<S>(p).train(huge.cast<S>(), 150, true);
  REQUIRE(scaled.codebook().allFinite());
  const Lattice<double> plain = OnlineSom<double>(p).train(U, 150, true);
  CHECK((scaled.codebook().template cast<double>() / big_scale - plain.codebook()).cwiseAbs().maxCoeff() < 1e-3);
  const auto maps = lattice_activations<S>(huge.cast<S>(), scaled, 8.0);
  for (const auto& m : maps) REQUIRE(m.allFinite());  // the power of (M - D) overflowed before
  CHECK(maps[0].maxCoeff() <= 1.0);
}

TEMPLATE_TEST_CASE("OnlineSom and lattice helpers reject Inf", "[online][degenerate][errors]", double) {
  using S = TestType;
  RowMatrix<S> X = uniform_matrix<S>(10, 2, 24);
  OnlineSom<S> som(grid_params(2, 2));
  const Lattice<S> lat = som.train(X, 20);
  X(3, 0) = -std::numeric_limits<S>::infinity();
  CHECK_THROWS_WITH(som.train(X, 10), "OnlineSom::train(): X must be finite, but X(3, 0) = -inf");
  CHECK_THROWS_WITH(som.partial_fit(X, 10), "OnlineSom::partial_fit(): X must be finite, but X(3, 0) = -inf");
  CHECK_THROWS_WITH(project_on_lattice<S>(X, lat), "project_on_lattice(): X must be finite, but X(3, 0) = -inf");
  CHECK_THROWS_WITH(lattice_activations<S>(X, lat), "lattice_activations(): X must be finite, but X(3, 0) = -inf");
  CHECK_THROWS_WITH(lattice_closest_vectors<S>(RowMatrix<S>(0, 2), lat),
                    "lattice_closest_vectors(): X has no samples (0 rows)");
  RowMatrix<S> W = lat.codebook();
  W(1, 1) = std::numeric_limits<S>::quiet_NaN();
  CHECK_THROWS_WITH(Lattice<S>(Grid(2, 2), W), "Lattice(): codebook must be finite, but codebook(1, 1) = nan");
  CHECK(som.lattice().codebook() == lat.codebook());
}

TEMPLATE_TEST_CASE("OnlineSom save/load is exact and training continues identically", "[online][io]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  using Other = std::conditional_t<std::is_same_v<S, float>, double, float>;
  OnlineSomParams p = grid_params(5, 7, true, 13);
  p.neighborhood = Neighborhood::bubble;
  OnlineSom<S> som(p);
  const RowMatrix<S> X = normal_matrix<S>(60, 3, 4);
  CHECK_THROWS_WITH(save(som, "online.bin"), "save(): this OnlineSom is not fitted yet; there is nothing to save");
  som.train(X, 400, /*normalize=*/true);
  OnlineSom<S> back = test_support::check_model_file(som, "online.bin", load_online_som<S>, load_online_som<Other>);
  CHECK(back.lattice().codebook() == som.lattice().codebook());
  CHECK(back.n_iterations() == 400);
  CHECK(back.grid().torus());
  CHECK(back.params().neighborhood == Neighborhood::bubble);
  // Same random stream and feature scaling: further steps match bit for bit.
  CHECK(back.partial_fit(X, 150).codebook() == som.partial_fit(X, 150).codebook());
}

TEMPLATE_TEST_CASE("OnlineSom trains the same on data scaled by a power of two, squares overflowing",
                   "[online][degenerate]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  // Scaling by 2^k is exact, and so is every step of training (initial weights, differences,
  // updates): only the BMU search could tell the two runs apart. At this scale every squared
  // distance overflows, so the search must compare the distances themselves.
  const S scale = std::is_same_v<S, float> ? std::ldexp(S(1), 70) : std::ldexp(S(1), 600);
  const RowMatrix<S> X = uniform_matrix<S>(40, 3, 5);
  const RowMatrix<S> big = X * scale;
  REQUIRE(std::isinf(big.row(0).squaredNorm()));
  for (bool torus : {false, true}) {
    INFO("torus " << torus);
    OnlineSom<S> small_som(grid_params(4, 5, torus)), big_som(grid_params(4, 5, torus));
    const Lattice<S> a = small_som.train(X, 300, false), b = big_som.train(big, 300, false);
    CHECK(b.codebook() == RowMatrix<S>(a.codebook() * scale));
    // The codebook spreads over the data instead of piling onto unit 0.
    CHECK(project_on_lattice<S>(big, b) == project_on_lattice<S>(X, a));
  }
}

TEMPLATE_TEST_CASE("OnlineSom with scaling trains on scaled features and returns data units", "[online][scaling]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  Random rng(8);
  RowMatrix<S> X(50, 3);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = S(rng.normal());
  X.col(1) *= S(300);
  X.col(2).setConstant(S(7));  // constant: scikit-learn's scale 1
  OnlineSomParams p;
  p.rows = 3;
  p.cols = 4;
  OnlineSom<S> plain(p);
  p.scaling = Scaling::standard;
  OnlineSom<S> scaled(p);
  StandardScaler<S> sc;
  const RowMatrix<S> Xs = sc.fit_transform(X);
  const RowMatrix<S> expected = sc.inverse_transform(plain.train(Xs, 300).codebook());
  const RowMatrix<S> got = scaled.train(X, 300).codebook();
  const double tol = std::is_same_v<S, float> ? 1e-3 : 1e-9;
  for (Index k = 0; k < got.size(); ++k)
    CHECK(double(got.data()[k]) == Approx(double(expected.data()[k])).epsilon(tol).margin(tol));
  CHECK(got.col(2).isConstant(S(7)));
  CHECK_THROWS_MATCHES(scaled.train(X, 10, /*normalize=*/true), ParameterError,
                       Catch::Message("OnlineSom::train(): normalize = true and scaling = standard both scale the "
                                      "data; use one"));
  p.scaling = Scaling::minmax;
  OnlineSom<S> minmax(p);
  OnlineSomParams plain_params;
  plain_params.rows = p.rows;
  plain_params.cols = p.cols;
  OnlineSom<S> normalized(plain_params);
  // Without constant columns, minmax scaling is NumbaSOM's normalize.
  const RowMatrix<S> Y = X.leftCols(2);
  const RowMatrix<S> a = minmax.train(Y, 200).codebook(), b = normalized.train(Y, 200, true).codebook();
  for (Index k = 0; k < a.size(); ++k)
    CHECK(double(a.data()[k]) == Approx(double(b.data()[k])).epsilon(tol).margin(tol));
}

TEMPLATE_TEST_CASE("normalize = true is Scaling::minmax, bit for bit, constant features included",
                   "[online][scaling][normalize]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  RowMatrix<S> X = uniform_matrix<S>(60, 3, 4);
  X.col(0) = (X.col(0).array() * S(100) + S(500)).matrix();
  X.col(2).setConstant(S(7));
  OnlineSom<S> normalized(grid_params(6, 7));
  OnlineSomParams p = grid_params(6, 7);
  p.scaling = Scaling::minmax;
  OnlineSom<S> minmax(p);
  CHECK(normalized.train(X, 500, true).codebook() == minmax.train(X, 500).codebook());
  // normalize belongs to that training: the scaler is minmax, the parameters stay as given.
  CHECK(normalized.scaler().kind() == Scaling::minmax);
  CHECK(normalized.params().scaling == Scaling::none);
  CHECK(normalized.predict(X) == minmax.predict(X));
  CHECK(normalized.partial_fit(X.topRows(20), 50).codebook() == minmax.partial_fit(X.topRows(20), 50).codebook());
  // The scaler learnt the data's range; the constant feature trains as 0 and maps back to 7.
  CHECK(minmax.scaler().minmax().data_min() == Vector<S>(X.colwise().minCoeff().transpose()));
  CHECK(minmax.scaler().minmax().data_max() == Vector<S>(X.colwise().maxCoeff().transpose()));
  CHECK(minmax.weights().col(2).isZero(0));
  CHECK((minmax.lattice().codebook().col(2).array() == S(7)).all());
  normalized.train(X.rightCols(2), 10);  // without normalize: no scaling
  CHECK(normalized.scaler().kind() == Scaling::none);
}

TEMPLATE_TEST_CASE("OnlineSom's estimator verbs: fit is train, predict and transform against brute force",
                   "[online][estimator]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  RowMatrix<S> X = normal_matrix<S>(80, 3, 31);
  X.col(1) *= S(40);
  const RowMatrix<S> Y = normal_matrix<S>(30, 3, 32);
  const double tol = std::is_same_v<S, float> ? 1e-4 : 1e-10;
  for (Scaling scaling : {Scaling::none, Scaling::standard, Scaling::minmax}) {
    INFO("scaling " << enum_name(scaling));
    OnlineSomParams p = grid_params(5, 6, false, 17);
    p.scaling = scaling;
    p.num_iterations = 400;
    OnlineSom<S> som(p), reference(p);
    CHECK_FALSE(som.is_fitted());
    CHECK_THROWS_MATCHES(som.predict(X), NotFittedError,
                         Catch::Message("OnlineSom::predict(): this OnlineSom is not trained yet; call fit() or "
                                        "train() first"));
    CHECK_THROWS_AS(som.transform(X), NotFittedError);
    CHECK_THROWS_AS(som.weights(), NotFittedError);
    CHECK_THROWS_AS(som.weights_in_data_units(), NotFittedError);

    CHECK(&som.fit(X) == &som);
    CHECK(som.is_fitted());
    CHECK(som.n_iterations() == 400);
    CHECK(som.params().num_iterations == 400);
    CHECK(som.params().scaling == scaling);
    CHECK(som.scaler().kind() == scaling);
    const Lattice<S> lat = reference.train(X, 400);
    CHECK(som.lattice().codebook() == lat.codebook());
    CHECK(som.weights_in_data_units() == lat.codebook());
    // weights(): the codebook in the training space, which the scaler maps to the data's units.
    const RowMatrix<S> W = som.weights();
    REQUIRE(W.rows() == 30);
    const RowMatrix<S> back = som.scaler().inverse_transform(W);
    CHECK((back - lat.codebook()).cwiseAbs().maxCoeff() <= tol * (1 + lat.codebook().cwiseAbs().maxCoeff()));

    // predict: the nearest unit in the training space (brute force in double).
    const RowMatrix<double> Ys = som.scaler().transform(Y).template cast<double>();
    const RowMatrix<double> Wd = W.template cast<double>();
    const Labels bmu = som.predict(Y);
    const RowMatrix<S> D = som.transform(Y);
    REQUIRE(D.rows() == Y.rows());
    REQUIRE(D.cols() == 30);
    for (Index i = 0; i < Y.rows(); ++i) {
      const Index best = naive_nearest(Ys, i, Wd);
      CHECK(std::sqrt(sq_dist(Ys, i, Wd, bmu[i])) <= std::sqrt(sq_dist(Ys, i, Wd, best)) * (1 + tol) + tol);
      for (Index u = 0; u < 30; ++u)
        CHECK(double(D(i, u)) == Approx(std::sqrt(sq_dist(Ys, i, Wd, u))).epsilon(tol).margin(tol));
    }
  }
  OnlineSomParams bad = grid_params(2, 2);
  bad.num_iterations = 0;
  CHECK_THROWS_MATCHES(OnlineSom<S>(bad), ParameterError,
                       Catch::Message("OnlineSom(): num_iterations must be > 0, got 0"));
  OnlineSom<S> som(grid_params(2, 2));
  som.fit(X.leftCols(2));
  CHECK_THROWS_MATCHES(som.transform(X), InputError,
                       Catch::Message("OnlineSom::transform(): X has 3 features, but this OnlineSom expects 2"));
}
