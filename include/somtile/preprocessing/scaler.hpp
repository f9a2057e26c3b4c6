#pragma once
// Scaler: the feature scaling a model carries (SomParams::scaling and the same field on the
// growing and online params). It is a StandardScaler, a MinMaxScaler (range [0, 1]) or nothing,
// chosen by a Scaling value; the model fits it on the data of its first fit, applies it to
// every data it is given afterwards (predict, transform, errors, maps) and saves it in the
// model file, so raw data always go in and the codebook lives in scaled space.
//
// Also the warning every fit without scaling gives when the features' ranges differ by more
// than 100 times (detail::warn_if_unscaled).

#include "somtile/core/detail/precompiled.hpp"  // SOMTILE_OUTLINE
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/core/warning.hpp"
#include "somtile/preprocessing/detail/unscaled_warning.hpp"
#include "somtile/preprocessing/min_max_scaler.hpp"
#include "somtile/preprocessing/standard_scaler.hpp"

#include <cmath>
#include <limits>
#include <string_view>
#include <type_traits>

namespace somtile {

/// A model's feature scaling (see the top of this file). Scaling::none is the identity and is
/// always fitted.
///
/// \throws NotFittedError from transform(), inverse_transform() and to_data_units() when the
///         kind is not none and fit() was not called.
/// \throws InputError as StandardScaler and MinMaxScaler do.
///
/// \code
/// Som<double> som({.rows = 8, .cols = 8, .scaling = Scaling::standard}, X.cols());
/// som.fit(X_raw);
/// som.scaler().standard().mean();               // the means learnt from X_raw
/// RowMatrix<double> W = som.weights_in_data_units();
/// \endcode
template <typename Scalar>
class Scaler {
 public:
  /// A scaler of this kind, not yet fitted.
  explicit Scaler(Scaling kind = Scaling::none) : kind_(kind) {}
  /// The same scaling in another scalar type (e.g. a float model's, widened).
  template <typename Other, typename = std::enable_if_t<!std::is_same_v<Other, Scalar>>>
  explicit Scaler(const Scaler<Other>& other)
      : kind_(other.kind()), standard_(other.standard()), minmax_(other.minmax()) {}

  /// A fitted standard or minmax scaling from its fitted scaler (e.g. one rebuilt from a model
  /// file's statistics).
  explicit Scaler(const StandardScaler<Scalar>& standard) : kind_(Scaling::standard), standard_(standard) {}
  /// \copydoc Scaler(const StandardScaler<Scalar>&)
  explicit Scaler(const MinMaxScaler<Scalar>& minmax) : kind_(Scaling::minmax), minmax_(minmax) {}

  /// Which scaling: none, standard or minmax.
  Scaling kind() const { return kind_; }
  /// True when fitted, or when the kind is none (nothing to fit).
  bool is_fitted() const {
    return kind_ == Scaling::none || (kind_ == Scaling::standard ? standard_.is_fitted() : minmax_.is_fitted());
  }
  /// Features the scaler was fitted on (0 for none).
  Index n_features() const {
    return kind_ == Scaling::standard ? standard_.n_features() : kind_ == Scaling::minmax ? minmax_.n_features() : 0;
  }

  /// With Missing::mask, NaN cells are missing values: the fit ignores them and the transforms
  /// keep them NaN (see StandardScaler and MinMaxScaler).
  Scaler& fit(ConstRowRef<Scalar> X, Missing missing = Missing::reject);
  /// X in scaled space (X itself for none).
  RowMatrix<Scalar> transform(ConstRowRef<Scalar> X, Missing missing = Missing::reject) const;
  /// Z back in the data's units (Z itself for none).
  RowMatrix<Scalar> inverse_transform(ConstRowRef<Scalar> Z, Missing missing = Missing::reject) const;
  /// One scaled value of `feature` in the data's units.
  double to_data_units(double z, Index feature) const {
    if (kind_ == Scaling::standard) return z * double(standard_.scale()[feature]) + double(standard_.mean()[feature]);
    if (kind_ == Scaling::minmax) return (z - double(minmax_.min()[feature])) / double(minmax_.scale()[feature]);
    return z;
  }

  /// The scaler behind Scaling::standard and Scaling::minmax.
  const StandardScaler<Scalar>& standard() const { return standard_; }
  /// The scaler behind Scaling::minmax.
  const MinMaxScaler<Scalar>& minmax() const { return minmax_; }

  /// X itself without scaling (no copy), else its scaled copy, kept in `storage`.
  ConstRowRef<Scalar> scaled_view(ConstRowRef<Scalar> X, RowMatrix<Scalar>& storage,
                                  Missing missing = Missing::reject) const;

  template <typename Archive>
  /// Writes or reads the scaler (io/detail/archive.hpp; part of every model file).
  void serialize(Archive& ar) {
    ar.choice(kind_);
    if (kind_ == Scaling::standard) ar(standard_);
    if (kind_ == Scaling::minmax) ar(minmax_);
  }

 private:
  Scaling kind_;
  StandardScaler<Scalar> standard_;
  MinMaxScaler<Scalar> minmax_;
};

// Scaler's members, defined outside the class so that a program linking
// somtile::precompiled does not instantiate them (core/detail/precompiled.hpp).
/// \cond INTERNAL

template <typename Scalar>
auto Scaler<Scalar>::fit(ConstRowRef<Scalar> X, Missing missing) -> Scaler& {
  if (kind_ == Scaling::standard) standard_.fit(X, missing);
  if (kind_ == Scaling::minmax) minmax_.fit(X, missing);
  return *this;
}

template <typename Scalar>
auto Scaler<Scalar>::transform(ConstRowRef<Scalar> X, Missing missing) const -> RowMatrix<Scalar> {
  if (kind_ == Scaling::standard) return standard_.transform(X, missing);
  if (kind_ == Scaling::minmax) return minmax_.transform(X, missing);
  return X;
}

template <typename Scalar>
auto Scaler<Scalar>::inverse_transform(ConstRowRef<Scalar> Z, Missing missing) const -> RowMatrix<Scalar> {
  if (kind_ == Scaling::standard) return standard_.inverse_transform(Z, missing);
  if (kind_ == Scaling::minmax) return minmax_.inverse_transform(Z, missing);
  return Z;
}

template <typename Scalar>
auto Scaler<Scalar>::scaled_view(ConstRowRef<Scalar> X, RowMatrix<Scalar>& storage, Missing missing) const
    -> ConstRowRef<Scalar> {
  if (kind_ == Scaling::none) return X;
  storage = transform(X, missing);
  return ConstRowRef<Scalar>(storage);
}
/// \endcond

}  // namespace somtile
