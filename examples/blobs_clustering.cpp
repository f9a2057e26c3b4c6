// The TorchSOM clustering tutorial, end to end: 300 samples, 4 features, 3 blobs, a 25 x 15
// map, the elbow, k-means on the neurons, and the three methods compared. Writes the
// tutorial's figures (SVG) into the current directory.
#include <somtile/somtile.hpp>
#include <somtile/viz.hpp>

#include <cstdio>
#include <string>

using namespace somtile;

// make_blobs(n_samples=300, centers=3, n_features=4): centres uniform in [-10, 10], unit
// variance, equal sizes (our own RNG, so not sklearn's exact numbers), then standardised.
static void make_blobs(RowMatrix<float>& X, Labels& y) {
  Random rng(42);
  RowMatrix<double> centres(3, 4);
  for (Index i = 0; i < centres.size(); ++i) centres.data()[i] = rng.uniform(-10, 10);
  RowMatrix<double> Xd(300, 4);
  y.resize(300);
  for (Index i = 0; i < 300; ++i) {
    y[i] = i % 3;
    for (Index j = 0; j < 4; ++j) Xd(i, j) = centres(y[i], j) + rng.normal();
  }
  Xd.rowwise() -= Xd.colwise().mean();
  Xd.array().rowwise() /= (Xd.array().square().colwise().sum() / 299.0).sqrt();
  X = Xd.cast<float>();
}

int main() {
  RowMatrix<float> X;
  Labels y;
  make_blobs(X, y);

  // 2. Train the SOM with the tutorial's settings.
  SomParams p;
  p.rows = 25;
  p.cols = 15;
  p.epochs = 100;
  p.batch_size = 16;
  p.sigma = 1.45;
  p.learning_rate = 0.95;
  p.neighborhood_order = 3;
  p.topology = Topology::rectangular;
  p.init = Init::pca;
  p.seed = 42;
  Som<float> som(p, X.cols());
  som.initialize_weights(X);
  const TrainingHistory h = som.fit(X, [](const EpochInfo& e) {
    if (e.epoch % 10 == 0 || e.epoch + 1 == e.epochs)
      std::printf("epoch %3ld  QE %.4f  TE %.4f\n", long(e.epoch + 1), e.quantization_error, e.topographic_error);
  });

  // 3.-5. Convergence, map structure, ground-truth classes.
  viz::plot_training_errors(h, "blobs_training_errors.svg");
  viz::plot_u_matrix(som, "blobs_u_matrix.svg");
  viz::plot_hit_map(som, X, "blobs_hit_map.svg");
  const BmuDataMap bmap = bmus_data_map(som, X);
  viz::plot_classification_map(som, bmap, y, "blobs_classification_map.svg");

  // 6. Choose the number of clusters: the elbow of the k-means inertia of the neurons.
  const std::vector<double> inertias = som.elbow(10);
  const Index k = elbow_k(inertias);
  std::vector<Index> ks;
  for (Index i = 1; i <= 10; ++i) ks.push_back(i);
  viz::plot_elbow(ks, inertias, k, "blobs_elbow.svg");
  std::printf("elbow: chosen k = %ld\n", long(k));

  // 7. Cluster the neurons with k-means and draw the result and its silhouette.
  ClusterParams kmeans;
  kmeans.method = ClusterMethod::kmeans;
  kmeans.n_clusters = k;
  kmeans.feature_space = FeatureSpace::weights;
  const ClusterResult r = som.cluster(kmeans);
  viz::plot_cluster_map(som.grid(), r.labels, "blobs_cluster_map.svg");
  viz::plot_silhouette(silhouette_samples(r.features, r.labels), r.labels, "blobs_silhouette.svg");

  // 8. Compare the algorithms (k chosen automatically; HDBSCAN finds it itself).
  std::vector<viz::ClusterQuality> quality;
  for (ClusterMethod m : {ClusterMethod::kmeans, ClusterMethod::gmm, ClusterMethod::hdbscan}) {
    ClusterParams cp;
    cp.method = m;
    const ClusterResult c = som.cluster(cp);
    const std::string method(enum_name(m));
    std::printf("%-8s clusters %ld  noise %ld  silhouette %.3f  Davies-Bouldin %.3f  Calinski-Harabasz %.1f\n",
                method.c_str(), long(c.n_clusters), long(c.metrics.n_noise), c.metrics.silhouette,
                c.metrics.davies_bouldin, c.metrics.calinski_harabasz);
    quality.push_back({method + "_weights", c.metrics.silhouette, c.metrics.davies_bouldin, c.metrics.calinski_harabasz,
                       c.n_clusters});
  }
  viz::plot_cluster_quality_comparison(quality, "blobs_cluster_comparison.svg");
  std::printf("wrote blobs_*.svg\n");
  return 0;
}
