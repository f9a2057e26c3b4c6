// Som::fit(ChunkSource&): batch training from a source read in passes. Oracles: the in-memory
// Som::fit on the same rows (bit for bit where the scaler and the initialisation are the same
// computation), and epochs driven by hand with batch_statistics / apply on all rows in memory
// for the state a failed fit must leave.
#include <somtile/io/callback_source.hpp>
#include <somtile/io/csv_source.hpp>
#include <somtile/io/npy.hpp>
#include <somtile/io/npy_source.hpp>
#include <somtile/som.hpp>  // the module header: Som and BatchStatistics come precompiled
#include <somtile/som/detail/chunk_bounds.hpp>

#include <catch2/catch.hpp>
#include "support/data.hpp"
#include "support/files.hpp"
#include "support/scalars.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

using namespace somtile;

namespace {

template <typename S>
RowMatrix<S> blobs(Index n, Index f, std::uint64_t seed) {
  return test_support::three_blobs<S>(n, f, seed, true);
}

SomParams params(Init init = Init::random, Scaling scaling = Scaling::none) {
  SomParams p;
  p.rows = 6;
  p.cols = 5;
  p.epochs = 4;
  p.sigma = 2.5;
  p.training = Training::batch;
  p.init = init;
  p.scaling = scaling;
  p.seed = 7;
  p.n_threads = 2;
  return p;
}

// Rows of X in chunks of `chunk` rows (dense or sparse), optionally throwing at chunk `fail_chunk`
// of pass `fail_pass`.
template <typename S>
struct MatrixSource {
  RowMatrix<S> X;
  Index chunk;
  bool sparse = false;
  Index fail_pass = -1, fail_chunk = -1;
  Index passes = 0, at = 0, chunks = 0;
  CallbackSource<S> source() {
    return CallbackSource<S>(
        X.cols(),
        [this](Chunk<S>& c) {
          if (at >= X.rows()) return false;
          if (passes - 1 == fail_pass && chunks == fail_chunk) throw std::runtime_error("read failed");
          const Index rows = std::min(chunk, X.rows() - at);
          c.is_sparse = sparse;
          if (sparse)
            c.sparse = X.middleRows(at, rows).sparseView();
          else
            c.dense = X.middleRows(at, rows);
          at += rows;
          ++chunks;
          return true;
        },
        [this] {
          ++passes;
          at = chunks = 0;
        },
        chunk, X.rows(), "test rows");
  }
};

template <typename S>
void require_same_fit(const Som<S>& a, const TrainingHistory& ha, const Som<S>& b, const TrainingHistory& hb) {
  REQUIRE(a.weights() == b.weights());
  REQUIRE(ha.quantization_errors == hb.quantization_errors);
  REQUIRE(ha.topographic_errors == hb.topographic_errors);
}

template <typename S>
double max_relative(const RowMatrix<S>& a, const RowMatrix<S>& b) {
  return double((a - b).cwiseAbs().maxCoeff()) / double(b.cwiseAbs().maxCoeff());
}

}  // namespace

TEMPLATE_TEST_CASE("fit(source) equals the in-memory batch fit bit for bit", "[som][source]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = blobs<S>(301, 4, 3);
  write_npy("fit_source.npy", X);
  const auto init = GENERATE(Init::random, Init::sample, Init::uniform, Init::pca);
  const auto scaling = GENERATE(Scaling::none, Scaling::standard, Scaling::minmax);
  const Index chunk = GENERATE(Index(7), Index(64), Index(1000));
  CAPTURE(enum_name(init), enum_name(scaling), chunk);
  Som<S> memory(params(init, scaling), 4);
  const TrainingHistory hm = memory.fit(X);
  Som<S> streamed(params(init, scaling), 4);
  NpySource<S> src("fit_source.npy", chunk);
  std::vector<EpochInfo> seen;
  const TrainingHistory hs = streamed.fit(src, [&](const EpochInfo& e) { seen.push_back(e); });
  REQUIRE(seen.size() == 4);
  for (Index e = 0; e < 4; ++e) {
    CHECK(seen[std::size_t(e)].epoch == e);
    CHECK(seen[std::size_t(e)].quantization_error == hm.quantization_errors[std::size_t(e)]);
    CHECK(seen[std::size_t(e)].sigma == memory.sigma_at(e));
  }
  // The scaler and the initialisation are the in-memory computations (the PCA covariance in
  // the same four-row blocks), so everything is bit for bit.
  REQUIRE(streamed.scaler().standard().is_fitted() == (scaling == Scaling::standard));
  if (scaling == Scaling::standard) REQUIRE(streamed.scaler().standard().scale() == memory.scaler().standard().scale());
  require_same_fit(streamed, hs, memory, hm);
  // A second fit continues from the weights (no initialisation), as fit(X) does.
  const TrainingHistory hm2 = memory.fit(X);
  const TrainingHistory hs2 = streamed.fit(src);
  require_same_fit(streamed, hs2, memory, hm2);
}

TEMPLATE_TEST_CASE("fit(source) keeps bounds between passes, in memory or in a file, with the in-memory fit's result",
                   "[som][source][bounded]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = blobs<S>(1500, 4, 5);
  write_npy("fit_source_bounds.npy", X);
  struct Limit {  // bytes of chunk states kept in memory, restored after the test
    std::size_t saved = detail::chunk_bounds_memory().load();
    ~Limit() { detail::chunk_bounds_memory().store(saved); }
  } restore;
  const std::size_t limit = GENERATE(std::size_t(0), std::numeric_limits<std::size_t>::max());
  detail::chunk_bounds_memory().store(limit);
  SomParams p = params(Init::pca);
  p.rows = p.cols = 20;  // five tiles of units, each a group of the bounded search
  p.epochs = 8;
  Som<S> memory(p, 4), streamed(p, 4);
  const TrainingHistory hm = memory.fit(X);
  NpySource<S> src("fit_source_bounds.npy", 500);
  const TrainingHistory hs = streamed.fit(src);
  require_same_fit(streamed, hs, memory, hm);
  // One share per epoch; below 1 once the map settles (the bounds did rule units out).
  REQUIRE(hs.distances_computed.size() == std::size_t(p.epochs));
  INFO("memory " << ::Catch::Detail::stringify(hm.distances_computed) << ", source "
                 << ::Catch::Detail::stringify(hs.distances_computed));
  CHECK(*std::min_element(hs.distances_computed.begin(), hs.distances_computed.end()) < 0.9);
  std::remove("fit_source_bounds.npy");
}

TEST_CASE("fit(source) reads csv files and is the same for 1 and 2 threads", "[som][source]") {
  const RowMatrix<double> X = blobs<double>(250, 3, 5);
  {
    std::ofstream out("fit_source.csv");
    out.precision(17);
    out << "a,b,c\n";
    for (Index i = 0; i < X.rows(); ++i) out << X(i, 0) << ',' << X(i, 1) << ',' << X(i, 2) << '\n';
  }
  SomParams p = params(Init::pca, Scaling::standard);
  Som<double> memory(p, 3);
  memory.fit(X);
  RowMatrix<double> previous;
  for (const int threads : {1, 2}) {
    p.n_threads = threads;
    Som<double> som(p, 3);
    CsvSource<double> src("fit_source.csv", {}, 16);
    som.fit(src);
    REQUIRE(som.weights() == memory.weights());
    if (previous.size()) REQUIRE(som.weights() == previous);
    previous = som.weights();
  }
}

TEST_CASE("fit(source) with missing values and sparse chunks", "[som][source][missing][sparse]") {
  SECTION("NaN cells with Missing::mask: the in-memory masked fit, bit for bit") {
    RowMatrix<double> X = blobs<double>(200, 4, 9);
    for (Index i = 0; i < X.rows(); i += 7) X(i, i % 4) = std::numeric_limits<double>::quiet_NaN();
    for (const Init init : {Init::random, Init::pca, Init::uniform}) {
      for (const Scaling scaling : {Scaling::none, Scaling::standard}) {
        CAPTURE(enum_name(init), enum_name(scaling));
        SomParams p = params(init, scaling);
        p.missing = Missing::mask;
        Som<double> memory(p, 4), streamed(p, 4);
        const TrainingHistory hm = memory.fit(X);
        MatrixSource<double> rows{X, 23};
        auto src = rows.source();
        require_same_fit(streamed, streamed.fit(src), memory, hm);
      }
    }
  }
  SECTION("NaN without Missing::mask names the source and the row") {
    RowMatrix<double> X = blobs<double>(50, 4, 9);
    X(33, 2) = std::numeric_limits<double>::quiet_NaN();
    MatrixSource<double> rows{X, 10};
    auto src = rows.source();
    Som<double> som(params(), 4);
    REQUIRE_THROWS_WITH(som.fit(src), Catch::Contains("row 34 of the data") && Catch::Contains("Missing::mask") &&
                                          Catch::Contains("test rows"));
    REQUIRE_FALSE(som.is_fitted());
  }
  SECTION("sparse chunks: the sparse search, the dense fit's codebook to rounding") {
    RowMatrix<double> X = blobs<double>(180, 6, 4).cwiseMax(0.0);  // many zeros
    for (const Init init : {Init::random, Init::uniform, Init::pca}) {
      CAPTURE(enum_name(init));
      Som<double> memory(params(init), 6), streamed(params(init), 6);
      const TrainingHistory hm = memory.fit(X);
      MatrixSource<double> rows{X, 32, true};
      auto src = rows.source();
      const TrainingHistory hs = streamed.fit(src);
      REQUIRE(max_relative(streamed.weights(), memory.weights()) < 1e-12);
      for (std::size_t e = 0; e < hm.quantization_errors.size(); ++e)
        REQUIRE(hs.quantization_errors[e] == Approx(hm.quantization_errors[e]).epsilon(1e-12));
    }
  }
}

TEST_CASE("fit(source) errors leave the last finished epoch", "[som][source][errors]") {
  const RowMatrix<double> X = blobs<double>(120, 4, 2);
  const SomParams p = params(Init::sample, Scaling::minmax);
  // The oracle: epochs applied by hand on all rows in memory.
  const auto after = [&](Index epochs) {
    Som<double> som(p, 4);
    som.initialize_weights(X);
    for (Index e = 0; e < epochs; ++e) {
      BatchStatistics<double> s = som.batch_statistics(e);
      s.accumulate(X);
      som.apply(s);
    }
    return som.weights();
  };
  SECTION("a read that throws mid-pass applies nothing of that pass") {
    for (const Index fail_pass : {Index(0), Index(2), Index(3)}) {
      // Passes of an unfitted Som with min-max scaling and Init::sample: moments, rows, then
      // epochs; epoch pass e is source pass e + 2.
      MatrixSource<double> rows{X, 25};
      rows.fail_pass = fail_pass;
      rows.fail_chunk = 2;
      auto src = rows.source();
      Som<double> som(p, 4);
      REQUIRE_THROWS_WITH(som.fit(src), "read failed");
      if (fail_pass < 3) {
        REQUIRE_FALSE(som.is_fitted());  // no epoch finished: the Som as before
      } else {
        REQUIRE(som.weights() == after(1));
      }
      // A fitted Som keeps its weights when the first epoch's pass fails.
      rows.fail_pass = -1;
      som.fit(src);
      const RowMatrix<double> trained = som.weights();
      rows.fail_pass = rows.passes;
      REQUIRE_THROWS_WITH(som.fit(src), "read failed");
      REQUIRE(som.weights() == trained);
    }
  }
  SECTION("a file changed between epochs is an error naming it") {
    write_npy("changing.npy", X);
    NpySource<double> src("changing.npy", 30);
    Som<double> som(p, 4);
    REQUIRE_THROWS_WITH(som.fit(src,
                                [&](const EpochInfo& e) {
                                  if (e.epoch == 1)
                                    write_npy("changing.npy", RowMatrix<double>(blobs<double>(130, 4, 2)));
                                }),
                        Catch::Contains("changing.npy"));
    // Entry 1 is reported by epoch 2's pass, whose update is applied before the next pass fails.
    REQUIRE(som.weights() == after(3));
  }
  SECTION("a file changed in place, same size and header, is caught where bounds are kept") {
    SomParams q = p;
    q.rows = q.cols = 9;  // 81 units: the bounded search, whose state checks each row
    Som<double> oracle(q, 4);
    oracle.initialize_weights(X);
    for (Index e = 0; e < 3; ++e) {
      BatchStatistics<double> s = oracle.batch_statistics(e);
      s.accumulate(X);
      oracle.apply(s);
    }
    RowMatrix<double> edited = X;
    edited(56, 1) += 0.25;
    write_npy("in_place.npy", X);
    NpySource<double> src("in_place.npy", 30);
    Som<double> som(q, 4);
    REQUIRE_THROWS_WITH(som.fit(src,
                                [&](const EpochInfo& e) {
                                  if (e.epoch == 1) write_npy("in_place.npy", edited);
                                }),
                        "Som::fit(): row 57 of in_place.npy differs from the previous pass's: the data changed "
                        "during training (every pass must read the same rows)");
    REQUIRE(som.weights() == oracle.weights());
    std::remove("in_place.npy");
  }
  SECTION("settings streaming cannot take, and wrong shapes") {
    MatrixSource<double> rows{X, 25};
    auto src = rows.source();
    SomParams q = p;
    q.training = Training::minibatch;
    Som<double> minibatch(q, 4);
    REQUIRE_THROWS_AS(minibatch.fit(src), ParameterError);
    REQUIRE_THROWS_WITH(minibatch.fit(src), Catch::Contains("Training::batch"));
    Som<double> wide(p, 5);
    REQUIRE_THROWS_WITH(wide.fit(src), Catch::Contains("test rows has 4 features"));
    MatrixSource<double> none{RowMatrix<double>(0, 4), 25};
    auto empty = none.source();
    Som<double> som(p, 4);
    REQUIRE_THROWS_WITH(som.fit(empty), Catch::Contains("no rows"));
    MatrixSource<double> sparse{X, 25, true};
    auto sparse_src = sparse.source();
    REQUIRE_THROWS_AS(som.fit(sparse_src), ParameterError);  // min-max scaling on sparse rows
    REQUIRE_FALSE(som.is_fitted());
  }
}

// Optimised builds only (under a second there); float, which the double-only suites skip.
#if defined(__OPTIMIZE__) && !defined(__SANITIZE_ADDRESS__) && !defined(SOMTILE_TEST_DOUBLE_ONLY)
TEST_CASE("fit(source) on a larger file equals the in-memory fit", "[som][source][large]") {
  const RowMatrix<float> X = blobs<float>(600000, 4, 1);
  write_npy("large.npy", X);
  SomParams p = params(Init::random, Scaling::standard);
  p.rows = p.cols = 8;
  p.epochs = 2;
  Som<float> memory(p, 4), streamed(p, 4);
  const TrainingHistory hm = memory.fit(X);
  NpySource<float> src("large.npy");
  require_same_fit(streamed, streamed.fit(src), memory, hm);
  std::remove("large.npy");
}
#endif
