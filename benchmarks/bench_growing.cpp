// Fit time of the growing SOM on digits (1797 x 64, max_neurons 80), median of repeats, for
// SomVQ and SomClassifier with n_threads = 1 and with all threads. dbgsom 1.3 (Python/Numba) takes
// about 2.6 s in its fit on this data. Then the same SomVQ<double> with 10% of the cells
// removed at random (Missing::mask): the masked BMU pass and per-feature batch sums.
#include <somtile/growing/som_classifier.hpp>
#include <somtile/growing/som_vq.hpp>
#include <somtile/io/csv.hpp>

#include "timing.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

using namespace somtile;

int main() {
  bench::print_machine();
  const CsvData data = read_csv(SOMTILE_DATA_DIR "/digits.csv", "label");
  const RowMatrix<float> Xf = data.X.cast<float>();
  for (const double lambda : {115.0, 10.0}) {  // dbgsom's default, and low enough to reach the cap
    for (const int threads : {1, 0}) {
      SomVQParams p;
      p.max_neurons = 80;
      p.lambda_ = lambda;
      p.n_threads = threads;
      SomVQ<double> vq(p);
      SomClassifier<double> clf(p);
      SomVQ<float> vqf(p);
      const double t_vq = bench::median_seconds(7, [&] { vq.fit(data.X); });
      const double t_clf = bench::median_seconds(7, [&] { clf.fit(data.X, data.y); });
      const double t_vqf = bench::median_seconds(7, [&] { vqf.fit(Xf); });
      std::printf(
          "lambda_ %5.1f, threads %s: SomVQ<double> %.4f s, SomClassifier<double> %.4f s, "
          "SomVQ<float> %.4f s  (%lld neurons, %lld epochs)\n",
          lambda, threads ? "1  " : "all", t_vq, t_clf, t_vqf, (long long)vq.n_neurons(), (long long)vq.n_iter());
    }
  }
  // Missing values: 10% of the cells NaN (no row loses all), Missing::mask, lambda_ 115.
  RowMatrix<double> gappy = data.X;
  Random rng(5);
  for (Index i = 0; i < gappy.size(); ++i)
    if (rng.uniform() < 0.1) gappy.data()[i] = std::numeric_limits<double>::quiet_NaN();
  for (const int threads : {1, 0}) {
    SomVQParams p;
    p.max_neurons = 80;
    p.lambda_ = 115.0;
    p.n_threads = threads;
    p.missing = Missing::mask;
    SomVQ<double> vq(p);
    const double t_complete = bench::median_seconds(7, [&] { vq.fit(data.X); });
    const double t_gappy = bench::median_seconds(7, [&] { vq.fit(gappy); });
    std::printf(
        "Missing::mask, threads %s: SomVQ<double> complete %.4f s, 10%% missing %.4f s  (%lld neurons, "
        "%lld epochs, QE %.3f)\n",
        threads ? "1  " : "all", t_complete, t_gappy, (long long)vq.n_neurons(), (long long)vq.n_iter(),
        vq.quantization_error());
  }
  return 0;
}
