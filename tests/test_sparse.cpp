// Sparse input (somtile/sparse.hpp): the sparse BMU search, batch and mini-batch training,
// initialisation, the errors, maps and the online trainer against the dense code on the
// densified same values and against brute-force loops; uncompressed input; error paths.
// Scalars: no templated test cases (the ISA case also runs float).
#include <somtile/som.hpp>
#include <somtile/sparse.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace somtile;

namespace {

// n x F, about `density` of the cells non-zero (values in [-1, 2)), row 0 all zero.
RowMatrix<double> sparse_values(Index n, Index F, double density, std::uint64_t seed) {
  Random rng(seed);
  RowMatrix<double> D = RowMatrix<double>::Zero(n, F);
  for (Index i = 1; i < n; ++i)
    for (Index j = 0; j < F; ++j)
      if (rng.uniform() < density) D(i, j) = rng.uniform(-1.0, 2.0);
  return D;
}

SparseRowMatrix<double> to_sparse(const RowMatrix<double>& D) {
  SparseRowMatrix<double> S = D.sparseView();
  S.makeCompressed();
  return S;
}

RowMatrix<double> random_codebook(Index units, Index F, std::uint64_t seed) {
  Random rng(seed);
  RowMatrix<double> W(units, F);
  for (Index k = 0; k < W.size(); ++k) W.data()[k] = rng.uniform(-0.5, 1.0);
  return W;
}

// The naive definition of each metric (no expansion).
double naive_distance(Distance metric, const Eigen::RowVectorXd& x, const Eigen::RowVectorXd& w) {
  if (metric == Distance::cosine) {
    const double nx = x.norm(), nw = w.norm();
    if (nx == 0 || nw == 0) return 1.0;
    return std::clamp(1.0 - x.dot(w) / (nx * nw), 0.0, 2.0);
  }
  return (x - w).norm();
}

template <typename T>
std::string message_of(T&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no exception";
}

}  // namespace

TEST_CASE("sparse BMU search: same BMUs and second BMUs as the dense search, any panel, any thread count",
          "[sparse][bmu]") {
  const RowMatrix<double> D = sparse_values(37, 29, 0.12, 1);
  const SparseRowMatrix<double> S = to_sparse(D);
  RowMatrix<double> W = random_codebook(13, 29, 2);
  W.row(5).setZero();   // a zero unit (cosine distance 1)
  W.row(9) = W.row(3);  // an exact tie: the lower unit wins
  for (const Distance metric : {Distance::euclidean, Distance::cosine}) {
    const BmuResult<double> dense = find_bmus<double>(D, W, {metric, SecondBmu::find, 1});
    for (const Index panel : {Index(0), Index(1), Index(4), Index(13)})
      for (const int threads : {1, 2}) {
        const BmuResult<double> s =
            detail::sparse_find_bmus<double>(detail::csr_view(S), W, metric, true, threads, panel);
        CAPTURE(enum_name(metric), panel, threads);
        CHECK(s.bmu == dense.bmu);
        CHECK(s.second == dense.second);
        for (Index i = 0; i < D.rows(); ++i) {
          // Exact recomputation in double: agrees with the naive distance to double rounding.
          CHECK(std::abs(s.distance[i] - naive_distance(metric, D.row(i), W.row(s.bmu[i]))) < 1e-12);
        }
      }
    // The brute-force argmin (ties to the lowest unit) and the second by the same rule.
    const BmuResult<double> s = detail::sparse_find_bmus<double>(detail::csr_view(S), W, metric, true, 2);
    for (Index i = 0; i < D.rows(); ++i) {
      Index best = -1, second = -1;
      double db = 0, ds = 0;
      for (Index u = 0; u < W.rows(); ++u) {
        const double d = naive_distance(metric, D.row(i), W.row(u));
        if (best < 0 || d < db) {
          second = best;
          ds = db;
          best = u;
          db = d;
        } else if (second < 0 || d < ds) {
          second = u;
          ds = d;
        }
      }
      CHECK(s.bmu[i] == best);
      CHECK(s.second[i] == second);
    }
  }
  // Zero row: euclidean BMU is the unit of smallest norm (the zero unit 5), cosine a tie of all
  // units at distance 1: unit 0.
  CHECK(detail::sparse_find_bmus<double>(detail::csr_view(S), W, Distance::euclidean, false, 1).bmu[0] == 5);
  CHECK(detail::sparse_find_bmus<double>(detail::csr_view(S), W, Distance::cosine, true, 1).bmu[0] == 0);
}

TEST_CASE("sparse BMU search: the same units at every instruction-set level, and in float", "[sparse][bmu][isa]") {
  const RowMatrix<double> D = sparse_values(50, 40, 0.1, 14);
  const SparseRowMatrix<double> S = to_sparse(D);
  const RowMatrix<double> W = random_codebook(17, 40, 15);
  for (const Distance metric : {Distance::euclidean, Distance::cosine}) {
    set_max_isa(Isa::avx512);
    const BmuResult<double> best = detail::sparse_find_bmus<double>(detail::csr_view(S), W, metric, true, 1, 5);
    for (const Isa level : {Isa::baseline, Isa::avx2}) {
      set_max_isa(level);
      const BmuResult<double> r = detail::sparse_find_bmus<double>(detail::csr_view(S), W, metric, true, 1, 5);
      CHECK(r.bmu == best.bmu);
      CHECK(r.second == best.second);
    }
    set_max_isa(Isa::avx512);
#if !defined(SOMTILE_TEST_DOUBLE_ONLY)  // the double-only suites skip float (tests/support/scalars.hpp)
    // float: the same BMU as the double search wherever the runner-up is not within float
    // rounding (1e-4 here is far above it); distances to float rounding.
    const RowMatrix<float> Wf = W.cast<float>();
    const SparseRowMatrix<float> Sf = S.cast<float>();
    const BmuResult<float> f = detail::sparse_find_bmus<float>(detail::csr_view(Sf), Wf, metric, true, 2);
    const BmuResult<double> d =
        find_bmus<double>(D.cast<float>().cast<double>(), Wf.cast<double>(), {metric, SecondBmu::find, 1});
    Index compared = 0;
    for (Index i = 0; i < D.rows(); ++i) {
      const double gap =
          naive_distance(metric, D.row(i).cast<float>().cast<double>(), Wf.row(d.second[i]).cast<double>()) -
          double(d.distance[i]);
      if (gap < 1e-4) continue;
      ++compared;
      CHECK(f.bmu[i] == d.bmu[i]);
      CHECK(std::abs(double(f.distance[i]) - double(d.distance[i])) < 1e-5);
    }
    CHECK(compared > 40);
#endif
  }
}

TEST_CASE("sparse batch fit equals the dense batch fit from the same initial weights", "[sparse][batch]") {
  const RowMatrix<double> D = sparse_values(40, 24, 0.1, 3);
  const SparseRowMatrix<double> S = to_sparse(D);
  struct Case {
    Topology topology;
    Neighborhood neighborhood;
    Distance distance;
    bool torus;
  };
  for (const Case c : {Case{Topology::rectangular, Neighborhood::gaussian, Distance::euclidean, false},
                       Case{Topology::hexagonal, Neighborhood::gaussian, Distance::cosine, true},
                       Case{Topology::hexagonal, Neighborhood::bubble, Distance::euclidean, false},
                       Case{Topology::rectangular, Neighborhood::mexican_hat, Distance::euclidean, false}}) {
    SomParams p;
    p.rows = 4;
    p.cols = 5;
    p.epochs = 6;
    p.sigma = 1.5;
    p.training = Training::batch;
    p.topology = c.topology;
    p.neighborhood = c.neighborhood;
    p.distance = c.distance;
    p.torus = c.torus;
    p.n_threads = 1;
    Som<double> dense(p, 24);
    dense.initialize_weights(D);
    const RowMatrix<double> W0 = dense.weights();
    const TrainingHistory hd = dense.fit(D);
    for (const int threads : {1, 2}) {
      p.n_threads = threads;
      Som<double> sparse(p, 24);
      sparse.set_weights(W0);
      const TrainingHistory hs = sparse.fit(S);
      CAPTURE(enum_name(c.topology), enum_name(c.neighborhood), enum_name(c.distance), threads);
      CHECK((sparse.weights() - dense.weights()).cwiseAbs().maxCoeff() < 1e-12);
      REQUIRE(hs.quantization_errors.size() == hd.quantization_errors.size());
      for (std::size_t e = 0; e < hd.quantization_errors.size(); ++e) {
        CHECK(std::abs(hs.quantization_errors[e] - hd.quantization_errors[e]) < 1e-12);
        CHECK(hs.topographic_errors[e] == hd.topographic_errors[e]);
      }
      CHECK(sparse.predict(S) == dense.predict(D));
    }
  }
}

TEST_CASE("sparse batch fit: 1 and 2 threads give the same codebook bit for bit", "[sparse][batch][threads]") {
  const RowMatrix<double> D = sparse_values(60, 31, 0.1, 4);
  const SparseRowMatrix<double> S = to_sparse(D);
  SomParams p;
  p.rows = 5;
  p.cols = 6;
  p.training = Training::batch;
  p.epochs = 4;
  p.init = Init::sample;
  p.n_threads = 1;
  Som<double> a(p, 31);
  a.fit(S);
  p.n_threads = 2;
  Som<double> b(p, 31);
  b.fit(S);
  CHECK(a.weights() == b.weights());
}

TEST_CASE("sparse mini-batch fit equals the dense mini-batch fit", "[sparse][minibatch]") {
  const RowMatrix<double> D = sparse_values(33, 20, 0.15, 5);
  const SparseRowMatrix<double> S = to_sparse(D);
  for (const EpochMetrics metrics : {EpochMetrics::after_epoch, EpochMetrics::during_epoch}) {
    SomParams p;
    p.rows = 3;
    p.cols = 4;
    p.epochs = 3;
    p.batch_size = 4;
    p.epoch_metrics = metrics;
    Som<double> dense(p, 20), sparse(p, 20);  // Init::random: the same rows for the same seed
    const TrainingHistory hd = dense.fit(D), hs = sparse.fit(S);
    CHECK((sparse.weights() - dense.weights()).cwiseAbs().maxCoeff() < 1e-12);
    for (std::size_t e = 0; e < hd.quantization_errors.size(); ++e) {
      CHECK(std::abs(hs.quantization_errors[e] - hd.quantization_errors[e]) < 1e-12);
      CHECK(hs.topographic_errors[e] == hd.topographic_errors[e]);
    }
  }
}

TEST_CASE("sparse initialisation draws the same codebook as on the dense matrix", "[sparse][init]") {
  RowMatrix<double> D = sparse_values(25, 18, 0.2, 6);
  D.col(3).setConstant(0.7);  // a column without implicit zeros: its box is [0.7, 0.7]
  D(4, 3) = 1.5;
  const SparseRowMatrix<double> S = to_sparse(D);
  for (const Init init : {Init::random, Init::sample, Init::uniform}) {
    SomParams p;
    p.rows = 6;
    p.cols = 6;  // 36 units > 25 rows: sample repeats rows
    Som<double> dense(p, 18), sparse(p, 18);
    dense.initialize_weights(D, init);
    sparse.initialize_weights(S, init);
    CAPTURE(enum_name(init));
    CHECK(sparse.weights() == dense.weights());
  }
}

TEST_CASE("sparse PCA: subspace iteration gives principal_axes' axes, variances and PCA codebook",
          "[sparse][init][pca]") {
  RowMatrix<double> D = sparse_values(40, 15, 0.25, 13);
  for (Index j = 0; j < 15; ++j) D.col(j) *= 1.0 + 0.4 * double(j);  // distinct variances
  const SparseRowMatrix<double> S = to_sparse(D);
  const detail::PrincipalAxes dense = detail::principal_axes(D, 2);
  const detail::PrincipalAxes sparse = detail::sparse_principal_axes(detail::csr_view(S), 2);
  CHECK((sparse.mean - dense.mean).cwiseAbs().maxCoeff() < 1e-14);
  // Converged to residual <= 1e-10 x the top variance: the axes agree to that over the gap.
  CHECK((sparse.axes - dense.axes).cwiseAbs().maxCoeff() < 1e-7);
  for (Index a = 0; a < 2; ++a) CHECK(std::abs(sparse.variances(a) / dense.variances(a) - 1.0) < 1e-9);
  SomParams p;
  p.rows = 3;
  p.cols = 5;
  Som<double> ds(p, 15), ss(p, 15);
  ds.initialize_weights(D, Init::pca);
  ss.initialize_weights(S, Init::pca);
  CHECK((ss.weights() - ds.weights()).cwiseAbs().maxCoeff() < 1e-6);
  // One feature, one row: the axes beyond the features are zero, as for dense data.
  const RowMatrix<double> one = RowMatrix<double>::Constant(3, 1, 2.0);
  const detail::PrincipalAxes o = detail::sparse_principal_axes(detail::csr_view(to_sparse(one)), 2);
  CHECK(o.axes.col(1).isZero(0));
  CHECK(o.variances.isZero(0));
}

TEST_CASE("sparse transform, errors and maps match brute force and the dense calls", "[sparse][maps]") {
  const RowMatrix<double> D = sparse_values(30, 16, 0.15, 7);
  const SparseRowMatrix<double> S = to_sparse(D);
  for (const Distance metric : {Distance::euclidean, Distance::cosine}) {
    SomParams p;
    p.rows = 3;
    p.cols = 4;
    p.distance = metric;
    Som<double> som(p, 16);
    som.set_weights(random_codebook(12, 16, 8));
    const RowMatrix<double> T = som.transform(S);
    double qe = 0;
    Index te = 0;
    for (Index i = 0; i < D.rows(); ++i) {
      Index best = 0, second = -1;
      for (Index u = 0; u < 12; ++u) {
        const double d = naive_distance(metric, D.row(i), som.weights().row(u));
        CHECK(std::abs(T(i, u) - d) < 1e-12);
        if (u > 0 && d < T(i, best)) {
          second = best;
          best = u;
        } else if (u > 0 && (second < 0 || d < T(i, second))) {
          second = u;
        }
      }
      qe += T(i, best);
      te += som.grid().adjacent(best, second) ? 0 : 1;
    }
    CHECK(std::abs(som.quantization_error(S) - qe / double(D.rows())) < 1e-12);
    CHECK(som.topographic_error(S) == Approx(double(te) / double(D.rows())).margin(1e-15));
    CHECK(hit_map(som, S) == hit_map(som, D));
    const BmuDataMap ms = bmus_data_map(som, S), md = bmus_data_map(som, D);
    CHECK(ms == md);
    const BmuResult<double> r = som.bmus(S);
    CHECK(r.second.size() == D.rows());
    for (const Retrieval mode : {Retrieval::bmu_only, Retrieval::bmu_neighborhood, Retrieval::bmu_neighborhood_knn}) {
      const RowMatrix<double> query = D.row(7);
      CHECK(collect_samples(som, to_sparse(query), S, ms, 10, mode) == collect_samples(som, query, D, md, 10, mode));
    }
  }
}

TEST_CASE("uncompressed sparse input gives the same results", "[sparse][uncompressed]") {
  const RowMatrix<double> D = sparse_values(20, 12, 0.2, 9);
  SparseRowMatrix<double> U(20, 12);
  U.reserve(Eigen::VectorXi::Constant(20, 6));  // room left in every row: uncompressed storage
  for (Index i = 0; i < 20; ++i)
    for (Index j = 0; j < 12; ++j)
      if (D(i, j) != 0) U.insert(i, j) = D(i, j);
  REQUIRE_FALSE(U.isCompressed());
  const SparseRowMatrix<double> C = to_sparse(D);
  SomParams p;
  p.rows = 3;
  p.cols = 3;
  p.training = Training::batch;
  p.epochs = 3;
  Som<double> a(p, 12), b(p, 12);
  a.fit(U);
  b.fit(C);
  CHECK(a.weights() == b.weights());
  CHECK(a.predict(U) == b.predict(C));
  CHECK(a.transform(U) == b.transform(C));
}

TEST_CASE("a dense matrix still picks the dense overloads", "[sparse][overloads]") {
  const RowMatrix<double> D = sparse_values(20, 6, 0.5, 10);
  SomParams p;
  p.rows = 2;
  p.cols = 3;
  p.distance = Distance::manhattan;  // dense only: the sparse overloads would throw
  Som<double> som(p, 6);
  som.fit(D);
  CHECK(som.predict(D).size() == 20);
  CHECK(som.predict(D.topRows(5)).size() == 5);  // an expression, through ConstRowRef
  CHECK(som.transform(D.middleRows(2, 3)).rows() == 3);
  CHECK(hit_map(som, D).sum() == 20.0);
}

TEST_CASE("sparse data errors: feature count, NaN, Inf, scaling, metric, empty, before fit", "[sparse][errors]") {
  const RowMatrix<double> D = sparse_values(15, 8, 0.3, 11);
  const SparseRowMatrix<double> S = to_sparse(D);
  SomParams p;
  p.rows = 2;
  p.cols = 2;
  p.training = Training::batch;
  Som<double> som(p, 8);
  CHECK_THROWS_AS(som.predict(S), NotFittedError);
  som.fit(S);
  const RowMatrix<double> before = som.weights();

  const SparseRowMatrix<double> wide = to_sparse(sparse_values(15, 9, 0.3, 11));
  CHECK_THROWS_AS(som.fit(wide), InputError);
  CHECK(message_of([&] { som.predict(wide); }) == "Som::predict(): X has 9 features, but this Som expects 8");

  SparseRowMatrix<double> bad = S;
  bad.coeffRef(1, 4) = std::numeric_limits<double>::quiet_NaN();
  CHECK(message_of([&] { som.fit(bad); }) == "Som::fit(): X must be finite, but X(1, 4) = nan");
  bad.coeffRef(1, 4) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(som.quantization_error(bad), InputError);
  CHECK(som.weights() == before);

  CHECK_THROWS_AS(som.fit(SparseRowMatrix<double>(0, 8)), InputError);
  CHECK_THROWS_AS(som.transform(SparseRowMatrix<double>(3, 0)), InputError);

  SomParams ps = p;
  ps.scaling = Scaling::standard;
  Som<double> scaled(ps, 8);
  CHECK(message_of([&] { scaled.fit(S); }) ==
        "Som::fit(): sparse data needs Scaling::none (scaling would make it dense), but params().scaling is standard");
  CHECK_FALSE(scaled.is_fitted());

  for (const Distance metric : {Distance::manhattan, Distance::chebyshev}) {
    SomParams pm = p;
    pm.distance = metric;
    Som<double> m(pm, 8);
    CHECK_THROWS_AS(m.fit(S), ParameterError);
    CHECK(message_of([&] { m.fit(S); }).find("sparse data supports Distance::euclidean and Distance::cosine") !=
          std::string::npos);
    m.fit(D);  // dense data: fine
    CHECK_THROWS_AS(m.predict(S), ParameterError);
  }
  // A callback that throws: a Som fitted before keeps a valid codebook, an unfitted one stays so.
  Som<double> fresh(p, 8);
  CHECK_THROWS_AS(fresh.fit(S, [](const EpochInfo&) { throw std::runtime_error("stop"); }), std::runtime_error);
  CHECK_FALSE(fresh.is_fitted());
}

TEST_CASE("OnlineSom::train on sparse rows takes the same steps as on the dense rows", "[sparse][online]") {
  const RowMatrix<double> D = sparse_values(30, 14, 0.2, 12);
  const SparseRowMatrix<double> S = to_sparse(D);
  for (const bool torus : {false, true}) {
    OnlineSomParams p;
    p.rows = 4;
    p.cols = 5;
    p.torus = torus;
    OnlineSom<double> a(p), b(p);
    const Lattice<double> la = a.train(D, 500), lb = b.train(S, 500);
    CHECK(lb.codebook() == la.codebook());
  }
  OnlineSomParams p;
  OnlineSom<double> o(p);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // normalize stays tested while it exists
  CHECK_THROWS_AS(o.train(S, 10, true), ParameterError);
#pragma GCC diagnostic pop
  p.scaling = Scaling::minmax;
  OnlineSom<double> m(p);
  CHECK_THROWS_AS(m.train(S, 10), ParameterError);
  CHECK_THROWS_AS(OnlineSom<double>().train(S, 0), ParameterError);
  SparseRowMatrix<double> bad = S;
  bad.coeffRef(2, 3) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(OnlineSom<double>().train(bad, 10), InputError);
}
