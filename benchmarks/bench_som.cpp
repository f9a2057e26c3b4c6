// W1 (issue 8): 20 000 x 64 standardised blobs, 40 x 40 rectangular map, 10 epochs, Gaussian,
// sigma 20 -> 1, batch and mini-batch (batch_size 256; per-epoch errors measured after each
// epoch, the default, or during it). PCA initialisation is part of the timed job. Prints
// medians, with the thread counts interleaved round by round, and the final QE/TE (exact in
// every mode). Beside them, interleaved, the time of 11 Eigen GEMMs in the BMU pass's blocks
// (10 epochs plus the final errors), the floor that the job's BMU search sits on. Both as
// fractions of the FMA peak (timing.hpp), the job counted by its BMU passes' flops alone.
// Usage: bench_som [threads, e.g. 1,2; 0 = all] [repeats]
#include "timing.hpp"
#include "w1_data.hpp"

#include <somtile/somtile.hpp>

#include <cstdio>
#include <cstdlib>

using namespace somtile;

int main(int argc, char** argv) {
  bench::print_machine();
  const std::vector<int> thread_counts = bench::thread_list(argc > 1 ? argv[1] : "0");
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  const RowMatrix<float> X = bench::w1_blobs(20000, 64, 10, 7);
  struct Mode {
    const char* name;
    Training training;
    EpochMetrics metrics;
  };
  for (const Mode mode : {Mode{"batch", Training::batch, EpochMetrics::after_epoch},
                          Mode{"minibatch", Training::minibatch, EpochMetrics::after_epoch},
                          Mode{"minibatch, errors during epochs", Training::minibatch, EpochMetrics::during_epoch}}) {
    std::vector<std::function<void()>> runs;
    std::vector<TrainingHistory> histories(thread_counts.size());
    // Reference, interleaved with the runs: the job's 11 BMU passes (10 epochs and the final
    // errors) as Eigen GEMMs in the pass's blocks with no scan, on the first thread count.
    const RowMatrix<float> W0 = X.topRows(1600);
    std::vector<RowMatrix<float>> tiles(std::size_t(detail::resolve_threads(thread_counts[0])),
                                        RowMatrix<float>(1600, 320));
    runs.push_back([&] {
      for (int pass = 0; pass < 11; ++pass)
        detail::parallel_for_chunks(
            X.rows(), 320, thread_counts[0],
            [&](Index b, Index e) {
              auto& T = tiles[std::size_t(detail::thread_slot())];
              T.leftCols(e - b).noalias() = W0 * X.middleRows(b, e - b).transpose();
            },
            1600.0 * 64.0);
    });
    for (std::size_t k = 0; k < thread_counts.size(); ++k) {
      SomParams p;
      p.rows = 40;
      p.cols = 40;
      p.epochs = 10;
      p.sigma = 20;
      p.sigma_final = 1;
      p.sigma_decay = Decay::exponential;
      p.learning_rate = 0.5;
      p.batch_size = 256;
      p.training = mode.training;
      p.epoch_metrics = mode.metrics;
      p.init = Init::pca;
      p.n_threads = thread_counts[k];
      runs.push_back([p, &X, &h = histories[k]] {
        Som<float> som(p, X.cols());
        som.initialize_weights(X);
        h = som.fit(X);
      });
    }
    const std::string before = bench::load_average();
    const std::vector<double> t = bench::interleaved_medians(repeats, runs);
    const std::string after = bench::load_average();
    const double gemms = t[0];
    for (std::size_t k = 0; k < thread_counts.size(); ++k)
      std::printf(
          "W1 %-32s 20000x64, 40x40, 10 epochs, %d threads: median %.3f s%s = %.2fx its 11 blocked GEMMs "
          "(%.3f s)  (QE %.4f, TE %.4f)\n",
          mode.name, detail::resolve_threads(thread_counts[k]), t[k + 1],
          k > 0 ? (" = " + std::to_string(t[1] / t[k + 1]).substr(0, 4) + "x").c_str() : "", t[k + 1] / gemms, gemms,
          histories[k].quantization_errors.back(), histories[k].topographic_errors.back());
    // The job's flops, its BMU passes only (2 n units f each; PCA initialisation, unit sums and
    // smoothing not counted): one per epoch plus one for the errors, batch and mini-batch with
    // errors during epochs; mini-batch with exact errors after every epoch adds one per epoch.
    const int passes = mode.training == Training::minibatch && mode.metrics == EpochMetrics::after_epoch ? 20 : 11;
    const double pass_flops = 2.0 * double(X.rows()) * 1600.0 * double(X.cols());
    bench::print_peak_fraction(11 * pass_flops / gemms * 1e-9, thread_counts[0], detail::compiled_isa, false,
                               "11 blocked GEMMs (the build's level)");
    for (std::size_t k = 0; k < thread_counts.size(); ++k)
      bench::print_peak_fraction(passes * pass_flops / t[k + 1] * 1e-9, thread_counts[k], active_isa(), false,
                                 "the job as its " + std::to_string(passes) +
                                     " BMU passes' flops (the rest not counted), " +
                                     std::to_string(detail::resolve_threads(thread_counts[k])) + " threads");
    std::printf("   (%s before, %s after)\n", before.c_str(), after.c_str());
  }
  return 0;
}
