// From data file to answer: the breast cancer data (569 tumours, 30 features in very different
// units), read, split, mapped, clustered, classified two ways, drawn, saved and reloaded.
#include <somtile/somtile.hpp>
#include <somtile/viz.hpp>

#include <cstdio>
#include <map>

int main() {
  using namespace somtile;
  const CsvData data = read_csv(SOMTILE_DATA_DIR "/breast_cancer.csv", "label");
  const Split<double> s = train_test_split(data.X, data.y, 0.25, /*seed=*/1, /*stratify=*/true);

  // The SOM Toolbox's map for this data, trained on raw values: the model standardises them.
  const SomParams params = suggest_som_params(s.X_train, Scaling::standard);
  Som<double> som(params, s.X_train.cols());
  const TrainingHistory history = som.fit(s.X_train);
  std::printf("%ld x %ld hexagonal map, %ld batch epochs; test data: QE %.3f (standardised units), TE %.3f\n",
              long(params.rows), long(params.cols), long(params.epochs), som.quantization_error(s.X_test),
              som.topographic_error(s.X_test));

  // Clusters of units: k by the silhouette criterion, and density-based.
  for (const ClusterMethod method : {ClusterMethod::kmeans, ClusterMethod::hdbscan}) {
    ClusterParams cp;
    cp.method = method;
    const ClusterResult c = som.cluster(cp);
    std::printf("%-7s: %ld clusters, %ld noise units; silhouette %.3f, Davies-Bouldin %.3f, Calinski-Harabasz %.1f\n",
                enum_name(method).data(), long(c.n_clusters), long(c.metrics.n_noise), c.metrics.silhouette,
                c.metrics.davies_bouldin, c.metrics.calinski_harabasz);
  }

  // Classifiers, against always answering the training data's most frequent class.
  std::map<Index, Index> counts;
  for (Index i = 0; i < s.y_train.size(); ++i) ++counts[s.y_train[i]];
  Index majority = counts.begin()->first;
  for (const auto& [label, n] : counts) majority = n > counts[majority] ? label : majority;
  const double baseline = double((s.y_test.array() == majority).count()) / double(s.y_test.size());

  MapClassifier<double> map_classifier(som);
  const double map_accuracy = map_classifier.fit(s.X_train, s.y_train).score(s.X_test, s.y_test);

  SomClassifierParams gp;
  gp.scaling = Scaling::standard;
  SomClassifier<double> growing(gp);
  const double growing_accuracy = growing.fit(s.X_train, s.y_train).score(s.X_test, s.y_test);
  std::printf("test accuracy: MapClassifier %.3f, SomClassifier %.3f (%ld neurons), majority baseline %.3f\n",
              map_accuracy, growing_accuracy, long(growing.n_neurons()), baseline);

  // Every picture of the map, with the component planes in the data's units.
  viz::PlotAllOptions plots;
  plots.feature_names = data.columns;
  plots.history = history;
  const auto files = viz::plot_all(som, s.X_train, s.y_train, "breast_cancer_plots", plots);
  std::printf("%zu pictures in breast_cancer_plots/\n", files.size());

  // The saved model carries its scaler: the reloaded map takes raw data and answers the same.
  save(som, "breast_cancer.som");
  const Som<double> reloaded = load_som<double>("breast_cancer.som");
  const bool same = reloaded.predict(s.X_test) == som.predict(s.X_test);
  std::printf("reloaded model: %s predictions on raw test data\n", same ? "same" : "DIFFERENT");
  return same ? 0 : 1;
}
