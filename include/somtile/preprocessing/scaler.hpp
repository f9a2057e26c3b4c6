#pragma once
// Scaler: the feature scaling a model carries (SomParams::scaling and the same field on the
// growing and online params). It is a StandardScaler, a MinMaxScaler (range [0, 1]) or nothing,
// chosen by a Scaling value; the model fits it on the data of its first fit, applies it to
// every data it is given afterwards (predict, transform, errors, maps) and saves it in the
// model file, so raw data always go in and the codebook lives in scaled space.
//
// Also the warning every fit without scaling gives when the features' ranges differ by more
// than 100 times (detail::warn_if_unscaled).

#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/core/warning.hpp"
#include "somtile/core/detail/validate.hpp"
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
  explicit Scaler(Scaling kind = Scaling::none) : kind_(kind) {}
  /// The same scaling in another scalar type (e.g. a float model's, widened).
  template <typename Other, typename = std::enable_if_t<!std::is_same_v<Other, Scalar>>>
  explicit Scaler(const Scaler<Other>& other)
      : kind_(other.kind()), standard_(other.standard()), minmax_(other.minmax()) {}

  /// A fitted standard or minmax scaling from its fitted scaler (e.g. one rebuilt from a model
  /// file's statistics).
  explicit Scaler(const StandardScaler<Scalar>& standard) : kind_(Scaling::standard), standard_(standard) {}
  explicit Scaler(const MinMaxScaler<Scalar>& minmax) : kind_(Scaling::minmax), minmax_(minmax) {}

  Scaling kind() const { return kind_; }
  bool is_fitted() const {
    return kind_ == Scaling::none || (kind_ == Scaling::standard ? standard_.is_fitted() : minmax_.is_fitted());
  }
  /// Features the scaler was fitted on (0 for none).
  Index n_features() const {
    return kind_ == Scaling::standard ? standard_.n_features() : kind_ == Scaling::minmax ? minmax_.n_features() : 0;
  }

  /// With Missing::mask, NaN cells are missing values: the fit ignores them and the transforms
  /// keep them NaN (see StandardScaler and MinMaxScaler).
  Scaler& fit(ConstRowRef<Scalar> X, Missing missing = Missing::reject) {
    if (kind_ == Scaling::standard) standard_.fit(X, missing);
    if (kind_ == Scaling::minmax) minmax_.fit(X, missing);
    return *this;
  }
  RowMatrix<Scalar> transform(ConstRowRef<Scalar> X, Missing missing = Missing::reject) const {
    if (kind_ == Scaling::standard) return standard_.transform(X, missing);
    if (kind_ == Scaling::minmax) return minmax_.transform(X, missing);
    return X;
  }
  RowMatrix<Scalar> inverse_transform(ConstRowRef<Scalar> Z, Missing missing = Missing::reject) const {
    if (kind_ == Scaling::standard) return standard_.inverse_transform(Z, missing);
    if (kind_ == Scaling::minmax) return minmax_.inverse_transform(Z, missing);
    return Z;
  }
  /// One scaled value of `feature` in the data's units.
  double to_data_units(double z, Index feature) const {
    if (kind_ == Scaling::standard) return z * double(standard_.scale()[feature]) + double(standard_.mean()[feature]);
    if (kind_ == Scaling::minmax) return (z - double(minmax_.min()[feature])) / double(minmax_.scale()[feature]);
    return z;
  }

  /// The scaler behind Scaling::standard and Scaling::minmax.
  const StandardScaler<Scalar>& standard() const { return standard_; }
  const MinMaxScaler<Scalar>& minmax() const { return minmax_; }

  /// X itself without scaling (no copy), else its scaled copy, kept in `storage`.
  ConstRowRef<Scalar> scaled_view(ConstRowRef<Scalar> X, RowMatrix<Scalar>& storage,
                                  Missing missing = Missing::reject) const {
    if (kind_ == Scaling::none) return X;
    storage = transform(X, missing);
    return ConstRowRef<Scalar>(storage);
  }

  template <typename Archive>
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

namespace detail {

/// Warns (core/warning.hpp) when the ranges (max - min) of X's columns differ by more than
/// `ratio` times (largest over smallest non-zero), naming both columns. Called by the fits of
/// models whose scaling is none: distances there are dominated by the widest features. Ranges,
/// not standard deviations: a rarely non-zero feature (a border pixel, a rare word) has a tiny
/// deviation but the same units as its neighbours, and is no reason to rescale. NaN cells
/// (missing values) are ignored.
template <typename Scalar>
void warn_if_unscaled(std::string_view call, ConstRowRef<Scalar> X, double ratio = 100.0) {
  const Index n = X.rows(), F = X.cols();
  if (n < 2 || F < 2) return;
  Eigen::ArrayXd lo_v = Eigen::ArrayXd::Constant(F, std::numeric_limits<double>::infinity()),
                 hi_v = Eigen::ArrayXd::Constant(F, -std::numeric_limits<double>::infinity());
  for (Index i = 0; i < n; ++i)  // row by row: the data are row-major
    for (Index j = 0; j < F; ++j) {
      const double v = double(X(i, j));
      if (std::isnan(v)) continue;
      lo_v[j] = std::min(lo_v[j], v);
      hi_v[j] = std::max(hi_v[j], v);
    }
  Index lo = -1, hi = -1;
  double r_lo = 0.0, r_hi = 0.0;
  for (Index j = 0; j < F; ++j) {
    const double r = hi_v[j] - lo_v[j];
    if (!(r > 0.0) || !std::isfinite(r)) continue;
    if (lo < 0 || r < r_lo) lo = j, r_lo = r;
    if (hi < 0 || r > r_hi) hi = j, r_hi = r;
  }
  if (lo < 0 || r_hi <= ratio * r_lo) return;
  warn(call, "the features' ranges (max - min) differ by a factor of ", r_hi / r_lo, " (column ", hi, ": ", r_hi,
       ", column ", lo, ": ", r_lo,
       "), so the widest features dominate the distances; set scaling = Scaling::standard in the params "
       "(or scale the data)");
}

}  // namespace detail

}  // namespace somtile
