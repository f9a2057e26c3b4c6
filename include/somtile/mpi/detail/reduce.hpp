#pragma once
// The MPI collectives of the batch trainer (mpi/batch_training.hpp): the sum of the epoch's
// BatchStatistics over ranks and the agreement on a validation failure.

#include "somtile/core/error.hpp"
#include "somtile/som/batch_statistics.hpp"

#include <mpi.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace somtile::mpi::detail {

template <typename Scalar>
MPI_Datatype mpi_type() {
  return std::is_same_v<Scalar, float> ? MPI_FLOAT : MPI_DOUBLE;
}

// The sum over ranks of every rank's statistics (same epoch and codebook on every rank).
// in_rank_order: each rank's bytes are gathered and merged in rank order (bit-reproducible);
// else the raw sums, counts and error sums go through MPI_Allreduce.
template <typename Scalar>
BatchStatistics<Scalar> reduce_statistics(const BatchStatistics<Scalar>& local, bool in_rank_order, MPI_Comm comm) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  if (in_rank_order) {
    const std::vector<std::uint8_t> bytes = local.to_bytes();
    // Sizes differ where a rank has missing values and another has none.
    int mine = int(bytes.size());
    std::vector<int> sizes(static_cast<std::size_t>(size)), offsets(static_cast<std::size_t>(size), 0);
    MPI_Allgather(&mine, 1, MPI_INT, sizes.data(), 1, MPI_INT, comm);
    for (int r = 1; r < size; ++r) offsets[std::size_t(r)] = offsets[std::size_t(r - 1)] + sizes[std::size_t(r - 1)];
    std::vector<std::uint8_t> all(std::size_t(offsets.back() + sizes.back()));
    MPI_Allgatherv(bytes.data(), mine, MPI_BYTE, all.data(), sizes.data(), offsets.data(), MPI_BYTE, comm);
    BatchStatistics<Scalar> total;
    for (int r = 0; r < size; ++r)
      total.merge(BatchStatistics<Scalar>::from_bytes(all.data() + offsets[std::size_t(r)],
                                                      std::size_t(sizes[std::size_t(r)])));
    return total;
  }
  BatchStatistics<Scalar> total = local;
  somtile::detail::BatchSums<Scalar>& s = somtile::detail::BatchStatisticsAccess::sums(total);
  int masked = s.masked() ? 1 : 0, any_masked = 0;
  MPI_Allreduce(&masked, &any_masked, 1, MPI_INT, MPI_MAX, comm);
  if (any_masked && !masked) s.missing.assign(std::size_t(s.n_units() * s.n_features()), 0);
  MPI_Allreduce(MPI_IN_PLACE, s.sums.data(), int(s.sums.size()), mpi_type<Scalar>(), MPI_SUM, comm);
  MPI_Allreduce(MPI_IN_PLACE, s.counts.data(), int(s.counts.size()), MPI_INT64_T, MPI_SUM, comm);
  if (any_masked) MPI_Allreduce(MPI_IN_PLACE, s.missing.data(), int(s.missing.size()), MPI_INT64_T, MPI_SUM, comm);
  std::int64_t counts[2] = {s.samples, s.topographic_errors};
  MPI_Allreduce(MPI_IN_PLACE, counts, 2, MPI_INT64_T, MPI_SUM, comm);
  MPI_Allreduce(MPI_IN_PLACE, &s.distance_sum, 1, MPI_DOUBLE, MPI_SUM, comm);
  s.samples = counts[0];
  s.topographic_errors = counts[1];
  return total;
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
