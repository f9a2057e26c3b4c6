// Batch training with and without the bounds kept between epochs (kernels/detail/bounded_bmu.hpp):
// time, the fraction of sample-unit distances each epoch's BMU pass computed, and a check that
// both runs end with the same weights and errors, bit for bit.
// Jobs: TorchSOM's benchmark shapes (scikit-learn make_blobs style data, 16 000 x 300, 3 blobs,
// unscaled; PCA initialisation; 100 batch epochs; Gaussian; sigma 1.45 and learning rate 0.95,
// asymptotic decay) on its 25 x 15 and 90 x 70 maps, and W1 batch (20 000 x 64, 40 x 40, 10 epochs).
// Usage: bench_bounds [jobs: torch25,torch90,w1] [threads] [repeats]
#include "timing.hpp"
#include "w1_data.hpp"

#include <somtile/somtile.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace somtile;

namespace {

struct Job {
  std::string name;
  const RowMatrix<float>* X;
  SomParams params;
};

std::string fractions(const std::vector<double>& f) {
  if (f.empty()) return "none";
  double sum = 0;
  for (double v : f) sum += v;
  std::string s;
  char buf[64];
  for (std::size_t e : {std::size_t(0), std::size_t(1), std::size_t(4), f.size() / 2, f.size() - 1})
    if (e < f.size()) {
      std::snprintf(buf, sizeof buf, "%s%zu: %.3f", s.empty() ? "" : ", ", e + 1, f[e]);
      s += buf;
    }
  std::snprintf(buf, sizeof buf, "; mean %.3f (%.1f%% skipped)", sum / double(f.size()),
                100.0 * (1.0 - sum / double(f.size())));
  return s + buf;
}

}  // namespace

int main(int argc, char** argv) {
  bench::print_machine();
  const std::string which = argc > 1 ? argv[1] : "torch25,torch90,w1";
  const int threads = argc > 2 ? std::atoi(argv[2]) : 0;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 3;
  const RowMatrix<float> torch = bench::blobs(16000, 300, 3, 10, 42),  // make_blobs' defaults, unscaled
      w1 = bench::w1_blobs(20000, 64, 10, 7);
  SomParams t;
  t.epochs = 100;
  t.sigma = 1.45;
  t.learning_rate = 0.95;
  t.sigma_decay = Decay::asymptotic;
  t.lr_decay = Decay::asymptotic;
  t.training = Training::batch;
  t.init = Init::pca;
  t.scaling = Scaling::none;
  t.n_threads = threads;
  std::vector<Job> jobs;
  if (which.find("torch25") != std::string::npos) {
    SomParams p = t;
    p.rows = 25, p.cols = 15;
    jobs.push_back({"TorchSOM 25x15, 16000x300, 100 epochs", &torch, p});
  }
  if (which.find("torch90") != std::string::npos) {
    SomParams p = t;
    p.rows = 90, p.cols = 70;
    jobs.push_back({"TorchSOM 90x70, 16000x300, 100 epochs", &torch, p});
  }
  if (which.find("w1") != std::string::npos) {
    SomParams p;
    p.rows = 40, p.cols = 40, p.epochs = 10, p.sigma = 20, p.sigma_final = 1;
    p.sigma_decay = Decay::exponential;
    p.training = Training::batch;
    p.init = Init::pca;
    p.n_threads = threads;
    jobs.push_back({"W1 batch 40x40, 20000x64, 10 epochs", &w1, p});
  }
  for (const Job& job : jobs) {
    TrainingHistory with, without;
    RowMatrix<float> W_with, W_without;
    const auto run = [&job](bool bounds, TrainingHistory& h, RowMatrix<float>& W) {
      return [&job, bounds, &h, &W] {
        detail::set_bounded_search(bounds);
        Som<float> som(job.params, job.X->cols());
        som.initialize_weights(*job.X);
        h = som.fit(*job.X);
        W = som.weights();
      };
    };
    const std::string before = bench::load_average();
    if (const char* only = std::getenv("BENCH_BOUNDS_ONLY")) {  // for profiles: =on or =off alone
      const double t = bench::median_seconds(repeats, run(std::string(only) == "on", with, W_with));
      std::printf("%s, bounds %s: %.3f s; distances computed %s\n", job.name.c_str(), only, t,
                  fractions(with.distances_computed).c_str());
      continue;
    }
    const std::vector<double> s =
        bench::interleaved_medians(repeats, {run(false, without, W_without), run(true, with, W_with)});
    const bool same = W_with == W_without && with.quantization_errors == without.quantization_errors &&
                      with.topographic_errors == without.topographic_errors;
    std::printf("%s, %d threads: full search %.3f s, bounds %.3f s = %.2fx faster; same weights and errors: %s\n",
                job.name.c_str(), detail::resolve_threads(threads), s[0], s[1], s[0] / s[1], same ? "yes" : "NO");
    std::printf("   distances computed per epoch (epoch: fraction) %s\n", fractions(with.distances_computed).c_str());
    std::printf("   final QE %.4f TE %.4f (%s before, %s after)\n", with.quantization_errors.back(),
                with.topographic_errors.back(), before.c_str(), bench::load_average().c_str());
  }
  detail::set_bounded_search(true);
}
