// Distributed batch epochs: epoch time and the share spent communicating, for the number of
// ranks it is started with. Run: mpirun -np 1 bench_mpi; mpirun -np 2 bench_mpi
// (OMP_NUM_THREADS=1 keeps one core per rank.)
#include <somtile/mpi/batch_training.hpp>

#include <cstdio>
#include <cstdlib>

using namespace somtile;

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const Index n_total = argc > 1 ? std::atol(argv[1]) : 200000, F = 64, side = 40;
  const Index begin = n_total * rank / size, end = n_total * (rank + 1) / size;
  Random rng(100 + std::uint64_t(rank));
  RowMatrix<float> X(end - begin, F);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = float(rng.normal());

  SomParams p;
  p.rows = side;
  p.cols = side;
  p.epochs = 5;
  p.sigma = 10;
  p.training = Training::batch;
  p.init = Init::uniform;
  p.n_threads = 1;  // the uniform draw this benchmark always used
  Som<float> som(p, F);
  if (rank == 0) som.initialize_weights(X);
  mpi::BatchTrainingTimes t;
  MPI_Barrier(MPI_COMM_WORLD);
  const double start = MPI_Wtime();
  mpi::fit_batch<float>(som, X, MPI_COMM_WORLD, {}, &t);
  const double wall = MPI_Wtime() - start;
  double comm_max = 0;
  MPI_Reduce(&t.communication, &comm_max, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  if (rank == 0)
    std::printf(
        "ranks %d: %ld x %ld float, %ldx%ld map: %.4f s per epoch, communication %.1f%% "
        "(%ld bytes per rank per epoch)\n",
        size, long(n_total), long(F), long(side), long(side), wall / double(p.epochs), 100.0 * comm_max / wall,
        long(side * side * (F + 1) * sizeof(float)));
  MPI_Finalize();
  return 0;
}
