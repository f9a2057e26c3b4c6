// Quick start: train a hexagonal SOM on the iris data and read what it learned.
#include <somtile/somtile.hpp>

#include <cmath>
#include <cstdio>

int main() {
  using namespace somtile;
  const CsvData iris = read_csv(SOMTILE_DATA_DIR "/iris.csv", "label");
  const RowMatrix<double>& X = iris.X;
  SomParams params;
  params.rows = 10;
  params.cols = 12;
  params.topology = Topology::hexagonal;
  params.epochs = 30;
  params.sigma = 3.0;
  params.sigma_decay = Decay::exponential;
  params.sigma_final = 0.6;
  params.training = Training::batch;
  params.init = Init::pca;
  params.scaling = Scaling::standard;  // the BMU search compares raw distances: standardise
  Som<double> som(params, X.cols());
  const TrainingHistory history = som.fit(X);
  std::printf("iris, 10 x 12 hexagonal map, %zu batch epochs: QE %.4f -> %.4f, TE %.4f -> %.4f\n",
              history.quantization_errors.size(), history.quantization_errors.front(),
              history.quantization_errors.back(), history.topographic_errors.front(),
              history.topographic_errors.back());

  // Label each unit by its majority class and use the map as a classifier.
  MapClassifier<double> classifier(som);
  const double accuracy = classifier.fit(X, iris.y).score(X, iris.y);
  const RowMatrix<double> hits = hit_map(som, X);
  std::printf("units with samples: %ld of %ld; majority-label accuracy on the training data: %.3f\n",
              long((hits.array() > 0).count()), long(som.n_units()), accuracy);

  const RowMatrix<double> u = u_matrix(som);
  std::printf("U-matrix: min %.3f, mean %.3f, max %.3f (high ridges separate the species)\n", u.minCoeff(), u.mean(),
              u.maxCoeff());
  return 0;
}
