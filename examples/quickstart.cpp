// Quick start: load the iris data, lay a 6 x 6 hexagonal grid of units over it and report
// how well the units represent the data (BMU search, quantization and topographic error).
#include <somtile/io/csv.hpp>
#include <somtile/somtile.hpp>

#include <cstdio>

int main() {
  using namespace somtile;
  const CsvData iris = read_csv(SOMTILE_DATA_DIR "/iris.csv", "label");
  std::printf("iris: %ld samples x %ld features\n", long(iris.X.rows()), long(iris.X.cols()));

  const Grid grid(6, 6, Topology::hexagonal);
  Random rng(42);
  RowMatrix<double> W(grid.size(), iris.X.cols());
  const auto picks = rng.sample_without_replacement(iris.X.rows(), grid.size());
  for (Index u = 0; u < grid.size(); ++u) W.row(u) = iris.X.row(picks[std::size_t(u)]);

  const auto bmus = find_bmus<double>(iris.X, W, Distance::euclidean, /*with_second=*/true);
  std::printf("units drawn from the data: QE %.4f, TE %.4f\n", quantization_error(bmus),
              topographic_error(bmus, grid));
  return 0;
}
