#pragma once
// Filling missing values from a trained map (the SOM Toolbox's som_fillnans rule): each NaN
// cell of a sample takes the value of its best-matching unit's weight for that feature, in the
// data's units. The BMU is found with the masked search (find_bmus with Missing, kernels/bmu.hpp) over the
// sample's present features, whatever the model's own `missing` setting: a model trained on
// complete data fills holes as well as one trained with Missing::mask. Complete rows come back
// unchanged; infinite values and rows with no present feature are still an InputError.

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/growing/growing_som.hpp"
#include "somtile/kernels/bmu.hpp"  // find_bmus(..., Missing)
#include "somtile/missing/detail/fill_from_units.hpp"
#include "somtile/online/online_som.hpp"
#include "somtile/som/som.hpp"

#include <cmath>

namespace somtile {

/// A copy of X (in the data's units) whose NaN cells hold the weight of their row's BMU (see
/// the top of this file). Works on any fitted Som, whatever params().missing.
/// \throws NotFittedError before the Som has weights; InputError when X has another feature
///         count, an infinite value or a row of NaN only.
///
/// \code
/// SomParams p; p.missing = Missing::mask;  // train on the incomplete data themselves
/// Som<double> som(p, X.cols());
/// som.fit(X);
/// RowMatrix<double> filled = impute(som, X);
/// \endcode
template <typename Scalar>
RowMatrix<Scalar> impute(const Som<Scalar>& som, DataRef<Scalar> X) {
  const char* call = "impute";
  if (!som.is_fitted())
    throw NotFittedError("impute(): the Som's weights are not initialised; call initialize_weights() or fit() first");
  detail::check_data(call, X, som.n_features(), "Som", Missing::mask);
  if (!detail::has_missing(X)) return X;
  RowMatrix<Scalar> storage;
  const ConstRowRef<Scalar> Xs = som.scaler().scaled_view(X, storage, Missing::mask);
  const Labels bmu = detail::masked_bmus<Scalar>(Xs, som.weights(), som.params().distance, false,
                                                 som.params().n_threads, Missing::mask)
                         .bmu;
  return detail::fill_from_units<Scalar>(X, bmu, som.weights_in_data_units());
}

// ---- impute() for OnlineSom and the growing maps (same rule) ----------------------------------

/// impute() for an OnlineSom: the BMU as OnlineSom::predict finds it (Euclidean, in the space
/// the lattice was trained in), here with the masked search whatever params().missing; the
/// values from the lattice in the data's units.
/// \throws NotFittedError before training; InputError when X has another feature count, an
///         infinite value or a row of NaN only.
template <typename Scalar>
RowMatrix<Scalar> impute(const OnlineSom<Scalar>& som, DataRef<Scalar> X) {
  if (!som.is_fitted()) throw NotFittedError("impute(): this OnlineSom is not trained yet; call train() first");
  detail::check_data("impute", X, som.n_features(), "OnlineSom", Missing::mask);
  if (!detail::has_missing(X)) return X;
  return detail::fill_from_units<Scalar>(X, som.training_space_bmus(X, 0, Missing::mask), som.lattice().codebook());
}

/// impute() for a SomVQ or SomClassifier (their base GrowingSomEstimator): the BMU among the
/// prototypes (Euclidean, in scaled space when params().scaling is set), with the masked search
/// whatever params().missing; the values from weights_in_data_units().
/// \throws NotFittedError before fit(); InputError when X has another feature count, an
///         infinite value or a row of NaN only.
template <typename Scalar>
RowMatrix<Scalar> impute(const GrowingSomEstimator<Scalar>& model, DataRef<Scalar> X) {
  if (!model.is_fitted()) throw NotFittedError("impute(): this growing SOM is not fitted yet; call fit() first");
  detail::check_data("impute", X, model.n_features(), "growing SOM", Missing::mask);
  if (!detail::has_missing(X)) return X;
  RowMatrix<Scalar> storage;
  const ConstRowRef<Scalar> Xs = model.scaler().scaled_view(X, storage, Missing::mask);
  const Labels bmu = detail::masked_bmus<Scalar>(Xs, model.weights(), Distance::euclidean, false,
                                                 model.params().n_threads, Missing::mask)
                         .bmu;
  return detail::fill_from_units<Scalar>(X, bmu, model.weights_in_data_units());
}

}  // namespace somtile
