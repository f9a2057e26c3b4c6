// Growing SOM on the 2-D clustering benchmark (clusterable_data.npy), standardised per
// feature as in dbgsom's gallery example (lambda_ 15.8, sigma_end 0.9, max_neurons 200).
#include <somtile/io.hpp>
#include <somtile/som.hpp>

#include <cmath>
#include <cstdio>

using namespace somtile;

int main() {
  RowMatrix<double> X = read_npy(SOMTILE_DATA_DIR "/clusterable_data.npy");
  // StandardScaler: zero mean, unit (population) standard deviation per column.
  const Eigen::RowVectorXd mean = X.colwise().mean();
  X.rowwise() -= mean;
  const Eigen::RowVectorXd scale = (X.colwise().squaredNorm() / double(X.rows())).cwiseSqrt();
  X = X.array().rowwise() / scale.array();

  SomVQParams params;
  params.max_neurons = 200;
  params.lambda_ = 15.8;
  params.sigma_end = 0.9;
  params.seed = 32;
  SomVQ<double> vq(params);
  const Labels clusters = vq.fit_predict(X);
  std::printf("%lld samples: %lld neurons, %lld clusters, QE %.4f, TE %.4f, TP %.4f, %lld epochs\n",
              (long long)X.rows(), (long long)vq.n_neurons(), (long long)(clusters.maxCoeff() + 1),
              vq.quantization_error(), vq.topographic_error(), vq.topographic_product(), (long long)vq.n_iter());
  const TopographicFunction tf = vq.topographic_function(X);
  std::printf("topographic function (k: Phi):");
  for (Index i = 0; i < tf.k.size(); ++i)
    if (std::abs(tf.k[i]) <= 3) std::printf(" %g: %.4f", tf.k[i], tf.values[i]);
  std::printf("\n");
  return 0;
}
