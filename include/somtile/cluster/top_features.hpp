#pragma once
// The heaviest features of each cluster of a map's units: what labels a cluster of documents
// with its top terms (WEBSOM), or a cluster of customers with the attributes that set it apart.
//
// Rules: per cluster, the k features with the largest centre values, largest first, ties to the
// lower feature index; k larger than the feature count gives every feature. Noise (label -1)
// has no centre and no entry. Names come from a list of one name per feature (the columns of
// read_csv, the vocabulary of read_svmlight / read_sparse_npz); without it, names are empty.

#include "somtile/cluster/detail/top_features.hpp"
#include "somtile/cluster/som_cluster_types.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/enum_names.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"

#include <string>
#include <vector>

namespace somtile {

/// One of a cluster's top features.
struct TopFeature {
  Index feature = 0;  ///< the column of the feature (0-based)
  double weight = 0;  ///< the cluster centre's value in that column
  std::string name;   ///< the feature's name; empty when no names were given
};

namespace detail {
template <typename = void>
std::vector<TopFeature> top_features(const Eigen::Ref<const Eigen::RowVectorXd>& centre, Index k,
                                     const std::vector<std::string>& names) {
  std::vector<TopFeature> top;
  for (const Index j : top_indices(centre, k))
    top.push_back({j, centre[j], names.empty() ? "" : names[std::size_t(j)]});
  return top;
}
}  // namespace detail

/// Per cluster (entry c for cluster c, c = 0..n_clusters-1), its k features with the largest
/// centre values in result.centers, largest first. The centres are in the space the units were
/// clustered in: the codebook as the map holds it, so in scaled units when the map scales its
/// features (SomParams::scaling). For the data's own units, or for clusters found on the grid
/// positions, pass the codebook (the overload below).
/// \param feature_names  one name per feature, copied beside the indices; may be empty.
/// \throws ParameterError when k < 1.
/// \throws InputError when the result was clustered in another feature space than
///         FeatureSpace::weights, or feature_names has another size than the features.
/// \code
/// const ClusterResult clusters = som.cluster(cp);
/// for (const TopFeature& f : cluster_top_features(clusters, 3, data.feature_names)[0])
///   std::printf("%s %.3f\n", f.name.c_str(), f.weight);
/// \endcode
template <typename = void>
std::vector<std::vector<TopFeature>> cluster_top_features(const ClusterResult& result, Index k,
                                                          const std::vector<std::string>& feature_names = {}) {
  constexpr const char* call = "cluster_top_features";
  detail::require<InputError>(result.feature_space == FeatureSpace::weights, call, "the units were clustered on their ",
                              enum_name(result.feature_space),
                              ", so the centres are not features; pass the codebook instead: "
                              "cluster_top_features(result, som.weights_in_data_units(), k)");
  detail::require<InputError>(result.centers.rows() == result.n_clusters, call, "the result has ",
                              result.centers.rows(), " centres for ", result.n_clusters, " clusters");
  detail::check_top_features(call, k, result.centers.cols(), feature_names);
  std::vector<std::vector<TopFeature>> out;
  for (Index c = 0; c < result.n_clusters; ++c)
    out.push_back(detail::top_features(result.centers.row(c), k, feature_names));
  return out;
}

/// The same, ranking each cluster's mean codebook vector: the mean of the rows of `weights`
/// (units x features, e.g. som.weights_in_data_units()) over the cluster's units. Works for
/// every feature space and method; a cluster with no unit gets an empty list.
/// \throws ParameterError when k < 1.
/// \throws InputError when weights has another row count than result.labels or is empty, or
///         feature_names has another size than weights has columns.
template <typename Derived>
std::vector<std::vector<TopFeature>> cluster_top_features(const ClusterResult& result,
                                                          const Eigen::MatrixBase<Derived>& weights, Index k,
                                                          const std::vector<std::string>& feature_names = {}) {
  constexpr const char* call = "cluster_top_features";
  detail::require<InputError>(weights.rows() == result.labels.size() && weights.cols() >= 1, call, "weights is ",
                              weights.rows(), " x ", weights.cols(), ", but the result labels ", result.labels.size(),
                              " units (weights must hold one codebook row per unit)");
  detail::check_top_features(call, k, weights.cols(), feature_names);
  RowMatrix<double> sums = RowMatrix<double>::Zero(result.n_clusters, weights.cols());
  std::vector<Index> members(std::size_t(result.n_clusters), 0);
  for (Index u = 0; u < weights.rows(); ++u) {
    const Index c = result.labels[u];
    detail::require<InputError>(c >= -1 && c < result.n_clusters, call, "unit ", u, " has label ", c, ", outside [-1, ",
                                result.n_clusters, ")");
    if (c < 0) continue;
    sums.row(c) += weights.row(u).template cast<double>();
    ++members[std::size_t(c)];
  }
  std::vector<std::vector<TopFeature>> out(std::size_t(result.n_clusters));
  for (Index c = 0; c < result.n_clusters; ++c)
    if (members[std::size_t(c)] > 0)
      out[std::size_t(c)] = detail::top_features(sums.row(c) / double(members[std::size_t(c)]), k, feature_names);
  return out;
}

}  // namespace somtile
