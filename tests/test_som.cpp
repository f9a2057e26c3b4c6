// Classic SOM: training against naive reference loops, initialisation, maps on hand-computed
// cases, quality on iris, determinism and error paths.
// Scalars: float and double for the training kernels, smoothing, determinism and 1e30; double
// only for behaviour the types share (iris quality, degenerate inputs, MapClassifier, scaling).
#include <somtile/cluster.hpp>
#include <somtile/core/warning.hpp>
#include <somtile/io.hpp>
#include <somtile/preprocessing.hpp>
#include <somtile/som.hpp>

#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <catch2/catch.hpp>
#include "support/data.hpp"
#include "support/isa_levels.hpp"
#include "support/scalars.hpp"
#include "support/sizes.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

using namespace somtile;

namespace {

template <typename S>
RowMatrix<S> blobs(Index n, Index f, std::uint64_t seed) {
  return test_support::three_blobs<S>(n, f, seed);
}

// Brute-force BMU in double, lowest index on ties.
template <typename S>
Index naive_bmu(const RowMatrix<S>& X, Index i, const RowMatrix<double>& W) {
  Index best = 0;
  double best_d = 1e300;
  for (Index u = 0; u < W.rows(); ++u) {
    double d = 0;
    for (Index j = 0; j < W.cols(); ++j) d += (double(X(i, j)) - W(u, j)) * (double(X(i, j)) - W(u, j));
    if (d < best_d) {
      best_d = d;
      best = u;
    }
  }
  return best;
}

double naive_h(const SomParams& p, const Grid& g, Index a, Index b, double sigma) {
  return neighborhood_weight(p.neighborhood, g.distance_sq(a, b), sigma);
}

CsvData iris() { return read_csv(SOMTILE_DATA_DIR "/iris.csv", "label"); }

template <typename S>
RowMatrix<S> standardized(const RowMatrix<double>& X) {
  RowMatrix<double> Z = X.rowwise() - X.colwise().mean();
  Eigen::RowVectorXd sd = (Z.array().square().colwise().sum() / double(X.rows() - 1)).sqrt();
  for (Index j = 0; j < sd.size(); ++j)
    if (sd[j] == 0) sd[j] = 1;  // constant columns (digits' border pixels) stay 0
  Z.array().rowwise() /= sd.array();
  return Z.cast<S>();
}

}  // namespace

TEMPLATE_TEST_CASE("batch training equals a naive Kohonen batch map", "[som][batch]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = blobs<S>(60, 3, 11);
  for (auto topo : {Topology::rectangular, Topology::hexagonal}) {
    for (bool torus : {false, true}) {
      for (auto kernel : {Neighborhood::gaussian, Neighborhood::bubble, Neighborhood::triangle}) {
        SomParams p{};
        p.rows = 4;
        p.cols = 5;
        p.epochs = 4;
        p.sigma = 2.0;
        p.topology = topo;
        p.torus = torus;
        p.neighborhood = kernel;
        p.training = Training::batch;
        p.init = Init::sample;
        Som<S> som(p, 3);
        som.initialize_weights(X);
        RowMatrix<double> W = som.weights().template cast<double>();
        const auto history = som.fit(X);
        const Grid& g = som.grid();
        for (Index e = 0; e < p.epochs; ++e) {
          const double sigma = som.sigma_at(e);
          std::vector<Index> bmu(std::size_t(X.rows()));
          for (Index i = 0; i < X.rows(); ++i) bmu[std::size_t(i)] = naive_bmu(X, i, W);
          RowMatrix<double> next = W;
          for (Index n = 0; n < g.size(); ++n) {
            Eigen::RowVectorXd num = Eigen::RowVectorXd::Zero(3);
            double den = 0;
            for (Index i = 0; i < X.rows(); ++i) {
              const double h = naive_h(p, g, bmu[std::size_t(i)], n, sigma);
              num += h * X.row(i).template cast<double>();
              den += h;
            }
            if (den > 0) next.row(n) = num / den;
          }
          W = next;
        }
        INFO("topology " << int(topo) << " torus " << torus << " kernel " << int(kernel));
        const double tol = std::is_same_v<S, float> ? 1e-4 : 1e-10;
        CHECK((som.weights().template cast<double>() - W).cwiseAbs().maxCoeff() < tol);
        REQUIRE(history.quantization_errors.size() == 4);
        CHECK(history.quantization_errors.back() == Approx(som.quantization_error(X)).epsilon(1e-6));
        CHECK(history.topographic_errors.back() == Approx(som.topographic_error(X)).margin(1e-12));
      }
    }
  }
}

TEMPLATE_TEST_CASE("mini-batch training equals TorchSOM's rule in a naive loop", "[som][minibatch]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = blobs<S>(23, 2, 5);  // 23 is not a multiple of the batch: a short last batch
  SomParams p{};
  p.rows = 3;
  p.cols = 4;
  p.epochs = 3;
  p.batch_size = 5;
  p.sigma = 1.5;
  p.learning_rate = 0.7;
  p.topology = Topology::hexagonal;
  p.neighborhood = Neighborhood::mexican_hat;
  p.seed = 9;
  Som<S> som(p, 2);
  RowMatrix<S> W0(12, 2);
  for (Index u = 0; u < 12; ++u) W0.row(u) << S(u % 4), S(u / 4);
  som.set_weights(W0);
  som.fit(X);

  RowMatrix<double> W = W0.template cast<double>();
  Random rng(p.seed);  // the SOM's own generator: one permutation per epoch
  const Grid& g = som.grid();
  for (Index e = 0; e < p.epochs; ++e) {
    const double lr = som.learning_rate_at(e), sigma = som.sigma_at(e);
    const auto order = rng.permutation(X.rows());
    for (Index b = 0; b < X.rows(); b += p.batch_size) {
      const Index end = std::min(X.rows(), b + p.batch_size);
      RowMatrix<double> delta = RowMatrix<double>::Zero(12, 2);
      for (Index k = b; k < end; ++k) {
        const Index i = order[std::size_t(k)];
        const Index bmu = naive_bmu(X, i, W);
        for (Index n = 0; n < 12; ++n)
          delta.row(n) += naive_h(p, g, bmu, n, sigma) * (X.row(i).template cast<double>() - W.row(n));
      }
      W += lr / double(end - b) * delta;
    }
  }
  const double tol = std::is_same_v<S, float> ? 1e-4 : 1e-10;
  CHECK((som.weights().template cast<double>() - W).cwiseAbs().maxCoeff() < tol);
}

TEMPLATE_TEST_CASE("mini-batch errors measured during the epoch equal a naive loop", "[som][minibatch]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = blobs<S>(23, 2, 5);
  SomParams p{};
  p.rows = 3;
  p.cols = 4;
  p.epochs = 3;
  p.batch_size = 5;
  p.sigma = 1.5;
  p.learning_rate = 0.7;
  p.topology = Topology::hexagonal;
  p.seed = 9;  // Gaussian: the separable smoother
  RowMatrix<S> W0(12, 2);
  for (Index u = 0; u < 12; ++u) W0.row(u) << S(u % 4), S(u / 4);
  Som<S> exact(p, 2);
  exact.set_weights(W0);
  const TrainingHistory he = exact.fit(X);
  p.epoch_metrics = EpochMetrics::during_epoch;
  Som<S> som(p, 2);
  som.set_weights(W0);
  const TrainingHistory h = som.fit(X);
  CHECK(som.weights() == exact.weights());  // the option changes what is measured, not training

  // Naive loop: the best and second unit of each sample (double, lowest index on ties) against
  // the weights its batch is searched with, before the batch's update.
  const Grid& g = som.grid();
  auto top2 = [&](Index i, const RowMatrix<double>& W) {
    std::vector<std::pair<double, Index>> d;
    for (Index u = 0; u < W.rows(); ++u) d.emplace_back((X.row(i).template cast<double>() - W.row(u)).squaredNorm(), u);
    std::stable_sort(d.begin(), d.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return std::array<std::pair<double, Index>, 2>{d[0], d[1]};
  };
  RowMatrix<double> W = W0.template cast<double>();
  Random rng(p.seed);
  std::vector<double> qe, te;
  for (Index e = 0; e < p.epochs; ++e) {
    const double lr = som.learning_rate_at(e), sigma = som.sigma_at(e);
    const auto order = rng.permutation(X.rows());
    double dist = 0, errors = 0;
    for (Index b = 0; b < X.rows(); b += p.batch_size) {
      const Index end = std::min(X.rows(), b + p.batch_size);
      RowMatrix<double> delta = RowMatrix<double>::Zero(12, 2);
      for (Index k = b; k < end; ++k) {
        const Index i = order[std::size_t(k)];
        const auto t = top2(i, W);
        dist += std::sqrt(t[0].first);
        if (!g.adjacent(t[0].second, t[1].second)) errors += 1;
        for (Index n = 0; n < 12; ++n)
          delta.row(n) += naive_h(p, g, t[0].second, n, sigma) * (X.row(i).template cast<double>() - W.row(n));
      }
      W += lr / double(end - b) * delta;
    }
    qe.push_back(dist / double(X.rows()));
    te.push_back(errors / double(X.rows()));
  }
  // The last epoch is measured exactly, on the trained weights.
  double dist = 0, errors = 0;
  for (Index i = 0; i < X.rows(); ++i) {
    const auto t = top2(i, W);
    dist += std::sqrt(t[0].first);
    if (!g.adjacent(t[0].second, t[1].second)) errors += 1;
  }
  qe.back() = dist / double(X.rows());
  te.back() = errors / double(X.rows());
  REQUIRE(h.quantization_errors.size() == 3);
  const double tol = std::is_same_v<S, float> ? 1e-4 : 1e-10;
  for (std::size_t e = 0; e < 3; ++e) {
    INFO("epoch " << e);
    CHECK(h.quantization_errors[e] == Approx(qe[e]).epsilon(tol));
    CHECK(h.topographic_errors[e] == Approx(te[e]).margin(1e-12));
  }
  CHECK(h.quantization_errors.back() == he.quantization_errors.back());
  CHECK(h.topographic_errors.back() == he.topographic_errors.back());
  CHECK(h.quantization_errors[0] != he.quantization_errors[0]);  // measured at other weights
}

TEST_CASE("symmetric_eigen agrees with Eigen's SelfAdjointEigenSolver", "[som][init]") {
  Random rng(5);
  for (const Index n : {1, 2, 3, 4, 7, 16, 33, 64}) {
    for (const int kind : {0, 1, 2}) {
      // 0: random dense; 1: repeated eigenvalues (a rank-2 matrix); 2: diagonal with zeros
      Eigen::MatrixXd A = Eigen::MatrixXd::Zero(n, n);
      if (kind == 0) {
        for (Index i = 0; i < n; ++i)
          for (Index j = 0; j <= i; ++j) A(i, j) = A(j, i) = rng.normal();
      } else if (kind == 1) {
        Eigen::VectorXd u(n), v(n);
        for (Index i = 0; i < n; ++i) u(i) = rng.normal(), v(i) = rng.normal();
        A = 3 * u * u.transpose() + v * v.transpose();
      } else {
        for (Index i = 0; i < n; i += 2) A(i, i) = double(i);
      }
      const detail::SymmetricEigen mine = detail::symmetric_eigen(A);
      const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> oracle(A);
      const double scale = std::max(1.0, A.cwiseAbs().maxCoeff());
      CHECK((mine.values - oracle.eigenvalues()).cwiseAbs().maxCoeff() < 1e-12 * scale * double(n));
      // Orthonormal eigenvectors that reconstruct A (eigenvectors of repeated eigenvalues are
      // only defined up to a rotation, so they are not compared one by one).
      CHECK((mine.vectors.transpose() * mine.vectors - Eigen::MatrixXd::Identity(n, n)).cwiseAbs().maxCoeff() <
            1e-12 * double(n));
      const Eigen::MatrixXd back = mine.vectors * mine.values.asDiagonal() * mine.vectors.transpose();
      CHECK((back - A).cwiseAbs().maxCoeff() < 1e-12 * scale * double(n));
      for (Index i = 1; i < n; ++i) CHECK(mine.values(i - 1) <= mine.values(i));
    }
  }
}

namespace pca_oracle {

// Leading k eigenvectors (columns, largest first) and eigenvalues of the covariance of X, by
// Eigen's SelfAdjointEigenSolver.
struct Axes {
  Eigen::MatrixXd vectors;
  Eigen::VectorXd values;
};
Axes covariance_axes(const RowMatrix<double>& X, Index k) {
  const RowMatrix<double> C = X.rowwise() - X.colwise().mean();
  const Eigen::MatrixXd cov = (C.transpose() * C) / double(X.rows() - 1);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
  return {eig.eigenvectors().rightCols(k).rowwise().reverse(), eig.eigenvalues().tail(k).reverse()};
}

// Rows with decaying column scales (distinct leading variances); `zeros` of the cells are 0.
RowMatrix<double> spread_rows(Index n, Index F, double zeros, std::uint64_t seed) {
  Random rng(seed);
  RowMatrix<double> X(n, F);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < F; ++j)
      X(i, j) = rng.uniform() < zeros ? 0.0 : (rng.normal() + 1.0) * 3.0 / (1.0 + 0.3 * double(j % 17));
  return X;
}

}  // namespace pca_oracle

TEST_CASE("principal_axes: subspace iteration gives the full eigensolver's axes on tall, square and wide data",
          "[som][init][pca]") {
  using pca_oracle::covariance_axes;
  for (const auto& shape :
       {std::pair<Index, Index>{300, 24}, std::pair<Index, Index>{60, 55}, std::pair<Index, Index>{25, 140}}) {
    const Index n = shape.first, F = shape.second;
    // Dense cells; the compressed-rows path on sparse cells and on sparse cells shifted by a
    // constant per column (as scaling makes them).
    for (const double zeros : {0.0, 0.9, -0.9}) {
      CAPTURE(n, F, zeros);
      RowMatrix<double> X = pca_oracle::spread_rows(n, F, std::abs(zeros), std::uint64_t(n * F));
      if (zeros < 0)
        for (Index j = 0; j < F; ++j) X.col(j).array() += 1.0 + 0.5 * double(j);
      const auto oracle = covariance_axes(X, 3);
      const detail::PrincipalAxes iterated = detail::principal_axes(X, 3, 0, 0);  // never the full solver
      const detail::PrincipalAxes full = detail::principal_axes(X, 3);
      CHECK((iterated.mean - X.colwise().mean()).cwiseAbs().maxCoeff() < 1e-12);
      for (Index a = 0; a < 3; ++a) {
        CAPTURE(a, oracle.values.transpose());
        const Eigen::VectorXd o = oracle.vectors.col(a);
        CHECK(std::min((iterated.axes.col(a) - o).norm(), (iterated.axes.col(a) + o).norm()) < 1e-7);
        CHECK(iterated.variances(a) == Approx(oracle.values(a)).epsilon(1e-9));
        // Both methods apply the same sign rule: the same vectors, not only up to sign.
        CHECK((iterated.axes.col(a) - full.axes.col(a)).norm() < 1e-7);
      }
    }
  }
}

TEST_CASE("principal_axes: with two nearly equal leading variances the plane is the eigensolver's",
          "[som][init][pca]") {
  // X = U S W^T with orthonormal centred U and W: variances s^2 / (n - 1), the first two 1e-9 apart.
  const Index n = 80, F = 60;
  Random rng(17);
  RowMatrix<double> G(n, F), H(F, F);
  for (Index i = 0; i < G.size(); ++i) G.data()[i] = rng.normal();
  for (Index i = 0; i < H.size(); ++i) H.data()[i] = rng.normal();
  G = G.rowwise() - G.colwise().mean();
  const Eigen::MatrixXd U = Eigen::HouseholderQR<Eigen::MatrixXd>(G).householderQ() * Eigen::MatrixXd::Identity(n, F);
  const Eigen::MatrixXd W = Eigen::HouseholderQR<Eigen::MatrixXd>(H).householderQ();
  Eigen::VectorXd s(F);
  for (Index j = 0; j < F; ++j) s(j) = 10.0 / (1.0 + double(j));
  s(1) = s(0) * (1 - 1e-9);
  const RowMatrix<double> X = U * s.asDiagonal() * W.transpose();
  const auto oracle = pca_oracle::covariance_axes(X, 2);
  for (const Index max_full : {Index(0), detail::full_eigen_max_features}) {
    CAPTURE(max_full);
    const detail::PrincipalAxes mine = detail::principal_axes(X, 2, 0, max_full);
    const Eigen::MatrixXd P = mine.axes * mine.axes.transpose(), Q = oracle.vectors * oracle.vectors.transpose();
    CHECK((P - Q).cwiseAbs().maxCoeff() < 1e-7);
    for (Index a = 0; a < 2; ++a) CHECK(mine.variances(a) == Approx(oracle.values(a)).epsilon(1e-9));
  }
}

TEST_CASE("principal_axes: 100 x 20 000 data takes the subspace path (no 20 000 x 20 000 covariance)",
          "[som][init][pca]") {
  // Oracle: the Gram matrix (100 x 100) by Eigen's SelfAdjointEigenSolver, axes C^T u / |C^T u|.
  // 4 000 features in unoptimised builds: still far above the full eigensolver's limit (1 024).
  const Index n = 100, F = test_support::full_or_reduced<Index>(20000, 4000);
  RowMatrix<double> X = pca_oracle::spread_rows(n, F, 0.95, 3);
  // Two strong directions, well apart from each other and from the rest, so the iteration converges
  // in a few rounds (this test also runs under the sanitizers).
  Random rng(11);
  Eigen::VectorXd u(40), v(40);
  for (Index j = 0; j < 40; ++j) u(j) = rng.normal(), v(j) = rng.normal();
  u.normalize();
  v = (v - v.dot(u) * u).normalized();
  for (Index i = 0; i < n; ++i) X.row(i).head(40) += (100.0 * rng.normal() * u + 50.0 * rng.normal() * v).transpose();
  const RowMatrix<double> C = X.rowwise() - X.colwise().mean();
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> gram(Eigen::MatrixXd(C * C.transpose()));
  for (const bool single : {false, true}) {
    CAPTURE(single);
    const detail::PrincipalAxes mine =
        single ? detail::principal_axes(RowMatrix<float>(X.cast<float>()), 2) : detail::principal_axes(X, 2);
    for (Index a = 0; a < 2; ++a) {
      const Eigen::VectorXd o = (C.transpose() * gram.eigenvectors().col(n - 1 - a)).normalized();
      const double tolerance = single ? 1e-5 : 1e-7;
      CHECK(std::min((mine.axes.col(a) - o).norm(), (mine.axes.col(a) + o).norm()) < tolerance);
      CHECK(mine.variances(a) == Approx(gram.eigenvalues()(n - 1 - a) / double(n - 1)).epsilon(tolerance));
    }
  }
  // The same bits on any number of threads, with compressed rows and with dense cells.
  RowMatrix<double> dense = X.leftCols(3000);
  for (Index i = 0; i < dense.size(); ++i) dense.data()[i] += 0.01 * double(i % 7);
  for (const RowMatrix<double>* data : {&X, &dense}) {
    const detail::PrincipalAxes one = detail::principal_axes(*data, 2, 1), two = detail::principal_axes(*data, 2, 2),
                                three = detail::principal_axes(*data, 2, 3);
    CHECK((one.axes == two.axes && one.axes == three.axes));
    CHECK((one.variances == two.variances && one.variances == three.variances));
  }
}

TEST_CASE("PCA initialisation spans the principal plane", "[som][init]") {
  const auto data = iris();
  SomParams p{};
  p.rows = 6;
  p.cols = 10;
  Som<double> som(p, 4);
  som.initialize_weights(data.X, Init::pca);
  const auto& W = som.weights();
  const Eigen::RowVectorXd mean = data.X.colwise().mean();
  const RowMatrix<double> C = data.X.rowwise() - mean;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig((C.transpose() * C) / double(C.rows() - 1));
  const Eigen::VectorXd pc1 = eig.eigenvectors().col(3), pc2 = eig.eigenvectors().col(2);
  const RowMatrix<double> D = W.rowwise() - mean;
  // Every unit lies in mean + span(pc1, pc2).
  const RowMatrix<double> residual = D - (D * pc1) * pc1.transpose() - (D * pc2) * pc2.transpose();
  CHECK(residual.cwiseAbs().maxCoeff() < 1e-9);
  // PC1 runs along the longer side (columns): +-2 sd from the first to the last column.
  const double sd1 = std::sqrt(eig.eigenvalues()(3)), sd2 = std::sqrt(eig.eigenvalues()(2));
  CHECK(std::abs((D.row(9) - D.row(0)).dot(pc1)) == Approx(4 * sd1));
  CHECK(std::abs((D.row(9) - D.row(0)).dot(pc2)) == Approx(0).margin(1e-9));
  CHECK(std::abs((D.row(50) - D.row(0)).dot(pc2)) == Approx(4 * sd2));
}

TEST_CASE("Init: random picks data rows with replacement, sample without, uniform fills the box", "[som][init]") {
  const auto data = iris();
  const Index n = data.X.rows();
  SomParams p{};
  p.rows = 5;
  p.cols = 5;
  Som<double> som(p, 4);
  auto row_of = [&](Index u) {  // the data row equal to unit u's weights, or -1
    for (Index i = 0; i < n; ++i)
      if (som.weights().row(u) == data.X.row(i)) return i;
    return Index(-1);
  };
  // uniform: inside each feature's [min, max], and (continuous draws) no unit on a data row.
  som.initialize_weights(data.X, Init::uniform);
  const Eigen::RowVectorXd lo = data.X.colwise().minCoeff(), hi = data.X.colwise().maxCoeff();
  for (Index u = 0; u < 25; ++u) {
    CHECK((som.weights().row(u).array() >= lo.array()).all());
    CHECK((som.weights().row(u).array() <= hi.array()).all());
    CHECK(row_of(u) == -1);
  }
  // sample: 25 distinct data rows.
  som.initialize_weights(data.X, Init::sample);
  std::set<Index> rows;
  for (Index u = 0; u < 25; ++u) {
    const Index i = row_of(u);
    CHECK(i >= 0);
    rows.insert(i);
  }
  CHECK(rows.size() == 25);
  // random (TorchSOM's): every unit a data row, drawn independently with replacement: on a
  // 100 x 100 map from 4 distinct rows each row is drawn about 2500 times (sd 43).
  const RowMatrix<double> four = data.X.topRows(4);
  SomParams big{};
  big.rows = 100;
  big.cols = 100;
  Som<double> wide(big, 4);
  wide.initialize_weights(four, Init::random);
  std::array<Index, 4> counts{};
  for (Index u = 0; u < wide.n_units(); ++u) {
    Index hit = -1;
    for (Index i = 0; i < 4; ++i)
      if (wide.weights().row(u) == four.row(i)) hit = i;
    REQUIRE(hit >= 0);
    ++counts[std::size_t(hit)];
  }
  for (Index c : counts) CHECK(std::abs(c - 2500) < 250);
  // sample with more units than rows: every row once before any row twice (100 units, 4 rows: 25 each).
  wide.initialize_weights(four, Init::sample);
  counts = {};
  for (Index u = 0; u < wide.n_units(); ++u)
    for (Index i = 0; i < 4; ++i)
      if (wide.weights().row(u) == four.row(i)) ++counts[std::size_t(i)];
  for (Index c : counts) CHECK(c == 2500);
  // The default (SomParams::init) is random: fit() starts from data rows.
  Som<double> fresh(p, 4);
  CHECK(fresh.params().init == Init::random);
  fresh.initialize_weights(data.X);
  for (Index u = 0; u < 25; ++u) {
    bool found = false;
    for (Index i = 0; i < n && !found; ++i) found = fresh.weights().row(u) == data.X.row(i);
    CHECK(found);
  }
}

TEST_CASE("Som and topographic_error: sigma beyond the map warns; a BmuResult without second BMUs throws",
          "[som][warning]") {
  std::vector<std::string> warnings;
  ScopedWarningHandler capture([&](std::string_view w) { warnings.emplace_back(w); });
  SomParams p{};
  p.rows = 3;
  p.cols = 3;
  p.sigma = 4.2;  // diagonal sqrt(18) = 4.243
  Som<double> quiet(p, 2);
  CHECK(warnings.empty());
  p.sigma = 10;  // TorchSOM's test: sigma 10 on 3 x 3 warns once
  Som<double> loud(p, 2);
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::StartsWith("Som(): sigma = 10 is larger than the map") && Catch::Contains("3 x 3"));

  const RowMatrix<double> X = blobs<double>(30, 2, 3);
  loud.fit(X);
  const BmuResult<double> first_only = loud.bmus(X, SecondBmu::skip);
  CHECK_THROWS_AS(topographic_error(first_only, loud.grid()), InputError);
  CHECK_THROWS_WITH(
      topographic_error(first_only, loud.grid()),
      Catch::StartsWith("topographic_error(): the BmuResult has no second-best units (0 for 30 samples)"));
  CHECK(topographic_error(loud.bmus(X, SecondBmu::find), loud.grid()) == loud.topographic_error(X));
}

namespace {

// Lattice steps between every pair of cells, by breadth-first search over the cells whose
// centres are exactly 1 apart (hexagonal: odd rows shifted by 1/2, rows sqrt(3)/2 apart) or
// touch (rectangular: the 8 around a cell): an oracle independent of Grid.
std::vector<std::vector<Index>> naive_steps(Index rows, Index cols, bool hex) {
  const Index n = rows * cols;
  auto x = [&](Index u) { return double(u % cols) + (hex && (u / cols) % 2 ? 0.5 : 0.0); };
  auto y = [&](Index u) { return double(u / cols) * (hex ? std::sqrt(3.0) / 2 : 1.0); };
  auto touching = [&](Index a, Index b) {
    if (a == b) return false;
    if (hex) return std::abs(std::hypot(x(a) - x(b), y(a) - y(b)) - 1.0) < 1e-9;
    return std::abs(x(a) - x(b)) <= 1 && std::abs(y(a) - y(b)) <= 1;
  };
  std::vector<std::vector<Index>> steps(std::size_t(n), std::vector<Index>(std::size_t(n), -1));
  for (Index s = 0; s < n; ++s) {
    std::vector<Index> frontier{s};
    steps[std::size_t(s)][std::size_t(s)] = 0;
    for (Index d = 1; !frontier.empty(); ++d) {
      std::vector<Index> next;
      for (Index a : frontier)
        for (Index b = 0; b < n; ++b)
          if (steps[std::size_t(s)][std::size_t(b)] < 0 && touching(a, b)) {
            steps[std::size_t(s)][std::size_t(b)] = d;
            next.push_back(b);
          }
      frontier = next;
    }
  }
  return steps;
}

}  // namespace

TEST_CASE("u_matrix options: metric, order, sum or mean, max-1 scaling match a naive loop over neighbours",
          "[som][maps][u_matrix]") {
  const Index rows = 5, cols = 6, F = 3;
  Random rng(7);
  RowMatrix<double> W(rows * cols, F);
  for (Index k = 0; k < W.size(); ++k) W.data()[k] = rng.normal();
  for (Topology topology : {Topology::rectangular, Topology::hexagonal}) {
    const auto steps = naive_steps(rows, cols, topology == Topology::hexagonal);
    SomParams p{};
    p.rows = rows;
    p.cols = cols;
    p.topology = topology;
    p.distance = Distance::manhattan;
    Som<double> som(p, F);
    som.set_weights(W);
    for (Index order : {1, 2})
      for (Distance metric : {Distance::euclidean, Distance::manhattan, Distance::chebyshev})
        for (Reduction scaling : {Reduction::sum, Reduction::mean})
          for (bool normalize : {false, true}) {
            UMatrixOptions o;
            o.distance = metric;
            o.neighborhood_order = order;
            o.scaling = scaling;
            o.normalize = normalize;
            INFO("topology " << int(topology) << " order " << order << " metric " << int(metric) << " scaling "
                             << int(scaling) << " normalize " << normalize);
            RowMatrix<double> expect(rows, cols);
            for (Index u = 0; u < rows * cols; ++u) {
              double sum = 0;
              Index count = 0;
              for (Index v = 0; v < rows * cols; ++v) {
                const Index d = steps[std::size_t(u)][std::size_t(v)];
                if (d < 1 || d > order) continue;
                const Eigen::RowVectorXd diff = W.row(u) - W.row(v);
                sum += metric == Distance::euclidean   ? diff.norm()
                       : metric == Distance::manhattan ? diff.cwiseAbs().sum()
                                                       : diff.cwiseAbs().maxCoeff();
                ++count;
              }
              // Neighbour counts: hex 6 / 18 inside, rectangular 8 / 24 inside.
              if (u == 2 * cols + 2 && order == 1) CHECK(count == (topology == Topology::hexagonal ? 6 : 8));
              if (u == 2 * cols + 2 && order == 2) CHECK(count == (topology == Topology::hexagonal ? 18 : 24));
              expect.data()[u] = scaling == Reduction::mean ? sum / double(count) : sum;
            }
            if (normalize) expect /= expect.maxCoeff();
            const RowMatrix<double> got = u_matrix(som, o);
            CHECK((got - expect).cwiseAbs().maxCoeff() < 1e-12);
            if (normalize) CHECK(got.maxCoeff() == 1.0);
          }
    // Defaults: the SOM's metric (manhattan here) and order, averaged, max 1.
    UMatrixOptions same;
    same.distance = Distance::manhattan;
    same.neighborhood_order = 1;
    CHECK(u_matrix(som) == u_matrix(som, same));
  }
}

TEMPLATE_TEST_CASE("trained maps on iris reach documented quality", "[som][iris]", double) {
  using S = TestType;
  const RowMatrix<S> X = standardized<S>(iris().X);
  for (auto training : {Training::batch, Training::minibatch}) {
    for (auto topo : {Topology::rectangular, Topology::hexagonal}) {
      SomParams p{};
      p.rows = 10;
      p.cols = 10;
      p.epochs = 30;
      p.sigma = 3.0;
      p.learning_rate = 0.5;
      p.batch_size = 8;
      p.sigma_decay = Decay::exponential;
      p.sigma_final = 0.6;
      p.topology = topo;
      p.training = training;
      p.init = Init::pca;
      Som<S> som(p, 4);
      const auto h = som.fit(X);
      INFO("training " << int(training) << " topology " << int(topo) << " QE " << h.quantization_errors.back() << " TE "
                       << h.topographic_errors.back());
      // Documented bounds (README): standardised iris, 10 x 10, 30 epochs: QE < 0.35, TE < 0.15.
      CHECK(h.quantization_errors.back() < 0.35);
      CHECK(h.topographic_errors.back() < 0.15);
      CHECK(h.quantization_errors.back() < h.quantization_errors.front());
    }
  }
}

TEMPLATE_TEST_CASE("same seed, same codebook for 1 and 2 threads", "[som][threads]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  // The 30 x 30 maps are large enough for the smoothing to run on both threads.
  struct Case {
    Index rows, cols, features;
    Topology topology;
  };
  for (const Case c : {Case{12, 9, 8, Topology::rectangular}, Case{30, 30, 16, Topology::rectangular},
                       Case{30, 30, 16, Topology::hexagonal}}) {
    const RowMatrix<S> X = blobs<S>(3000, c.features, 3);
    for (auto training : {Training::batch, Training::minibatch}) {
      SomParams p{};
      p.rows = c.rows;
      p.cols = c.cols;
      p.topology = c.topology;
      p.epochs = 3;
      p.sigma = 3;
      p.batch_size = 64;
      p.training = training;
      p.n_threads = 1;
      Som<S> a(p, c.features);
      p.n_threads = 2;
      Som<S> b(p, c.features);
      const auto ha = a.fit(X), hb = b.fit(X);
      INFO(c.rows << " x " << c.cols << " topology " << int(c.topology) << " training " << int(training));
      CHECK(a.weights() == b.weights());
      CHECK(ha.quantization_errors == hb.quantization_errors);
    }
  }
}

TEST_CASE("progress callback sees every epoch", "[som]") {
  const RowMatrix<double> X = blobs<double>(50, 3, 1);
  SomParams p{};
  p.rows = 3;
  p.cols = 3;
  p.epochs = 5;
  Som<double> som(p, 3);
  std::vector<Index> seen;
  std::vector<double> qe;
  const auto h = som.fit(X, [&](const EpochInfo& e) {
    seen.push_back(e.epoch);
    qe.push_back(e.quantization_error);
    CHECK(e.epochs == 5);
    CHECK(e.sigma == som.sigma_at(e.epoch));
    CHECK(e.n_units == 9);
  });
  CHECK(seen == std::vector<Index>{0, 1, 2, 3, 4});
  CHECK(qe == h.quantization_errors);
}

namespace {

// A 2 x 3 rectangular map with a known codebook on a line: unit u has weight (u, 0).
Som<double> line_som(Index order = 1) {
  SomParams p{};
  p.rows = 2;
  p.cols = 3;
  p.neighborhood_order = order;
  Som<double> som(p, 2);
  RowMatrix<double> W(6, 2);
  for (Index u = 0; u < 6; ++u) W.row(u) << double(u), 0.0;
  som.set_weights(W);
  return som;
}

}  // namespace

TEST_CASE("maps on a hand-computed case", "[som][maps]") {
  const Som<double> som = line_som();
  RowMatrix<double> X(7, 2);
  X << 0.1, 0, 0.2, 0, 1.1, 0, 4.9, 0, 5.2, 0, 5.0, 0.1, 0.0, 0.3;
  const Labels y = (Labels(7) << 3, 3, 1, 2, 2, 4, 1).finished();
  // BMUs: 0, 0, 1, 5, 5, 5, 0.
  const auto hits = hit_map(som, X);
  CHECK(hits(0, 0) == 3);
  CHECK(hits(0, 1) == 1);
  CHECK(hits(1, 2) == 3);
  CHECK(hits.sum() == 7);

  const auto map = bmus_data_map(som, X);
  CHECK(map[0] == std::vector<Index>{0, 1, 6});
  CHECK(map[5] == std::vector<Index>{3, 4, 5});
  CHECK(map[2].empty());

  // U-matrix, mean over the 8-neighbourhood clipped at the border. Unit 0 (0,0) touches
  // units 1, 3, 4 at weight distances 1, 3, 4.
  UMatrixOptions raw_mean;
  raw_mean.scaling = Reduction::mean;
  raw_mean.normalize = false;
  const auto um = u_matrix(som, raw_mean);
  CHECK(um(0, 0) == Approx((1.0 + 3.0 + 4.0) / 3.0));
  UMatrixOptions raw_sum;
  raw_sum.scaling = Reduction::sum;
  raw_sum.normalize = false;
  const auto us = u_matrix(som, raw_sum);
  CHECK(us(0, 0) == Approx(8.0));
  // Unit 4 (1,1) touches 0, 1, 2, 3, 5: distances 4, 3, 2, 1, 1.
  CHECK(us(1, 1) == Approx(11.0));
  CHECK(um(1, 1) == Approx(11.0 / 5.0));
  // The default is the mean, scaled to max 1: the border unit 0 (3 neighbours) reads higher
  // than the interior unit 4 (5 neighbours), as its distances are; summed, it would read lower.
  const RowMatrix<double> u_default = u_matrix(som);
  CHECK((u_default - um / um.maxCoeff()).cwiseAbs().maxCoeff() < 1e-12);
  CHECK(u_default(0, 0) > u_default(1, 1));
  CHECK(us(0, 0) < us(1, 1));

  const auto cls = classification_map(som, map, y);
  CHECK(cls(0, 0) == 3);  // labels 3, 3, 1
  CHECK(cls(0, 1) == 1);
  CHECK(std::isnan(cls(0, 2)));
  // Unit 5 has labels 2, 2, 4: majority 2.
  CHECK(cls(1, 2) == 2);

  Eigen::VectorXd t(7);
  t << 1, 3, 10, 2, 4, 9, 5;
  const auto mean = metric_map(som, map, t, Reduction::mean);
  CHECK(mean(0, 0) == Approx(3.0));
  CHECK(mean(1, 2) == Approx(5.0));
  CHECK(std::isnan(mean(0, 2)));
  const auto sd = metric_map(som, map, t, Reduction::std);
  CHECK(sd(0, 0) == Approx(2.0));
  CHECK(sd(0, 1) == 0.0);
  CHECK(sd(1, 2) == Approx(std::sqrt(13.0)));
  const auto score = score_map(som, map, t);
  CHECK(score(0, 0) == Approx(2.0 / std::sqrt(3.0) * std::log(7.0 / 3.0)));
  CHECK(score(0, 1) == 0.0);
  const auto rank = rank_map(som, map, t);
  CHECK(rank(0, 1) == 1);  // spread 0
  CHECK(rank(0, 0) == 2);  // spread 2
  CHECK(rank(1, 2) == 3);  // spread sqrt(13)
  CHECK(std::isnan(rank(1, 0)));
  // Equal spreads share the lowest of their places: unit 1 spread 0, units 0 and 5 spread 2.
  Eigen::VectorXd tied(7);
  tied << 1, 3, 7, 10, 12, 14, 5;  // unit 0: {1, 3, 5}, unit 1: {7}, unit 5: {10, 12, 14}
  const auto tied_rank = rank_map(som, map, tied);
  CHECK(tied_rank(0, 1) == 1);
  CHECK(tied_rank(0, 0) == 2);
  CHECK(tied_rank(1, 2) == 2);

  const auto plane = component_plane(som, 0);
  CHECK(plane(1, 2) == 5.0);
  CHECK(component_planes(som).size() == 2);
}

TEST_CASE("classification ties are broken by the neighbourhood", "[som][maps]") {
  const Som<double> som = line_som();
  RowMatrix<double> X(5, 2);
  X << 0, 0, 0.1, 0, 1, 0, 3, 0, 3.1, 0;
  // Unit 0: labels 7 and 2 tie; neighbours 1 (label 2) and 3 (labels 7, 7) -> 7 wins.
  const Labels y = (Labels(5) << 7, 2, 2, 7, 7).finished();
  const auto cls = classification_map(som, bmus_data_map(som, X), y);
  CHECK(cls(0, 0) == 7);
  // Equal support around: the smaller label.
  const Labels y2 = (Labels(5) << 7, 2, 2, 7, 9).finished();
  CHECK(classification_map(som, bmus_data_map(som, X), y2)(0, 0) == 2);
}

TEST_CASE("collect_samples returns the neighbourhood, nearest first", "[som][maps]") {
  const Som<double> som = line_som();
  RowMatrix<double> X(6, 2);
  X << 0.2, 0, 0.1, 0, 1.0, 0, 3.0, 0, 5.0, 0, 2.0, 0;
  const auto map = bmus_data_map(som, X);  // units 0:{0,1} 1:{2} 2:{5} 3:{3} 5:{4}
  RowMatrix<double> q(1, 2);
  q << 0.05, 0;
  CHECK(collect_samples(som, q, X, map, 0, Retrieval::bmu_only) == std::vector<Index>{1, 0});
  // Neighbours of unit 0: units 1, 3, 4.
  CHECK(collect_samples(som, q, X, map, 0, Retrieval::bmu_neighborhood) == std::vector<Index>{1, 0, 2, 3});
  // With a buffer of 4, one more unit by codebook distance: unit 2 (distance 2) before 5.
  CHECK(collect_samples(som, q, X, map, 4) == std::vector<Index>{1, 0, 2, 3, 5});
  CHECK(collect_samples(som, q, X, map, 100) == std::vector<Index>{1, 0, 2, 3, 5, 4});
}

TEST_CASE("Som error paths", "[som][errors]") {
  SomParams p{};
  p.rows = 0;
  CHECK_THROWS_WITH(Som<double>(p, 3), "Som(): rows must be > 0, got 0");
  p = {};
  p.sigma = -1;
  CHECK_THROWS_AS(Som<double>(p, 3), ParameterError);
  p = {};
  p.neighborhood_order = 0;
  CHECK_THROWS_WITH(Som<double>(p, 3), "Som(): neighborhood_order must be >= 1, got 0");
  p = {};
  p.sigma_decay = Decay::linear_to_zero;
  p.epochs = 1;
  CHECK_NOTHROW(Som<double>(p, 3));
  p.epochs = 3;
  p.sigma_decay = Decay::exponential;
  p.sigma_final = 0;
  CHECK_THROWS_WITH(Som<double>(p, 3), "Som(): sigma_final must be > 0, got 0");
  p = {};
  p.topology = Topology::hexagonal;
  p.torus = true;
  p.rows = 3;
  CHECK_THROWS_AS(Som<double>(p, 3), ParameterError);
  CHECK_THROWS_WITH(Som<double>(SomParams{}, 0), "Som(): n_features must be > 0, got 0");

  Som<double> som(SomParams{}, 3);
  RowMatrix<double> X = RowMatrix<double>::Random(20, 3);
  CHECK_THROWS_AS(som.predict(X), NotFittedError);
  CHECK_THROWS_WITH(som.weights(), Catch::Contains("Som::weights(): the weights are not initialised"));
  RowMatrix<double> wrong = RowMatrix<double>::Random(20, 4);
  CHECK_THROWS_WITH(som.fit(wrong), "Som::fit(): X has 4 features, but this Som expects 3");
  CHECK_THROWS_AS(som.initialize_weights(RowMatrix<double>(0, 3)), InputError);
  som.fit(X);
  const RowMatrix<double> before = som.weights();
  RowMatrix<double> bad = X;
  bad(4, 1) = std::nan("");
  CHECK_THROWS_WITH(
      som.fit(bad),
      "Som::fit(): X must be finite, but X(4, 1) = nan; if NaN marks missing values, set missing = Missing::mask");
  CHECK(som.weights() == before);  // a failed fit keeps the model
  CHECK_THROWS_AS(som.predict(wrong), InputError);
  CHECK_THROWS_AS(som.transform(wrong), InputError);
  CHECK_THROWS_WITH(som.set_weights(RowMatrix<double>::Zero(5, 3)), "Som::set_weights(): W must be 100 x 3, got 5 x 3");
  CHECK_THROWS_AS(som.set_neighborhood_order(0), ParameterError);

  const auto map = bmus_data_map(som, X);
  CHECK_THROWS_WITH(classification_map(som, map, Labels::Zero(5)),
                    Catch::Contains("classification_map(): the BMU map refers to sample"));
  CHECK_THROWS_AS(metric_map(som, map, Eigen::VectorXd::Zero(3)), InputError);
  CHECK_THROWS_AS(metric_map(som, map, Eigen::VectorXd::Zero(20), Reduction::sum), ParameterError);
  UMatrixOptions std_scaling;
  std_scaling.scaling = Reduction::std;
  CHECK_THROWS_AS(u_matrix(som, std_scaling), ParameterError);
  CHECK_THROWS_WITH(u_matrix(som, std_scaling), "u_matrix(): scaling must be sum or mean, got std");
  UMatrixOptions negative_order;
  negative_order.neighborhood_order = -1;
  CHECK_THROWS_WITH(u_matrix(som, negative_order), "u_matrix(): neighborhood_order must be >= 0, got -1");
  CHECK_THROWS_AS(classification_map(som, BmuDataMap(3), Labels::Zero(20)), InputError);
  CHECK_THROWS_WITH(component_plane(som, 3), "component_plane(): feature must be in [0, 3), got 3");
  CHECK_THROWS_AS(collect_samples(som, X, X, map), InputError);
}

TEST_CASE("transform gives the distance to every unit", "[som]") {
  const Som<double> som = line_som();
  RowMatrix<double> X(2, 2);
  X << 0, 0, 2.5, 1;
  const auto D = som.transform(X);
  REQUIRE(D.rows() == 2);
  REQUIRE(D.cols() == 6);
  CHECK(D(0, 3) == Approx(3.0));
  CHECK(D(1, 2) == Approx(std::sqrt(0.25 + 1)));
  CHECK(som.predict(X)[1] == 2);
}

TEMPLATE_TEST_CASE("separable Gaussian smoothing equals the dense kernel sum", "[kernels][batch]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  Random rng(3);
  // Shapes and shares of units with samples that reach every path of the row pass: whole grid
  // rows active, a few active units (rank-one updates), many but not all (a GEMM over the
  // gathered columns, > 16 of 40), and grid rows without any; blocks of several target rows
  // that start on odd rows (18 rows: blocks of 3).
  struct Case {
    Index rows, cols;
    double active;
  };
  for (const Case c : {Case{6, 7, 1.0}, Case{6, 7, 0.3}, Case{4, 40, 0.6}, Case{18, 5, 0.5}}) {
    for (auto topo : {Topology::rectangular, Topology::hexagonal}) {
      for (bool torus : {false, true}) {
        const Grid g(c.rows, c.cols, topo, torus);
        UnitSums<S> s{RowMatrix<S>::Zero(g.size(), 3), Vector<S>::Zero(g.size())};
        for (Index u = 0; u < g.size(); ++u) {
          if (g.row_of(u) == 1 && c.active < 1.0) continue;  // an empty grid row
          if (rng.uniform() >= c.active) continue;
          s.counts[u] = S(rng.uniform_index(3));  // some active units with a zero count
          for (Index j = 0; j < 3; ++j) s.sums(u, j) = S(rng.normal());
        }
        const NeighborhoodTable h(g, Neighborhood::gaussian, 1.7);
        REQUIRE(h.separable());
        const auto fast = smooth_unit_sums<S>(h, s);
        for (Index n = 0; n < g.size(); ++n) {
          double den = 0;
          Eigen::RowVectorXd num = Eigen::RowVectorXd::Zero(3);
          for (Index u = 0; u < g.size(); ++u) {
            const double w = neighborhood_weight(Neighborhood::gaussian, g.distance_sq(u, n), 1.7);
            den += w * double(s.counts[u]);
            num += w * s.sums.row(u).template cast<double>();
          }
          INFO("grid " << c.rows << " x " << c.cols << " active " << c.active << " topology " << int(topo) << " torus "
                       << torus << " unit " << n);
          CHECK(double(fast.denominator[n]) == Approx(den).epsilon(1e-5).margin(1e-6));
          CHECK((fast.numerator.row(n).template cast<double>() - num).cwiseAbs().maxCoeff() < 1e-4);
        }
      }
    }
  }
}

TEMPLATE_TEST_CASE("smoothing kernels equal a naive loop at every level; the FMA levels agree bit for bit",
                   "[kernels][batch][isa]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  using test_support::multiply_add;
  // Shapes that reach every tile of the product: full column panels, single vectors and a
  // scalar tail (n), full row tiles and every shorter one (m), k = 0 and long sums; leading
  // dimensions beyond the shapes, and c written into every second row (the hexagonal smoother).
  struct Shape {
    Index m, n, k;
  };
  const std::vector<Shape> shapes = {{1, 1, 1},   {5, 67, 7},   {7, 130, 3}, {6, 64, 1},
                                     {13, 33, 0}, {3, 200, 40}, {12, 9, 17}, {11, 2600, 5}};
  Random rng(21);
  std::vector<std::vector<RowMatrix<S>>> products(shapes.size());
  std::vector<RowMatrix<S>> steps;
  for (const Isa level : test_support::kernel_levels()) {
    const test_support::LevelCap cap(level);
    const detail::SmoothingKernels<S> kernels = detail::smoothing_kernels<S>();
    // Which rounding this level uses: 1 c + x x with x = 1 + eps and c = -(1 + 2 eps) is eps^2
    // when x x + c is fused and 0 when x x is rounded first.
    const S x = S(1) + std::numeric_limits<S>::epsilon(), c = -(S(1) + 2 * std::numeric_limits<S>::epsilon());
    const S a[2] = {S(1), x}, b[2] = {c, x};
    S probe = S(-1);
    kernels.product({a, 2, b, 1, &probe, 1, 1, 1, 2});
    const bool fused = probe != S(0);
    REQUIRE(probe == multiply_add(x, x, c, fused));
    INFO("level " << isa_name(level) << (fused ? ", fused" : ", unfused"));
    for (std::size_t t = 0; t < shapes.size(); ++t) {
      const Shape sh = shapes[t];
      const Index lda = sh.k + 3, ldb = sh.n + 5, ldc = 2 * (sh.n + 2);
      Random data(100 + t);
      RowMatrix<S> A(std::max<Index>(sh.m, 1), lda), B(std::max<Index>(sh.k, 1), ldb);
      for (Index i = 0; i < A.size(); ++i) A.data()[i] = S(data.normal());
      for (Index i = 0; i < B.size(); ++i) B.data()[i] = S(data.normal());
      RowMatrix<S> C = RowMatrix<S>::Constant(sh.m, ldc, S(7));
      kernels.product({A.data(), lda, B.data(), ldb, C.data(), ldc, sh.m, sh.n, sh.k});
      INFO("m " << sh.m << " n " << sh.n << " k " << sh.k);
      bool same = true, near = true;
      for (Index i = 0; i < sh.m; ++i)
        for (Index j = 0; j < sh.n; ++j) {
          S acc = 0;
          double exact = 0, size = 0;
          for (Index q = 0; q < sh.k; ++q) {
            acc = multiply_add(A(i, q), B(q, j), acc, fused);
            exact += double(A(i, q)) * double(B(q, j));
            size += std::abs(double(A(i, q)) * double(B(q, j)));
          }
          same = same && C(i, j) == acc;  // the order of the sum is the oracle's
          near = near && std::abs(double(C(i, j)) - exact) <=
                             double(sh.k + 1) * double(std::numeric_limits<S>::epsilon()) * size;
        }
      CHECK(same);
      CHECK(near);
      CHECK((C.rightCols(ldc - sh.n).array() == S(7)).all());  // nothing beyond n is written
      products[t].push_back(C);
    }
    // The mini-batch update w += step (s - s_F w) on rows of 70 features (a vector tail).
    const Index rows = 9, F = 70;
    Random data(5);
    RowMatrix<S> W(rows, F), Sm(rows, F + 1);
    for (Index i = 0; i < W.size(); ++i) W.data()[i] = S(data.normal());
    for (Index i = 0; i < Sm.size(); ++i) Sm.data()[i] = S(data.uniform());
    const RowMatrix<S> W0 = W;
    const S step = S(0.37);
    kernels.minibatch_step({W.data(), F, Sm.data(), F + 1, rows, F, step});
    bool same = true;
    for (Index u = 0; u < rows; ++u)
      for (Index j = 0; j < F; ++j) {
        const S inner = multiply_add(-Sm(u, F), W0(u, j), Sm(u, j), fused);
        same = same && W(u, j) == multiply_add(step, inner, W0(u, j), fused);
      }
    CHECK(same);
    steps.push_back(W);
  }
  // Levels above the build's are AVX2 and AVX-512, both with FMA: the same bits.
  const std::vector<Isa> levels = test_support::kernel_levels();
  for (std::size_t l = 1; l < levels.size(); ++l) {
    if (levels[l - 1] == Isa::baseline) continue;
    for (std::size_t t = 0; t < shapes.size(); ++t) CHECK(products[t][l] == products[t][l - 1]);
    CHECK(steps[l] == steps[l - 1]);
  }
}

TEMPLATE_TEST_CASE("mini-batch and batch training give the same bits at the FMA levels and any thread count",
                   "[som][minibatch][isa][threads]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = blobs<S>(700, 5, 3);
  for (const Training training : {Training::minibatch, Training::batch}) {
    for (const Topology topology : {Topology::rectangular, Topology::hexagonal}) {
      std::vector<RowMatrix<S>> weights;
      for (const Isa level : test_support::kernel_levels()) {
        if (level == Isa::baseline) continue;  // rounds differently (no FMA)
        const test_support::LevelCap cap(level);
        for (const int threads : {1, 2}) {
          SomParams p;
          p.rows = 9;
          p.cols = 11;
          p.epochs = 3;
          p.batch_size = 64;
          p.training = training;
          p.topology = topology;
          p.n_threads = threads;
          Som<S> som(p, X.cols());
          som.fit(X);
          weights.push_back(som.weights());
        }
      }
      INFO("training " << int(training) << " topology " << int(topology));
      for (std::size_t k = 1; k < weights.size(); ++k) CHECK(weights[k] == weights[0]);
    }
  }
}

TEST_CASE("Som::cluster groups the units of well separated blobs", "[som][cluster]") {
  const RowMatrix<double> X = blobs<double>(300, 3, 8);  // 3 blobs, 4 apart
  SomParams p{};
  p.rows = 8;
  p.cols = 6;
  p.epochs = 15;
  p.sigma = 2;
  p.training = Training::batch;
  p.init = Init::pca;
  Som<double> som(p, 3);
  CHECK_THROWS_AS(som.cluster(), NotFittedError);
  som.fit(X);
  ClusterParams cp;
  cp.n_clusters = 3;
  const ClusterResult r = som.cluster(cp);
  REQUIRE(r.labels.size() == som.n_units());
  CHECK(r.n_clusters == 3);
  // Each blob's samples land (95% or more) on units of its own cluster, a different one per blob.
  const Labels bmu = som.predict(X);
  std::set<Index> majorities;
  for (Index blob = 0; blob < 3; ++blob) {
    std::map<Index, Index> votes;
    for (Index i = blob; i < X.rows(); i += 3) ++votes[r.labels[bmu[i]]];
    auto best =
        std::max_element(votes.begin(), votes.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    CHECK(best->second >= 95);
    majorities.insert(best->first);
  }
  CHECK(majorities.size() == 3);
  CHECK(r.metrics.silhouette > 0.5);
  CHECK(som.elbow(6).size() == 6);
  CHECK(som.elbow().size() == 10);
  // max_k beyond the units is capped at them (k-means cannot make more clusters than units).
  const auto capped = som.elbow(49);
  REQUIRE(capped.size() == 48);
  CHECK(capped.back() == Approx(0.0).margin(1e-9));
  CHECK(som.elbow(1000).size() == 48);
  CHECK_THROWS_WITH(som.elbow(-1), "Som::elbow(): max_k must be >= 0, got -1");
  {  // a map with fewer than 10 units: the default curve stops at its size
    SomParams small;
    small.rows = 2;
    small.cols = 3;
    small.epochs = 2;
    Som<double> tiny(small, X.cols());
    tiny.fit(X);
    const auto curve = tiny.elbow();
    REQUIRE(curve.size() == 6);
    CHECK(curve.back() == Approx(0.0).margin(1e-12));  // as many clusters as units
  }
  cp.n_clusters = 49;
  CHECK_THROWS_AS(som.cluster(cp), ParameterError);
  CHECK_THROWS_WITH(som.cluster(cp), "Som::cluster(): n_clusters must be <= the number of units (48), got 49");
  cp.n_clusters = 0;
  cp.feature_space = FeatureSpace::combined;
  CHECK(som.cluster(cp).n_clusters >= 2);
}

TEST_CASE("ClusterResult::sample_labels gives each sample its unit's cluster; noise stays -1", "[som][cluster]") {
  const RowMatrix<double> X = blobs<double>(120, 3, 8);
  SomParams p{};
  p.rows = 5;
  p.cols = 4;
  p.epochs = 5;
  p.training = Training::batch;
  Som<double> som(p, 3);
  som.fit(X);
  const Labels bmu = som.predict(X);
  for (const ClusterMethod method : {ClusterMethod::kmeans, ClusterMethod::hdbscan}) {
    ClusterParams cp;
    cp.method = method;
    cp.n_clusters = method == ClusterMethod::kmeans ? 3 : 0;
    ClusterResult r = som.cluster(cp);
    r.labels[bmu[0]] = -1;  // a noise unit, whatever the method found
    const Labels got = r.sample_labels(bmu);
    REQUIRE(got.size() == X.rows());
    for (Index i = 0; i < X.rows(); ++i) CHECK(got[i] == r.labels[bmu[i]]);  // the naive loop
    CHECK(got[0] == -1);
  }
  const ClusterResult r = som.cluster();
  CHECK(r.sample_labels(Labels(0)).size() == 0);
  Labels bad = bmu;
  bad[7] = som.n_units();
  CHECK_THROWS_WITH(r.sample_labels(bad),
                    "ClusterResult::sample_labels(): bmus[7] = 20 is not a unit of the clustered map, [0, 20); pass "
                    "the BMUs of the Som that was clustered (som.predict(X))");
  bad[7] = -1;
  CHECK_THROWS_AS(r.sample_labels(bad), InputError);
}

// ---- degenerate inputs ------------------------------------------------------------------------

namespace {

struct MapShape {
  Index rows, cols;
};

// Every shape, topology, torus, training rule and initialisation a Som supports.
template <typename F>
void for_each_som_config(F&& body) {
  for (MapShape shape : {MapShape{1, 1}, MapShape{1, 5}, MapShape{4, 3}})
    for (Topology topology : {Topology::rectangular, Topology::hexagonal})
      for (bool torus : {false, true})
        for (Training training : {Training::batch, Training::minibatch})
          for (Init init : {Init::random, Init::sample, Init::pca, Init::uniform}) {
            if (torus && topology == Topology::hexagonal && shape.rows % 2) continue;  // cannot tile
            SomParams p{};
            p.rows = shape.rows;
            p.cols = shape.cols;
            p.topology = topology;
            p.torus = torus;
            p.training = training;
            p.init = init;
            p.epochs = 3;
            p.batch_size = 4;
            INFO("map " << p.rows << " x " << p.cols << " topology " << int(topology) << " torus " << torus
                        << " training " << int(training) << " init " << int(init));
            body(p);
          }
}

}  // namespace

TEMPLATE_TEST_CASE("Som: one sample, or identical rows, puts every unit on that sample", "[som][degenerate]", double) {
  using S = TestType;
  const RowMatrix<S> one = (RowMatrix<S>(1, 3) << S(0.5), S(-2), S(3)).finished();
  const RowMatrix<S> same = one.replicate(6, 1);
  for_each_som_config([&](const SomParams& p) {
    for (const RowMatrix<S>* X : {&one, &same}) {
      Som<S> som(p, 3);
      const TrainingHistory h = som.fit(*X);
      // Every initialisation of a single point is that point (a zero-width range, the only
      // row, a zero covariance), and neither rule moves a unit away from it.
      for (Index u = 0; u < som.n_units(); ++u)
        for (Index j = 0; j < 3; ++j) CHECK(som.weights()(u, j) == Approx(one(0, j)).margin(1e-6));
      CHECK(som.weights().allFinite());
      CHECK(h.quantization_errors.back() == Approx(0.0).margin(1e-5));
      const double te = som.topographic_error(*X);  // the units differ only by rounding: any
      CHECK((te == 0.0 || te == 1.0));              // second unit is as good as another
      CHECK(som.predict(*X) == Labels::Zero(X->rows()));
      CHECK(som.transform(*X).cwiseAbs().maxCoeff() == Approx(0.0).margin(1e-5));
    }
  });
}

TEST_CASE("Som maps of a one-sample map follow the definitions", "[som][degenerate][maps]") {
  RowMatrix<double> X(1, 2);
  X << 1.5, -4;
  for (MapShape shape : {MapShape{1, 1}, MapShape{1, 4}, MapShape{3, 3}}) {
    SomParams p{};
    p.rows = shape.rows;
    p.cols = shape.cols;
    p.epochs = 2;
    p.training = Training::batch;
    Som<double> som(p, 2);
    som.fit(X);
    const auto hits = hit_map(som, X);
    CHECK(hits(0, 0) == 1);
    CHECK(hits.sum() == 1);
    UMatrixOptions unscaled;  // scaled to max 1, rounding noise between identical units would read 1
    unscaled.normalize = false;
    CHECK(u_matrix(som, unscaled).cwiseAbs().maxCoeff() == Approx(0.0).margin(1e-12));  // identical units
    const auto map = bmus_data_map(som, X);
    CHECK(map[0] == std::vector<Index>{0});
    const Labels y = Labels::Constant(1, -7);  // negative labels are labels like any other
    const auto cls = classification_map(som, map, y);
    CHECK(cls(0, 0) == -7);
    CHECK(cls.array().isNaN().count() == som.n_units() - 1);
    const Eigen::VectorXd t = Eigen::VectorXd::Constant(1, 2.5);
    CHECK(metric_map(som, map, t)(0, 0) == 2.5);
    CHECK(metric_map(som, map, t, Reduction::std)(0, 0) == 0.0);
    CHECK(score_map(som, map, t)(0, 0) == 0.0);  // std 0 and ln(N / n) = 0
    CHECK(rank_map(som, map, t)(0, 0) == 1.0);
    CHECK(component_plane(som, 1).cwiseAbs().minCoeff() == Approx(4.0));
    CHECK(collect_samples(som, X, X, map) == std::vector<Index>{0});
  }
}

TEST_CASE("Som maps on 1 x 1 and 1 x N maps: U-matrix neighbours along the single row", "[som][degenerate][maps]") {
  for (Topology topology : {Topology::rectangular, Topology::hexagonal}) {
    SomParams p{};
    p.rows = 1;
    p.cols = 4;
    p.topology = topology;
    Som<double> line(p, 1);
    line.set_weights((RowMatrix<double>(4, 1) << 0, 1, 3, 6).finished());
    UMatrixOptions mean;
    mean.scaling = Reduction::mean;
    mean.normalize = false;
    const auto u = u_matrix(line, mean);
    CHECK(u(0, 0) == Approx(1.0));
    CHECK(u(0, 1) == Approx(1.5));
    CHECK(u(0, 2) == Approx(2.5));
    CHECK(u(0, 3) == Approx(3.0));
    p.torus = topology == Topology::rectangular;  // a hexagonal torus needs an even row count
    if (p.torus) {
      Som<double> ring(p, 1);
      ring.set_weights(line.weights());
      CHECK(u_matrix(ring, mean)(0, 0) == Approx((1.0 + 6.0) / 2.0));  // wraps to unit 3
    }
    p.cols = 1;
    p.torus = false;
    Som<double> single(p, 1);
    single.set_weights(RowMatrix<double>::Constant(1, 1, 5.0));
    CHECK(u_matrix(single)(0, 0) == 0.0);  // no neighbours
    RowMatrix<double> X(3, 1);
    X << 1, 5, 9;
    CHECK(hit_map(single, X)(0, 0) == 3);
    CHECK(single.topographic_error(X) == 0.0);
    CHECK(single.quantization_error(X) == Approx(8.0 / 3.0));
    CHECK_THROWS_WITH(single.cluster(), "Som::cluster(): clustering needs at least 2 units, got 1");
  }
}

TEMPLATE_TEST_CASE("Som: one feature and constant columns give finite weights; PCA keeps constants",
                   "[som][degenerate][init]", double) {
  using S = TestType;
  const RowMatrix<S> base = blobs<S>(60, 3, 4);
  RowMatrix<S> one_feature = base.leftCols(1);
  RowMatrix<S> constant_col = base;
  constant_col.col(1).setConstant(S(5));
  RowMatrix<S> all_constant = RowMatrix<S>::Constant(60, 3, S(-1.5));
  for (const RowMatrix<S>* X : {&one_feature, &constant_col, &all_constant}) {
    for (Init init : {Init::random, Init::sample, Init::pca, Init::uniform})
      for (Topology topology : {Topology::rectangular, Topology::hexagonal}) {
        SomParams p{};
        p.rows = 4;
        p.cols = 5;
        p.epochs = 4;
        p.training = Training::batch;
        p.init = init;
        p.topology = topology;
        INFO("features " << X->cols() << " init " << int(init) << " topology " << int(topology));
        Som<S> som(p, X->cols());
        som.initialize_weights(*X);
        REQUIRE(som.weights().allFinite());
        for (Index j = 0; j < X->cols(); ++j)
          if ((X->col(j).array() == (*X)(0, j)).all())  // constant column: every unit on it
            CHECK((som.weights().col(j).array() == (*X)(0, j)).all());
        som.fit(*X);
        REQUIRE(som.weights().allFinite());
        const Labels bmu = som.predict(*X);
        const RowMatrix<double> W = som.weights().template cast<double>();
        for (Index i = 0; i < X->rows(); ++i) {
          const Index expect = naive_bmu(*X, i, W);
          CHECK((bmu[i] == expect || (W.row(bmu[i]) - W.row(expect)).norm() < 1e-6));
        }
      }
  }
  // PCA of a single feature: units spread along the longer side, +-2 standard deviations.
  SomParams p{};
  p.rows = 1;
  p.cols = 5;
  p.init = Init::pca;
  Som<S> line(p, 1);
  line.initialize_weights(one_feature);
  const double mean = one_feature.template cast<double>().mean();
  const double sd = std::sqrt((one_feature.template cast<double>().array() - mean).square().sum() / 59.0);
  CHECK(double(line.weights()(0, 0)) == Approx(mean - 2 * sd).epsilon(1e-4));
  CHECK(double(line.weights()(4, 0)) == Approx(mean + 2 * sd).epsilon(1e-4));
}

TEMPLATE_TEST_CASE("Som batch training: duplicating every row changes nothing", "[som][degenerate][batch]", double) {
  using S = TestType;
  const RowMatrix<S> X = blobs<S>(40, 2, 9);
  const RowMatrix<S> thrice = X.replicate(3, 1);
  for (Topology topology : {Topology::rectangular, Topology::hexagonal}) {
    SomParams p{};
    p.rows = 4;
    p.cols = 4;
    p.epochs = 5;
    p.training = Training::batch;
    p.init = Init::pca;
    p.topology = topology;
    Som<S> a(p, 2), b(p, 2);
    a.initialize_weights(X);
    b.set_weights(a.weights());
    a.fit(X);
    b.fit(thrice);  // sums and counts all scale by 3
    CHECK((a.weights() - b.weights()).cwiseAbs().maxCoeff() < S(1e-4));
  }
}

TEMPLATE_TEST_CASE("Som rejects NaN, Inf and empty input in every entry point", "[som][degenerate][errors]", double) {
  using S = TestType;
  const RowMatrix<S> X = blobs<S>(20, 3, 2);
  SomParams p{};
  p.rows = 3;
  p.cols = 3;
  Som<S> som(p, 3);
  som.fit(X);
  const RowMatrix<S> before = som.weights();
  RowMatrix<S> inf = X, nan = X;
  inf(2, 1) = std::numeric_limits<S>::infinity();
  nan(0, 2) = std::numeric_limits<S>::quiet_NaN();
  const RowMatrix<S> empty(0, 3);
  CHECK_THROWS_WITH(som.fit(inf), "Som::fit(): X must be finite, but X(2, 1) = inf");
  CHECK_THROWS_WITH(
      som.fit(nan),
      "Som::fit(): X must be finite, but X(0, 2) = nan; if NaN marks missing values, set missing = Missing::mask");
  CHECK_THROWS_WITH(som.fit(empty), "Som::fit(): X has no samples (0 rows)");
  CHECK_THROWS_WITH(som.initialize_weights(inf), "Som::initialize_weights(): X must be finite, but X(2, 1) = inf");
  CHECK_THROWS_WITH(
      som.predict(nan),
      "Som::predict(): X must be finite, but X(0, 2) = nan; if NaN marks missing values, set missing = Missing::mask");
  CHECK_THROWS_WITH(som.transform(empty), "Som::transform(): X has no samples (0 rows)");
  CHECK_THROWS_WITH(som.quantization_error(inf), Catch::Contains("Som::quantization_error(): X must be finite"));
  CHECK_THROWS_WITH(som.topographic_error(empty), "Som::topographic_error(): X has no samples (0 rows)");
  CHECK_THROWS_AS(hit_map(som, nan), InputError);
  CHECK_THROWS_AS(bmus_data_map(som, inf), InputError);
  RowMatrix<S> W = before;
  W(0, 0) = std::numeric_limits<S>::infinity();
  CHECK_THROWS_WITH(som.set_weights(W), "Som::set_weights(): W must be finite, but W(0, 0) = inf");
  CHECK(som.weights() == before);
}

TEMPLATE_TEST_CASE("Som with huge values (1e30) stays finite and matches brute force", "[som][degenerate]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = (blobs<double>(60, 3, 5) * 1e30).cast<S>();
  for (Training training : {Training::batch, Training::minibatch})
    for (Distance distance : {Distance::euclidean, Distance::cosine, Distance::manhattan}) {
      SomParams p{};
      p.rows = 3;
      p.cols = 4;
      p.epochs = 3;
      p.training = training;
      p.init = Init::pca;
      p.distance = distance;
      INFO("training " << int(training) << " distance " << int(distance));
      Som<S> som(p, 3);
      const TrainingHistory h = som.fit(X);
      REQUIRE(som.weights().allFinite());
      CHECK(std::isfinite(h.quantization_errors.back()));
      CHECK(std::isfinite(som.quantization_error(X)));
      CHECK(u_matrix(som).allFinite());
      if (distance != Distance::euclidean) continue;
      const Labels bmu = som.predict(X);
      const RowMatrix<double> W = som.weights().template cast<double>();
      for (Index i = 0; i < X.rows(); ++i) CHECK(bmu[i] == naive_bmu(X, i, W));
    }
}

TEST_CASE("Som maps: a neighbourhood order beyond the grid costs no more than the whole grid",
          "[som][degenerate][maps]") {
  Som<double> som = line_som();
  UMatrixOptions five;
  five.neighborhood_order = 5;
  const RowMatrix<double> whole = u_matrix(som, five);  // 2 x 3: every unit within 5 rings
  som.set_neighborhood_order(Index(1) << 62);
  CHECK(u_matrix(som) == whole);
  CHECK(som.grid().ring(0, Index(1) << 62).empty());
  CHECK(som.grid().neighbors(0, std::numeric_limits<Index>::max()).size() == 5);
}

TEST_CASE("Som: a huge epoch count is validated without a loop over the epochs", "[som][degenerate]") {
  SomParams p{};
  p.epochs = Index(1) << 62;
  CHECK_NOTHROW(Som<double>(p, 2));
  p.sigma = std::numeric_limits<double>::denorm_min();
  p.sigma_decay = Decay::asymptotic;  // v0 / (1 + 2t/T) underflows to 0 by the last epoch
  CHECK_THROWS_WITH(Som<double>(p, 2), Catch::Contains("Som(): sigma schedule reaches 0 at epoch 4611686018427387903"));
}

// ---- MapClassifier ------------------------------------------------------------------------

namespace {

// The rules of MapClassifier written as plain loops: brute-force BMUs, counts, vote (smallest
// label on ties), then for each empty unit a scan of all labelled units ordered by (grid
// distance, weight distance, unit index).
struct NaiveMapLabels {
  std::vector<Index> label;                // per unit, a class label
  std::vector<std::vector<double>> proba;  // per unit, per sorted class
};

template <typename S>
NaiveMapLabels naive_map_labels(const Som<S>& som, const RowMatrix<S>& X, const Labels& y) {
  const RowMatrix<double> W = som.weights().template cast<double>();
  const Index U = W.rows();
  std::set<Index> class_set(y.data(), y.data() + y.size());
  const std::vector<Index> classes(class_set.begin(), class_set.end());
  std::vector<std::map<Index, Index>> counts(static_cast<std::size_t>(U));
  for (Index i = 0; i < X.rows(); ++i) ++counts[std::size_t(naive_bmu(X, i, W))][y[i]];
  NaiveMapLabels out;
  const Index none = std::numeric_limits<Index>::min();  // labels may be negative
  out.label.assign(std::size_t(U), none);
  out.proba.assign(std::size_t(U), std::vector<double>(classes.size(), 0.0));
  for (Index u = 0; u < U; ++u) {
    Index total = 0, best = -1, best_count = -1;
    for (const auto& [label, count] : counts[std::size_t(u)]) {  // map: increasing labels
      total += count;
      if (count > best_count) {
        best = label;
        best_count = count;
      }
    }
    if (total == 0) continue;
    out.label[std::size_t(u)] = best;
    for (std::size_t c = 0; c < classes.size(); ++c) {
      const auto it = counts[std::size_t(u)].find(classes[c]);
      out.proba[std::size_t(u)][c] = it == counts[std::size_t(u)].end() ? 0.0 : double(it->second) / double(total);
    }
  }
  NaiveMapLabels result = out;
  for (Index u = 0; u < U; ++u) {
    if (out.label[std::size_t(u)] != none) continue;
    Index donor = -1;
    double dg = 0, dw = 0;
    for (Index v = 0; v < U; ++v) {
      if (out.label[std::size_t(v)] == none) continue;
      const double g = som.grid().distance(u, v), w = (W.row(u) - W.row(v)).norm();
      if (donor < 0 || g < dg - 1e-9 || (std::abs(g - dg) <= 1e-9 && w < dw)) {
        donor = v;
        dg = g;
        dw = w;
      }
    }
    result.label[std::size_t(u)] = out.label[std::size_t(donor)];
    result.proba[std::size_t(u)] = out.proba[std::size_t(donor)];
  }
  return result;
}

}  // namespace

TEMPLATE_TEST_CASE("MapClassifier labels units as a brute-force majority vote with grid donors",
                   "[som][map_classifier]", double) {
  using S = TestType;
  const auto data = iris();
  const RowMatrix<S> Z = standardized<S>(data.X);
  for (auto topo : {Topology::rectangular, Topology::hexagonal}) {
    for (bool torus : {false, true}) {
      SomParams p;
      p.rows = 8;
      p.cols = 6;
      p.epochs = 5;
      p.sigma = 2.0;
      p.topology = topo;
      p.torus = torus;
      p.training = Training::batch;
      p.init = Init::pca;
      Som<S> som(p, 4);
      som.fit(Z);
      // A few labelled samples, so that most units are empty and need a donor.
      const Index n = 25;
      RowMatrix<S> X(n, 4);
      Labels y(n);
      for (Index i = 0; i < n; ++i) {
        X.row(i) = Z.row(6 * i);
        y[i] = data.y[6 * i] * 10 - 5;  // labels need not be 0..C-1
      }
      MapClassifier<S> clf(som);
      CHECK_FALSE(clf.is_fitted());
      clf.fit(X, y);
      REQUIRE(clf.is_fitted());
      const NaiveMapLabels naive = naive_map_labels(som, X, y);
      CHECK(clf.classes() == (Labels(3) << -5, 5, 15).finished());
      Index empty = 0;
      for (Index u = 0; u < som.n_units(); ++u) {
        CHECK(clf.unit_labels()[u] == naive.label[std::size_t(u)]);
        for (Index c = 0; c < 3; ++c)
          CHECK(double(clf.unit_probabilities()(u, c)) == Approx(naive.proba[std::size_t(u)][std::size_t(c)]));
        empty += clf.label_donors()[u] != u;
      }
      CHECK(empty >= 20);
      // Predictions on all of iris: the label and frequencies of each sample's BMU.
      const Labels pred = clf.predict(Z);
      const RowMatrix<S> P = clf.predict_proba(Z);
      const RowMatrix<double> W = som.weights().template cast<double>();
      Index agree = 0;
      for (Index i = 0; i < Z.rows(); ++i) {
        const Index u = naive_bmu(Z, i, W);
        CHECK(pred[i] == naive.label[std::size_t(u)]);
        CHECK(double(P.row(i).sum()) == Approx(1.0));
        CHECK(double(P(i, 0)) == Approx(naive.proba[std::size_t(u)][0]));
        agree += pred[i] == data.y[i] * 10 - 5;
      }
      CHECK(clf.score(Z, (data.y.array() * 10 - 5).matrix()) == Approx(double(agree) / 150.0));
    }
  }
}

TEST_CASE("MapClassifier ties: smallest label, then nearest weights", "[som][map_classifier]") {
  // 1 x 3 map, weights 0, 10, 11: unit 1 (middle) gets no sample, units 0 and 2 are both at
  // grid distance 1 from it; unit 2's weight is nearer, so unit 1 takes unit 2's label.
  SomParams p;
  p.rows = 1;
  p.cols = 3;
  Som<double> som(p, 1);
  som.set_weights((RowMatrix<double>(3, 1) << 0.0, 10.0, 11.0).finished());
  RowMatrix<double> X(4, 1);
  X << 0.1, -0.1, 11.2, 11.3;
  Labels y(4);
  y << 7, 3, 9, 9;  // unit 0: a 7/3 tie -> 3
  MapClassifier<double> clf(som);
  clf.fit(X, y);
  CHECK(clf.unit_labels() == (Labels(3) << 3, 9, 9).finished());
  CHECK(clf.label_donors() == (Labels(3) << 0, 2, 2).finished());
  CHECK(clf.unit_probabilities().row(0).isApprox((RowMatrix<double>(1, 3) << 0.5, 0.5, 0.0).finished()));
  CHECK(clf.predict((RowMatrix<double>(1, 1) << 9.9).finished())[0] == 9);
}

TEMPLATE_TEST_CASE("MapClassifier beats the majority baseline on held-out iris", "[som][map_classifier][iris]",
                   double) {
  using S = TestType;
  const auto data = iris();
  const RowMatrix<S> Z = standardized<S>(data.X);
  // Every 4th sample is held out (38 test, 112 train; the classes stay balanced).
  std::vector<Index> train, test;
  for (Index i = 0; i < Z.rows(); ++i) (i % 4 == 0 ? test : train).push_back(i);
  RowMatrix<S> Xtr(Index(train.size()), 4), Xte(Index(test.size()), 4);
  Labels ytr(Index(train.size())), yte(Index(test.size()));
  for (std::size_t k = 0; k < train.size(); ++k) {
    Xtr.row(Index(k)) = Z.row(train[k]);
    ytr[Index(k)] = data.y[train[k]];
  }
  for (std::size_t k = 0; k < test.size(); ++k) {
    Xte.row(Index(k)) = Z.row(test[k]);
    yte[Index(k)] = data.y[test[k]];
  }
  Som<S> som(suggest_som_params(Xtr), 4);
  som.fit(Xtr);
  MapClassifier<S> clf(som);
  const double accuracy = clf.fit(Xtr, ytr).score(Xte, yte);
  Index majority = 0;
  for (Index c = 0; c < 3; ++c) majority = std::max<Index>(majority, (yte.array() == c).count());
  const double baseline = double(majority) / double(yte.size());
  CHECK(baseline < 0.37);
  CHECK(accuracy >= 0.89);
}

TEST_CASE("MapClassifier errors", "[som][map_classifier][errors]") {
  SomParams p;
  p.rows = 3;
  p.cols = 3;
  Som<double> untrained(p, 2);
  CHECK_THROWS_AS(MapClassifier<double>(untrained), NotFittedError);
  CHECK_THROWS_WITH(
      MapClassifier<double>(untrained),
      "MapClassifier::MapClassifier(): the Som is not trained; call fit() or initialize_weights() on it first");
  const RowMatrix<double> X = blobs<double>(30, 2, 3);
  Labels y(30);
  for (Index i = 0; i < 30; ++i) y[i] = i % 3;
  std::optional<MapClassifier<double>> clf;
  {
    Som<double> som(p, 2);
    som.fit(X);
    clf.emplace(som);
  }  // the classifier outlives the Som it was built from
  CHECK_THROWS_AS(clf->predict(X), NotFittedError);
  CHECK_THROWS_WITH(clf->predict(X),
                    "MapClassifier::predict(): this MapClassifier is not fitted yet; call fit() first");
  CHECK_THROWS_AS(clf->predict_proba(X), NotFittedError);
  CHECK_THROWS_AS(clf->score(X, y), NotFittedError);
  CHECK_THROWS_WITH(clf->classes(), "MapClassifier::classes(): this MapClassifier is not fitted yet; call fit() first");
  CHECK_THROWS_AS(clf->unit_labels(), NotFittedError);
  CHECK_THROWS_WITH(clf->fit(X, y.head(29)), "MapClassifier::fit(): y has 29 labels, but X has 30 samples");
  CHECK_THROWS_AS(clf->fit(X, y.head(29)), InputError);
  const RowMatrix<double> X3 = blobs<double>(30, 3, 3);
  CHECK_THROWS_WITH(clf->fit(X3, y), "MapClassifier::fit(): X has 3 features, but this MapClassifier expects 2");
  clf->fit(X, y);
  const Labels before = clf->unit_labels();
  Labels other = y;
  other.setConstant(5);
  RowMatrix<double> bad = X;
  bad(4, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(clf->fit(bad, other), InputError);
  CHECK(clf->unit_labels() == before);  // a failed fit keeps the previous labels
  CHECK_THROWS_WITH(clf->predict(X3), "MapClassifier::predict(): X has 3 features, but this MapClassifier expects 2");
  CHECK_THROWS_WITH(clf->predict_proba(X3), Catch::Contains("MapClassifier::predict_proba(): X has 3 features"));
  CHECK_THROWS_WITH(clf->score(X, y.head(3)), "MapClassifier::score(): y has 3 labels, but X has 30 samples");
  CHECK(clf->score(X, y) >= 0.0);
}

// ---- suggest_som_params ---------------------------------------------------------------------

TEST_CASE("suggest_som_params follows the SOM Toolbox's som_make", "[som][suggest]") {
  // Expected values from tests/reference/som_toolbox_map_size.py (numpy re-implementation of
  // som_make / som_topol_struct / som_train_struct, SOM-Toolbox commit f2597ab).
  struct Case {
    const char* file;
    bool standardise;
    Index rows, cols, epochs;
    double sigma;
  };
  const Case cases[] = {
      {"iris", false, 16, 4, 5 + 18, 2},         {"iris", true, 11, 6, 5 + 18, 2},
      {"wine", false, 9, 7, 4 + 15, 2},          {"wine", true, 11, 6, 4 + 15, 2},
      {"breast_cancer", false, 30, 4, 3 + 9, 4}, {"breast_cancer", true, 15, 8, 3 + 9, 2},
      {"digits", true, 16, 13, 2 + 5, 2},
  };
  for (const Case& c : cases) {
    INFO(c.file << (c.standardise ? " standardised" : " raw"));
    const CsvData d = read_csv(std::string(SOMTILE_DATA_DIR "/") + c.file + ".csv", "label");
    const RowMatrix<double> X = c.standardise ? standardized<double>(d.X) : d.X;
    const SomParams p = suggest_som_params(X);
    CHECK(p.rows == c.rows);
    CHECK(p.cols == c.cols);
    CHECK(p.epochs == c.epochs);
    CHECK(p.sigma == c.sigma);
    CHECK(p.topology == Topology::hexagonal);
    CHECK(p.init == Init::pca);
    CHECK(p.training == Training::batch);
    CHECK(p.sigma_decay == Decay::linear_to_one);
    CHECK_NOTHROW(validate(p, X.cols()));
    if (c.standardise) {  // the same sizes from the raw data with the scaling in the params
      const SomParams ps = suggest_som_params(d.X, Scaling::standard);
      CHECK((ps.rows == c.rows && ps.cols == c.cols && ps.epochs == c.epochs));
      CHECK(ps.scaling == Scaling::standard);
    }
    // float data gives the same answer
    const SomParams pf = suggest_som_params(X.cast<float>().eval());
    CHECK((pf.rows == p.rows && pf.cols == p.cols));
  }
  // One feature: a 1 x munits line (100 samples: ceil(50) -> 7 x 7 = 49 units).
  Random rng(1);
  RowMatrix<double> line(100, 1);
  for (Index i = 0; i < 100; ++i) line(i, 0) = rng.normal();
  const SomParams pl = suggest_som_params(line);
  CHECK((pl.rows == 1 && pl.cols == 49));
  // One sample: the square guess, 5 -> 2 x 3.
  const SomParams p1 = suggest_som_params(RowMatrix<double>::Ones(1, 3));
  CHECK((p1.rows == 2 && p1.cols == 3 && p1.epochs == 60 + 240 && p1.sigma == 1.0));
  CHECK_THROWS_WITH(suggest_som_params(RowMatrix<double>(0, 3)), "suggest_som_params(): X has no samples (0 rows)");
  RowMatrix<double> nan = RowMatrix<double>::Ones(4, 2);
  nan(1, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(suggest_som_params(nan), InputError);
}

TEST_CASE("suggest_som_params: Purpose::classify gives MapClassifier >= 0.93 on digits, display stays som_make's",
          "[som][suggest][classifier]") {
  const CsvData digits = read_csv(SOMTILE_DATA_DIR "/digits.csv", "label");
  const Split<double> s = train_test_split<double>(digits.X, digits.y, 0.25, /*seed=*/0, /*stratify=*/true);
  const SomParams display = suggest_som_params(s.X_train, Scaling::standard);
  const SomParams asked = suggest_som_params(s.X_train, Scaling::standard, Purpose::display);
  CHECK((asked.rows == display.rows && asked.cols == display.cols && asked.epochs == display.epochs &&
         asked.sigma == display.sigma && asked.sigma_decay == display.sigma_decay));
  // som_make's map for 1 347 samples: ceil(5 sqrt(1347)) = 184 -> 14 x 13 = 182 units, 15 x 12.
  CHECK((display.rows == 15 && display.cols == 12 && display.sigma_decay == Decay::linear_to_one));
  const SomParams classify = suggest_som_params(s.X_train, Scaling::standard, Purpose::classify);
  const Index units = classify.rows * classify.cols;
  CHECK(units >= s.X_train.rows() / 2);  // one unit per 1-2 samples
  CHECK(units <= s.X_train.rows());
  CHECK(classify.scaling == Scaling::standard);
  CHECK((classify.init == Init::pca && classify.training == Training::batch));
  CHECK((classify.sigma_decay == Decay::exponential && classify.sigma_final == 0.3));
  // The sides keep som_make's ratio: the longer side on the rows, as for the display map.
  CHECK(classify.rows >= classify.cols);
  const auto accuracy = [&](const SomParams& p) {
    Som<double> som(p, s.X_train.cols());
    som.fit(s.X_train);
    return MapClassifier<double>(som).fit(s.X_train, s.y_train).score(s.X_test, s.y_test);
  };
  const double a_display = accuracy(display), a_classify = accuracy(classify);
  CAPTURE(a_display, a_classify, classify.rows, classify.cols, classify.epochs);
  CHECK(a_classify >= 0.93);
  CHECK(a_display < 0.9);  // the display map is too coarse to classify with
  // float data and Missing::mask take the same path.
  const SomParams pf =
      suggest_som_params(RowMatrix<float>(s.X_train.cast<float>()), Scaling::standard, Purpose::classify);
  CHECK((pf.rows == classify.rows && pf.cols == classify.cols));
  const SomParams pm = suggest_som_params(s.X_train, Scaling::standard, Purpose::classify, Missing::mask);
  CHECK((pm.rows == classify.rows && pm.cols == classify.cols && pm.missing == Missing::mask));
  CHECK(enum_name(Purpose::classify) == "classify");
  CHECK(enum_from_name<Purpose>("display") == Purpose::display);
  CHECK_THROWS_WITH(suggest_som_params(RowMatrix<double>(0, 3), Scaling::none, Purpose::classify),
                    "suggest_som_params(): X has no samples (0 rows)");
}

// ---- automatic k and HDBSCAN defaults on real maps -------------------------------------------

namespace {

// The README's recommended map: 10 x 12 hexagonal, batch, PCA init, sigma 3 -> 0.6, 30 epochs.
Som<double> readme_map(const RowMatrix<double>& Z) {
  SomParams p;
  p.rows = 10;
  p.cols = 12;
  p.topology = Topology::hexagonal;
  p.training = Training::batch;
  p.init = Init::pca;
  p.sigma = 3;
  p.sigma_decay = Decay::exponential;
  p.sigma_final = 0.6;
  p.epochs = 30;
  Som<double> som(p, Z.cols());
  som.fit(Z);
  return som;
}

}  // namespace

TEST_CASE("automatic k on standardised wine: the elbow says 2, the silhouette 3 (3 cultivars)",
          "[som][cluster][auto_k]") {
  const CsvData wine = read_csv(SOMTILE_DATA_DIR "/wine.csv", "label");
  const Som<double> som = readme_map(standardized<double>(wine.X));
  ClusterParams cp;
  cp.auto_k = AutoK::elbow;
  const ClusterResult elbow = som.cluster(cp);
  CHECK(elbow.n_clusters == 2);
  CHECK(elbow.k_scores.size() == 10);  // sqrt(120) -> 10
  cp.auto_k = AutoK::silhouette;
  const ClusterResult sil = som.cluster(cp);
  CHECK(sil.n_clusters == 3);
  CHECK(ClusterParams{}.auto_k == AutoK::silhouette);  // the default
  // The silhouette of the chosen k, recomputed from its labels.
  CHECK(sil.k_scores[2] == Approx(silhouette_score(sil.features, sil.labels)));
}

TEST_CASE("HDBSCAN on the standardised breast-cancer map finds clusters with the default min_samples",
          "[som][cluster][hdbscan]") {
  const CsvData bc = read_csv(SOMTILE_DATA_DIR "/breast_cancer.csv", "label");
  const RowMatrix<double> Z = standardized<double>(bc.X);
  const SomParams p = suggest_som_params(Z);
  REQUIRE((p.rows == 15 && p.cols == 8));
  Som<double> som(p, Z.cols());
  som.fit(Z);
  ClusterParams cp;
  cp.method = ClusterMethod::hdbscan;
  // min_samples = min_cluster_size = 6 (HDBSCAN's own default): core distances over 6
  // neighbours flatten the evenly spread codebook, no split survives, every unit is noise.
  cp.min_samples = 6;
  const ClusterResult smeared = som.cluster(cp);
  CHECK(smeared.n_clusters == 0);
  CHECK(smeared.metrics.n_noise == 120);
  // ... unless one cluster is allowed.
  cp.allow_single_cluster = true;
  CHECK(som.cluster(cp).n_clusters == 1);
  // The default (min_samples 0 -> 2) keeps the gaps between groups of units.
  ClusterParams defaults;
  defaults.method = ClusterMethod::hdbscan;
  const ClusterResult r = som.cluster(defaults);
  CHECK(r.n_clusters >= 2);
  CHECK(r.metrics.noise_ratio < 0.5);
  CHECK(r.metrics.silhouette > 0.2);
}

// ---- models that carry their scaling ---------------------------------------------------

namespace {

// Three blobs whose second feature is 1000 times wider than the first.
template <typename S>
RowMatrix<S> wide_blobs() {
  RowMatrix<S> X = blobs<S>(90, 3, 5);
  X.col(1) *= S(1000);
  X.col(2).array() += S(50);
  return X;
}

}  // namespace

TEMPLATE_TEST_CASE("Som with scaling equals a plain Som trained on scaler-transformed data", "[som][scaling]", double) {
  using S = TestType;
  const RowMatrix<S> X = wide_blobs<S>(), Q = wide_blobs<S>().topRows(7);
  for (const Scaling kind : {Scaling::standard, Scaling::minmax}) {
    for (const Training training : {Training::minibatch, Training::batch}) {
      SomParams p;
      p.rows = 4;
      p.cols = 5;
      p.epochs = 4;
      p.training = training;
      p.n_threads = 1;
      Som<S> plain(p, 3);
      p.scaling = kind;
      Som<S> scaled(p, 3);
      CHECK_FALSE(scaled.scaler().is_fitted());
      scaled.fit(X);  // raw data in
      // The oracle: the scikit-learn-style scaler applied by hand.
      RowMatrix<S> Xs, Qs;
      if (kind == Scaling::standard) {
        StandardScaler<S> sc;
        Xs = sc.fit_transform(X);
        Qs = sc.transform(Q);
        CHECK(scaled.scaler().standard().mean() == sc.mean());
      } else {
        MinMaxScaler<S> sc;
        Xs = sc.fit_transform(X);
        Qs = sc.transform(Q);
        CHECK(scaled.scaler().minmax().data_max() == sc.data_max());
      }
      plain.fit(Xs);
      CHECK(scaled.weights() == plain.weights());
      CHECK(scaled.predict(Q) == plain.predict(Qs));
      CHECK(scaled.transform(Q) == plain.transform(Qs));
      CHECK(scaled.quantization_error(X) == plain.quantization_error(Xs));
      CHECK(scaled.topographic_error(X) == plain.topographic_error(Xs));
      CHECK(hit_map(scaled, X) == hit_map(plain, Xs));
      Labels y(X.rows());
      for (Index i = 0; i < y.size(); ++i) y[i] = i % 3;
      CHECK(MapClassifier<S>(scaled).fit(X, y).predict(Q) == MapClassifier<S>(plain).fit(Xs, y).predict(Qs));
      // Weights and component planes in the data's units.
      const RowMatrix<S> W = scaled.weights_in_data_units();
      const RowMatrix<S> back = scaled.scaler().inverse_transform(plain.weights());
      CHECK(W == back);
      const RowMatrix<double> plane = component_plane(scaled, 1);
      for (Index u = 0; u < scaled.n_units(); ++u)
        CHECK(plane.data()[u] == Approx(double(W(u, 1))).epsilon(1e-4).margin(1e-2));
      CHECK(W.col(1).maxCoeff() > S(100));  // really in the data's units (the column is ~1000 wide)
      // Further training keeps the scaler of the first fit.
      scaled.fit(X.topRows(30));
      CHECK(scaled.scaler().transform(X) == Xs);
    }
  }
}

TEST_CASE("high_variance_features: the planes of largest variance in the data's units, in feature order",
          "[som][maps][scaling]") {
  // Feature spreads in the data: 1, 100, 10, 0.1. Scaled, every feature spans the same range, so
  // the scaled weights alone would rank them otherwise.
  RowMatrix<double> X(4, 4);
  X << 0, 0, 0, 0, 1, 100, 10, 0.1, 0, 0, 0, 0, 1, 100, 10, 0.1;
  SomParams p;
  p.rows = 2;
  p.cols = 3;
  p.epochs = 1;
  p.scaling = Scaling::standard;
  Som<double> som(p, 4);
  som.fit(X);
  RowMatrix<double> W(6, 4);  // scaled: feature 3 varies most, feature 1 least
  for (Index u = 0; u < 6; ++u) W.row(u) << 0.5 * double(u % 2), 0.1 * double(u % 3), 0.3 * double(u), 2.0 * double(u);
  som.set_weights(W);
  // Brute force: population variance of each column of the codebook in the data's units.
  const RowMatrix<double> D = som.weights_in_data_units();
  std::vector<std::pair<double, Index>> by_variance;
  for (Index j = 0; j < 4; ++j) by_variance.push_back({-(D.col(j).array() - D.col(j).mean()).square().mean(), j});
  std::sort(by_variance.begin(), by_variance.end());
  for (Index k = 0; k <= 5; ++k) {
    std::vector<Index> expect;
    for (Index i = 0; i < std::min<Index>(k, 4); ++i) expect.push_back(by_variance[std::size_t(i)].second);
    std::sort(expect.begin(), expect.end());
    INFO("k = " << k);
    CHECK(high_variance_features(som, k) == expect);
  }
  CHECK(high_variance_features(som, 1) != std::vector<Index>{3});  // the scaled weights' choice
  CHECK_THROWS_AS(high_variance_features(som, -1), ParameterError);
  CHECK_THROWS_WITH(high_variance_features(som, -1), "high_variance_features(): k must be >= 0, got -1");
}

TEST_CASE("Som without scaling copies nothing and keeps the codebook in data space", "[som][scaling]") {
  const RowMatrix<double> X = blobs<double>(60, 3, 2);
  SomParams p;
  p.rows = 3;
  p.cols = 3;
  Som<double> som(p, 3);
  som.fit(X);
  CHECK(som.scaler().kind() == Scaling::none);
  CHECK(som.weights_in_data_units() == som.weights());
  CHECK(component_plane(som, 2) ==
        Eigen::Map<const RowMatrix<double>>(RowMatrix<double>(som.weights().col(2)).data(), 3, 3));
}

TEST_CASE("Som with scaling: errors name the raw data; a failed fit keeps the scaler", "[som][scaling][errors]") {
  const RowMatrix<double> X = wide_blobs<double>();
  SomParams p;
  p.rows = 3;
  p.cols = 3;
  p.scaling = Scaling::standard;
  Som<double> som(p, 3);
  CHECK_THROWS_MATCHES(som.set_weights(RowMatrix<double>::Zero(9, 3)), NotFittedError,
                       Catch::Message("Som::set_weights(): the scaling (standard) is not fitted; call "
                                      "initialize_weights() or fit() first"));
  CHECK_THROWS_AS(som.weights_in_data_units(), NotFittedError);
  som.initialize_weights(X);
  CHECK(som.scaler().is_fitted());
  CHECK(std::abs(som.weights().col(1).mean()) < 3.0);  // initialised in scaled space
  som.set_weights(som.weights());
  som.fit(X);
  const RowMatrix<double> W = som.weights();
  const Vector<double> mean = som.scaler().standard().mean();
  CHECK_THROWS_MATCHES(som.predict(X.leftCols(2)), InputError,
                       Catch::Message("Som::predict(): X has 2 features, but this Som expects 3"));
  RowMatrix<double> bad = X;
  bad(3, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(som.fit(bad), Catch::StartsWith("Som::fit(): X must be finite"));
  CHECK_THROWS_WITH(som.transform(bad), Catch::StartsWith("Som::transform(): X must be finite"));
  CHECK(som.weights() == W);
  CHECK(som.scaler().standard().mean() == mean);
}

TEST_CASE("Som::fit warns about features on different scales unless it scales them", "[som][scaling][warning]") {
  std::vector<std::string> warnings;
  ScopedWarningHandler capture([&](std::string_view w) { warnings.emplace_back(w); });
  const RowMatrix<double> X = wide_blobs<double>();
  SomParams p;
  p.rows = 3;
  p.cols = 3;
  p.epochs = 1;
  Som<double>(p, 3).fit(X);
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::StartsWith("Som::fit(): the features' ranges (max - min) differ by a factor of "));
  CHECK_THAT(warnings[0], Catch::Contains("(column 2: ") && Catch::Contains("set scaling = Scaling::standard"));
  p.scaling = Scaling::standard;
  Som<double>(p, 3).fit(X);
  p.scaling = Scaling::none;
  Som<double>(p, 3).fit(blobs<double>(60, 3, 1));  // similar scales
  CHECK(warnings.size() == 1);
}

TEST_CASE("Som::set_scaler takes a fitted scaler of the params' kind, e.g. a float Som's widened",
          "[som][scaling][errors]") {
  const RowMatrix<float> X = wide_blobs<float>();
  SomParams p;
  p.rows = 3;
  p.cols = 3;
  p.scaling = Scaling::minmax;
  Som<float> narrow(p, 3);
  narrow.fit(X);
  Som<double> wide(p, 3);
  CHECK_THROWS_MATCHES(wide.set_scaler(Scaler<double>(Scaling::standard)), InputError,
                       Catch::Message("Som::set_scaler(): the scaler is standard, but params().scaling is minmax"));
  CHECK_THROWS_MATCHES(wide.set_scaler(Scaler<double>(Scaling::minmax)), InputError,
                       Catch::Message("Som::set_scaler(): the scaler is fitted on 0 features, but this Som has 3"));
  wide.set_scaler(Scaler<double>(narrow.scaler()));
  wide.set_weights(narrow.weights().cast<double>());
  CHECK(wide.scaler().minmax().data_max() == narrow.scaler().minmax().data_max().cast<double>());
  CHECK(wide.predict(X.cast<double>()) == narrow.predict(X));
}

// Batch training keeps bounds between epochs (kernels/detail/bounded_bmu.hpp); the BMUs, hence
// the weights and every epoch's errors, must be exactly those of the full search. Shapes of W1
// (20 000 x 64, 40 x 40, sigma 20 -> 1) and of TorchSOM's benchmark (300 features, sigma 1.45,
// asymptotic decay), smaller in unoptimised builds; rectangular, hexagonal and toroidal maps.
TEMPLATE_TEST_CASE("batch training with bounds equals the full search, bit for bit", "[som][batch][bounded]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
#if defined(__OPTIMIZE__)
  const Index scale = 1;
#else
  const Index scale = 8;
#endif
  struct Job {
    const char* name;
    RowMatrix<S> X;
    SomParams p;
  };
  std::vector<Job> jobs;
  {
    SomParams p;
    p.rows = 40 / (scale > 1 ? 2 : 1), p.cols = 40 / (scale > 1 ? 2 : 1), p.epochs = 10, p.sigma = 20,
    p.sigma_final = 1;
    p.sigma_decay = Decay::exponential;
    p.training = Training::batch;
    p.init = Init::pca;
    jobs.push_back({"W1", blobs<S>((std::is_same_v<S, float> ? 20000 : 8000) / scale, 64, 7), p});
    SomParams t = p;
    t.rows = 25, t.cols = 15, t.epochs = 12 / (scale > 1 ? 2 : 1), t.sigma = 1.45, t.learning_rate = 0.95;
    t.sigma_decay = t.lr_decay = Decay::asymptotic;
    t.scaling = Scaling::none;
    RowMatrix<S> T = blobs<S>(1600 / scale, 300, 42) * S(5);
    jobs.push_back({"TorchSOM shape", T, t});
    t.topology = Topology::hexagonal;
    jobs.push_back({"TorchSOM shape, hexagonal", T, t});
    t.torus = true;
    t.rows = 12, t.cols = 10;
    jobs.push_back({"TorchSOM shape, hexagonal torus", T, t});
    t.topology = Topology::rectangular;
    jobs.push_back({"TorchSOM shape, torus", T, t});
  }
  if (scale > 1) jobs.resize(2);  // unoptimised builds (the sanitizers): W1 and one TorchSOM map
  for (const Job& job : jobs)
    for (const int threads : {1, 2}) {
      if (threads == 1 && std::string(job.name) != "W1") continue;  // thread counts: W1 shows them
      INFO(job.name << ", threads " << threads);
      SomParams p = job.p;
      p.n_threads = threads;
      const auto train = [&](bool bounds, RowMatrix<S>& W) {
        detail::set_bounded_search(bounds);
        Som<S> som(p, job.X.cols());
        TrainingHistory h = som.fit(job.X);
        W = som.weights();
        detail::set_bounded_search(true);
        return h;
      };
      RowMatrix<S> W_full, W_bounded;
      const TrainingHistory full = train(false, W_full), bounded = train(true, W_bounded);
      CHECK(full.distances_computed.empty());
      REQUIRE(bounded.distances_computed.size() == std::size_t(p.epochs));
      CHECK(W_bounded == W_full);
      CHECK(bounded.quantization_errors == full.quantization_errors);
      CHECK(bounded.topographic_errors == full.topographic_errors);
      // Late epochs skip work (sigma has settled; at full size every shape here reaches well
      // below 0.9; the reduced maps of unoptimised builds have too few tiles to show it).
      if (scale == 1) CHECK(bounded.distances_computed.back() < 0.9);
    }
}
