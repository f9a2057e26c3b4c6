#pragma once
// MapClassifier: a trained classic Som used as a classifier (MiniSom's labels_map, kohonen's
// xyf read-out). fit(X, y) labels every unit by a majority vote of the training samples whose
// BMU it is; a unit that wins no sample takes the label (and class frequencies) of the nearest
// unit that does, so every sample gets a class whatever unit it lands on.
//
// Rules:
// - vote: the class with the most samples, ties to the smallest label;
// - donor of an empty unit: the labelled unit at the smallest grid distance (the map's
//   topology and torus), ties by the smaller distance between the two weight vectors (the
//   map's metric), then by the lower unit index;
// - predict_proba: the class frequencies of the sample's BMU (of its donor for an empty unit),
//   columns in classes() order.
// The classifier copies the codebook, grid, metric and scaling, so it stays valid when the Som
// is destroyed or trained further (refit a new MapClassifier to follow it). Like the Som, it
// takes raw data when the Som scales its features (SomParams::scaling). save(classifier, path)
// and load_map_classifier<S>(path) (io/model_io.hpp) keep a fitted one in a model file.

#include "somtile/core/detail/class_codes.hpp"
#include "somtile/core/detail/precompiled.hpp"  // SOMTILE_OUTLINE
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/grid/grid.hpp"
#include "somtile/kernels/bmu.hpp"
#include "somtile/som/som.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace somtile {

/// Labels the units of a trained Som from labelled samples and predicts with them (see the top
/// of this file).
/// \tparam Scalar  float or double: the Som's scalar.
/// \throws NotFittedError from the constructor when the Som has no weights, and from predict(),
///         predict_proba(), score(), classes(), unit_labels() and unit_probabilities() before
///         fit().
/// \throws InputError from fit() when X is empty, not finite, has another feature count than
///         the map or y another length than X has rows; likewise from predict(),
///         predict_proba() and score().
/// The default suggest_som_params map is sized for display; Purpose::classify sizes it for this
/// classifier (standardised digits: test accuracy 0.95 against 0.85).
/// \code
/// Som<double> som(suggest_som_params(X_train, Scaling::standard, Purpose::classify), X_train.cols());
/// som.fit(X_train);
/// MapClassifier<double> clf(som);
/// double accuracy = clf.fit(X_train, y_train).score(X_test, y_test);
/// \endcode
template <typename Scalar>
class MapClassifier {
 public:
  /// A classifier on the trained `som`'s codebook, grid, metric and scaler (copied: `som` may
  /// go away). Call fit() to label the units. \throws NotFittedError when som is not trained.
  explicit MapClassifier(const Som<Scalar>& som)
      : grid_(som.grid()), distance_(som.params().distance), n_threads_(som.params().n_threads) {
    detail::require<NotFittedError>(som.is_fitted(), "MapClassifier::MapClassifier",
                                    "the Som is not trained; call fit() or initialize_weights() on it first");
    weights_ = som.weights();
    scaler_ = som.scaler();
  }

  /// Labels the units from the samples X with classes y (any integers). On an exception the
  /// previous fit is kept.
  MapClassifier& fit(ConstRowRef<Scalar> X, const Labels& y);

  /// The class of every sample: the label of its BMU.
  Labels predict(ConstRowRef<Scalar> X) const;

  /// Class frequencies of every sample's BMU (n_samples x classes, columns in classes() order);
  /// every row sums to 1.
  RowMatrix<Scalar> predict_proba(ConstRowRef<Scalar> X) const;

  /// Accuracy of predict(X) against y.
  double score(ConstRowRef<Scalar> X, const Labels& y) const;

  /// True after a successful fit().
  bool is_fitted() const { return classes_.size() > 0; }
  /// Units of the map.
  Index n_units() const { return weights_.rows(); }
  /// Features of the map's codebook.
  Index n_features() const { return weights_.cols(); }
  /// The map's grid.
  const Grid& grid() const { return grid_; }
  /// The map's codebook, as copied from the Som.
  const RowMatrix<Scalar>& weights() const { return weights_; }

  /// The sorted distinct training labels.
  const Labels& classes() const {
    fitted("classes");
    return classes_;
  }
  /// The label of every unit (a value of y, never -1).
  const Labels& unit_labels() const {
    fitted("unit_labels");
    return unit_labels_;
  }
  /// Class frequencies of every unit (units x classes); an empty unit has its donor's.
  const RowMatrix<Scalar>& unit_probabilities() const {
    fitted("unit_probabilities");
    return proba_;
  }
  /// The unit whose samples labelled each unit: itself when it won samples, else the nearest
  /// labelled unit.
  const Labels& label_donors() const {
    fitted("label_donors");
    return donor_;
  }

  /// Writes or reads every field: the map it copied from the Som (grid, metric, threads,
  /// codebook, scaler) and the labelling (io/detail/archive.hpp; save() and
  /// load_map_classifier() in io/model_io.hpp). On reading, a file whose fields disagree is
  /// rejected.
  template <typename Archive>
  void serialize(Archive& ar) {
    Index rows = grid_.rows(), cols = grid_.cols();
    Topology topology = grid_.topology();
    bool torus = grid_.torus();
    ar(rows, cols);
    ar.choice(topology);
    ar(torus);
    ar.choice(distance_);
    ar(n_threads_, weights_, scaler_, classes_, unit_labels_, donor_, proba_);
    if constexpr (Archive::loading) {
      grid_ = Grid(rows, cols, topology, torus);  // checks the grid's own rules
      const Index U = weights_.rows(), D = weights_.cols(), C = classes_.size();
      ar.check(n_threads_ >= 0, "n_threads is ", n_threads_, ", must be >= 0");
      ar.check(D >= 1 && U % cols == 0 && U / cols == rows, "the codebook is ", U, " x ", D, ", the grid needs ", rows,
               " * ", cols, " units");
      ar.check(weights_.allFinite(), "the codebook holds NaN or infinite values");
      ar.check(scaler_.kind() == Scaling::none || scaler_.n_features() == D, "the scaler (", enum_name(scaler_.kind()),
               ") is fitted on ", scaler_.n_features(), " features, the codebook has ", D);
      bool sorted = C >= 1;
      for (Index c = 1; c < C; ++c) sorted = sorted && classes_[c - 1] < classes_[c];
      ar.check(sorted, "the classes are not a non-empty increasing list");
      ar.check(unit_labels_.size() == U && donor_.size() == U, "the unit labels and donors are not ", U,
               " values each");
      for (Index u = 0; u < U; ++u) {
        ar.check(std::binary_search(classes_.data(), classes_.data() + C, unit_labels_[u]), "unit ", u, "'s label ",
                 unit_labels_[u], " is not one of the classes");
        ar.check(donor_[u] >= 0 && donor_[u] < U && unit_labels_[donor_[u]] == unit_labels_[u], "unit ", u, "'s donor ",
                 donor_[u], " is not a unit with its label");
      }
      ar.check(proba_.rows() == U && proba_.cols() == C && proba_.allFinite() && (proba_.array() >= Scalar(0)).all(),
               "the class frequencies are not a ", U, " x ", C, " matrix of finite non-negative values");
    }
  }

 private:
  template <typename S>
  friend MapClassifier<S> load_map_classifier(const std::string& path);
  MapClassifier() = default;  // an empty classifier to load into (load_map_classifier)

  void fitted(const char* what) const {
    detail::require<NotFittedError>(is_fitted(), std::string("MapClassifier::") + what,
                                    "this MapClassifier is not fitted yet; call fit() first");
  }
  Labels bmus(const char* call, ConstRowRef<Scalar> X) const;
  Labels nearest_units(ConstRowRef<Scalar> X) const {
    RowMatrix<Scalar> storage;
    return detail::dense_bmus<Scalar>(scaler_.scaled_view(X, storage), weights_, distance_, false, n_threads_).bmu;
  }

  Grid grid_;
  Distance distance_ = Distance::euclidean;
  int n_threads_ = 0;
  RowMatrix<Scalar> weights_;
  Scaler<Scalar> scaler_;
  Labels classes_, unit_labels_, donor_;
  RowMatrix<Scalar> proba_;
};

// MapClassifier's members, defined outside the class so that a program linking
// somtile::precompiled does not instantiate them (core/detail/precompiled.hpp).
/// \cond INTERNAL

template <typename Scalar>
auto MapClassifier<Scalar>::fit(ConstRowRef<Scalar> X, const Labels& y) -> MapClassifier& {
  const char* call = "MapClassifier::fit";
  detail::check_data(call, X, n_features(), "MapClassifier");
  detail::check_labels(call, y, X.rows());
  detail::ClassCodes classes = detail::class_codes(y);
  const Index C = classes.classes.size(), U = n_units();

  const Labels bmu = nearest_units(X);
  Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> counts = decltype(counts)::Zero(U, C);
  for (Index i = 0; i < X.rows(); ++i) ++counts(bmu[i], classes.codes[std::size_t(i)]);

  // Majority vote of the units that won samples (the first maximum: the smallest label).
  Labels code = Labels::Constant(U, -1);
  RowMatrix<Scalar> proba = RowMatrix<Scalar>::Zero(U, C);
  std::vector<Index> labelled;
  for (Index u = 0; u < U; ++u) {
    const Index hits = counts.row(u).sum();
    if (hits == 0) continue;
    counts.row(u).maxCoeff(&code[u]);
    proba.row(u) = counts.row(u).template cast<Scalar>() / Scalar(hits);
    labelled.push_back(u);
  }
  // Units without samples: the nearest labelled unit on the grid, then in weight space.
  Labels donor(U);
  for (Index u = 0; u < U; ++u) donor[u] = u;
  for (Index u = 0; u < U; ++u) {
    if (code[u] >= 0) continue;
    Index best = -1;
    double best_grid = 0, best_weight = 0;
    for (const Index v : labelled) {
      const double g = grid_.distance(u, v);
      const double tol = 1e-9 * std::max(1.0, g);
      if (best >= 0 && g > best_grid + tol) continue;
      const double w = double(distance<Scalar>(distance_, weights_.row(u), weights_.row(v)));
      if (best < 0 || g < best_grid - tol || w < best_weight) {
        best = v;
        best_grid = g;
        best_weight = w;
      }
    }
    donor[u] = best;
  }
  for (Index u = 0; u < U; ++u)
    if (donor[u] != u) {
      code[u] = code[donor[u]];
      proba.row(u) = proba.row(donor[u]);
    }

  classes_.swap(classes.classes);
  unit_labels_.resize(U);
  for (Index u = 0; u < U; ++u) unit_labels_[u] = classes_[code[u]];
  proba_.swap(proba);
  donor_.swap(donor);
  return *this;
}

template <typename Scalar>
auto MapClassifier<Scalar>::predict(ConstRowRef<Scalar> X) const -> Labels {
  const Labels bmu = bmus("MapClassifier::predict", X);
  Labels out(X.rows());
  for (Index i = 0; i < X.rows(); ++i) out[i] = unit_labels_[bmu[i]];
  return out;
}

template <typename Scalar>
auto MapClassifier<Scalar>::predict_proba(ConstRowRef<Scalar> X) const -> RowMatrix<Scalar> {
  const Labels bmu = bmus("MapClassifier::predict_proba", X);
  RowMatrix<Scalar> P(X.rows(), proba_.cols());
  for (Index i = 0; i < X.rows(); ++i) P.row(i) = proba_.row(bmu[i]);
  return P;
}

template <typename Scalar>
auto MapClassifier<Scalar>::score(ConstRowRef<Scalar> X, const Labels& y) const -> double {
  const Labels p = predict(X);  // checks X first
  detail::check_labels("MapClassifier::score", y, X.rows());
  return double((p.array() == y.array()).count()) / double(X.rows());
}

template <typename Scalar>
auto MapClassifier<Scalar>::bmus(const char* call, ConstRowRef<Scalar> X) const -> Labels {
  detail::require<NotFittedError>(is_fitted(), call, "this MapClassifier is not fitted yet; call fit() first");
  detail::check_data(call, X, n_features(), "MapClassifier");
  return nearest_units(X);
}
/// \endcond

}  // namespace somtile
