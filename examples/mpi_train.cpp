// Data-parallel batch training: every rank trains on its shard of the digits data, all ranks
// end with the same map, rank 0 saves it. Run: mpirun -np 2 ./mpi_train [model path]
#include <somtile/io.hpp>
#include <somtile/mpi.hpp>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  using namespace somtile;
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const std::string path = argc > 1 ? argv[1] : "digits_mpi.som";

  // Here every rank reads the file and keeps its rows; in real use each rank reads its own shard.
  const CsvData digits = read_csv(SOMTILE_DATA_DIR "/digits.csv", "label");
  const Index n = digits.X.rows(), begin = n * rank / size, end = n * (rank + 1) / size;
  const RowMatrix<double> shard = digits.X.middleRows(begin, end - begin);

  SomParams p;
  p.rows = 12;
  p.cols = 16;
  p.epochs = 15;
  p.sigma = 6;
  p.sigma_final = 0.8;
  p.sigma_decay = Decay::exponential;
  p.training = Training::batch;
  p.init = Init::pca;
  Som<double> som(p, digits.X.cols());
  if (rank == 0) som.initialize_weights(shard);  // broadcast to the other ranks by fit_batch

  mpi::BatchTrainingTimes times;
  const TrainingHistory h = mpi::fit_batch<double>(som, shard, MPI_COMM_WORLD, {}, &times);
  std::printf("rank %d/%d: %ld samples, compute %.3f s, communication %.3f s\n", rank, size, long(shard.rows()),
              times.compute, times.communication);
  if (rank == 0) {
    std::printf("digits on %d ranks, 12 x 16 map, %zu epochs: QE %.3f, TE %.3f; saved to %s\n", size,
                h.quantization_errors.size(), h.quantization_errors.back(), h.topographic_errors.back(), path.c_str());
    save(som, path);
  }
  MPI_Finalize();
  return 0;
}
