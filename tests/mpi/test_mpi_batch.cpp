// Distributed batch training equals single-process training. Run under `mpirun -np 2`.
// A plain main (no Catch): every rank checks, rank 0 reports, the exit code is the verdict.
#include <somtile/mpi/batch_training.hpp>
#include <somtile/som.hpp>

#include <cstdio>
#include <string>

using namespace somtile;

static int failures = 0;
#define EXPECT(cond)                                                          \
  do {                                                                        \
    if (!(cond)) {                                                            \
      ++failures;                                                             \
      std::fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                         \
  } while (0)

template <typename S>
RowMatrix<S> data(Index n, Index f) {
  Random rng(17);
  RowMatrix<S> X(n, f);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < f; ++j) X(i, j) = S(rng.normal() + 3.0 * double((i % 4) == j % 4));
  return X;
}

template <typename S>
SomParams params() {
  SomParams p;
  p.rows = 6;
  p.cols = 7;
  p.epochs = 5;
  p.sigma = 3;
  p.training = Training::batch;
  p.topology = Topology::hexagonal;
  p.init = Init::sample;
  p.seed = 5;
  return p;
}

// Single-process reference that adds the shards' statistics in rank order (what
// ReduceOrder::fixed promises bit for bit).
template <typename S>
RowMatrix<S> fixed_order_reference(const RowMatrix<S>& X, const std::vector<Index>& bounds, const RowMatrix<S>& W0) {
  Som<S> som(params<S>(), X.cols());
  som.set_weights(W0);
  for (Index e = 0; e < som.params().epochs; ++e) {
    const Labels bmu = som.predict(X);
    UnitSums<S> total{RowMatrix<S>::Zero(som.n_units(), X.cols()), Vector<S>::Zero(som.n_units())};
    for (std::size_t r = 0; r + 1 < bounds.size(); ++r) {
      const Index b = bounds[r], n = bounds[r + 1] - bounds[r];
      if (n == 0) continue;
      const auto s = unit_sums<S>(X.middleRows(b, n), bmu.segment(b, n), som.n_units());
      total.sums += s.sums;
      total.counts += s.counts;
    }
    som.batch_update(total, som.sigma_at(e));
  }
  return som.weights();
}

template <typename S>
void check(int rank, int size, const std::vector<Index>& bounds, const char* what) {
  const RowMatrix<S> X = data<S>(bounds.back(), 5);
  Som<S> init(params<S>(), 5);
  init.initialize_weights(X);  // the same on every rank
  const RowMatrix<S> W0 = init.weights();
  const Index b = bounds[std::size_t(rank)], n = bounds[std::size_t(rank) + 1] - b;

  Som<S> fixed(params<S>(), 5);
  if (rank == 0) fixed.set_weights(W0);  // only rank 0 needs weights: they are broadcast
  const auto h = mpi::fit_batch<S>(fixed, X.middleRows(b, n), MPI_COMM_WORLD);
  const RowMatrix<S> ref = fixed_order_reference<S>(X, bounds, W0);
  const bool identical = fixed.weights() == ref;
  EXPECT(identical);

  Som<S> single(params<S>(), 5);
  single.set_weights(W0);
  const auto hs = single.fit(X);
  const double tol = std::is_same_v<S, float> ? 1e-5 : 1e-12;
  const double scale = 1.0 + double(single.weights().cwiseAbs().maxCoeff());
  Som<S> reduced(params<S>(), 5);
  if (rank == 0) reduced.set_weights(W0);
  mpi::fit_batch<S>(reduced, X.middleRows(b, n), MPI_COMM_WORLD, {mpi::ReduceOrder::allreduce});
  const double diff_fixed = double((fixed.weights() - single.weights()).cwiseAbs().maxCoeff());
  const double diff_reduced = double((reduced.weights() - single.weights()).cwiseAbs().maxCoeff());
  EXPECT(diff_fixed <= tol * scale);
  EXPECT(diff_reduced <= tol * scale);
  EXPECT(h.quantization_errors.size() == hs.quantization_errors.size());
  for (std::size_t e = 0; e < hs.quantization_errors.size(); ++e) {
    EXPECT(std::abs(h.quantization_errors[e] - hs.quantization_errors[e]) <= 1e-4 * hs.quantization_errors[e]);
    EXPECT(std::abs(h.topographic_errors[e] - hs.topographic_errors[e]) <= 1.5 / double(X.rows()));
  }
  if (rank == 0)
    std::printf(
        "%-28s %-6s ranks %d: fixed order bit-identical to rank-order reference: %s; max |W - single| "
        "fixed %.2e, allreduce %.2e\n",
        what, std::is_same_v<S, float> ? "float" : "double", size, identical ? "yes" : "NO", diff_fixed, diff_reduced);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  auto even = [&](Index n) {
    std::vector<Index> b;
    for (int r = 0; r <= size; ++r) b.push_back(n * r / size);
    return b;
  };
  auto uneven = [&](Index n) {  // rank r gets a share growing with r
    std::vector<Index> b{0};
    const Index parts = Index(size) * (size + 1) / 2;
    Index acc = 0;
    for (int r = 1; r <= size; ++r) b.push_back((acc += r) * n / parts);
    return b;
  };
  auto empty_first = [&](Index n) {  // rank 0 has no samples
    std::vector<Index> b{0, 0};
    for (int r = 2; r <= size; ++r) b.push_back(n * (r - 1) / (size - 1));
    if (size == 1) b = {0, n};
    return b;
  };
  check<double>(rank, size, even(301), "even shards");
  check<double>(rank, size, uneven(301), "uneven shards");
  check<double>(rank, size, empty_first(301), "rank 0 without samples");
  check<float>(rank, size, uneven(301), "uneven shards");

  // Bad input on one rank: every rank throws (none hangs).
  Som<double> som(params<double>(), 5);
  const RowMatrix<double> X = data<double>(20, rank == size - 1 ? 4 : 5);
  bool threw = false;
  std::string message;
  try {
    som.set_weights(RowMatrix<double>::Zero(42, 5));
    mpi::fit_batch<double>(som, X, MPI_COMM_WORLD);
  } catch (const InputError& e) {
    threw = true;
    message = e.what();
  }
  EXPECT(threw);
  if (rank == size - 1) EXPECT(message == "somtile::mpi::fit_batch(): X has 4 features, but this Som expects 5");

  int total = 0;
  MPI_Allreduce(&failures, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0) std::printf("%s (%d failed checks over %d ranks)\n", total ? "FAILED" : "passed", total, size);
  MPI_Finalize();
  return total ? 1 : 0;
}
