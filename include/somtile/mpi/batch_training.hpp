#pragma once
// Data-parallel Kohonen batch training over MPI (optional component somtile::mpi).
//
// Every rank holds a shard of the data and the same Som. Each epoch, each rank runs the shared
// kernels on its shard (BMU pass, per-unit sums and counts), the per-unit statistics are summed
// over ranks, and every rank applies the same batch update, so all ranks end with the same
// codebook. Bytes moved per epoch: units x (features + 1) scalars plus three doubles, whatever
// the number of samples.
//
// Reduction order: ReduceOrder::fixed gathers every rank's statistics and adds them in rank
// order, so the result is bit-identical from run to run and equals a single process that sums
// the shards' statistics in rank order. ReduceOrder::allreduce uses MPI_Allreduce (less memory,
// usually faster); its order is the MPI library's, so results agree with single-process
// training to rounding (relative 1e-12 in double, 1e-5 in float on the tests' data).

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/error.hpp"
#include "somtile/kernels/batch.hpp"
#include "somtile/kernels/bmu.hpp"
#include "somtile/mpi/detail/reduce.hpp"
#include "somtile/som/som.hpp"

#include <mpi.h>

#include <string>
#include <type_traits>
#include <vector>

namespace somtile::mpi {

enum class ReduceOrder { fixed, allreduce };

/// Options of mpi::fit_batch.
struct BatchTrainingParams {
  /// fixed: sums added in rank order, bit-identical to one process; allreduce: MPI_Allreduce.
  ReduceOrder reduce_order = ReduceOrder::fixed;
};

/// Time spent per phase over a whole fit, in seconds, on this rank.
struct BatchTrainingTimes {
  double compute = 0;        ///< BMU passes, sums, updates
  double communication = 0;  ///< the reductions (including waiting for slower ranks)
};

/// Trains `som` by batch epochs on the union of every rank's `X_local` (which may have zero
/// rows on some ranks). Rank 0's weights are broadcast first: initialise them there (e.g. with
/// initialize_weights on a sample) or they are initialised from rank 0's shard with
/// params().init. Returns, on every rank, the global QE and TE after each epoch. The Som's
/// params().scaling must be none (InputError otherwise, on every rank).
template <typename Scalar>
TrainingHistory fit_batch(Som<Scalar>& som, ConstRowRef<Scalar> X_local, MPI_Comm comm,
                          const BatchTrainingParams& params = {}, BatchTrainingTimes* times = nullptr) {
  const char* call = "somtile::mpi::fit_batch";
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  std::string error;
  try {
    // A scaler fitted on one shard would differ from the global one: scale before distributing.
    somtile::detail::require(som.params().scaling == Scaling::none, call, "a Som with scaling (",
                             enum_name(som.params().scaling),
                             ") cannot train by MPI; scale the data beforehand and use Scaling::none");
    somtile::detail::require<InputError>(X_local.cols() == som.n_features(), call, "X has ", X_local.cols(),
                                         " features, but this Som expects ", som.n_features());
    if (X_local.rows() > 0) somtile::detail::check_data(call, X_local, som.n_features(), "Som");
    if (rank == 0 && !som.is_fitted()) {
      somtile::detail::require<InputError>(X_local.rows() > 0, call,
                                           "rank 0 has neither initialised weights nor samples to initialise them");
      som.initialize_weights(X_local);
    }
  } catch (const std::invalid_argument& e) {
    error = e.what();
  }
  detail::agree(error.empty(), error, comm);
  long long n_local = X_local.rows(), n_total = 0;
  MPI_Allreduce(&n_local, &n_total, 1, MPI_LONG_LONG, MPI_SUM, comm);
  detail::agree(n_total > 0, std::string(call) + "(): no rank has samples", comm);

  const Index units = som.n_units(), F = som.n_features();
  RowMatrix<Scalar> W = rank == 0 ? som.weights() : RowMatrix<Scalar>(units, F);
  MPI_Bcast(W.data(), int(W.size()), detail::mpi_type<Scalar>(), 0, comm);
  som.set_weights(W);

  const int threads = som.params().n_threads;
  std::vector<Scalar> local(std::size_t(units * (F + 1))), global;
  TrainingHistory history;
  BatchTrainingTimes t;
  // Global QE and TE of the current weights: (sum of distances, topographic errors).
  auto pass = [&](BmuResult<Scalar>& r) {
    double start = MPI_Wtime();
    r = X_local.rows() ? som.bmus(X_local, SecondBmu::find) : BmuResult<Scalar>{};
    double stats[2] = {0, 0}, total[2];
    if (X_local.rows()) {
      stats[0] = quantization_error(r) * double(X_local.rows());
      stats[1] = topographic_error(r, som.grid()) * double(X_local.rows());
    }
    const double mid = MPI_Wtime();
    t.compute += mid - start;
    MPI_Allreduce(stats, total, 2, MPI_DOUBLE, MPI_SUM, comm);
    t.communication += MPI_Wtime() - mid;
    return std::pair<double, double>{total[0] / double(n_total), total[1] / double(n_total)};
  };
  BmuResult<Scalar> r;
  pass(r);
  for (Index epoch = 0; epoch < som.params().epochs; ++epoch) {
    double start = MPI_Wtime();
    UnitSums<Scalar> s{RowMatrix<Scalar>::Zero(units, F), Vector<Scalar>::Zero(units)};
    if (X_local.rows()) s = unit_sums<Scalar>(X_local, r.bmu, units, threads);
    Eigen::Map<RowMatrix<Scalar>>(local.data(), units, F) = s.sums;
    Eigen::Map<Vector<Scalar>>(local.data() + units * F, units) = s.counts;
    double mid = MPI_Wtime();
    t.compute += mid - start;
    detail::reduce_sum(local, global, params.reduce_order == ReduceOrder::fixed, comm);
    start = MPI_Wtime();
    t.communication += start - mid;
    s.sums = Eigen::Map<const RowMatrix<Scalar>>(global.data(), units, F);
    s.counts = Eigen::Map<const Vector<Scalar>>(global.data() + units * F, units);
    som.batch_update(s, som.sigma_at(epoch));
    t.compute += MPI_Wtime() - start;
    const auto [qe, te] = pass(r);
    history.quantization_errors.push_back(qe);
    history.topographic_errors.push_back(te);
  }
  if (times) *times = t;
  return history;
}

}  // namespace somtile::mpi
