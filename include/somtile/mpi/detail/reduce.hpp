#pragma once
// The MPI collectives of the batch trainer (mpi/batch_training.hpp): the sum of per-unit
// statistics over ranks and the agreement on a validation failure.

#include "somtile/core/error.hpp"

#include <mpi.h>
#include <string>
#include <type_traits>
#include <vector>

namespace somtile::mpi::detail {

template <typename Scalar>
MPI_Datatype mpi_type() {
  return std::is_same_v<Scalar, float> ? MPI_FLOAT : MPI_DOUBLE;
}

// Sums `local` over ranks into `global` (same length on every rank): gathered and added in rank
// order when in_rank_order (ReduceOrder::fixed), else by MPI_Allreduce.
template <typename Scalar>
void reduce_sum(const std::vector<Scalar>& local, std::vector<Scalar>& global, bool in_rank_order, MPI_Comm comm) {
  global.assign(local.size(), Scalar(0));
  if (!in_rank_order) {
    MPI_Allreduce(local.data(), global.data(), int(local.size()), mpi_type<Scalar>(), MPI_SUM, comm);
    return;
  }
  int size = 1;
  MPI_Comm_size(comm, &size);
  std::vector<Scalar> all(local.size() * std::size_t(size));
  MPI_Allgather(local.data(), int(local.size()), mpi_type<Scalar>(), all.data(), int(local.size()), mpi_type<Scalar>(),
                comm);
  for (int r = 0; r < size; ++r)
    for (std::size_t k = 0; k < local.size(); ++k) global[k] += all[std::size_t(r) * local.size() + k];
}

// Throws on every rank when any rank failed validation (so no rank is left waiting).
inline void agree(bool ok, const std::string& message, MPI_Comm comm) {
  int local_failed = ok ? 0 : 1, any_failed = 0;
  MPI_Allreduce(&local_failed, &any_failed, 1, MPI_INT, MPI_MAX, comm);
  if (!any_failed) return;
  if (!ok) throw InputError(message);
  throw InputError("somtile::mpi::fit_batch(): another rank rejected its input");
}

}  // namespace somtile::mpi::detail
