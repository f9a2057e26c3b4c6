// Growing SOM on the 8x8 digits: SomVQ quality figures and SomClassifier test accuracy.
// The 75/25 split shuffles with somtile::Random(42); it cannot reproduce scikit-learn's
// train_test_split(random_state=42), which uses NumPy's generator, so the split differs.
#include <somtile/io.hpp>
#include <somtile/som.hpp>

#include <cstdio>
#include <cstdlib>

using namespace somtile;

int main(int argc, char** argv) {
  // Optional argument: lambda_ (default 10, low enough that the map grows to the cap of 80
  // neurons; dbgsom's default 115 stops at about 14).
  const double lambda = argc > 1 ? std::atof(argv[1]) : 10.0;
  const CsvData data = read_csv(SOMTILE_DATA_DIR "/digits.csv", "label");
  const Index n = data.X.rows(), n_test = (n + 3) / 4;  // 25 % rounded up, as scikit-learn
  Random rng(42);
  const std::vector<Index> order = rng.permutation(n);
  RowMatrix<double> X_train(n - n_test, data.X.cols()), X_test(n_test, data.X.cols());
  Labels y_train(n - n_test), y_test(n_test);
  for (Index i = 0; i < n; ++i) {
    const Index src = order[std::size_t(i)];
    if (i < n_test) {
      X_test.row(i) = data.X.row(src);
      y_test[i] = data.y[src];
    } else {
      X_train.row(i - n_test) = data.X.row(src);
      y_train[i - n_test] = data.y[src];
    }
  }

  const SomClassifierParams params{/*max_neurons=*/80, /*lambda_=*/lambda};
  SomVQ<double> vq(params);
  const Labels clusters = vq.fit_predict(X_train);
  std::printf("SomVQ:         %lld neurons, %lld clusters, QE %.4f, TE %.4f, TP %.4f, %lld epochs\n",
              (long long)vq.n_neurons(), (long long)(clusters.maxCoeff() + 1), vq.quantization_error(),
              vq.topographic_error(), vq.topographic_product(), (long long)vq.n_iter());

  SomClassifier<double> clf(params);
  clf.fit(X_train, y_train);
  std::printf("SomClassifier: %lld neurons, QE %.4f, TE %.4f, train accuracy %.4f, test accuracy %.4f\n",
              (long long)clf.n_neurons(), clf.quantization_error(), clf.topographic_error(),
              clf.score(X_train, y_train), clf.score(X_test, y_test));
  return 0;
}
