#pragma once
// SomClassifier: the growing SOM (DBGSOM) as a nearest-prototype classifier. The map is trained
// exactly as SomVQ trains it (labels only matter with GrowthCriterion::entropy); afterwards each
// neuron stores the class frequencies of the training samples it won.
//
// A neuron without hits gets uniform probabilities 1/C and neuron label -1 (as dbgsom 1.3), so
// a sample landing on it is predicted as the first class in classes() order. Class ties go to
// the lowest class in classes() order, both for a neuron's label and for predict().

#include "somtile/som/growing_som.hpp"

#include <algorithm>
#include <vector>

namespace somtile {

using SomClassifierParams = GrowingSomParams;

/// The growing SOM as a nearest-prototype classifier (see the top of this file); the map's
/// attributes (weights, positions, edges, errors, transform, ...) come from
/// GrowingSomEstimator.
///
/// \tparam Scalar  float or double: the prototypes' and the data's scalar.
/// \throws ParameterError (constructor) when validate(params, "SomClassifier") fails.
/// \throws InputError from fit() when X has fewer than 4 samples, is empty or not finite, or
///         y has another length than X has rows; from predict(), predict_proba() and score()
///         when X is not finite or has another feature count (score: or y another length).
/// \throws NotFittedError from predict(), predict_proba(), score(), classes(),
///         neuron_probabilities(), neuron_labels() and the base's accessors before fit().
///
/// \code
/// SomClassifierParams p;
/// p.max_neurons = 80;
/// SomClassifier<double> clf(p);
/// double accuracy = clf.fit(X_train, y_train).score(X_test, y_test);
/// RowMatrix<double> proba = clf.predict_proba(X_test);   // columns in clf.classes() order
/// \endcode
template <typename Scalar>
class SomClassifier : public GrowingSomEstimator<Scalar> {
  using Base = GrowingSomEstimator<Scalar>;

 public:
  explicit SomClassifier(const SomClassifierParams& params = {}) : Base(params, "SomClassifier") {}

  /// Trains on X with labels y (any integers). On an exception the previous fit is kept.
  SomClassifier& fit(ConstRowRef<Scalar> X, const Labels& y) {
    this->check_fit_input(X);
    detail::check_labels("SomClassifier::fit", y, X.rows());
    std::vector<Index> sorted(y.data(), y.data() + y.size());
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    Labels classes = Eigen::Map<const Labels>(sorted.data(), Index(sorted.size()));
    std::vector<Index> codes(std::size_t(y.size()));
    for (Index i = 0; i < y.size(); ++i)
      codes[std::size_t(i)] = Index(std::lower_bound(sorted.begin(), sorted.end(), y[i]) - sorted.begin());
    const Index C = classes.size();

    Scaler<Scalar> scaler = this->fit_scaling(X);
    RowMatrix<Scalar> storage;
    detail::GrowingMap<Scalar> map = this->train(scaler.scaled_view(X, storage), &codes, C);
    const Index K = map.weights.rows();
    RowMatrix<Scalar> proba = RowMatrix<Scalar>::Zero(K, C);
    for (Index i = 0; i < X.rows(); ++i) proba(map.bmu[i], codes[std::size_t(i)]) += Scalar(1);
    Labels neuron_label(K);
    for (Index k = 0; k < K; ++k) {
      if (map.hit_count[k] > 0) {
        proba.row(k).maxCoeff(&neuron_label[k]);  // first maximum: lowest class on ties
        proba.row(k) /= Scalar(map.hit_count[k]);
      } else {
        neuron_label[k] = -1;
        proba.row(k).setConstant(Scalar(1) / Scalar(C));
      }
    }
    this->commit(std::move(map), X.cols(), std::move(scaler));
    classes_.swap(classes);
    proba_.swap(proba);
    neuron_label_.swap(neuron_label);
    return *this;
  }

  /// Class probabilities of every sample (its BMU's class frequencies), columns in classes()
  /// order; every row sums to 1.
  RowMatrix<Scalar> predict_proba(ConstRowRef<Scalar> X) const {
    this->check_input("predict_proba", X);
    const Labels bmu = this->bmus(X);
    RowMatrix<Scalar> P(X.rows(), classes_.size());
    for (Index i = 0; i < X.rows(); ++i) P.row(i) = proba_.row(bmu[i]);
    return P;
  }

  /// The most probable class of every sample (lowest class on ties).
  Labels predict(ConstRowRef<Scalar> X) const {
    this->check_input("predict", X);
    const Labels bmu = this->bmus(X);
    Labels out(X.rows());
    for (Index i = 0; i < X.rows(); ++i) {
      Index best;
      proba_.row(bmu[i]).maxCoeff(&best);
      out[i] = classes_[best];
    }
    return out;
  }

  /// Accuracy of predict(X) against y.
  double score(ConstRowRef<Scalar> X, const Labels& y) const {
    this->check_input("score", X);
    detail::check_labels("SomClassifier::score", y, X.rows());
    const Labels p = predict(X);
    return double((p.array() == y.array()).count()) / double(X.rows());
  }

  /// The sorted distinct training labels.
  const Labels& classes() const {
    this->fitted_state("classes");
    return classes_;
  }
  /// Class frequencies per neuron (n_neurons x classes).
  const RowMatrix<Scalar>& neuron_probabilities() const {
    this->fitted_state("neuron_probabilities");
    return proba_;
  }
  /// Majority class of every neuron as an index into classes(), -1 for neurons without hits.
  const Labels& neuron_labels() const {
    this->fitted_state("neuron_labels");
    return neuron_label_;
  }

  /// Writes or reads the fitted model (io/detail/archive.hpp, io/model_io.hpp).
  template <typename Archive>
  void serialize(Archive& ar) {
    this->serialize_map(ar);
    ar(classes_, proba_, neuron_label_);
    if constexpr (Archive::loading) {
      const Index K = this->map_.weights.rows(), C = classes_.size();
      bool sorted = C >= 1;
      for (Index c = 1; c < C; ++c) sorted = sorted && classes_[c - 1] < classes_[c];
      ar.check(sorted, "the classes are not a non-empty increasing list");
      ar.check(proba_.rows() == K && proba_.cols() == C && proba_.allFinite() && (proba_.array() >= Scalar(0)).all(),
               "the class frequencies are not a ", K, " x ", C, " matrix of finite non-negative values");
      ar.check(neuron_label_.size() == K && neuron_label_.minCoeff() >= -1 && neuron_label_.maxCoeff() < C,
               "the neuron labels are not ", K, " values in [-1, ", C, ")");
    }
  }

 private:
  Labels classes_;
  RowMatrix<Scalar> proba_;
  Labels neuron_label_;
};

// Precompiled mode (SOMTILE_PRECOMPILED): compiled once in src/som.cpp.
#ifdef SOMTILE_PRECOMPILED
extern template class SomClassifier<float>;
extern template class SomClassifier<double>;
#endif

}  // namespace somtile
