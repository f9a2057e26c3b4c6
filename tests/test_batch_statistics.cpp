// BatchStatistics (som/batch_statistics.hpp): batch epochs driven from outside. Oracles: the
// in-memory Som::fit (bounded BMU search on and off), naive per-unit sum loops over exact BMUs,
// and the bytes' own layout. Scalars: float and double where sums are compared bit for bit,
// double for merging and errors, float for the bytes (a 4-byte scalar).
#include <somtile/som.hpp>  // the module header: Som and BatchStatistics come precompiled
#include <somtile/sparse.hpp>

#include <catch2/catch.hpp>
#include "support/data.hpp"
#include "support/scalars.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

using namespace somtile;

namespace {

template <typename S>
RowMatrix<S> blobs(Index n, Index f, std::uint64_t seed) {
  return test_support::three_blobs<S>(n, f, seed);
}

SomParams batch_params(Index epochs = 4) {
  SomParams p;
  p.rows = 9;  // 72 units and 4 epochs: the in-memory fit keeps bounds
  p.cols = 8;
  p.epochs = epochs;
  p.sigma = 3;
  p.training = Training::batch;
  p.topology = Topology::hexagonal;
  p.init = Init::sample;
  p.seed = 11;
  return p;
}

// Runs every epoch from statistics accumulated in chunks of `chunk` rows; returns the errors
// each epoch's statistics measured (those of the weights the previous epoch left).
template <typename S>
std::vector<double> fit_by_chunks(Som<S>& som, const RowMatrix<S>& X, Index chunk) {
  std::vector<double> qe;
  for (Index e = 0; e <= som.params().epochs; ++e) {
    BatchStatistics<S> stats = som.batch_statistics(e);
    for (Index b = 0; b < X.rows(); b += chunk) stats.accumulate(X.middleRows(b, std::min(chunk, X.rows() - b)), b);
    if (e > 0) qe.push_back(stats.quantization_error());
    if (e < som.params().epochs) som.apply(stats);
  }
  return qe;
}

// Exact BMU (brute force, ties to the lowest unit) and per-unit sums in sample order.
template <typename S>
void naive_sums(const RowMatrix<S>& X, const RowMatrix<S>& W, RowMatrix<S>& sums, std::vector<std::int64_t>& counts) {
  sums.setZero(W.rows(), W.cols());
  counts.assign(std::size_t(W.rows()), 0);
  for (Index i = 0; i < X.rows(); ++i) {
    Index best = 0;
    S best_d = std::numeric_limits<S>::infinity();
    for (Index u = 0; u < W.rows(); ++u) {
      const S d = (X.row(i) - W.row(u)).squaredNorm();
      if (d < best_d) best_d = d, best = u;
    }
    sums.row(best) += X.row(i);
    ++counts[std::size_t(best)];
  }
}

template <typename Error, typename F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no exception";
}

}  // namespace

TEMPLATE_TEST_CASE(
    "statistics in chunks of 1, 7 and all rows, 1 and 2 threads, equal the in-memory batch fit bit "
    "for bit",
    "[batch_statistics]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = blobs<S>(150, 4, 3);
  Som<S> init(batch_params(), 4);
  init.initialize_weights(X);
  for (const bool bounds : {true, false}) {
    detail::set_bounded_search(bounds);
    Som<S> ref = init;
    const TrainingHistory h = ref.fit(X);
    detail::set_bounded_search(true);
    CHECK(h.distances_computed.empty() == !bounds);  // the bounded search ran when on
    for (const int threads : {1, 2})
      for (const Index chunk : {Index(1), Index(7), X.rows()}) {
        CAPTURE(bounds, threads, chunk);
        SomParams p = batch_params();
        p.n_threads = threads;
        Som<S> som(p, 4);
        som.set_weights(init.weights());
        const std::vector<double> qe = fit_by_chunks(som, X, chunk);
        CHECK(som.weights() == ref.weights());
        REQUIRE(qe.size() == h.quantization_errors.size());
        for (std::size_t e = 0; e < qe.size(); ++e) CHECK(qe[e] == h.quantization_errors[e]);
      }
  }
}

TEMPLATE_TEST_CASE("accumulated sums equal a naive sample-order loop over exact BMUs", "[batch_statistics]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = blobs<S>(90, 3, 5);
  Som<S> som(batch_params(), 3);
  som.initialize_weights(X);
  BatchStatistics<S> stats = som.batch_statistics(0);
  for (Index b = 0; b < X.rows(); b += 13) stats.accumulate(X.middleRows(b, std::min<Index>(13, X.rows() - b)));
  RowMatrix<S> sums;
  std::vector<std::int64_t> counts;
  naive_sums<S>(X, som.weights(), sums, counts);
  CHECK(stats.sums() == sums);
  CHECK(stats.counts() == counts);
  CHECK(stats.n_samples() == X.rows());
  CHECK(stats.quantization_error() == Approx(som.quantization_error(X)).epsilon(1e-12));
  CHECK(stats.topographic_error() == som.topographic_error(X));
}

TEST_CASE("statistics with missing values and scaling equal the in-memory fit", "[batch_statistics][missing]") {
  RowMatrix<double> X = blobs<double>(120, 4, 7);
  for (Index i = 40; i < X.rows(); i += 9) X(i, i % 4) = std::numeric_limits<double>::quiet_NaN();  // none before 40
  for (const Scaling scaling : {Scaling::none, Scaling::standard}) {
    SomParams p = batch_params();
    p.missing = Missing::mask;
    p.scaling = scaling;
    Som<double> ref(p, 4);
    ref.initialize_weights(X);
    Som<double> som = ref;
    const TrainingHistory h = ref.fit(X);
    for (const Index chunk : {Index(1), Index(25), X.rows()}) {
      CAPTURE(enum_name(scaling), chunk);
      Som<double> s = som;
      const std::vector<double> qe = fit_by_chunks(s, X, chunk);
      CHECK(s.weights() == ref.weights());
      for (std::size_t e = 0; e < qe.size(); ++e) CHECK(qe[e] == h.quantization_errors[e]);
    }
  }
  // The first chunk holds no NaN: the sums switch to the masked rule when a later one does.
  SomParams p = batch_params();
  p.missing = Missing::mask;
  Som<double> som(p, 4);
  som.initialize_weights(X);
  BatchStatistics<double> stats = som.batch_statistics(0);
  stats.accumulate(X.topRows(40));
  CHECK_FALSE(stats.has_missing());
  stats.accumulate(X.bottomRows(80), 40);
  CHECK(stats.has_missing());
}

TEST_CASE("sparse chunks give the dense chunks' sums and the sparse fit's codebook", "[batch_statistics][sparse]") {
  RowMatrix<double> D = blobs<double>(80, 10, 9);
  for (Index i = 0; i < D.rows(); ++i)
    for (Index j = 0; j < D.cols(); ++j)
      if ((i + 2 * j) % 3 != 0) D(i, j) = 0;
  const SparseRowMatrix<double> Sp = D.sparseView();
  Som<double> dense(batch_params(3), 10);
  dense.initialize_weights(D);
  Som<double> sparse = dense, ref = dense;
  BatchStatistics<double> a = dense.batch_statistics(0), b = sparse.batch_statistics(0);
  a.accumulate(D);
  for (Index r = 0; r < D.rows(); r += 11) {
    const Index n = std::min<Index>(11, D.rows() - r);
    b.accumulate(SparseRowMatrix<double>(Sp.middleRows(r, n)), r);
  }
  CHECK(a.sums() == b.sums());
  CHECK(a.counts() == b.counts());
  ref.fit(Sp);
  for (Index e = 0; e < 3; ++e) {
    BatchStatistics<double> s = sparse.batch_statistics(e);
    s.accumulate(Sp);
    sparse.apply(s);
  }
  CHECK((sparse.weights() - ref.weights()).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("merged parts equal the naive sums to rounding, and a fixed merge order is reproducible",
          "[batch_statistics][merge]") {
  const RowMatrix<double> X = blobs<double>(200, 5, 13);
  Som<double> som(batch_params(), 5);
  som.initialize_weights(X);
  const std::vector<Index> bounds{0, 31, 32, 120, 200};
  auto merged = [&] {
    BatchStatistics<double> total;  // empty: adopts the first part
    for (std::size_t k = 0; k + 1 < bounds.size(); ++k) {
      BatchStatistics<double> part = som.batch_statistics(0);
      part.accumulate(X.middleRows(bounds[k], bounds[k + 1] - bounds[k]), bounds[k]);
      total.merge(BatchStatistics<double>::from_bytes(part.to_bytes()));
    }
    return total;
  };
  const BatchStatistics<double> m1 = merged(), m2 = merged();
  CHECK(m1.to_bytes() == m2.to_bytes());
  RowMatrix<double> sums;
  std::vector<std::int64_t> counts;
  naive_sums<double>(X, som.weights(), sums, counts);
  CHECK(m1.counts() == counts);
  CHECK((m1.sums() - sums).cwiseAbs().maxCoeff() <= 1e-12 * (1.0 + sums.cwiseAbs().maxCoeff()));
  CHECK(m1.n_samples() == 200);
  CHECK(m1.quantization_error() == Approx(som.quantization_error(X)).epsilon(1e-12));
  // Applying the merge moves the codebook as the in-memory epoch does, to rounding.
  Som<double> one = som, ref = som;
  SomParams p1 = batch_params(1);
  Som<double> ref1(p1, 5);
  ref1.set_weights(som.weights());
  one.apply(m1);
  BatchStatistics<double> all = ref.batch_statistics(0);
  all.accumulate(X);
  ref.apply(all);
  CHECK((one.weights() - ref.weights()).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("bytes round trip exactly, with and without missing values", "[batch_statistics][bytes]") {
  RowMatrix<float> X = blobs<float>(60, 3, 21);
  X(5, 1) = std::numeric_limits<float>::quiet_NaN();
  SomParams p = batch_params();
  p.missing = Missing::mask;
  Som<float> som(p, 3);
  som.initialize_weights(X);
  for (const Index rows : {Index(5), Index(60)}) {  // the first 5 rows hold no NaN
    BatchStatistics<float> s = som.batch_statistics(2);
    s.accumulate(X.topRows(rows));
    CHECK(s.has_missing() == (rows == 60));
    const std::vector<std::uint8_t> bytes = s.to_bytes();
    const std::size_t U = 72, F = 3;
    CHECK(bytes.size() == detail::batch_bytes_header + U * F * 4 + U * 8 + (rows == 60 ? U * F * 8 : 0));
    const BatchStatistics<float> t = BatchStatistics<float>::from_bytes(bytes);
    CHECK(t.to_bytes() == bytes);
    CHECK(t.sums() == s.sums());
    CHECK(t.counts() == s.counts());
    CHECK(t.epoch() == 2);
    CHECK(t.sigma() == s.sigma());
    CHECK(t.fingerprint() == s.fingerprint());
    CHECK(t.quantization_error() == s.quantization_error());
    CHECK(t.topographic_error() == s.topographic_error());
    CHECK_FALSE(t.can_accumulate());
  }
  // Little-endian on disk: the magic, then version 1 as 01 00 00 00.
  const auto bytes = som.batch_statistics(0).to_bytes();
  CHECK(std::string(bytes.begin(), bytes.begin() + 8) == "SOMBSTAT");
  CHECK((bytes[8] == 1 && bytes[9] == 0 && bytes[12] == 4));
}

TEST_CASE("batch statistics: every error path names the problem and changes nothing", "[batch_statistics][errors]") {
  const RowMatrix<double> X = blobs<double>(40, 4, 2);
  Som<double> som(batch_params(), 4);
  som.initialize_weights(X);
  const RowMatrix<double> W0 = som.weights();
  BatchStatistics<double> s0 = som.batch_statistics(0);
  s0.accumulate(X);

  // accumulate
  CHECK(message_of<InputError>([&] { s0.accumulate(X.leftCols(3)); }) ==
        "BatchStatistics::accumulate(): the chunk has 3 features, but this Som expects 4");
  RowMatrix<double> bad = X.topRows(5);
  bad(2, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK(message_of<InputError>([&] { s0.accumulate(bad, 100); }) ==
        "BatchStatistics::accumulate(): row 103 of the data (X(2, 1) of the chunk) is nan; if NaN marks missing "
        "values, set missing = Missing::mask");
  bad(2, 1) = std::numeric_limits<double>::infinity();
  CHECK_THAT(message_of<InputError>([&] { s0.accumulate(bad, 100); }),
             Catch::Contains("row 103 of the data") && Catch::Contains("values must be finite"));
  CHECK(s0.n_samples() == 40);  // nothing was added by the failed calls
  SomParams pm = batch_params();
  pm.missing = Missing::mask;
  Som<double> masked(pm, 4);
  masked.set_weights(W0);
  bad.row(3).setConstant(std::numeric_limits<double>::quiet_NaN());
  bad(2, 1) = 0;
  CHECK_THAT(message_of<InputError>([&] { masked.batch_statistics(0).accumulate(bad, 10); }),
             Catch::Contains("row 14 of the data") && Catch::Contains("no present feature"));
  const BatchStatistics<double> read = BatchStatistics<double>::from_bytes(s0.to_bytes());
  BatchStatistics<double> copy = read;
  CHECK_THROWS_AS(copy.accumulate(X), std::logic_error);

  // sparse chunks on settings sparse data cannot take
  const SparseRowMatrix<double> Sp = X.sparseView();
  SomParams pc = batch_params();
  pc.distance = Distance::manhattan;
  Som<double> manhattan(pc, 4);
  manhattan.set_weights(W0);
  CHECK_THROWS_AS(manhattan.batch_statistics(0).accumulate(Sp), ParameterError);
  pc = batch_params();
  pc.scaling = Scaling::standard;
  Som<double> scaled(pc, 4);
  scaled.initialize_weights(X);
  CHECK_THAT(message_of<ParameterError>([&] { scaled.batch_statistics(0).accumulate(Sp); }),
             Catch::Contains("Scaling::none"));

  // merge: other epoch, other codebook, other shape
  BatchStatistics<double> s1 = som.batch_statistics(1);
  s1.accumulate(X);
  CHECK_THAT(message_of<InputError>([&] { s0.merge(s1); }), Catch::Contains("epoch 1 of 4"));
  Som<double> other(batch_params(), 4);
  other.initialize_weights(X.bottomRows(20));
  CHECK_THAT(message_of<InputError>([&] { s0.merge(other.batch_statistics(0)); }), Catch::Contains("another codebook"));
  SomParams small = batch_params();
  small.rows = 3;
  Som<double> three(small, 4);
  three.initialize_weights(X);
  CHECK_THAT(message_of<InputError>([&] { s0.merge(three.batch_statistics(0)); }),
             Catch::Contains("24 units x 4 features"));
  CHECK(s0.n_samples() == 40);

  // batch_statistics and apply
  CHECK_THROWS_AS(som.batch_statistics(-1), InputError);
  CHECK_THROWS_AS(som.batch_statistics(5), InputError);
  CHECK_THROWS_AS(Som<double>(batch_params(), 4).batch_statistics(0), NotFittedError);
  CHECK_THAT(message_of<InputError>([&] { som.apply(BatchStatistics<double>()); }), Catch::Contains("empty"));
  CHECK_THAT(message_of<InputError>([&] { som.apply(som.batch_statistics(0)); }), Catch::Contains("no samples"));
  BatchStatistics<double> last = som.batch_statistics(4);
  last.accumulate(X);
  CHECK_THAT(message_of<InputError>([&] { som.apply(last); }), Catch::Contains("only measure"));
  CHECK_THAT(message_of<InputError>([&] { three.apply(s0); }), Catch::Contains("this Som 24 x 4"));
  CHECK(som.weights() == W0);
  som.apply(read);  // bytes apply as the original
  CHECK_THAT(message_of<InputError>([&] { som.apply(s0); }), Catch::Contains("another codebook"));  // applied once

  CHECK_THAT(message_of<InputError>([&] { BatchStatistics<double>().to_bytes(); }), Catch::Contains("empty"));

  // malformed bytes
  const std::vector<std::uint8_t> good = s0.to_bytes();
  using B = BatchStatistics<double>;
  for (const std::size_t n : {std::size_t(0), std::size_t(7), detail::batch_bytes_header - 1})
    CHECK_THAT(message_of<InputError>([&] { B::from_bytes(good.data(), n); }), Catch::Contains("truncated"));
  CHECK_THAT(message_of<InputError>([&] { B::from_bytes(good.data(), good.size() - 1); }),
             Catch::Contains("truncated"));
  std::vector<std::uint8_t> v = good;
  v.push_back(0);
  CHECK_THAT(message_of<InputError>([&] { B::from_bytes(v); }), Catch::Contains("trailing"));
  v = good;
  v[0] = 'X';
  CHECK_THAT(message_of<InputError>([&] { B::from_bytes(v); }), Catch::Contains("not batch statistics"));
  v = good;
  v[8] = 9;
  CHECK_THAT(message_of<InputError>([&] { B::from_bytes(v); }), Catch::Contains("version 9"));
  CHECK(message_of<InputError>([&] { BatchStatistics<float>::from_bytes(good); }) ==
        "BatchStatistics::from_bytes(): the statistics hold double values (8 bytes), but this is "
        "BatchStatistics<float>");
  v = good;
  v[14] = 1;
  CHECK_THAT(message_of<InputError>([&] { B::from_bytes(v); }), Catch::Contains("reserved"));
  v = good;
  v[16] = 0;  // units: 72 -> 0
  CHECK_THAT(message_of<InputError>([&] { B::from_bytes(v); }), Catch::Contains("is not valid"));
  v = good;
  v[24] = 5;  // features: 4 -> 5, the size no longer fits
  CHECK_THAT(message_of<InputError>([&] { B::from_bytes(v); }), Catch::Contains("take"));
  v = good;
  v[v.size() - 8] ^= 1;  // the last unit's count
  CHECK_THAT(message_of<InputError>([&] { B::from_bytes(v); }), Catch::Contains("add up"));
  v = good;
  v[v.size() - 1] = 0x80;  // the last unit's count: negative
  CHECK_THAT(message_of<InputError>([&] { B::from_bytes(v); }), Catch::Contains("add up to more than"));
  v = good;
  v[16 + 8 + 7] = 0x40;  // features: huge, the shape is refused before any size arithmetic
  CHECK_THAT(message_of<InputError>([&] { B::from_bytes(v); }), Catch::Contains("is not valid"));

  // sums: the first unit's first sum (bytes 88..95) not finite; a unit no row reached with a sum
  const auto put_double = [](std::vector<std::uint8_t>& bytes, std::size_t at, double x) {
    std::uint64_t bits;
    std::memcpy(&bits, &x, 8);
    for (std::size_t k = 0; k < 8; ++k) bytes[at + k] = std::uint8_t(bits >> (8 * k));
  };
  const std::size_t sums_at = detail::batch_bytes_header, counts_at = sums_at + 72 * 4 * 8;
  for (const double x : {std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::infinity()}) {
    v = good;
    put_double(v, sums_at, x);
    CHECK_THAT(message_of<InputError>([&] { B::from_bytes(v); }),
               Catch::Contains("the sum of unit 0, feature 0 is") && Catch::Contains("finite"));
  }
  const auto count_of = [&](Index u) {
    std::int64_t c = 0;
    std::memcpy(&c, good.data() + counts_at + std::size_t(u) * 8, 8);  // little-endian hosts (x86, AArch64)
    return c;
  };
  Index empty = 0;
  while (count_of(empty) != 0) ++empty;  // 40 samples on 72 units: some unit won none
  v = good;
  put_double(v, sums_at + std::size_t(empty * 4 + 2) * 8, 0.5);
  CHECK(message_of<InputError>([&] { B::from_bytes(v); }) ==
        detail::concat("BatchStatistics::from_bytes(): unit ", empty,
                       ", feature 2 sums no rows but holds 0.5; a sum over no rows is 0"));

  // apply: finite sums whose smoothed update overflows leave the map as it was
  Som<double> fresh(batch_params(), 4);
  fresh.set_weights(W0);  // s0 was made on W0 at epoch 0, so its bytes apply here
  v = good;
  for (Index u = 0; u < 72; ++u)
    if (count_of(u) > 0) put_double(v, sums_at + std::size_t(u * 4) * 8, 1.7e308);
  const BatchStatistics<double> huge = B::from_bytes(v);
  CHECK(message_of<InputError>([&] { fresh.apply(huge); }) ==
        "Som::apply(): the update is not finite: the sums overflow double; scale the data");
  CHECK(fresh.weights() == W0);
}

TEST_CASE("fit(X) refuses an update that overflows (batch and mini-batch), as apply does, and leaves the Som as it was",
          "[batch_statistics][errors]") {
  // Finite values whose per-unit sums are not: 1e308 in every cell, so every unit's sum of two
  // or more rows overflows double.
  const RowMatrix<double> X = RowMatrix<double>::Constant(40, 4, 1e308);
  Som<double> som(batch_params(), 4);
  CHECK(message_of<InputError>([&] { som.fit(X); }) ==
        "Som::fit(): the update is not finite: the sums overflow double; scale the data");
  CHECK_FALSE(som.is_fitted());
  // A fitted Som keeps its weights.
  const RowMatrix<double> Y = test_support::normal_matrix<double>(40, 4, 3);
  som.fit(Y);
  const RowMatrix<double> before = som.weights();
  CHECK_THROWS_AS(som.fit(X), InputError);
  CHECK(som.weights() == before);
  // The mini-batch rule, on complete data and with missing values.
  SomParams q = batch_params();
  q.training = Training::minibatch;
  for (const Missing missing : {Missing::reject, Missing::mask}) {
    q.missing = missing;
    RowMatrix<double> Z = X;
    if (missing == Missing::mask) Z(3, 1) = std::numeric_limits<double>::quiet_NaN();
    Som<double> mini(q, 4);
    CHECK(message_of<InputError>([&] { mini.fit(Z); }) ==
          "Som::fit(): the update is not finite: the sums overflow double; scale the data");
    CHECK_FALSE(mini.is_fitted());
  }
}
