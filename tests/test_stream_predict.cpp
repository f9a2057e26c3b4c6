// Som over a ChunkSource: predict (in memory and to a .npy file), transform, quantization_error
// and bmus(source, second, on_chunk). Oracles: the in-memory calls on the in-memory readers'
// matrices (read_npy, read_csv, read_svmlight, read_sparse_npz), for chunk sizes 1, 7 and all
// rows and for 1 and 2 threads; BMUs and distances bit for bit, the error exactly (the same
// sums in the same order). Every error names the call, the source and the row.
#include <somtile/io.hpp>
#include <somtile/som.hpp>
#include <somtile/sparse.hpp>

#include "support/files.hpp"

#include <catch2/catch.hpp>
#include "support/scalars.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

using namespace somtile;
using Catch::Matchers::Contains;
using test_support::file_exists;
using test_support::read_bytes;
using test_support::write_bytes;

namespace {

template <typename S>
RowMatrix<S> data(Index n, Index F, std::uint64_t seed) {
  Random rng(seed);
  RowMatrix<S> X(n, F);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < F; ++j) X(i, j) = S(rng.uniform(-1.0, 1.0) + (i % 3) * 2.0 + j);
  return X;
}

SomParams params(int threads) {
  SomParams p;
  p.rows = 4;
  p.cols = 5;
  p.epochs = 3;
  p.training = Training::batch;
  p.n_threads = threads;
  return p;
}

/// A Som with `threads` threads and the codebook (and scaler) of `trained`.
template <typename S, typename Data>
Som<S> with_threads(const Som<S>& trained, const Data& X, int threads) {
  SomParams p = trained.params();
  p.n_threads = threads;
  Som<S> som(p, trained.n_features());
  som.initialize_weights(X);
  som.set_scaler(trained.scaler());
  som.set_weights(trained.weights());
  return som;
}

/// The int64 values of a 1-D .npy file written by predict(source, path), header checked.
Labels read_bmu_file(const std::string& path, Index n) {
  const std::string bytes = read_bytes(path);
  REQUIRE(bytes.size() >= 128);
  CHECK(bytes.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
  const std::size_t header = 10 + std::size_t((unsigned char)bytes[8]) + (std::size_t((unsigned char)bytes[9]) << 8);
  CHECK(bytes.substr(10, header - 10)
            .find("'descr': '<i8', 'fortran_order': False, 'shape': (" + std::to_string(n) + ",)") !=
        std::string::npos);
  REQUIRE(bytes.size() == header + std::size_t(n) * 8);
  Labels out(n);
  for (Index i = 0; i < n; ++i) {
    std::int64_t v;
    std::memcpy(&v, bytes.data() + header + std::size_t(i) * 8, 8);
    out[i] = Index(v);
  }
  return out;
}

/// Every streaming call against the in-memory calls on X (dense or sparse) for one source.
template <typename S, typename Data>
void check_against_memory(const Som<S>& som, const Data& X, ChunkSource<S>& src) {
  const Labels expected = som.predict(X);
  CHECK(som.predict(src) == expected);
  CHECK(som.transform(src) == som.transform(X));
  CHECK(som.quantization_error(src) == som.quantization_error(X));  // the same sums in the same order
  std::remove("bmu.npy");
  CHECK(som.predict(src, "bmu.npy") == X.rows());
  CHECK(read_bmu_file("bmu.npy", X.rows()) == expected);
  CHECK_FALSE(file_exists("bmu.npy.part"));
  // bmus(source, ...): chunks in order, with second BMUs and distances equal to bmus(X).
  const BmuResult<S> r = som.bmus(X, SecondBmu::find);
  Index at = 0;
  som.bmus(src, SecondBmu::find, [&](const Chunk<S>& c, const BmuResult<S>& part) {
    CHECK(c.first_row == at);
    CHECK(part.bmu == r.bmu.segment(at, c.rows()));
    CHECK(part.second == r.second.segment(at, c.rows()));
    CHECK(part.distance == r.distance.segment(at, c.rows()));
    at += c.rows();
  });
  CHECK(at == X.rows());
}

std::vector<Index> chunk_sizes(Index n) { return {1, 7, n}; }

}  // namespace

TEMPLATE_TEST_CASE("Som over an NpySource: the in-memory results for any chunk size and thread count", "[som][stream]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X0 = data<S>(53, 5, 3);
  write_npy("x.npy", X0);
  const RowMatrix<S> X = read_npy<S>("x.npy");
  for (const Scaling scaling : {Scaling::none, Scaling::standard}) {
    SomParams p = params(1);
    p.scaling = scaling;
    Som<S> trained(p, 5);
    trained.fit(X);
    for (const int threads : {1, 2}) {
      const Som<S> som = with_threads(trained, X, threads);
      for (const Index chunk : chunk_sizes(X.rows())) {
        INFO("scaling " << enum_name(scaling) << ", threads " << threads << ", chunk " << chunk);
        NpySource<S> src("x.npy", chunk);
        check_against_memory(som, X, src);
      }
    }
  }
}

TEST_CASE("Som over a CsvSource with missing cells: the masked search of the in-memory predict", "[som][stream]") {
  // Rows with empty cells (missing under Missing::mask), a label column, standard scaling.
  std::string text = "a,b,c,label\n";
  const RowMatrix<double> X0 = data<double>(40, 3, 9);
  for (Index i = 0; i < X0.rows(); ++i)
    for (Index j = 0; j <= 3; ++j) {
      if (j == 3)
        text += std::to_string(i % 2) + "\n";
      else
        text += ((i * 3 + j) % 7 == 0 ? std::string() : std::to_string(X0(i, j))) + ",";
    }
  write_bytes("m.csv", text);
  CsvOptions options;
  options.missing = Missing::mask;
  options.label_column = "label";
  const RowMatrix<double> X = read_csv("m.csv", options).X;
  REQUIRE(X.hasNaN());
  SomParams p = params(1);
  p.missing = Missing::mask;
  p.scaling = Scaling::standard;
  Som<double> trained(p, 3);
  trained.fit(X);
  for (const int threads : {1, 2}) {
    const Som<double> som = with_threads(trained, X, threads);
    for (const Index chunk : chunk_sizes(X.rows())) {
      INFO("threads " << threads << ", chunk " << chunk);
      CsvSource<double> src("m.csv", options, chunk);
      check_against_memory(som, X, src);
    }
  }
}

TEST_CASE("Som over SvmlightSource and NpzSource: the sparse search of the in-memory predict", "[som][stream]") {
  SparseRowMatrix<double> A(45, 8);
  for (int i = 0; i < 45; ++i)
    for (int j = 0; j < 8; ++j)
      if ((2 * i + 3 * j) % 5 < 2) A.insert(i, j) = (i % 4) + 0.25 * j - 0.5;
  A.makeCompressed();
  Labels y(45);
  for (Index i = 0; i < 45; ++i) y[i] = i % 3;
  write_svmlight("s.svm", A, y);
  write_sparse_npz("s.npz", A);
  SvmlightOptions options;
  options.n_features = 8;
  const SparseRowMatrix<double> from_svm = read_svmlight<double>("s.svm", options).X;
  const SparseRowMatrix<double> from_npz = read_sparse_npz<double>("s.npz");
  for (const Distance metric : {Distance::euclidean, Distance::cosine}) {
    SomParams p = params(1);
    p.distance = metric;
    Som<double> trained(p, 8);
    trained.fit(from_svm);
    for (const int threads : {1, 2}) {
      const Som<double> som = with_threads(trained, from_svm, threads);
      for (const Index chunk : chunk_sizes(45)) {
        INFO(enum_name(metric) << ", threads " << threads << ", chunk " << chunk);
        SvmlightSource<double> svm("s.svm", options, chunk);
        check_against_memory(som, from_svm, svm);
        NpzSource<double> npz("s.npz", chunk);
        check_against_memory(som, from_npz, npz);
      }
    }
  }
}

TEST_CASE("Som over a CallbackSource of unknown length", "[som][stream]") {
  const RowMatrix<double> X = data<double>(30, 4, 5);
  Som<double> trained(params(2), 4);
  trained.fit(X);
  for (const Index chunk : chunk_sizes(30)) {
    Index at = 0;
    CallbackSource<double> src(
        4,
        [&](Chunk<double>& c) {
          if (at >= X.rows()) return false;
          const Index n = std::min(chunk, X.rows() - at);
          c.is_sparse = false;
          c.dense = X.middleRows(at, n);
          at += n;
          return true;
        },
        [&] { at = 0; }, chunk);
    INFO("chunk " << chunk);
    check_against_memory(trained, X, src);
  }
}

TEST_CASE("Som over a source: errors name the call, the source, the row and the rule", "[som][stream]") {
  const RowMatrix<double> X = data<double>(20, 3, 1);
  write_npy("e.npy", X);
  Som<double> som(params(1), 3);
  NpySource<double> src("e.npy", 7);
  std::remove("never.npy");

  // Before the weights exist.
  CHECK_THROWS_AS(som.predict(src), NotFittedError);
  CHECK_THROWS_AS(som.transform(src), NotFittedError);
  CHECK_THROWS_AS(som.quantization_error(src), NotFittedError);
  CHECK_THROWS_AS(som.predict(src, "never.npy"), NotFittedError);
  CHECK_FALSE(file_exists("never.npy"));
  CHECK_FALSE(file_exists("never.npy.part"));
  som.fit(X);

  // Another feature count.
  write_npy("e4.npy", data<double>(20, 4, 1));
  NpySource<double> four("e4.npy");
  CHECK_THROWS_WITH(som.predict(four), "Som::predict(): e4.npy has 4 features, but this Som expects 3");
  CHECK_THROWS_WITH(som.transform(four), "Som::transform(): e4.npy has 4 features, but this Som expects 3");
  CHECK_THROWS_WITH(som.predict(four, "never.npy"), Contains("e4.npy has 4 features"));
  CHECK_FALSE(file_exists("never.npy"));
  CHECK_FALSE(file_exists("never.npy.part"));

  // A NaN cell under Missing::reject: the source, the row in the whole source and the rule.
  RowMatrix<double> Y = X;
  Y(12, 1) = std::numeric_limits<double>::quiet_NaN();
  write_npy("nan.npy", Y);
  NpySource<double> nan("nan.npy", 5);
  CHECK_THROWS_WITH(som.predict(nan), Contains("Som::predict(): nan.npy row 12 column 1 (0-based) is NaN") &&
                                          Contains("Missing::reject") && Contains("Missing::mask"));
  CHECK_THROWS_WITH(som.quantization_error(nan), Contains("Som::quantization_error(): nan.npy row 12"));
  CHECK_THROWS_WITH(som.predict(nan, "never.npy"), Contains("nan.npy row 12"));
  CHECK_FALSE(file_exists("never.npy"));
  CHECK_FALSE(file_exists("never.npy.part"));
  // Under Missing::mask a NaN is a missing value, but a row of NaN only has nothing to search on.
  SomParams masked = params(1);
  masked.missing = Missing::mask;
  Som<double> mask(masked, 3);
  mask.fit(X);
  CHECK(mask.predict(nan) == mask.predict(read_npy("nan.npy")));
  Y.row(17).setConstant(std::numeric_limits<double>::quiet_NaN());
  write_npy("allnan.npy", Y);
  NpySource<double> allnan("allnan.npy", 5);
  CHECK_THROWS_WITH(mask.predict(allnan),
                    "Som::predict(): allnan.npy row 17 (0-based) has no present feature (all NaN)");
  Y = X;
  Y(3, 2) = std::numeric_limits<double>::infinity();
  write_npy("inf.npy", Y);
  NpySource<double> inf("inf.npy");
  CHECK_THROWS_WITH(mask.transform(inf), Contains("Som::transform(): inf.npy row 3 column 2 (0-based) is inf"));

  // Sparse chunks with a metric the sparse search does not have.
  SparseRowMatrix<double> A = X.sparseView();
  write_sparse_npz("e.npz", A);
  NpzSource<double> npz("e.npz");
  SomParams manhattan = params(1);
  manhattan.distance = Distance::manhattan;
  Som<double> m(manhattan, 3);
  m.fit(X);
  CHECK_THROWS_WITH(m.predict(npz), Contains("Distance::euclidean and Distance::cosine"));

  // An empty source.
  CallbackSource<double> empty(
      3, [](Chunk<double>&) { return false; }, [] {}, 4, -1, "nothing");
  CHECK_THROWS_WITH(som.predict(empty), "Som::predict(): nothing has no rows");
  CHECK_THROWS_WITH(som.quantization_error(empty), "Som::quantization_error(): nothing has no rows");
}

TEST_CASE("Som::predict(source, path): a failed pass leaves no file that looks complete", "[som][stream]") {
  const RowMatrix<double> X = data<double>(24, 3, 2);
  Som<double> som(params(1), 3);
  som.fit(X);
  write_npy("grow.npy", X);
  NpySource<double> src("grow.npy", 10);
  std::remove("out.npy");
  REQUIRE(som.predict(src, "out.npy") == 24);
  const std::string first = read_bytes("out.npy");

  // The file changed between passes: the source refuses the next pass; out.npy keeps the
  // first pass's result and no .part file is left.
  RowMatrix<double> more(30, 3);
  more << X, data<double>(6, 3, 4);
  write_npy("grow.npy", more);
  CHECK_THROWS_WITH(som.predict(src, "out.npy"), Contains("changed since the source was opened"));
  CHECK(read_bytes("out.npy") == first);
  CHECK_FALSE(file_exists("out.npy.part"));
  std::remove("fresh.npy");
  CHECK_THROWS(som.predict(src, "fresh.npy"));
  CHECK_FALSE(file_exists("fresh.npy"));
  CHECK_FALSE(file_exists("fresh.npy.part"));

  // A source that fails in the middle of a pass, after chunks were written.
  Index at = 0;
  CallbackSource<double> failing(
      3,
      [&](Chunk<double>& c) {
        if (at >= 16) throw InputError("the feed broke at row 16");
        c.is_sparse = false;
        c.dense = X.middleRows(at, 8);
        at += 8;
        return true;
      },
      [&] { at = 0; }, 8);
  CHECK_THROWS_WITH(som.predict(failing, "out.npy"), "the feed broke at row 16");
  CHECK(read_bytes("out.npy") == first);
  CHECK_FALSE(file_exists("out.npy.part"));
}
