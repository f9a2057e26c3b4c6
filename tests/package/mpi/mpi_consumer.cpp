// Linked to somtile::mpi only: MPI and somtile's headers both come through that target.
// Light headers only (somtile/mpi/batch_training.hpp costs seconds to compile).
#include <somtile/grid/grid.hpp>
#include <somtile/version.hpp>

#include <mpi.h>

#include <cstdio>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int size = 0, one = 1, sum = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Allreduce(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  const somtile::Grid grid(3, 3);
  const bool ok = sum == size && grid.size() == 9;
  std::printf("somtile mpi consumer: somtile %s, %d rank(s): %s\n", SOMTILE_VERSION_STRING, size, ok ? "ok" : "FAILED");
  MPI_Finalize();
  return ok ? 0 : 1;
}
