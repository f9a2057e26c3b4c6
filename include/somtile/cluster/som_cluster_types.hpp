#pragma once
// The parameters and result of clustering a map's units (cluster/som_cluster.hpp), and the
// declarations Som::cluster() and Som::elbow() call. A map includes only this: the clustering
// algorithms are compiled by the programs that cluster, which include <somtile/cluster.hpp>.

#include "somtile/cluster/cluster_selection.hpp"
#include "somtile/cluster/detail/neuron_clustering_included.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace somtile {

enum class ClusterMethod { kmeans, gmm, hdbscan };
template <>
struct EnumNames<ClusterMethod> {
  static constexpr std::array<std::string_view, 3> names{"kmeans", "gmm", "hdbscan"};
};

/// What describes a unit for clustering.
enum class FeatureSpace {
  weights,    ///< its codebook vector: groups units that encode similar inputs
  positions,  ///< its grid coordinates: groups units that are close on the map
  combined    ///< both, each block standardised to equal total variance (see cluster_features)
};
template <>
struct EnumNames<FeatureSpace> {
  static constexpr std::array<std::string_view, 3> names{"weights", "positions", "combined"};
};

/// How ClusterParams::n_clusters = 0 picks k for k-means.
enum class AutoK {
  elbow,      ///< the largest second difference of the inertia curve (TorchSOM's choice)
  silhouette  ///< the highest silhouette score of the k-means labels, k >= 2
};
template <>
struct EnumNames<AutoK> {
  static constexpr std::array<std::string_view, 2> names{"elbow", "silhouette"};
};

/// How Som::cluster and cluster_units cluster a map's units; every field has a default.
struct ClusterParams {
  /// The algorithm: kmeans, gmm or hdbscan.
  ClusterMethod method = ClusterMethod::kmeans;
  /// Clusters for k-means / components for GMM. 0 = automatic over k <= K, where
  /// K = min(max_k, max(2, floor(sqrt(n_units))), n_units - 1) (TorchSOM's sqrt(units) cap):
  /// k-means by auto_k, GMM by the lowest BIC over k = 1..K. HDBSCAN finds the number itself
  /// and ignores n_clusters (with a warning when it is not 0, as TorchSOM ignores it).
  Index n_clusters = 0;
  /// What is clustered: the codebook (weights), the grid positions, or both (combined).
  FeatureSpace feature_space = FeatureSpace::weights;
  /// Seed of k-means and GMM.
  std::uint64_t seed = 0;
  /// Largest k tried by the automatic choice (further capped by sqrt(n_units), see n_clusters).
  Index max_k = 10;
  /// Criterion of the automatic k for k-means. Silhouette by default: the elbow of a smooth
  /// codebook's inertia curve is usually at k = 2 (standardised wine: elbow 2, silhouette 3).
  AutoK auto_k = AutoK::silhouette;
  /// HDBSCAN's min_cluster_size; 0 = TorchSOM's max(5, n_units / 20), capped at n_units.
  Index min_cluster_size = 0;
  /// HDBSCAN's min_samples (the unit itself included); 0 = automatic: 2, i.e. a unit's core
  /// distance is the distance to its nearest other unit. A codebook is a smooth, evenly spread
  /// sheet, so core distances over min_cluster_size neighbours (HDBSCAN's own default) smear
  /// the density until no split survives and every unit is noise (the standardised
  /// breast-cancer map, 15 x 8); nearest-neighbour densities keep the gaps between groups
  /// of units that the U-matrix shows.
  Index min_samples = 0;
  /// HDBSCAN: excess of mass (eom) or the leaves of the condensed tree.
  ClusterSelection cluster_selection_method = ClusterSelection::eom;
  /// HDBSCAN: whether all units may form one cluster (instead of noise when nothing splits).
  bool allow_single_cluster = false;
  Covariance covariance_type = Covariance::full;  ///< GMM only
  /// GMM only: added to the covariance diagonals (GaussianMixtureParams::reg_covar).
  double reg_covar = 1e-6;
  /// k-means Lloyd iterations / GMM EM iterations per run; 0 = the estimator's default
  /// (KMeansParams: 300, GaussianMixtureParams: 100).
  int max_iter = 0;
  int n_init = 10;    ///< k-means restarts (GMM: EM runs)
  int n_threads = 0;  ///< 0 = all available
};

/// Quality of a clustering of the units, on the clustered features with noise units dropped.
/// NaN where undefined: fewer than 2 distinct labels, or not fewer labels than non-noise units.
struct ClusterMetrics {
  /// Mean silhouette coefficient, in [-1, 1]; higher is better.
  double silhouette = std::numeric_limits<double>::quiet_NaN();
  /// Davies–Bouldin index; lower is better.
  double davies_bouldin = std::numeric_limits<double>::quiet_NaN();
  /// Calinski–Harabasz index; higher is better.
  double calinski_harabasz = std::numeric_limits<double>::quiet_NaN();
  /// Units labelled noise (-1).
  Index n_noise = 0;
  /// n_noise as a share of the units.
  double noise_ratio = 0.0;
};

/// A clustering of a map's units (Som::cluster, cluster_units).
struct ClusterResult {
  Labels labels;  ///< one per unit, 0..n_clusters-1, -1 = noise (HDBSCAN only)
  /// Clusters found (noise not counted).
  Index n_clusters = 0;
  /// The algorithm that produced it.
  ClusterMethod method = ClusterMethod::kmeans;
  /// The features that were clustered.
  FeatureSpace feature_space = FeatureSpace::weights;
  /// Quality of the clustering (silhouette, Davies–Bouldin, Calinski–Harabasz, noise).
  ClusterMetrics metrics;
  RowMatrix<double> centers;   ///< n_clusters x features: centre / mean / member mean per cluster
  RowMatrix<double> features;  ///< the matrix that was clustered (units x features)
  double inertia = std::numeric_limits<double>::quiet_NaN();  ///< k-means only
  double bic = std::numeric_limits<double>::quiet_NaN();      ///< GMM only
  double aic = std::numeric_limits<double>::quiet_NaN();      ///< GMM only
  /// Automatic k: entry k-1 is the score of k clusters, k = 1..K: the inertia (k-means, elbow),
  /// the silhouette (k-means, silhouette; NaN for k = 1) or the BIC (GMM); empty otherwise.
  std::vector<double> k_scores;
  /// What k_scores holds: "inertia", "silhouette" or "bic"; empty without automatic k.
  std::string k_criterion;

  /// Each sample's cluster from its best-matching unit (`bmus` = som.predict(X)): the label of
  /// that unit, -1 for a sample whose unit is noise.
  /// \throws InputError when a BMU is not a unit of the clustered map, [0, labels.size()).
  Labels sample_labels(const Labels& bmus) const {
    Labels out(bmus.size());
    for (Index i = 0; i < bmus.size(); ++i) {
      if (bmus[i] < 0 || bmus[i] >= labels.size())
        throw InputError(detail::concat("ClusterResult::sample_labels(): bmus[", i, "] = ", bmus[i],
                                        " is not a unit of the clustered map, [0, ", labels.size(),
                                        "); pass the BMUs of the Som that was clustered (som.predict(X))"));
      out[i] = labels[bmus[i]];
    }
    return out;
  }
};

/// Feature matrix of the units for a feature space. `combined` z-scores every column of both
/// blocks (constant columns become 0) and then scales each block by 1/sqrt(its column count),
/// so each block's column variances sum to 1: the map's geometry and the codebook weigh the
/// same, whatever the number of features or the size of the grid.
template <typename Scalar>
RowMatrix<double> cluster_features(DataRef<Scalar> weights, const RowMatrix<double>& positions, FeatureSpace space);

/// k-means inertia for k = 1..max_k (entry k-1), each the best of n_init restarts.
template <typename = void>
std::vector<double> elbow_inertias(ConstRowRef<double> features, Index max_k, std::uint64_t seed = 0, int n_init = 10,
                                   int n_threads = 0);

/// The elbow of an inertia curve (entry k-1 = inertia for k clusters): the k in 2..K-1 with
/// the largest second difference I(k-1) - 2 I(k) + I(k+1), ties to the smaller k; 2 when the
/// curve has fewer than 3 points.
template <typename = void>
Index elbow_k(const std::vector<double>& inertias);

/// Clusters the units of a map. `weights` is the codebook (units x features), `positions` the
/// units' grid coordinates (units x 2, may be empty for FeatureSpace::weights). `call` names
/// the public entry point in error messages (Som::cluster passes its own name).
template <typename Scalar>
ClusterResult cluster_units(DataRef<Scalar> weights, const RowMatrix<double>& positions, const ClusterParams& params,
                            const char* call = "cluster_units");

}  // namespace somtile
