// Missing values (Missing::mask) in the online trainer, its lattice helpers and the growing SOM
// (SomVQ, SomClassifier): one online epoch and one growing epoch against naive loops written
// from the documented rules, predictions and errors against brute-force masked distances,
// impute() against its rule, thread-count independence, complete data under mask equal to
// reject bit for bit, model files and error paths.
// Scalars: no templated test cases (double).
#include <somtile/core/random.hpp>
#include <somtile/core/warning.hpp>
#include <somtile/growing.hpp>
#include <somtile/io.hpp>
#include <somtile/missing.hpp>
#include <somtile/online.hpp>

#include <catch2/catch.hpp>
#include "support/naive_nnls.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

using namespace somtile;
using Catch::Contains;

namespace {

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

// Uniform [0, 1) data with about `share` of the cells NaN, never a whole row.
RowMatrix<double> gappy_data(Index n, Index F, double share, std::uint64_t seed) {
  Random rng(seed);
  RowMatrix<double> X(n, F);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < F; ++j) X(i, j) = rng.uniform() < share ? nan_value : rng.uniform();
    if (X.row(i).array().isNaN().all()) X(i, i % F) = rng.uniform();
  }
  return X;
}

// Four clusters around the corners of the unit square (features 0 and 1; sample i in cluster
// i % 4), plus a noise feature. Feature 2 is missing in every sample of the (1, 1) cluster and
// feature 0 in some of the (0, 0) and (1, 0) clusters, whose feature 1 still tells them apart
// from the others.
RowMatrix<double> clustered_gappy_data(Index n, std::uint64_t seed) {
  Random rng(seed);
  RowMatrix<double> X(n, 3);
  for (Index i = 0; i < n; ++i) {
    const Index c = i % 4;
    X(i, 0) = double(c & 1) + 0.1 * rng.normal();
    X(i, 1) = double(c >> 1) + 0.1 * rng.normal();
    X(i, 2) = c == 3 ? nan_value : rng.uniform();
    if (c < 2 && rng.uniform() < 0.3) X(i, 0) = nan_value;
  }
  return X;
}

Index present_count(const RowMatrix<double>& X, Index i) {
  Index p = 0;
  for (Index j = 0; j < X.cols(); ++j) p += !std::isnan(X(i, j));
  return p;
}

// The masked Euclidean distance: sqrt(F / p * sum over the p present features).
double masked_distance(const RowMatrix<double>& X, Index i, const RowMatrix<double>& W, Index u) {
  double sum = 0;
  for (Index j = 0; j < X.cols(); ++j)
    if (!std::isnan(X(i, j))) sum += (X(i, j) - W(u, j)) * (X(i, j) - W(u, j));
  return std::sqrt(double(X.cols()) / double(present_count(X, i)) * sum);
}

// Nearest unit by masked distance, lowest unit on ties.
Index masked_bmu(const RowMatrix<double>& X, Index i, const RowMatrix<double>& W) {
  Index best = 0;
  for (Index u = 1; u < W.rows(); ++u)
    if (masked_distance(X, i, W, u) < masked_distance(X, i, W, best)) best = u;
  return best;
}

// Runner-up by masked distance.
Index masked_second(const RowMatrix<double>& X, Index i, const RowMatrix<double>& W, Index best) {
  Index second = best == 0 ? 1 : 0;
  for (Index u = 0; u < W.rows(); ++u)
    if (u != best && masked_distance(X, i, W, u) < masked_distance(X, i, W, second)) second = u;
  return second;
}

// X with every NaN cell taken from the weight of the row's masked BMU (found in `space`
// units, filled from `W_data`).
RowMatrix<double> naive_impute(const RowMatrix<double>& X, const RowMatrix<double>& X_space,
                               const RowMatrix<double>& W_space, const RowMatrix<double>& W_data) {
  RowMatrix<double> out = X;
  for (Index i = 0; i < X.rows(); ++i) {
    const Index b = masked_bmu(X_space, i, W_space);
    for (Index j = 0; j < X.cols(); ++j)
      if (std::isnan(X(i, j))) out(i, j) = W_data(b, j);
  }
  return out;
}

template <typename Call>
void expect_input_error(Call&& call, const char* part) {
  CHECK_THROWS_AS(call(), InputError);
  CHECK_THROWS_WITH(call(), Contains(part));
}

OnlineSomParams online_params(Missing missing) {
  OnlineSomParams p;
  p.rows = 4;
  p.cols = 5;
  p.learning_rate = 0.5;
  p.learning_rate_final = 0.5;  // exponential decay to itself: constant
  p.sigma = 1.0;
  p.sigma_final = 1.0;
  p.seed = 11;
  p.missing = missing;
  return p;
}

GrowingSomParams growing_params(Missing missing) {
  GrowingSomParams p;
  p.max_neurons = 12;
  p.max_iter = 20;
  p.lambda_ = 5.0;
  p.seed = 3;
  p.missing = missing;
  return p;
}

}  // namespace

// ---- online trainer --------------------------------------------------------------------

TEST_CASE("OnlineSom with NaN: one epoch equals a naive loop over the documented rules", "[missing][online]") {
  const RowMatrix<double> X = gappy_data(40, 4, 0.25, 5);
  const OnlineSomParams p = online_params(Missing::mask);
  OnlineSom<double> osom(p);
  const Index T = X.rows();
  const RowMatrix<double> W = osom.train(X, T).codebook();

  // Random stream: rows * cols * F uniforms in each feature's [min, max] over present values,
  // then one uniform_index(n) per iteration. The window (radius 5.26 at sigma 1) covers the grid.
  const Index F = X.cols(), units = p.rows * p.cols;
  std::vector<double> lo(std::size_t(F), 1e300), hi(std::size_t(F), -1e300);
  for (Index i = 0; i < X.rows(); ++i)
    for (Index j = 0; j < F; ++j)
      if (!std::isnan(X(i, j))) {
        lo[std::size_t(j)] = std::min(lo[std::size_t(j)], X(i, j));
        hi[std::size_t(j)] = std::max(hi[std::size_t(j)], X(i, j));
      }
  Random rng(p.seed);
  RowMatrix<double> V(units, F);
  for (Index u = 0; u < units; ++u)
    for (Index j = 0; j < F; ++j) V(u, j) = rng.uniform(lo[std::size_t(j)], hi[std::size_t(j)]);
  Index gapped_steps = 0;
  for (Index t = 0; t < T; ++t) {
    const Index i = rng.uniform_index(X.rows());
    gapped_steps += present_count(X, i) < F;
    Index bmu = 0;
    double best = std::numeric_limits<double>::infinity();
    for (Index u = 0; u < units; ++u) {
      double sum = 0;
      for (Index j = 0; j < F; ++j)
        if (!std::isnan(X(i, j))) sum += (X(i, j) - V(u, j)) * (X(i, j) - V(u, j));
      if (sum < best) best = sum, bmu = u;
    }
    for (Index u = 0; u < units; ++u) {
      const double dr = double(u / p.cols - bmu / p.cols), dc = double(u % p.cols - bmu % p.cols);
      const double rate = p.learning_rate * std::exp(-(dr * dr + dc * dc) / 2.0);
      for (Index j = 0; j < F; ++j)
        if (!std::isnan(X(i, j))) V(u, j) += rate * (X(i, j) - V(u, j));
    }
  }
  REQUIRE(gapped_steps > 5);  // the masked steps were taken
  for (Index k = 0; k < W.size(); ++k) CHECK(W.data()[k] == Approx(V.data()[k]).margin(1e-12));
  CHECK(W.allFinite());
}

TEST_CASE("OnlineSom: complete data under mask equal reject bit for bit", "[missing][online]") {
  const RowMatrix<double> X = gappy_data(50, 3, 0.0, 8);
  for (bool normalize : {false, true}) {
    OnlineSom<double> a(online_params(Missing::reject)), b(online_params(Missing::mask));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // normalize stays tested while it exists
    CHECK(a.train(X, 300, normalize).codebook() == b.train(X, 300, normalize).codebook());
#pragma GCC diagnostic pop
    CHECK(a.partial_fit(X, 50).codebook() == b.partial_fit(X, 50).codebook());
  }
}

TEST_CASE("OnlineSom with NaN: predict, scaling, impute and the lattice helpers against brute force",
          "[missing][online]") {
  const RowMatrix<double> X = gappy_data(60, 4, 0.2, 21);
  OnlineSomParams p = online_params(Missing::mask);
  p.scaling = Scaling::minmax;
  OnlineSom<double> osom(p);
  const Lattice<double> lat = osom.train(X, 500);
  const RowMatrix<double>& W = lat.codebook();  // data units
  // The training space of minmax: (x - min) / (max - min) over present values.
  RowMatrix<double> Xs = X, Ws = W;
  for (Index j = 0; j < X.cols(); ++j) {
    double lo = 1e300, hi = -1e300;
    for (Index i = 0; i < X.rows(); ++i)
      if (!std::isnan(X(i, j))) lo = std::min(lo, X(i, j)), hi = std::max(hi, X(i, j));
    Xs.col(j).array() = (Xs.col(j).array() - lo) / (hi - lo);
    Ws.col(j).array() = (Ws.col(j).array() - lo) / (hi - lo);
  }
  CHECK(W.allFinite());
  const Labels bmu = osom.predict(X);
  Index gapped = 0;
  for (Index i = 0; i < X.rows(); ++i) {
    CHECK(bmu[i] == masked_bmu(Xs, i, Ws));
    gapped += present_count(X, i) < X.cols();
  }
  REQUIRE(gapped > 5);
  CHECK(osom.predict(X, 2) == bmu);

  const RowMatrix<double> filled = impute(osom, X);
  const RowMatrix<double> expected = naive_impute(X, Xs, Ws, W);
  CHECK(!filled.hasNaN());
  for (Index k = 0; k < X.size(); ++k) CHECK(filled.data()[k] == Approx(expected.data()[k]).margin(1e-12));

  // Lattice helpers in data units (the codebook as it comes back).
  const LatticeProjection cells = project_on_lattice<double>(X, lat, false, 1, Missing::mask);
  for (Index u = 0; u < lat.grid().size(); ++u)
    for (Index i : cells[std::size_t(u)]) CHECK(masked_bmu(X, i, W) == u);
  CHECK(project_on_lattice<double>(X, lat, false, 2, Missing::mask) == cells);

  const CellIndexMap closest = lattice_closest_vectors<double>(X, lat, false, 1, Missing::mask);
  for (Index u = 0; u < lat.grid().size(); ++u) {
    Index best = 0;
    for (Index i = 1; i < X.rows(); ++i)
      if (masked_distance(X, i, W, u) < masked_distance(X, best, W, u)) best = i;
    CHECK(closest.data()[u] == best);
  }
  CHECK(lattice_closest_vectors<double>(X, lat, false, 2, Missing::mask) == closest);

  const std::vector<RowMatrix<double>> act = lattice_activations<double>(X, lat, 2.0, false, 1, Missing::mask);
  std::vector<RowMatrix<double>> D(std::size_t(X.rows()), RowMatrix<double>(lat.rows(), lat.cols()));
  double max_d = 0;
  for (Index i = 0; i < X.rows(); ++i)
    for (Index u = 0; u < W.rows(); ++u) {
      const double d = masked_distance(X, i, W, u);
      D[std::size_t(i)].data()[u] = d * d;
      max_d = std::max(max_d, d * d);
    }
  double lo = 1e300, hi = -1e300;
  for (auto& m : D) {
    m = ((max_d - m.array()) / max_d).pow(2.0).matrix();
    lo = std::min(lo, m.minCoeff());
    hi = std::max(hi, m.maxCoeff());
  }
  for (Index i = 0; i < X.rows(); ++i)
    for (Index u = 0; u < W.rows(); ++u)
      CHECK(act[std::size_t(i)].data()[u] == Approx((D[std::size_t(i)].data()[u] - lo) / (hi - lo)).margin(1e-12));

  // normalize = true: both scaled by the present values' min and max (Xs, Ws above).
  const LatticeProjection normalized = project_on_lattice<double>(X, lat, true, 1, Missing::mask);
  for (Index u = 0; u < lat.grid().size(); ++u)
    for (Index i : normalized[std::size_t(u)]) CHECK(masked_bmu(Xs, i, Ws) == u);
}

// ---- growing SOM -----------------------------------------------------------------------

TEST_CASE("Growing SOM with NaN: one epoch equals naive per-feature sums", "[missing][growing]") {
  const RowMatrix<double> X = clustered_gappy_data(48, 13);
  const Index n = X.rows(), F = X.cols();
  for (bool robust : {false, true}) {
    for (double sigma : {1.0, 0.15}) {  // at 0.15 a neuron sees only its own samples
      CAPTURE(robust, sigma);
      GrowingSomParams p;
      p.max_iter = 1;
      p.lambda_ = 1e6;  // no growth: the map stays the 4 seeds after one batch update
      p.sigma_start = sigma;
      p.sigma_end = std::min(sigma, 0.7);
      p.robust_weights = robust;
      // A seed with one sample of each cluster: at sigma 0.15 the (1, 1) cluster's neuron sees
      // feature 2 in none of its samples.
      p.seed = 1;
      for (;; ++p.seed) {
        const std::vector<Index> s = Random(p.seed).sample_without_replacement(n, 4);
        std::vector<bool> seen(4, false);
        for (Index k : s) seen[std::size_t(k % 4)] = true;
        if (seen[0] && seen[1] && seen[2] && seen[3]) break;
      }
      p.missing = Missing::mask;
      SomVQ<double> vq(p);
      std::vector<std::string> warnings;
      {
        ScopedWarningHandler capture([&](std::string_view w) { warnings.emplace_back(w); });
        vq.fit(X);
      }
      REQUIRE(warnings.size() == 1);
      CHECK_THAT(warnings[0], Contains("did not grow"));
      REQUIRE(vq.n_neurons() == 4);

      // Per feature: mean over present values, population variance over them.
      Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(F), count = Eigen::RowVectorXd::Zero(F);
      for (Index i = 0; i < n; ++i)
        for (Index j = 0; j < F; ++j)
          if (!std::isnan(X(i, j))) mean[j] += X(i, j), count[j] += 1;
      mean.array() /= count.array();
      double total_variance = 0;
      for (Index j = 0; j < F; ++j) {
        double ss = 0;
        for (Index i = 0; i < n; ++i)
          if (!std::isnan(X(i, j))) ss += (X(i, j) - mean[j]) * (X(i, j) - mean[j]);
        total_variance += ss / count[j];
      }
      // Seeds on the 2 x 2 square in sample_without_replacement order, missing cells = mean.
      Random rng(p.seed);
      const std::vector<Index> seeds = rng.sample_without_replacement(n, 4);
      RowMatrix<double> W0(4, F);
      for (Index k = 0; k < 4; ++k)
        for (Index j = 0; j < F; ++j) {
          const double v = X(seeds[std::size_t(k)], j);
          W0(k, j) = std::isnan(v) ? mean[j] : v;
        }
      const Index cell[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
      RowMatrix<double> sum_sx = RowMatrix<double>::Zero(4, F), sum_s = sum_sx, hits = sum_sx;
      for (Index i = 0; i < n; ++i) {
        const Index b = masked_bmu(X, i, W0);
        const double d = masked_distance(X, i, W0, b);
        const double s = robust ? 1.0 - std::sqrt(std::max(0.0, 1.0 - std::exp(-d * d / total_variance))) : 1.0;
        for (Index j = 0; j < F; ++j)
          if (!std::isnan(X(i, j))) sum_sx(b, j) += s * X(i, j), sum_s(b, j) += s, hits(b, j) += 1;
      }
      RowMatrix<double> expected = W0;
      Index kept = 0;
      for (Index a = 0; a < 4; ++a)
        for (Index j = 0; j < F; ++j) {
          double num = 0, den = 0;
          for (Index b = 0; b < 4; ++b) {
            const double hops = double(std::abs(cell[a][0] - cell[b][0]) + std::abs(cell[a][1] - cell[b][1]));
            double h = std::exp(-hops * hops / (2 * sigma * sigma));
            if (h < 1e-6) h = 0;
            if (hits(b, j) > 0) num += h * hits(b, j) * sum_sx(b, j) / sum_s(b, j), den += h * hits(b, j);
          }
          if (den > 0)
            expected(a, j) = num / den;
          else
            ++kept;
        }
      if (sigma < 0.5) CHECK(kept > 0);  // a (neuron, feature) without data kept its weight
      for (Index k = 0; k < expected.size(); ++k)
        CHECK(vq.weights().data()[k] == Approx(expected.data()[k]).margin(1e-12));

      // The final statistics on the training data, by brute force on the final weights.
      const RowMatrix<double>& W = vq.weights();
      double qe = 0;
      Vector<double> err = Vector<double>::Zero(4), hit = Vector<double>::Zero(4);
      for (Index i = 0; i < n; ++i) {
        const Index b = masked_bmu(X, i, W);
        qe += masked_distance(X, i, W, b);
        err[b] += masked_distance(X, i, W, b);
        hit[b] += 1;
      }
      CHECK(vq.quantization_error() == Approx(qe / double(n)).epsilon(1e-12));
      CHECK(vq.hit_count() == hit);
      for (Index k = 0; k < 4; ++k) CHECK(vq.error()[k] == Approx(err[k]).margin(1e-12));
    }
  }
}

TEST_CASE("SomVQ with NaN: fit, predict, errors and transform against brute force", "[missing][growing]") {
  const RowMatrix<double> X = clustered_gappy_data(80, 17);
  GrowingSomParams p = growing_params(Missing::mask);
  p.n_threads = 1;
  SomVQ<double> vq(p);
  std::vector<EpochInfo> epochs;
  {
    ScopedWarningHandler quiet([](std::string_view) {});
    vq.fit(X, [&](const EpochInfo& e) { epochs.push_back(e); });
  }
  const RowMatrix<double>& W = vq.weights();
  REQUIRE(vq.n_neurons() > 4);  // it grew
  REQUIRE(!epochs.empty());
  for (const EpochInfo& e : epochs) {
    CHECK(std::isfinite(e.quantization_error));
    CHECK(e.topographic_error >= 0);
  }
  CHECK(W.allFinite());

  p.n_threads = 2;
  SomVQ<double> vq2(p);
  {
    ScopedWarningHandler quiet([](std::string_view) {});
    vq2.fit(X);
  }
  CHECK(vq2.weights() == W);  // also: the epoch callback's second-BMU pass changes nothing
  CHECK(vq2.labels() == vq.labels());

  const RowMatrix<double> Y = gappy_data(30, 3, 0.3, 4);
  const Labels cluster = vq.predict(Y);
  const LatticePositions cells = vq.positions();
  double qe = 0, qe_train = 0, te_train = 0;
  for (Index i = 0; i < Y.rows(); ++i) {
    const Index b = masked_bmu(Y, i, W);
    CHECK(cluster[i] == vq.neuron_labels()[b]);
    qe += masked_distance(Y, i, W, b);
  }
  for (Index i = 0; i < X.rows(); ++i) {
    const Index b = masked_bmu(X, i, W), s = masked_second(X, i, W, b);
    CHECK(vq.labels()[i] == vq.neuron_labels()[b]);
    qe_train += masked_distance(X, i, W, b);
    te_train += std::abs(cells(b, 0) - cells(s, 0)) > 1 || std::abs(cells(b, 1) - cells(s, 1)) > 1;
  }
  CHECK(vq.quantization_error(Y) == Approx(qe / double(Y.rows())).epsilon(1e-12));
  CHECK(vq.quantization_error() == Approx(qe_train / double(X.rows())).epsilon(1e-12));
  CHECK(vq.topographic_error() == Approx(te_train / double(X.rows())));
  CHECK(vq.topographic_function(Y).values.size() > 0);

  // transform: for a row with missing cells, the non-negative least squares over its present
  // features, checked by its optimality conditions (c >= 0; the gradient is 0 where c > 0 and
  // <= 0 where c = 0).
  const RowMatrix<double> C = vq.transform(Y);
  CHECK(C.rows() == Y.rows());
  CHECK(C.cols() == vq.n_neurons());
  for (Index i = 0; i < Y.rows(); ++i) {
    if (present_count(Y, i) == Y.cols()) continue;
    Eigen::VectorXd residual = Eigen::VectorXd::Zero(Y.cols());
    for (Index j = 0; j < Y.cols(); ++j)
      if (!std::isnan(Y(i, j))) residual[j] = Y(i, j) - W.col(j).dot(C.row(i));
    const Eigen::VectorXd gradient = W * residual;  // the missing features contribute 0
    for (Index k = 0; k < C.cols(); ++k) {
      CHECK(C(i, k) >= 0);
      if (C(i, k) > 0)
        CHECK(std::abs(gradient[k]) < 1e-8);
      else
        CHECK(gradient[k] < 1e-8);
    }
  }
}

TEST_CASE("SomClassifier with NaN in X: fit, predict_proba, predict, score", "[missing][growing]") {
  const RowMatrix<double> X = clustered_gappy_data(80, 23);
  Labels y(X.rows());
  for (Index i = 0; i < X.rows(); ++i) y[i] = (i % 4) >= 2 ? 7 : 2;  // feature 1's corner
  GrowingSomParams p = growing_params(Missing::mask);
  p.proba_rule = ProbaRule::bmu;
  SomClassifier<double> clf(p);
  {
    ScopedWarningHandler quiet([](std::string_view) {});
    clf.fit(X, y);
  }
  const RowMatrix<double> P = clf.predict_proba(X);
  const Labels predicted = clf.predict(X);
  for (Index i = 0; i < X.rows(); ++i) {
    const Index b = masked_bmu(X, i, clf.weights());
    CHECK(P.row(i) == clf.neuron_probabilities().row(b));
    Index best;
    P.row(i).maxCoeff(&best);
    CHECK(predicted[i] == clf.classes()[best]);
  }
  CHECK(clf.score(X, y) > 0.9);

  p.proba_rule = ProbaRule::mixture;
  SomClassifier<double> mix(p);
  {
    ScopedWarningHandler quiet([](std::string_view) {});
    mix.fit(X, y);
  }
  const RowMatrix<double> M = mix.predict_proba(X);
  CHECK(M.allFinite());
  CHECK((M.array() >= -1e-12).all());
  for (Index i = 0; i < X.rows(); ++i) CHECK(M.row(i).sum() == Approx(1.0));
  // Row by row with the naive solver over each row's present features.
  CHECK((M - naive::mixture_proba(mix.weights(), mix.neuron_probabilities(), X)).cwiseAbs().maxCoeff() <= 1e-9);
  CHECK(mix.score(X, y) > 0.9);

  // impute: the missing cells from the BMU's weight (no scaling: the same units).
  const RowMatrix<double> filled = impute(clf, X);
  const RowMatrix<double> expected = naive_impute(X, X, clf.weights(), clf.weights());
  for (Index k = 0; k < X.size(); ++k) CHECK(filled.data()[k] == expected.data()[k]);
}

TEST_CASE("SomVQ impute with scaling: BMU in scaled space, weights in data units", "[missing][growing]") {
  RowMatrix<double> X = clustered_gappy_data(60, 29);
  X.col(1) *= 1000.0;  // scaled space and data units differ
  GrowingSomParams p = growing_params(Missing::mask);
  p.scaling = Scaling::standard;
  SomVQ<double> vq(p);
  {
    ScopedWarningHandler quiet([](std::string_view) {});
    vq.fit(X);
  }
  // StandardScaler over present values: mean and population deviation per feature.
  RowMatrix<double> Xs = X;
  for (Index j = 0; j < X.cols(); ++j) {
    double sum = 0, count = 0, ss = 0;
    for (Index i = 0; i < X.rows(); ++i)
      if (!std::isnan(X(i, j))) sum += X(i, j), count += 1;
    const double mean = sum / count;
    for (Index i = 0; i < X.rows(); ++i)
      if (!std::isnan(X(i, j))) ss += (X(i, j) - mean) * (X(i, j) - mean);
    Xs.col(j).array() = (Xs.col(j).array() - mean) / std::sqrt(ss / count);
  }
  const RowMatrix<double> filled = impute(vq, X);
  const RowMatrix<double> expected = naive_impute(X, Xs, vq.weights(), vq.weights_in_data_units());
  for (Index k = 0; k < X.size(); ++k) CHECK(filled.data()[k] == Approx(expected.data()[k]).margin(1e-9));
  CHECK(!filled.hasNaN());
}

TEST_CASE("Growing SOM: complete data under mask equal reject bit for bit", "[missing][growing]") {
  const RowMatrix<double> X = gappy_data(60, 3, 0.0, 31);
  Labels y(X.rows());
  for (Index i = 0; i < X.rows(); ++i) y[i] = X(i, 0) > 0.5;
  ScopedWarningHandler quiet([](std::string_view) {});
  SomVQ<double> a(growing_params(Missing::reject)), b(growing_params(Missing::mask));
  a.fit(X);
  b.fit(X);
  CHECK(a.weights() == b.weights());
  CHECK(a.labels() == b.labels());
  CHECK(a.quantization_error(X) == b.quantization_error(X));
  CHECK(a.transform(X) == b.transform(X));
  SomClassifier<double> c(growing_params(Missing::reject)), d(growing_params(Missing::mask));
  CHECK(c.fit(X, y).predict_proba(X) == d.fit(X, y).predict_proba(X));
  CHECK(c.weights() == d.weights());
}

// ---- model files and errors ------------------------------------------------------------

TEST_CASE("Model files keep Missing::mask; version 1 files load as reject", "[missing][io]") {
  const RowMatrix<double> X = clustered_gappy_data(60, 37);
  Labels y(X.rows());
  for (Index i = 0; i < X.rows(); ++i) y[i] = i % 2;
  ScopedWarningHandler quiet([](std::string_view) {});

  OnlineSom<double> osom(online_params(Missing::mask));
  osom.train(X, 200);
  save(osom, "online.somtile");
  const OnlineSom<double> osom_back = load_online_som<double>("online.somtile");
  CHECK(osom_back.params().missing == Missing::mask);
  CHECK(osom_back.predict(X) == osom.predict(X));

  SomVQ<double> vq(growing_params(Missing::mask));
  vq.fit(X);
  save(vq, "vq.somtile");
  const SomVQ<double> vq_back = load_som_vq<double>("vq.somtile");
  CHECK(vq_back.params().missing == Missing::mask);
  CHECK(vq_back.predict(X) == vq.predict(X));

  SomClassifier<double> clf(growing_params(Missing::mask));
  clf.fit(X, y);
  save(clf, "clf.somtile");
  const SomClassifier<double> clf_back = load_som_classifier<double>("clf.somtile");
  CHECK(clf_back.params().missing == Missing::mask);
  CHECK(clf_back.predict_proba(X) == clf.predict_proba(X));
  for (const char* f : {"online.somtile", "vq.somtile", "clf.somtile"}) std::remove(f);

  CHECK(load_som_vq<double>(SOMTILE_REFERENCE_DIR "/../fixtures/som_vq_v1.somtile").params().missing ==
        Missing::reject);
  CHECK(load_online_som<double>(SOMTILE_REFERENCE_DIR "/../fixtures/online_som_v1.somtile").params().missing ==
        Missing::reject);
}

TEST_CASE("Missing values: error paths of the online and growing models", "[missing][errors]") {
  const RowMatrix<double> X = gappy_data(40, 3, 0.0, 41);
  RowMatrix<double> with_nan = X, with_inf = X, empty_row = X;
  with_nan(3, 1) = nan_value;
  with_inf(4, 2) = std::numeric_limits<double>::infinity();
  with_inf(5, 0) = nan_value;
  empty_row.row(6).setConstant(nan_value);
  RowMatrix<double> empty_column = X;
  empty_column.col(1).setConstant(nan_value);
  ScopedWarningHandler quiet([](std::string_view) {});

  OnlineSom<double> reject(online_params(Missing::reject)), mask(online_params(Missing::mask));
  expect_input_error([&] { reject.train(with_nan, 10); }, "X(3, 1)");
  expect_input_error([&] { mask.train(with_inf, 10); }, "X(4, 2)");
  expect_input_error([&] { mask.train(empty_row, 10); }, "row 7 (X.row(6))");
  expect_input_error([&] { mask.train(empty_column, 10); }, "column 2 (X.col(1))");
  reject.train(X, 50);
  mask.train(X, 50);
  const RowMatrix<double> before = mask.lattice().codebook();
  expect_input_error([&] { reject.partial_fit(with_nan, 10); }, "X(3, 1)");
  expect_input_error([&] { reject.predict(with_nan); }, "X(3, 1)");
  CHECK(!impute(reject, with_nan).hasNaN());  // impute searches masked whatever the model's rule
  CHECK(impute(reject, with_nan).row(2) == X.row(2));
  expect_input_error([&] { mask.partial_fit(with_inf, 10); }, "X(4, 2)");
  expect_input_error([&] { mask.predict(empty_row); }, "row 7 (X.row(6))");
  expect_input_error([&] { impute(mask, with_inf); }, "X(4, 2)");
  CHECK(mask.lattice().codebook() == before);
  const Lattice<double> lat = mask.lattice();
  expect_input_error([&] { project_on_lattice<double>(with_nan, lat); }, "X(3, 1)");
  expect_input_error([&] { lattice_closest_vectors<double>(with_inf, lat, false, 0, Missing::mask); }, "X(4, 2)");
  expect_input_error([&] { lattice_activations<double>(empty_row, lat, 1.0, false, 0, Missing::mask); },
                     "row 7 (X.row(6))");

  SomVQ<double> vq_reject(growing_params(Missing::reject)), vq_mask(growing_params(Missing::mask));
  expect_input_error([&] { vq_reject.fit(with_nan); }, "X(3, 1)");
  expect_input_error([&] { vq_mask.fit(with_inf); }, "X(4, 2)");
  expect_input_error([&] { vq_mask.fit(empty_row); }, "row 7 (X.row(6))");
  expect_input_error([&] { vq_mask.fit(empty_column); }, "column 2 (X.col(1))");
  vq_reject.fit(X);
  vq_mask.fit(X);
  const RowMatrix<double> W = vq_mask.weights();
  expect_input_error([&] { vq_mask.fit(empty_row); }, "row 7 (X.row(6))");
  CHECK(vq_mask.weights() == W);  // a failed fit keeps the fitted map
  expect_input_error([&] { vq_reject.predict(with_nan); }, "X(3, 1)");
  expect_input_error([&] { vq_reject.transform(with_nan); }, "X(3, 1)");
  expect_input_error([&] { vq_reject.quantization_error(with_nan); }, "X(3, 1)");
  CHECK(!impute(vq_reject, with_nan).hasNaN());
  expect_input_error([&] { vq_mask.predict(with_inf); }, "X(4, 2)");
  expect_input_error([&] { vq_mask.transform(empty_row); }, "row 7 (X.row(6))");
  expect_input_error([&] { impute(vq_mask, empty_row); }, "row 7 (X.row(6))");

  Labels y(X.rows());
  for (Index i = 0; i < X.rows(); ++i) y[i] = i % 2;
  SomClassifier<double> clf(growing_params(Missing::mask));
  expect_input_error([&] { clf.fit(with_inf, y); }, "X(4, 2)");
  clf.fit(with_nan, y);
  expect_input_error([&] { clf.predict_proba(empty_row); }, "row 7 (X.row(6))");
  expect_input_error([&] { clf.score(with_inf, y); }, "X(4, 2)");
}
