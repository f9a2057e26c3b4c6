// Fit time of the growing SOM on digits (1797 x 64, max_neurons 80), median of repeats, for
// SomVQ and SomClassifier with n_threads = 1 and with all threads. dbgsom 1.3 (Python/Numba) takes
// about 2.6 s in its fit on this data. Then the same SomVQ<double> with 10% of the cells
// removed at random (Missing::mask): the masked BMU pass and per-feature batch sums. Then
// SomClassifier::predict_proba on a 100-neuron map of digits (the mixture rule: one NNLS per
// sample), samples per second for float and double, 1 and 2 threads, against the per-sample
// solver it replaced (tests/support/naive_nnls.hpp, run over the same blocks of samples).
// bench_growing [fit|proba|all]
#include <somtile/core/warning.hpp>
#include <somtile/growing/som_classifier.hpp>
#include <somtile/growing/som_vq.hpp>
#include <somtile/io/csv.hpp>

#include "../tests/support/naive_nnls.hpp"
#include "timing.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

using namespace somtile;

namespace {

// The mixture probabilities as predict_proba computed them before: naive::nnls per sample,
// blocks of 16 samples spread over the threads (without predict_proba's BMU pass).
RowMatrix<double> reference_proba(const RowMatrix<double>& W, const RowMatrix<double>& F, const RowMatrix<double>& X,
                                  int threads) {
  RowMatrix<double> P(X.rows(), F.cols());
  detail::parallel_for_chunks(X.rows(), 16, threads, [&](Index b, Index e) {
    P.middleRows(b, e - b) = naive::mixture_proba(W, F, X.middleRows(b, e - b));
  });
  return P;
}

template <typename S>
void bench_proba(const CsvData& data) {
  const RowMatrix<S> X = data.X.cast<S>();
  const RowMatrix<double> Xd = X.template cast<double>();
  SomClassifierParams p;
  p.max_neurons = 100;
  p.lambda_ = 10.0;
  SomClassifier<S> fitted(p);
  {
    ScopedWarningHandler quiet([](std::string_view) {});  // growth stops at max_neurons, as meant
    fitted.fit(X, data.y);
  }
  const RowMatrix<double> W = fitted.weights().template cast<double>();
  const RowMatrix<double> F = fitted.neuron_probabilities().template cast<double>();
  const double n = double(X.rows());
  for (const int threads : {1, 2}) {
    p.n_threads = threads;
    SomClassifier<S> mixture(p), nearest(p);  // the same map, fitted with these threads
    p.proba_rule = ProbaRule::bmu;
    nearest = SomClassifier<S>(p);
    p.proba_rule = ProbaRule::mixture;
    {
      ScopedWarningHandler quiet([](std::string_view) {});
      mixture.fit(X, data.y);
      nearest.fit(X, data.y);
    }
    RowMatrix<S> P;
    RowMatrix<double> R;
    const std::vector<double> t = bench::interleaved_medians(
        7, {[&] { P = mixture.predict_proba(X); }, [&] { R = reference_proba(W, F, Xd, threads); },
            [&] { nearest.predict_proba(X); }});
    std::printf(
        "predict_proba, %s, %lld neurons, %d thread%s: mixture %.0f samples/s, per-sample reference solver %.0f "
        "samples/s (%.1fx), BMU rule %.0f samples/s; max |P - reference| %.1e  (%s)\n",
        std::is_same_v<S, float> ? "float " : "double", (long long)mixture.n_neurons(), threads,
        threads > 1 ? "s" : " ", n / t[0], n / t[1], t[1] / t[0], n / t[2],
        (P.template cast<double>() - R).cwiseAbs().maxCoeff(), bench::load_average().c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  bench::print_machine();
  const std::string what = argc > 1 ? argv[1] : "all";
  const CsvData data = read_csv(SOMTILE_DATA_DIR "/digits.csv", "label");
  if (what == "proba" || what == "all") {
    bench_proba<float>(data);
    bench_proba<double>(data);
  }
  if (what == "proba") return 0;
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
