#pragma once
// HDBSCAN: hierarchical density-based clustering (Campello, Moulavi & Sander), with the
// definitions of scikit-learn's HDBSCAN and the hdbscan library:
// 1. core distance of a point = distance to its min_samples-th nearest neighbour, the point
//    itself counted as the first (as scikit-learn; the hdbscan library does not count it);
// 2. mutual reachability d_mr(a, b) = max(core(a), core(b), |a - b|) and its minimum spanning
//    tree: Borůvka over a k-d tree for up to kBoruvkaMaxDims features (sub-quadratic), a
//    dense Prim (O(n^2) time, O(n) memory) above that, where k-d trees stop pruning;
// 3. the single-linkage hierarchy of that tree, condensed with min_cluster_size;
// 4. flat clusters by excess of mass (eom) or the leaves of the condensed tree (leaf),
//    optionally merged below cluster_selection_epsilon, optionally allowing the root as the
//    single cluster;
// 5. labels (-1 = noise), membership probabilities and GLOSH outlier scores.
// Every step is independent of the number of threads.

#include "somtile/cluster/cluster_selection.hpp"
#include "somtile/cluster/detail/condensed_tree.hpp"
#include "somtile/cluster/detail/kdtree.hpp"
#include "somtile/cluster/detail/mutual_reachability_tree.hpp"
#include "somtile/cluster/spanning_edge.hpp"
#include "somtile/core/detail/precompiled.hpp"  // SOMTILE_OUTLINE
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/types.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <string>
#include <vector>

namespace somtile {

/// Parameters of HDBSCAN (the hdbscan library's and scikit-learn's names).
struct HDBSCANParams {
  /// Smallest group that counts as a cluster (>= 2).
  Index min_cluster_size = 5;
  /// Neighbours that make a point a core point, the point itself included (as scikit-learn's
  /// HDBSCAN; the hdbscan library's min_samples = this - 1). 0 means min_cluster_size.
  Index min_samples = 0;
  /// Excess of mass (eom) or the leaves of the condensed tree.
  ClusterSelection cluster_selection_method = ClusterSelection::eom;
  /// Clusters that split below this distance are merged back into one (0 = off).
  double cluster_selection_epsilon = 0.0;
  /// Whether the whole data set may be returned as one cluster.
  bool allow_single_cluster = false;
  int n_threads = 0;  ///< 0 = all available
};

/// Throws ParameterError, naming `call`, unless every field of p is in range.
inline void validate(const HDBSCANParams& p, const char* call = "HDBSCAN") {
  detail::require(p.min_cluster_size >= 2, call, "min_cluster_size must be >= 2, got ", p.min_cluster_size);
  detail::check_non_negative(call, "min_samples", p.min_samples);
  detail::check_non_negative(call, "cluster_selection_epsilon", p.cluster_selection_epsilon);
  detail::check_non_negative(call, "n_threads", p.n_threads);
}

/// Hierarchical density-based clustering (scikit-learn's HDBSCAN): mutual-reachability
/// minimum spanning tree, condensed tree, excess-of-mass or leaf selection; noise is -1.
/// \tparam Scalar float or double, the type of the data (the arithmetic is in double).
/// \throws ParameterError from the constructor when a parameter is out of range (validate),
///         and from fit() when min_samples exceeds the number of samples; InputError from
///         fit() for empty or non-finite data or fewer than 2 samples; NotFittedError from
///         any accessor before fit().
/// \code
/// HDBSCAN<double> hd({.min_cluster_size = 10});
/// const Labels labels = hd.fit(X).labels();  // -1 = noise
/// \endcode
template <typename Scalar>
class HDBSCAN {
 public:
  HDBSCAN() = default;
  /// A clusterer with these parameters. \throws ParameterError when validate(params) fails.
  explicit HDBSCAN(const HDBSCANParams& params) : params_(params) { validate(params_); }

  /// The parameters the clusterer was built with.
  const HDBSCANParams& params() const { return params_; }

  /// Clusters the rows of X (labels(), probabilities(), outlier_scores()); returns *this.
  HDBSCAN& fit(DataRef<Scalar> X);

  /// fit(X), then the label of every row (-1 = noise).
  Labels fit_predict(DataRef<Scalar> X);

  /// Cluster of every training sample, 0..k-1, or -1 for noise.
  const Labels& labels() const {
    fitted("labels");
    return out_.labels;
  }
  /// Strength of each sample's membership in its cluster, in [0, 1] (0 for noise).
  const Vector<double>& probabilities() const {
    fitted("probabilities");
    return out_.probabilities;
  }
  /// GLOSH outlier score of each sample, in [0, 1]: 1 - lambda(point) / max lambda of the
  /// subtree it fell out of; higher means more of an outlier.
  const Vector<double>& outlier_scores() const {
    fitted("outlier_scores");
    return out_.outlier_scores;
  }
  /// Number of clusters found (noise excluded).
  Index n_clusters() const {
    fitted("n_clusters");
    return out_.labels.size() ? out_.labels.maxCoeff() + 1 : 0;
  }
  /// Minimum spanning tree of the mutual-reachability graph, edges by increasing distance
  /// (ties by end points: the tree is unique under that order).
  const std::vector<SpanningEdge>& minimum_spanning_tree() const {
    fitted("minimum_spanning_tree");
    return mst_;
  }
  /// True after a successful fit().
  bool is_fitted() const { return out_.labels.size() > 0; }

 private:
  void fitted(const char* what) const {
    detail::require<NotFittedError>(is_fitted(), std::string("HDBSCAN::") + what,
                                    "this HDBSCAN is not fitted yet; call fit() first");
  }

  HDBSCANParams params_;
  detail::HdbscanOutput out_;
  std::vector<SpanningEdge> mst_;
};

// HDBSCAN's members, defined outside the class so that a program linking
// somtile::precompiled does not instantiate them (core/detail/precompiled.hpp).
/// \cond INTERNAL

template <typename Scalar>
auto HDBSCAN<Scalar>::fit(DataRef<Scalar> X) -> HDBSCAN& {
  const char* call = "HDBSCAN::fit";
  detail::check_data(call, X);
  detail::require<InputError>(X.rows() >= 2, call, "X needs at least 2 samples, got ", X.rows());
  const Index min_samples = params_.min_samples > 0 ? params_.min_samples : params_.min_cluster_size;
  detail::require(min_samples <= X.rows(), call,
                  "min_samples (min_cluster_size when min_samples = 0) must be <= n_samples (", X.rows(), "), got ",
                  min_samples);

  const RowMatrix<double> Xd = X.template cast<double>();
  const int threads = params_.n_threads;
  const bool low_dimension = Xd.cols() <= detail::kBoruvkaMaxDims;
  detail::IndexMatrix neighbours;  // seeds Borůvka's per-component bounds
  const Vector<double> core = detail::KnnIndex(Xd).kth_neighbour_distances(
      min_samples, threads, low_dimension ? &neighbours : nullptr, std::min<Index>(Xd.rows(), 8));
  std::vector<SpanningEdge> mst =
      low_dimension ? detail::boruvka_mst(Xd, core, neighbours, threads) : detail::prim_mst(Xd, core, threads);
  const detail::CondensedTree tree = detail::condense(Xd.rows(), mst, params_.min_cluster_size);
  const detail::Selection sel =
      detail::select_clusters(tree, params_.cluster_selection_method == ClusterSelection::leaf,
                              params_.cluster_selection_epsilon, params_.allow_single_cluster);
  detail::HdbscanOutput result =
      detail::label_points(tree, sel, params_.cluster_selection_epsilon, params_.allow_single_cluster);

  std::sort(mst.begin(), mst.end(),
            [](const SpanningEdge& a, const SpanningEdge& b) { return detail::edge_less(a, b); });
  out_ = std::move(result);
  mst_.swap(mst);
  return *this;
}

template <typename Scalar>
auto HDBSCAN<Scalar>::fit_predict(DataRef<Scalar> X) -> Labels {
  return fit(X).labels();
}
/// \endcond

}  // namespace somtile
