// W1 (issue 8): 20 000 x 64 standardised blobs, 40 x 40 rectangular map, 10 epochs, Gaussian,
// sigma 20 -> 1, batch and mini-batch (batch_size 256). Prints medians and final QE/TE.
// Usage: bench_som [threads] [repeats]
#include "timing.hpp"

#include <somtile/somtile.hpp>

#include <cstdio>
#include <cstdlib>

using namespace somtile;

RowMatrix<float> make_blobs(Index n, Index f, Index centers, std::uint64_t seed) {
  Random rng(seed);
  RowMatrix<float> C(centers, f), X(n, f);
  for (Index i = 0; i < C.size(); ++i) C.data()[i] = float(rng.uniform(-10, 10));
  for (Index i = 0; i < n; ++i) {
    const Index c = rng.uniform_index(centers);
    for (Index j = 0; j < f; ++j) X(i, j) = C(c, j) + float(rng.normal());
  }
  X = X.rowwise() - X.colwise().mean();
  X.array().rowwise() /= (X.array().square().colwise().sum() / float(n - 1)).sqrt();
  return X;
}

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 0;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  const RowMatrix<float> X = make_blobs(20000, 64, 10, 7);
  for (auto training : {Training::batch, Training::minibatch}) {
    SomParams p;
    p.rows = 40; p.cols = 40; p.epochs = 10; p.sigma = 20; p.sigma_final = 1;
    p.sigma_decay = Decay::exponential; p.learning_rate = 0.5; p.batch_size = 256;
    p.training = training; p.init = Init::pca; p.n_threads = threads;
    TrainingHistory h;
    Som<float> som(p, X.cols());
    const double t = bench::median_seconds(repeats, [&] {
      som = Som<float>(p, X.cols());
      som.initialize_weights(X);
      h = som.fit(X);
    });
    std::printf("W1 %-9s 20000x64, 40x40, 10 epochs, %d threads: median %.3f s  (QE %.4f, TE %.4f)\n",
                training == Training::batch ? "batch" : "minibatch", detail::resolve_threads(threads), t,
                h.quantization_errors.back(), h.topographic_errors.back());
  }
  return 0;
}
