// Batch epochs driven by your own engine (threads, processes, a cluster scheduler): each
// worker accumulates its part of the data into the epoch's BatchStatistics and sends the bytes;
// the driver merges the parts in a fixed order and applies them. Checked against Som::fit.
#include <somtile/som.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

int main() {
  using namespace somtile;
  Random rng(1);
  RowMatrix<double> X(3000, 6);  // three blobs
  for (Index i = 0; i < X.rows(); ++i)
    for (Index j = 0; j < X.cols(); ++j) X(i, j) = rng.normal() + 5.0 * double(i % 3 == j % 3);
  SomParams p;
  p.rows = 12;
  p.cols = 10;
  p.epochs = 8;
  p.sigma = 4;
  p.training = Training::batch;
  Som<double> som(p, X.cols());
  som.initialize_weights(X);
  Som<double> reference = som;  // the same start, fitted in memory below

  const std::vector<Index> parts{0, 700, 1900, 3000};  // one part per worker
  for (Index epoch = 0; epoch < p.epochs; ++epoch) {
    std::vector<std::vector<std::uint8_t>> messages;  // what the workers would send
    for (std::size_t w = 0; w + 1 < parts.size(); ++w) {
      BatchStatistics<double> part = som.batch_statistics(epoch);  // a worker with a copy of the Som
      for (Index b = parts[w]; b < parts[w + 1]; b += 256)         // its rows, chunk by chunk
        part.accumulate(X.middleRows(b, std::min<Index>(256, parts[w + 1] - b)), b);
      messages.push_back(part.to_bytes());
    }
    BatchStatistics<double> total;  // the driver: merge in worker order, apply
    for (const auto& bytes : messages) total.merge(BatchStatistics<double>::from_bytes(bytes));
    const EpochInfo info = som.apply(total);
    std::printf("epoch %ld  sigma %.2f  QE before the update %.4f  (%zu bytes per worker)\n", long(info.epoch),
                info.sigma, info.quantization_error, messages[0].size());
  }
  reference.fit(X);
  const double diff = (som.weights() - reference.weights()).cwiseAbs().maxCoeff();
  std::printf("max |W - W(fit in memory)| = %.2e  (merged parts add in another order: equal to rounding)\n", diff);
  return diff < 1e-9 ? 0 : 1;
}
