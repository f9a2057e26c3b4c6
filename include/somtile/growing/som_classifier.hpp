#pragma once
// SomClassifier: the growing SOM (DBGSOM) as a nearest-prototype classifier. The map is trained
// exactly as SomVQ trains it (labels only matter with GrowthCriterion::entropy); afterwards each
// neuron stores the class frequencies of the training samples it won.
//
// Class probabilities (ProbaRule): by default, as dbgsom 1.1, a mixture of the neurons' class
// frequencies weighted by the sample's non-negative prototype coefficients, here constrained
// to sum to 1 (a convex mixture; dbgsom 1.1's unconstrained coefficients scale prototypes
// along rays from the origin, which misclassifies data away from the origin); with
// ProbaRule::bmu, as dbgsom 1.3, the frequencies of the sample's BMU. With Missing::mask, X may
// hold NaN (missing) cells, in fit too; the labels must be complete. A sample with missing
// cells takes its BMU by the masked distance and its mixture over its present features.
// A neuron without hits gets uniform probabilities 1/C and neuron label -1 (as dbgsom 1.3), so
// under ProbaRule::bmu a sample landing on it is predicted as the first class in classes()
// order. Class ties go to the lowest class in classes() order, both for a neuron's label and
// for predict().

#include "somtile/core/detail/class_codes.hpp"
#include "somtile/core/detail/precompiled.hpp"  // SOMTILE_OUTLINE
#include "somtile/growing/growing_som.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace somtile {

using SomClassifierParams = GrowingSomParams;

/// The growing SOM as a nearest-prototype classifier (see the top of this file); the map's
/// attributes (weights, positions, edges, errors, transform, ...) come from
/// GrowingSomEstimator.
///
/// \tparam Scalar  float or double: the prototypes' and the data's scalar.
/// \throws ParameterError (constructor) when validate(params, "SomClassifier") fails.
/// \throws InputError from fit() when X has fewer than 4 samples, is empty or not finite (with
///         Missing::mask: has an infinite value, or a row or a column of NaN only), or
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
  /// A classifier with these parameters. \throws ParameterError when validate() fails.
  explicit SomClassifier(const SomClassifierParams& params = {}) : Base(params, "SomClassifier") {}

  /// Trains on X with labels y (any integers); `on_epoch`, when set, is called after every
  /// epoch (as Som::fit's; EpochInfo::n_units is the neuron count). Warns (core/warning.hpp)
  /// when the map did not grow or max_neurons stopped its growth. On an exception the
  /// previous fit is kept.
  SomClassifier& fit(ConstRowRef<Scalar> X, const Labels& y, const EpochCallback& on_epoch = {});

  /// Class probabilities of every sample, columns in classes() order; every row sums to 1.
  /// ProbaRule::mixture (the default): sum_k c_k F_k over the neurons' class frequencies F_k,
  /// with c the sample's convex mixture of prototypes (min ||W^T c - x|| over c >= 0,
  /// sum c = 1); ProbaRule::bmu: its BMU's class frequencies.
  RowMatrix<Scalar> predict_proba(ConstRowRef<Scalar> X) const;

  /// The most probable class of every sample (lowest class on ties).
  Labels predict(ConstRowRef<Scalar> X) const;

  /// fit(X, y) followed by transform(X): the non-negative prototype coefficients of the
  /// training samples (n x n_neurons).
  RowMatrix<Scalar> fit_transform(ConstRowRef<Scalar> X, const Labels& y, const EpochCallback& on_epoch = {});

  /// Accuracy of predict(X) against y.
  double score(ConstRowRef<Scalar> X, const Labels& y) const;

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
  RowMatrix<Scalar> probabilities(ConstRowRef<Scalar> X_raw) const {
    const Labels bmu = this->bmus(X_raw);
    RowMatrix<Scalar> storage;  // the mixture is taken in the prototypes' (scaled) space
    const ConstRowRef<Scalar> X = this->scaler().scaled_view(X_raw, storage, this->params_.missing);
    RowMatrix<Scalar> P(X.rows(), classes_.size());
    if (this->params_.proba_rule == ProbaRule::bmu) {
      for (Index i = 0; i < X.rows(); ++i) P.row(i) = proba_.row(bmu[i]);
      return P;
    }
    // Convex mixture: NNLS with the extra equation delta * sum(c) = delta, which for a large
    // delta makes the coefficients sum to 1. In double for float models too (the penalty row
    // would drown float's precision). W and x are divided by a power of two near the largest
    // weight (exact), so delta is relative to the prototypes' scale.
    const RowMatrix<double> W = this->map_.weights.template cast<double>();
    const Index K = W.rows(), D = W.cols();
    const double top = W.cwiseAbs().maxCoeff();
    int exponent = 0;
    if (top > 0) std::frexp(top, &exponent);
    const double s = std::ldexp(1.0, exponent);
    RowMatrix<double> A(K, D + 1);
    A.leftCols(D) = W / s;
    const double delta = 100.0 * std::max(1.0, A.leftCols(D).rowwise().norm().maxCoeff());
    A.col(D).setConstant(delta);
    const RowMatrix<double> F = proba_.template cast<double>();
    const auto fill = [&](Index i, Eigen::Ref<Eigen::VectorXd> x) {
      x.head(D) = X.row(i).transpose().template cast<double>() / s;
      x[D] = delta;  // missing cells (Missing::mask): the mixture of the present features and delta
    };
    const auto use = [&](Index i, const Eigen::VectorXd& c) {
      const double total = c.sum();
      if (!(total > 0 && std::isfinite(total))) {
        P.row(i) = proba_.row(bmu[i]);
        return;
      }
      Eigen::RowVectorXd p = Eigen::RowVectorXd::Zero(F.cols());
      for (Index k = 0; k < K; ++k)  // over the few neurons of the mixture
        if (c[k] != 0) p += (c[k] / total) * F.row(k);
      P.row(i) = p.template cast<Scalar>();
    };
    detail::nnls_samples<double>(A, X.rows(), this->params_.n_threads, fill, use);
    return P;
  }

  Labels classes_;
  RowMatrix<Scalar> proba_;
  Labels neuron_label_;
};

// SomClassifier's members, defined outside the class so that a program linking
// somtile::precompiled does not instantiate them (core/detail/precompiled.hpp).
/// \cond INTERNAL

template <typename Scalar>
auto SomClassifier<Scalar>::fit(ConstRowRef<Scalar> X, const Labels& y, const EpochCallback& on_epoch)
    -> SomClassifier& {
  this->check_fit_input(X);
  detail::check_labels("SomClassifier::fit", y, X.rows());
  detail::ClassCodes classes = detail::class_codes(y);
  const std::vector<Index>& codes = classes.codes;
  const Index C = classes.classes.size();

  Scaler<Scalar> scaler = this->fit_scaling(X);
  RowMatrix<Scalar> storage;
  detail::GrowingMap<Scalar> map =
      this->train(scaler.scaled_view(X, storage, this->params_.missing), &codes, C, on_epoch);
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
  classes_.swap(classes.classes);
  proba_.swap(proba);
  neuron_label_.swap(neuron_label);
  return *this;
}

template <typename Scalar>
auto SomClassifier<Scalar>::predict_proba(ConstRowRef<Scalar> X) const -> RowMatrix<Scalar> {
  this->check_input("predict_proba", X);
  return probabilities(X);
}

template <typename Scalar>
auto SomClassifier<Scalar>::predict(ConstRowRef<Scalar> X) const -> Labels {
  this->check_input("predict", X);
  const RowMatrix<Scalar> P = probabilities(X);
  Labels out(X.rows());
  for (Index i = 0; i < X.rows(); ++i) {
    Index best;
    P.row(i).maxCoeff(&best);
    out[i] = classes_[best];
  }
  return out;
}

template <typename Scalar>
auto SomClassifier<Scalar>::fit_transform(ConstRowRef<Scalar> X, const Labels& y, const EpochCallback& on_epoch)
    -> RowMatrix<Scalar> {
  return fit(X, y, on_epoch).transform(X);
}

template <typename Scalar>
auto SomClassifier<Scalar>::score(ConstRowRef<Scalar> X, const Labels& y) const -> double {
  this->check_input("score", X);
  detail::check_labels("SomClassifier::score", y, X.rows());
  const Labels p = predict(X);
  return double((p.array() == y.array()).count()) / double(X.rows());
}
/// \endcond

}  // namespace somtile
