#pragma once
// SomVQ: the growing SOM (DBGSOM) as an unsupervised vector quantiser / clusterer, in
// scikit-learn's words: fit, predict, fit_predict, labels, transform, fit_transform.
//
// Cluster ids are contiguous: the neurons that won training samples are numbered 0..L-1 in
// neuron order, and a neuron without hits takes the id of the nearest (by weight) neuron with
// hits, so predict() on new data never returns an id that no training sample had.

#include "somtile/core/detail/precompiled.hpp"  // SOMTILE_OUTLINE
#include "somtile/growing/growing_som.hpp"

namespace somtile {

using SomVQParams = GrowingSomParams;

/// The growing SOM as an unsupervised vector quantiser and clusterer (see the top of this
/// file); the map's attributes (weights, positions, edges, errors, transform, ...) come from
/// GrowingSomEstimator.
///
/// \tparam Scalar  float or double: the prototypes' and the data's scalar.
/// \throws ParameterError (constructor) when validate(params, "SomVQ", false) fails, e.g. for
///         GrowthCriterion::entropy, which needs labels.
/// \throws InputError from fit() when X has fewer than 4 samples, or is empty or not finite
///         (with Missing::mask: has an infinite value, or a row or a column of NaN only);
///         from predict() and transform() when X is not finite or has another feature count.
/// \throws NotFittedError from predict(), labels(), neuron_labels(), n_clusters() and the
///         base's accessors before fit().
///
/// \code
/// SomVQParams p;
/// p.max_neurons = 80;
/// SomVQ<double> vq(p);                          // C++20: SomVQ<double> vq({.max_neurons = 80})
/// Labels cluster = vq.fit_predict(X);           // contiguous cluster ids
/// Labels other = vq.predict(X_new);
/// RowMatrix<double> coef = vq.transform(X);     // n x n_neurons, non-negative
/// \endcode
template <typename Scalar>
class SomVQ : public GrowingSomEstimator<Scalar> {
  using Base = GrowingSomEstimator<Scalar>;

 public:
  /// A vector quantiser with these parameters. \throws ParameterError when validate() fails.
  explicit SomVQ(const SomVQParams& params = {}) : Base(params, "SomVQ", /*has_labels=*/false) {}

  /// Grows and trains the map on X; `on_epoch`, when set, is called after every epoch (as
  /// Som::fit's; EpochInfo::n_units is the neuron count). Warns (core/warning.hpp) when the
  /// map did not grow or max_neurons stopped its growth. On an exception the previous fit is
  /// kept.
  SomVQ& fit(ConstRowRef<Scalar> X, const EpochCallback& on_epoch = {});

  /// Cluster id of every sample (the id of its BMU).
  Labels predict(ConstRowRef<Scalar> X) const;

  /// fit(X), then the cluster id of every training sample.
  Labels fit_predict(ConstRowRef<Scalar> X, const EpochCallback& on_epoch = {});

  /// Cluster ids of the training samples.
  const Labels& labels() const {
    this->fitted_state("labels");
    return labels_;
  }
  /// Cluster id of every neuron.
  const Labels& neuron_labels() const {
    this->fitted_state("neuron_labels");
    return cluster_of_;
  }
  /// Number of distinct cluster ids (neurons with hits).
  Index n_clusters() const {
    this->fitted_state("n_clusters");
    return cluster_of_.size() ? cluster_of_.maxCoeff() + 1 : 0;
  }

  /// fit(X), then transform(X).
  RowMatrix<Scalar> fit_transform(ConstRowRef<Scalar> X, const EpochCallback& on_epoch = {});

  /// Writes or reads the fitted model (io/detail/archive.hpp, io/model_io.hpp).
  template <typename Archive>
  void serialize(Archive& ar) {
    this->serialize_map(ar);
    ar(cluster_of_, labels_);
    if constexpr (Archive::loading) {
      ar.check(this->params_.growth_criterion != GrowthCriterion::entropy, "a SomVQ cannot use the entropy criterion");
      const Index K = this->map_.weights.rows();
      ar.check(cluster_of_.size() == K && cluster_of_.minCoeff() >= 0 && cluster_of_.maxCoeff() < K,
               "the neuron cluster ids are not ", K, " ids in [0, ", K, ")");
      ar.check(labels_.size() == this->map_.bmu.size() &&
                   (labels_.size() == 0 || (labels_.minCoeff() >= 0 && labels_.maxCoeff() < K)),
               "the training labels do not match the training BMUs");
    }
  }

 private:
  static Labels cluster_ids(const detail::GrowingMap<Scalar>& map) {
    const Index K = map.weights.rows();
    Labels id = Labels::Constant(K, -1);
    std::vector<Index> live, dead;
    for (Index k = 0; k < K; ++k) (map.hit_count[k] > 0 ? live : dead).push_back(k);
    for (std::size_t m = 0; m < live.size(); ++m) id[live[m]] = Index(m);
    if (dead.empty()) return id;
    RowMatrix<Scalar> W_live(Index(live.size()), map.weights.cols()), W_dead(Index(dead.size()), map.weights.cols());
    for (std::size_t m = 0; m < live.size(); ++m) W_live.row(Index(m)) = map.weights.row(live[m]);
    for (std::size_t m = 0; m < dead.size(); ++m) W_dead.row(Index(m)) = map.weights.row(dead[m]);
    const Labels nearest = detail::dense_bmus<Scalar>(W_dead, W_live, Distance::euclidean, false, 1).bmu;
    for (std::size_t m = 0; m < dead.size(); ++m) id[dead[m]] = nearest[Index(m)];
    return id;
  }

  Labels cluster_of_;  // neuron -> cluster id
  Labels labels_;      // training sample -> cluster id
};

// SomVQ's members, defined outside the class so that a program linking
// somtile::precompiled does not instantiate them (core/detail/precompiled.hpp).
/// \cond INTERNAL

template <typename Scalar>
auto SomVQ<Scalar>::fit(ConstRowRef<Scalar> X, const EpochCallback& on_epoch) -> SomVQ& {
  this->check_fit_input(X);
  Scaler<Scalar> scaler = this->fit_scaling(X);
  RowMatrix<Scalar> storage;
  detail::GrowingMap<Scalar> map =
      this->train(scaler.scaled_view(X, storage, this->params_.missing), nullptr, 0, on_epoch);
  Labels cluster_of = cluster_ids(map);
  Labels labels(X.rows());
  for (Index i = 0; i < X.rows(); ++i) labels[i] = cluster_of[map.bmu[i]];
  this->commit(std::move(map), X.cols(), std::move(scaler));
  cluster_of_.swap(cluster_of);
  labels_.swap(labels);
  return *this;
}

template <typename Scalar>
auto SomVQ<Scalar>::predict(ConstRowRef<Scalar> X) const -> Labels {
  this->check_input("predict", X);
  const Labels bmu = this->bmus(X);
  Labels out(bmu.size());
  for (Index i = 0; i < bmu.size(); ++i) out[i] = cluster_of_[bmu[i]];
  return out;
}

template <typename Scalar>
auto SomVQ<Scalar>::fit_predict(ConstRowRef<Scalar> X, const EpochCallback& on_epoch) -> Labels {
  return fit(X, on_epoch).labels();
}

template <typename Scalar>
auto SomVQ<Scalar>::fit_transform(ConstRowRef<Scalar> X, const EpochCallback& on_epoch) -> RowMatrix<Scalar> {
  return fit(X, on_epoch).transform(X);
}
/// \endcond

}  // namespace somtile
