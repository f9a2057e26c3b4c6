// Growing SOM on the 8x8 digits, the job: SomClassifier with its defaults (dbgsom
// 1.1.0's) and max_neurons = 80, 75/25 split. dbgsom 1.1.0 grows 18 neurons there and reaches
// test accuracy 0.853. Writes the prototypes as 8x8 images at their lattice cells
// (growing_digits_prototypes.svg) and the network coloured by class (growing_digits_network.svg).
// The split shuffles with somtile::Random(42); it cannot reproduce scikit-learn's
// train_test_split(random_state=42), which uses NumPy's generator, so the split differs.
#include <somtile/io.hpp>
#include <somtile/preprocessing/split.hpp>
#include <somtile/som.hpp>
#include <somtile/viz/growing_plots.hpp>
#include <somtile/viz/prototypes.hpp>

#include <cstdio>
#include <cstdlib>

using namespace somtile;

int main(int argc, char** argv) {
  // Optional argument: lambda_ (default dbgsom 1.1's 150 ln 2 = 103.97; lower grows more).
  SomClassifierParams params;
  params.max_neurons = 80;
  if (argc > 1) params.lambda_ = std::atof(argv[1]);
  const CsvData data = read_csv(SOMTILE_DATA_DIR "/digits.csv", "label");
  const Split<double> split = train_test_split(data.X, data.y, 0.25, /*seed=*/42);  // 25 %, as scikit-learn
  const RowMatrix<double>& X_train = split.X_train;
  const RowMatrix<double>& X_test = split.X_test;
  const Labels& y_train = split.y_train;
  const Labels& y_test = split.y_test;

  SomVQ<double> vq(params);
  const Labels clusters = vq.fit_predict(X_train);
  const TopographicFunction tf = vq.topographic_function(X_train);
  std::printf("SomVQ:         %lld neurons, %lld clusters, QE %.4f, TE %.4f, TP %.4f, %lld epochs\n",
              (long long)vq.n_neurons(), (long long)(clusters.maxCoeff() + 1), vq.quantization_error(),
              vq.topographic_error(), vq.topographic_product(), (long long)vq.n_iter());
  std::printf("               topographic function Phi(k / maxD), maxD = %lld:", (long long)tf.max_hops);
  for (Index i = 0; i < tf.values.size(); ++i) std::printf(" %+.2f:%.4f", tf.k_relative[i], tf.values[i]);
  std::printf("\n");

  SomClassifier<double> clf(params);
  clf.fit(X_train, y_train, [](const EpochInfo& e) {
    if (e.epoch % 25 == 0)
      std::printf("  epoch %3lld: %2lld neurons, sigma %.3f, QE %.3f\n", (long long)e.epoch, (long long)e.n_units,
                  e.sigma, e.quantization_error);
  });
  SomClassifierParams nearest = params;
  nearest.proba_rule = ProbaRule::bmu;
  SomClassifier<double> bmu_rule(nearest);
  bmu_rule.fit(X_train, y_train);
  std::printf(
      "SomClassifier: %lld neurons, QE %.4f, TE %.4f, train accuracy %.4f, test accuracy %.4f "
      "(nearest prototype: %.4f)\n",
      (long long)clf.n_neurons(), clf.quantization_error(), clf.topographic_error(), clf.score(X_train, y_train),
      clf.score(X_test, y_test), bmu_rule.score(X_test, y_test));

  viz::PrototypePlotOptions images;  // 8 x 8 from the 64 features; gray, ink dark
  images.title = "Digits: SomClassifier prototypes";
  viz::plot_prototypes(clf, "growing_digits_prototypes.svg", images);
  viz::GrowingSomPlotOptions network;
  network.color = viz::NodeStatistic::label;
  network.size = viz::NodeStatistic::hit_count;
  viz::plot_growing_som(clf, "growing_digits_network.svg", network);
  std::printf("wrote growing_digits_prototypes.svg, growing_digits_network.svg\n");
  return 0;
}
