#pragma once
// The parameters and result of clustering a map's units (cluster/som_cluster.hpp), and the
// declarations Som::cluster() and Som::elbow() call. A map includes only this: the clustering
// algorithms are compiled by the programs that cluster, which include <somtile/cluster.hpp>.

#include "somtile/core/types.hpp"

#include <cstdint>
#include <limits>
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

struct ClusterParams {
  ClusterMethod method = ClusterMethod::kmeans;
  /// Clusters for k-means / components for GMM. 0 = automatic: the elbow of the k-means
  /// inertia curve (largest second difference) or the GMM with the lowest BIC, over
  /// k = 1..min(max_k, n_units - 1). Must stay 0 for HDBSCAN, which finds the number itself.
  Index n_clusters = 0;
  FeatureSpace feature_space = FeatureSpace::weights;
  std::uint64_t seed = 0;
  /// Largest k tried by the automatic choice.
  Index max_k = 10;
  /// HDBSCAN's min_cluster_size; 0 = TorchSOM's max(5, n_units / 20), capped at n_units.
  Index min_cluster_size = 0;
  /// HDBSCAN's min_samples (the unit itself included); 0 = min_cluster_size.
  Index min_samples = 0;
  Covariance covariance_type = Covariance::full;  ///< GMM only
  int n_init = 10;                                ///< k-means restarts (GMM: EM runs)
  int n_threads = 0;                              ///< 0 = all available
};

/// Quality of a clustering of the units, on the clustered features with noise units dropped.
/// NaN where undefined: fewer than 2 distinct labels, or not fewer labels than non-noise units.
struct ClusterMetrics {
  double silhouette = std::numeric_limits<double>::quiet_NaN();
  double davies_bouldin = std::numeric_limits<double>::quiet_NaN();
  double calinski_harabasz = std::numeric_limits<double>::quiet_NaN();
  Index n_noise = 0;
  double noise_ratio = 0.0;
};

struct ClusterResult {
  Labels labels;  ///< one per unit, 0..n_clusters-1, -1 = noise (HDBSCAN only)
  Index n_clusters = 0;
  ClusterMethod method = ClusterMethod::kmeans;
  FeatureSpace feature_space = FeatureSpace::weights;
  ClusterMetrics metrics;
  RowMatrix<double> centers;    ///< n_clusters x features: centre / mean / member mean per cluster
  RowMatrix<double> features;   ///< the matrix that was clustered (units x features)
  double inertia = std::numeric_limits<double>::quiet_NaN();  ///< k-means only
  double bic = std::numeric_limits<double>::quiet_NaN();      ///< GMM only
  double aic = std::numeric_limits<double>::quiet_NaN();      ///< GMM only
  /// Automatic k: the inertia (k-means) or BIC (GMM) for k = 1, 2, ...; empty otherwise.
  std::vector<double> k_scores;
};

/// Feature matrix of the units for a feature space. `combined` z-scores every column of both
/// blocks (constant columns become 0) and then scales each block by 1/sqrt(its column count),
/// so each block's column variances sum to 1: the map's geometry and the codebook weigh the
/// same, whatever the number of features or the size of the grid.
template <typename Scalar>
RowMatrix<double> cluster_features(DataRef<Scalar> weights, const RowMatrix<double>& positions,
                                   FeatureSpace space);

/// k-means inertia for k = 1..max_k (entry k-1), each the best of n_init restarts.
template <typename = void>
std::vector<double> elbow_inertias(ConstRowRef<double> features, Index max_k, std::uint64_t seed = 0,
                                   int n_init = 10, int n_threads = 0);

/// The elbow of an inertia curve (entry k-1 = inertia for k clusters): the k in 2..K-1 with
/// the largest second difference I(k-1) - 2 I(k) + I(k+1), ties to the smaller k; 2 when the
/// curve has fewer than 3 points.
template <typename = void>
Index elbow_k(const std::vector<double>& inertias);

/// Clusters the units of a map. `weights` is the codebook (units x features), `positions` the
/// units' grid coordinates (units x 2, may be empty for FeatureSpace::weights). `call` names
/// the public entry point in error messages (Som::cluster passes its own name).
template <typename Scalar>
ClusterResult cluster_units(DataRef<Scalar> weights, const RowMatrix<double>& positions,
                            const ClusterParams& params, const char* call = "cluster_units");

namespace detail {
/// True once cluster/som_cluster.hpp, which defines the functions above, is included.
template <typename Scalar, typename = void>
struct NeuronClusteringIncluded : std::false_type {};
}  // namespace detail

}  // namespace somtile
