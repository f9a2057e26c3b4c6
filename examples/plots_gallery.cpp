// Every picture somtile draws, written as SVG files into the current directory: a hexagonal Som
// trained on iris (U-matrix, hits, component planes, class/metric/score/rank maps, training
// errors, RGB and activation maps, silhouette and quality comparison of two labellings, the
// clustering of its units: elbow, cluster map, silhouette, methods compared), a growing SOM
// on 2-D data (network plots), the digits' prototypes as images and a growing classifier on iris
// (its network by class).
#include <somtile/cluster.hpp>
#include <somtile/growing.hpp>
#include <somtile/io.hpp>
#include <somtile/metrics.hpp>
#include <somtile/som.hpp>
#include <somtile/viz.hpp>

#include <iostream>

using namespace somtile;

int main() {
  const CsvData iris = read_csv(std::string(SOMTILE_DATA_DIR) + "/iris.csv", "label");
  const Eigen::RowVectorXd mean = iris.X.colwise().mean();
  const Eigen::RowVectorXd sd = ((iris.X.rowwise() - mean).array().square().colwise().mean()).sqrt();
  const RowMatrix<double> X = (iris.X.rowwise() - mean).array().rowwise() / sd.array();

  SomParams p;
  p.rows = 12;
  p.cols = 16;
  p.epochs = 40;
  p.sigma = 2.0;
  p.topology = Topology::hexagonal;
  p.init = Init::pca;
  Som<double> som(p, X.cols());
  const TrainingHistory history = som.fit(X);

  viz::plot_training_errors(history, "training_errors.svg");
  viz::plot_u_matrix(som, "u_matrix.svg");
  viz::plot_hit_map(som, X, "hit_map.svg");
  viz::ComponentPlaneOptions planes;
  planes.names = iris.columns;
  viz::plot_component_planes(som, "component_planes.svg", planes);

  const BmuDataMap bmap = bmus_data_map(som, X);
  viz::CategoryPlotOptions classes;
  classes.class_names = {"setosa", "versicolor", "virginica"};
  viz::plot_classification_map(som, bmap, iris.y, "classification_map.svg", classes);
  const Eigen::VectorXd petal_width = iris.X.col(3);
  viz::plot_metric_map(som, bmap, petal_width, "mean_target_map.svg");
  viz::plot_metric_map(som, bmap, petal_width, "std_target_map.svg", {}, Reduction::std);
  viz::plot_score_map(som, bmap, petal_width, "score_map.svg");
  viz::plot_rank_map(som, bmap, petal_width, "rank_map.svg");

  // The first three (standardised) features of each unit as a colour.
  viz::RgbPlotOptions rgb;
  rgb.title = "Units coloured by sepal length, sepal width, petal length";
  rgb.rescale = true;
  viz::plot_rgb_map(som.grid(), som.weights().leftCols(3), "rgb_map.svg", rgb);

  // Activation of every unit for one sample of each species: exp(-distance).
  std::vector<RowMatrix<double>> activations;
  const RowMatrix<double> D = som.transform(X);
  for (Index i : {0, 50, 100})
    activations.push_back(Eigen::Map<const RowMatrix<double>>((-D.row(i).array()).exp().eval().data(), p.rows, p.cols));
  viz::MultiMapPlotOptions act;
  act.names = {"sample 0 (setosa)", "sample 50 (versicolor)", "sample 100 (virginica)"};
  act.columns = 3;
  viz::plot_activation_maps(som.grid(), activations, "activation_maps.svg", act);

  // Silhouette of the true species, and quality of the species vs the Som's own labelling
  // (every sample takes the majority class of its BMU).
  const Vector<double> sil = silhouette_samples(X, iris.y);
  viz::plot_silhouette(sil, iris.y, "silhouette_analysis.svg");
  const RowMatrix<double> cls = classification_map(som, bmap, iris.y);
  const Labels bmu = som.predict(X);
  Labels som_labels(X.rows());
  for (Index i = 0; i < X.rows(); ++i) som_labels[i] = Index(cls.data()[bmu[i]]);
  std::vector<viz::ClusterQuality> quality;
  for (const auto& [name, labels] : {std::pair<std::string, Labels>{"species", iris.y}, {"som_majority", som_labels}})
    quality.push_back({name, silhouette_score(X, labels), davies_bouldin_score(X, labels),
                       calinski_harabasz_score(X, labels), labels.maxCoeff() + 1});
  viz::plot_cluster_quality_comparison(quality, "clustering_metrics_comparison.svg");

  // Clustering the units: the elbow, k-means with the elbow's k, and three methods compared.
  viz::plot_elbow(som, "elbow_analysis.svg", 10);
  std::vector<ClusterResult> clusterings;
  for (ClusterMethod method : {ClusterMethod::kmeans, ClusterMethod::gmm, ClusterMethod::hdbscan}) {
    ClusterParams cp;
    cp.method = method;
    cp.n_clusters = method == ClusterMethod::hdbscan ? 0 : 3;
    clusterings.push_back(cluster_units<double>(som.weights(), som.positions(), cp));
  }
  viz::plot_cluster_map(som, clusterings[0], "cluster_map.svg");
  viz::plot_silhouette(clusterings[0], "cluster_silhouette.svg");
  viz::plot_cluster_quality_comparison(clusterings, "cluster_methods_comparison.svg");

  // Growing SOM on 2-D data (DBGSOM's example): the network over the data, and on its lattice.
  RowMatrix<double> P = read_npy(std::string(SOMTILE_DATA_DIR) + "/clusterable_data.npy");
  P = (P.rowwise() - P.colwise().mean()).array().rowwise() /
      ((P.rowwise() - P.colwise().mean()).array().square().colwise().mean().sqrt());
  SomVQParams vq_params;  // the DBGSOM example's settings
  vq_params.lambda_ = 15.8;
  vq_params.sigma_end = 0.9;
  vq_params.max_neurons = 200;
  vq_params.seed = 32;
  SomVQ<double> vq(vq_params);
  const Labels neuron_of = vq.fit_predict(P);
  viz::GrowingSomPlotOptions net;
  net.layout = viz::NetworkLayout::weights;
  net.color = viz::NodeStatistic::error;
  net.network.samples = P;
  net.network.x_label = "feature 1";
  net.network.y_label = "feature 2";
  net.network.title = "SOM network over the data";
  viz::plot_growing_som(vq, "growing_network.svg", net);
  viz::GrowingSomPlotOptions lattice;
  lattice.color = viz::NodeStatistic::density;
  lattice.size = viz::NodeStatistic::hit_count;
  lattice.network.colormap = viz::Colormap::magma;
  lattice.network.reverse_colormap = true;
  viz::plot_growing_som(vq, "growing_lattice.svg", lattice);
  // The 8 x 8 digits on a map that standardises its data: the prototypes drawn as images, in the
  // data's units (ink 0 to 16), however the model scales.
  const CsvData digits = read_csv(std::string(SOMTILE_DATA_DIR) + "/digits.csv", "label");
  SomParams dp;
  dp.rows = 8;
  dp.cols = 10;
  dp.epochs = 10;
  dp.init = Init::pca;
  dp.training = Training::batch;
  dp.scaling = Scaling::standard;
  Som<double> digit_som(dp, digits.X.cols());
  digit_som.fit(digits.X);
  viz::plot_prototypes(digit_som, "prototypes.svg");

  // A growing classifier on iris: its network is coloured by class unless told otherwise.
  SomClassifierParams clf_params;
  clf_params.lambda_ = 5;  // a lower growth threshold than the default: iris is small
  clf_params.seed = 1;
  SomClassifier<double> clf(clf_params);
  clf.fit(X, iris.y);
  viz::GrowingSomPlotOptions by_class;
  by_class.layout = viz::NetworkLayout::pca;
  by_class.size = viz::NodeStatistic::hit_count;
  by_class.network.class_names = {"setosa", "versicolor", "virginica"};
  viz::plot_growing_som(clf, "growing_classifier.svg", by_class);
  std::cout << "wrote 21 SVG files; the growing SOM has " << vq.n_neurons() << " neurons for " << neuron_of.size()
            << " samples\n";
}
