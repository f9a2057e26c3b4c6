#pragma once
// Data-parallel Kohonen batch training over MPI (optional component somtile::mpi).
//
// Every rank holds a shard of the data and the same Som. Each epoch, each rank accumulates its
// shard into the epoch's BatchStatistics (som/batch_statistics.hpp: BMU pass, per-unit sums and
// counts, errors), the statistics are summed over ranks, and every rank applies the same batch
// update (Som::apply), so all ranks end with the same codebook. Bytes moved per epoch and rank:
// the statistics, units x features scalars and units counts plus a header, whatever the number
// of samples.
//
// Reduction order: ReduceOrder::fixed gathers every rank's statistics (their bytes) and merges
// them in rank order, so the result is bit-identical from run to run and equals a single process
// that merges the shards' statistics in rank order. ReduceOrder::allreduce uses MPI_Allreduce (less memory,
// usually faster); its order is the MPI library's, so results agree with single-process
// training to rounding (relative 1e-12 in double, 1e-5 in float on the tests' data).

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/error.hpp"
#include "somtile/mpi/detail/reduce.hpp"
#include "somtile/som/batch_statistics.hpp"

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
/// params().scaling must be none (InputError otherwise, on every rank); the epochs are batch
/// epochs whatever params().training says. With Missing::mask, shards may hold NaN cells (missing values).
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
    if (X_local.rows() > 0) somtile::detail::check_data(call, X_local, som.n_features(), "Som", som.params().missing);
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

  RowMatrix<Scalar> W = rank == 0 ? som.weights() : RowMatrix<Scalar>(som.n_units(), som.n_features());
  MPI_Bcast(W.data(), int(W.size()), detail::mpi_type<Scalar>(), 0, comm);
  som.set_weights(W);

  TrainingHistory history;
  BatchTrainingTimes t;
  // Each epoch: this rank's statistics (BMU pass, sums, errors of the current weights), summed
  // over ranks, applied on every rank. The statistics of epoch e measure the weights epoch e - 1
  // left; those of epoch `epochs` (no update) measure the trained map.
  const Index epochs = som.params().epochs;
  for (Index epoch = 0; epoch <= epochs; ++epoch) {
    double start = MPI_Wtime();
    BatchStatistics<Scalar> local = som.batch_statistics(epoch);
    local.accumulate(X_local);
    double mid = MPI_Wtime();
    t.compute += mid - start;
    const BatchStatistics<Scalar> total =
        detail::reduce_statistics(local, params.reduce_order == ReduceOrder::fixed, comm);
    start = MPI_Wtime();
    t.communication += start - mid;
    if (epoch > 0) {
      history.quantization_errors.push_back(total.quantization_error());
      history.topographic_errors.push_back(total.topographic_error());
    }
    if (epoch < epochs) som.apply(total);
    t.compute += MPI_Wtime() - start;
  }
  if (times) *times = t;
  return history;
}

}  // namespace somtile::mpi
