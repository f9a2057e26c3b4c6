// Classic SOM: training against naive reference loops, initialisation, maps on hand-computed
// cases, quality on iris, determinism and error paths.
#include <somtile/cluster.hpp>
#include <somtile/io/csv.hpp>
#include <somtile/som/maps.hpp>
#include <somtile/som/som.hpp>

#include <catch2/catch.hpp>
#include <Eigen/Eigenvalues>
#include "support/scalars.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <set>

using namespace somtile;

namespace {

template <typename S>
RowMatrix<S> blobs(Index n, Index f, std::uint64_t seed) {
  Random rng(seed);
  RowMatrix<S> X(n, f);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < f; ++j) X(i, j) = S(rng.normal() + 4.0 * double((i % 3) == j % 3));
  return X;
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
  const Eigen::RowVectorXd sd = (Z.array().square().colwise().sum() / double(X.rows() - 1)).sqrt();
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
        p.rows = 4; p.cols = 5; p.epochs = 4; p.sigma = 2.0; p.topology = topo; p.torus = torus;
        p.neighborhood = kernel; p.training = Training::batch; p.init = Init::sample;
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

TEMPLATE_TEST_CASE("mini-batch training equals TorchSOM's rule in a naive loop", "[som][minibatch]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = blobs<S>(23, 2, 5);  // 23 is not a multiple of the batch: a short last batch
  SomParams p{};
  p.rows = 3; p.cols = 4; p.epochs = 3; p.batch_size = 5; p.sigma = 1.5; p.learning_rate = 0.7;
  p.topology = Topology::hexagonal; p.neighborhood = Neighborhood::mexican_hat; p.seed = 9;
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

TEMPLATE_TEST_CASE("mini-batch errors measured during the epoch equal a naive loop", "[som][minibatch]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = blobs<S>(23, 2, 5);
  SomParams p{};
  p.rows = 3; p.cols = 4; p.epochs = 3; p.batch_size = 5; p.sigma = 1.5; p.learning_rate = 0.7;
  p.topology = Topology::hexagonal; p.seed = 9;  // Gaussian: the separable smoother
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
    for (Index u = 0; u < W.rows(); ++u)
      d.emplace_back((X.row(i).template cast<double>() - W.row(u)).squaredNorm(), u);
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

TEST_CASE("PCA initialisation spans the principal plane", "[som][init]") {
  const auto data = iris();
  SomParams p{};
  p.rows = 6; p.cols = 10;
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

TEST_CASE("random and sample initialisation stay in the data", "[som][init]") {
  const auto data = iris();
  SomParams p{};
  p.rows = 5; p.cols = 5;
  Som<double> som(p, 4);
  som.initialize_weights(data.X, Init::random);
  const Eigen::RowVectorXd lo = data.X.colwise().minCoeff(), hi = data.X.colwise().maxCoeff();
  for (Index u = 0; u < 25; ++u) {
    CHECK((som.weights().row(u).array() >= lo.array()).all());
    CHECK((som.weights().row(u).array() <= hi.array()).all());
  }
  som.initialize_weights(data.X, Init::sample);
  for (Index u = 0; u < 25; ++u) {
    bool found = false;
    for (Index i = 0; i < data.X.rows() && !found; ++i) found = som.weights().row(u) == data.X.row(i);
    CHECK(found);
  }
}

TEMPLATE_TEST_CASE("trained maps on iris reach documented quality", "[som][iris]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = standardized<S>(iris().X);
  for (auto training : {Training::batch, Training::minibatch}) {
    for (auto topo : {Topology::rectangular, Topology::hexagonal}) {
      SomParams p{};
      p.rows = 10; p.cols = 10; p.epochs = 30; p.sigma = 3.0; p.learning_rate = 0.5; p.batch_size = 8;
      p.sigma_decay = Decay::exponential; p.sigma_final = 0.6; p.topology = topo; p.training = training;
      p.init = Init::pca;
      Som<S> som(p, 4);
      const auto h = som.fit(X);
      INFO("training " << int(training) << " topology " << int(topo) << " QE " << h.quantization_errors.back()
                       << " TE " << h.topographic_errors.back());
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
      p.rows = c.rows; p.cols = c.cols; p.topology = c.topology; p.epochs = 3; p.sigma = 3;
      p.batch_size = 64; p.training = training;
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
  p.rows = 3; p.cols = 3; p.epochs = 5;
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
  p.rows = 2; p.cols = 3; p.neighborhood_order = order;
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
  const auto um = u_matrix(som);
  CHECK(um(0, 0) == Approx((1.0 + 3.0 + 4.0) / 3.0));
  const auto us = u_matrix(som, 1, Reduction::sum);
  CHECK(us(0, 0) == Approx(8.0));
  // Unit 4 (1,1) touches 0, 1, 2, 3, 5: distances 4, 3, 2, 1, 1.
  CHECK(us(1, 1) == Approx(11.0));

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
  p.topology = Topology::hexagonal; p.torus = true; p.rows = 3;
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
  CHECK_THROWS_WITH(som.fit(bad), "Som::fit(): X must be finite, but X(4, 1) = nan");
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
  CHECK_THROWS_AS(u_matrix(som, 1, Reduction::std), ParameterError);
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

TEMPLATE_TEST_CASE("separable Gaussian smoothing equals the dense kernel sum", "[kernels][batch]", SOMTILE_TEST_SCALARS) {
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
          INFO("grid " << c.rows << " x " << c.cols << " active " << c.active << " topology "
                       << int(topo) << " torus " << torus << " unit " << n);
          CHECK(double(fast.denominator[n]) == Approx(den).epsilon(1e-5).margin(1e-6));
          CHECK((fast.numerator.row(n).template cast<double>() - num).cwiseAbs().maxCoeff() < 1e-4);
        }
      }
    }
  }
}

TEST_CASE("Som::cluster groups the units of well separated blobs", "[som][cluster]") {
  const RowMatrix<double> X = blobs<double>(300, 3, 8);  // 3 blobs, 4 apart
  SomParams p{};
  p.rows = 8; p.cols = 6; p.epochs = 15; p.sigma = 2; p.training = Training::batch; p.init = Init::pca;
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
    auto best = std::max_element(votes.begin(), votes.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    CHECK(best->second >= 95);
    majorities.insert(best->first);
  }
  CHECK(majorities.size() == 3);
  CHECK(r.metrics.silhouette > 0.5);
  CHECK(som.elbow(6).size() == 6);
  CHECK(som.elbow().size() == 10);
  CHECK_THROWS_AS(som.elbow(49), ParameterError);
  CHECK_THROWS_WITH(som.elbow(49), "Som::elbow(): max_k must be <= the number of units (48), got 49");
  CHECK_THROWS_WITH(som.elbow(-1), "Som::elbow(): max_k must be >= 0, got -1");
  {  // a map with fewer than 10 units: the default curve stops at its size
    SomParams small;
    small.rows = 2; small.cols = 3; small.epochs = 2;
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
          for (Init init : {Init::random, Init::sample, Init::pca}) {
            if (torus && topology == Topology::hexagonal && shape.rows % 2) continue;  // cannot tile
            SomParams p{};
            p.rows = shape.rows; p.cols = shape.cols; p.topology = topology; p.torus = torus;
            p.training = training; p.init = init; p.epochs = 3; p.batch_size = 4;
            INFO("map " << p.rows << " x " << p.cols << " topology " << int(topology) << " torus " << torus
                        << " training " << int(training) << " init " << int(init));
            body(p);
          }
}

}  // namespace

TEMPLATE_TEST_CASE("Som: one sample, or identical rows, puts every unit on that sample", "[som][degenerate]", SOMTILE_TEST_SCALARS) {
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
      CHECK((te == 0.0 || te == 1.0));                  // second unit is as good as another
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
    p.rows = shape.rows; p.cols = shape.cols; p.epochs = 2; p.training = Training::batch;
    Som<double> som(p, 2);
    som.fit(X);
    const auto hits = hit_map(som, X);
    CHECK(hits(0, 0) == 1);
    CHECK(hits.sum() == 1);
    CHECK(u_matrix(som).cwiseAbs().maxCoeff() == Approx(0.0).margin(1e-12));  // identical units
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
    p.rows = 1; p.cols = 4; p.topology = topology;
    Som<double> line(p, 1);
    line.set_weights((RowMatrix<double>(4, 1) << 0, 1, 3, 6).finished());
    const auto u = u_matrix(line);
    CHECK(u(0, 0) == Approx(1.0));
    CHECK(u(0, 1) == Approx(1.5));
    CHECK(u(0, 2) == Approx(2.5));
    CHECK(u(0, 3) == Approx(3.0));
    p.torus = topology == Topology::rectangular;  // a hexagonal torus needs an even row count
    if (p.torus) {
      Som<double> ring(p, 1);
      ring.set_weights(line.weights());
      CHECK(u_matrix(ring)(0, 0) == Approx((1.0 + 6.0) / 2.0));  // wraps to unit 3
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
                   "[som][degenerate][init]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> base = blobs<S>(60, 3, 4);
  RowMatrix<S> one_feature = base.leftCols(1);
  RowMatrix<S> constant_col = base;
  constant_col.col(1).setConstant(S(5));
  RowMatrix<S> all_constant = RowMatrix<S>::Constant(60, 3, S(-1.5));
  for (const RowMatrix<S>* X : {&one_feature, &constant_col, &all_constant}) {
    for (Init init : {Init::random, Init::sample, Init::pca})
      for (Topology topology : {Topology::rectangular, Topology::hexagonal}) {
        SomParams p{};
        p.rows = 4; p.cols = 5; p.epochs = 4; p.training = Training::batch; p.init = init;
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
  p.rows = 1; p.cols = 5; p.init = Init::pca;
  Som<S> line(p, 1);
  line.initialize_weights(one_feature);
  const double mean = one_feature.template cast<double>().mean();
  const double sd = std::sqrt((one_feature.template cast<double>().array() - mean).square().sum() / 59.0);
  CHECK(double(line.weights()(0, 0)) == Approx(mean - 2 * sd).epsilon(1e-4));
  CHECK(double(line.weights()(4, 0)) == Approx(mean + 2 * sd).epsilon(1e-4));
}

TEMPLATE_TEST_CASE("Som batch training: duplicating every row changes nothing", "[som][degenerate][batch]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = blobs<S>(40, 2, 9);
  const RowMatrix<S> thrice = X.replicate(3, 1);
  for (Topology topology : {Topology::rectangular, Topology::hexagonal}) {
    SomParams p{};
    p.rows = 4; p.cols = 4; p.epochs = 5; p.training = Training::batch; p.init = Init::pca; p.topology = topology;
    Som<S> a(p, 2), b(p, 2);
    a.initialize_weights(X);
    b.set_weights(a.weights());
    a.fit(X);
    b.fit(thrice);  // sums and counts all scale by 3
    CHECK((a.weights() - b.weights()).cwiseAbs().maxCoeff() < S(1e-4));
  }
}

TEMPLATE_TEST_CASE("Som rejects NaN, Inf and empty input in every entry point", "[som][degenerate][errors]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = blobs<S>(20, 3, 2);
  SomParams p{};
  p.rows = 3; p.cols = 3;
  Som<S> som(p, 3);
  som.fit(X);
  const RowMatrix<S> before = som.weights();
  RowMatrix<S> inf = X, nan = X;
  inf(2, 1) = std::numeric_limits<S>::infinity();
  nan(0, 2) = std::numeric_limits<S>::quiet_NaN();
  const RowMatrix<S> empty(0, 3);
  CHECK_THROWS_WITH(som.fit(inf), "Som::fit(): X must be finite, but X(2, 1) = inf");
  CHECK_THROWS_WITH(som.fit(nan), "Som::fit(): X must be finite, but X(0, 2) = nan");
  CHECK_THROWS_WITH(som.fit(empty), "Som::fit(): X has no samples (0 rows)");
  CHECK_THROWS_WITH(som.initialize_weights(inf), "Som::initialize_weights(): X must be finite, but X(2, 1) = inf");
  CHECK_THROWS_WITH(som.predict(nan), "Som::predict(): X must be finite, but X(0, 2) = nan");
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

TEMPLATE_TEST_CASE("Som with huge values (1e30) stays finite and matches brute force", "[som][degenerate]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const RowMatrix<S> X = (blobs<double>(60, 3, 5) * 1e30).cast<S>();
  for (Training training : {Training::batch, Training::minibatch})
    for (Distance distance : {Distance::euclidean, Distance::cosine, Distance::manhattan}) {
      SomParams p{};
      p.rows = 3; p.cols = 4; p.epochs = 3; p.training = training; p.init = Init::pca; p.distance = distance;
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
  const RowMatrix<double> whole = u_matrix(som, 5);  // 2 x 3: every unit within 5 rings
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
