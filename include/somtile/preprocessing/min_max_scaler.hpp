#pragma once
// MinMaxScaler: each feature mapped linearly onto [feature_min, feature_max] (default [0, 1]),
// as scikit-learn's MinMaxScaler: z = x * scale + min with scale = (feature_max - feature_min)
// / (data_max - data_min) and min = feature_min - data_min * scale. A constant feature (range
// below 10 machine epsilons) divides by 1 instead, as scikit-learn does. With Missing::mask,
// NaN cells are missing values: fit takes each column's nanmin and nanmax (as scikit-learn),
// transform and inverse_transform keep them NaN. A column with no present value is rejected.

#include "somtile/core/detail/nan_range.hpp"
#include "somtile/core/detail/precompiled.hpp"  // SOMTILE_OUTLINE
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/preprocessing/standard_scaler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <type_traits>

namespace somtile {

/// Parameters of MinMaxScaler: the range features are mapped to (scikit-learn's feature_range).
struct MinMaxScalerParams {
  double feature_min = 0.0;  ///< scikit-learn's feature_range[0]
  double feature_max = 1.0;  ///< scikit-learn's feature_range[1]
};

/// \throws ParameterError unless feature_min < feature_max, both finite.
inline void validate(const MinMaxScalerParams& p) {
  detail::require(std::isfinite(p.feature_min) && std::isfinite(p.feature_max) && p.feature_min < p.feature_max,
                  "MinMaxScaler", "feature_min must be < feature_max (both finite), got ", p.feature_min, " and ",
                  p.feature_max);
}

/// Scales features to a range (see the top of this file).
///
/// \tparam Scalar  float or double.
/// \throws ParameterError (constructor) when validate(params) fails.
/// \throws InputError from fit() when X is empty or holds NaN or infinite values (with
///         Missing::mask: infinite values, a row or a column of NaN only); from transform() and
///         inverse_transform() when X is not finite (the same rule) or has another feature count.
/// \throws NotFittedError from transform(), inverse_transform() and the accessors before fit().
///
/// \code
/// MinMaxScaler<double> scaler;                   // or MinMaxScaler<double>({-1, 1})
/// RowMatrix<double> Z = scaler.fit_transform(X); // every column in [0, 1]
/// scaler.data_min(); scaler.data_max(); scaler.scale(); scaler.min();
/// \endcode
template <typename Scalar>
class MinMaxScaler {
 public:
  /// A scaler to [feature_min, feature_max]. \throws ParameterError unless feature_min < feature_max.
  explicit MinMaxScaler(const MinMaxScalerParams& params = {}) : params_(params) { validate(params_); }
  /// The same scaler in another scalar type (e.g. a float model's scaler, widened).
  template <typename Other, typename = std::enable_if_t<!std::is_same_v<Other, Scalar>>>
  explicit MinMaxScaler(const MinMaxScaler<Other>& other) : params_(other.params()) {
    if (!other.is_fitted()) return;
    data_min_ = other.data_min().template cast<Scalar>();
    data_max_ = other.data_max().template cast<Scalar>();
    scale_ = other.scale().template cast<Scalar>();
    min_ = other.min().template cast<Scalar>();
  }

  /// The parameters the scaler was built with.
  const MinMaxScalerParams& params() const { return params_; }
  /// True after a successful fit() (or a load).
  bool is_fitted() const { return data_min_.size() > 0; }
  /// Features the scaler was fitted on.
  Index n_features() const { return data_min_.size(); }

  /// Learns each feature's minimum and maximum (over its present values with Missing::mask).
  /// On an exception the previous fit is kept.
  MinMaxScaler& fit(ConstRowRef<Scalar> X, Missing missing = Missing::reject);

  /// X * scale + min (NaN stays NaN with Missing::mask).
  RowMatrix<Scalar> transform(ConstRowRef<Scalar> X, Missing missing = Missing::reject) const;

  /// fit(X), then transform(X).
  RowMatrix<Scalar> fit_transform(ConstRowRef<Scalar> X, Missing missing = Missing::reject);

  /// (Z - min) / scale: back to the data's units.
  RowMatrix<Scalar> inverse_transform(ConstRowRef<Scalar> Z, Missing missing = Missing::reject) const;

  /// Per-feature minimum and maximum of the training data (data_min_, data_max_).
  const Vector<Scalar>& data_min() const { return fitted("data_min").data_min_; }
  /// Per-feature maximum of the training data.
  const Vector<Scalar>& data_max() const { return fitted("data_max").data_max_; }
  /// Per-feature factor and offset of transform() (scikit-learn's scale_ and min_).
  const Vector<Scalar>& scale() const { return fitted("scale").scale_; }
  /// Per-feature offset of transform() (scikit-learn's min_).
  const Vector<Scalar>& min() const { return fitted("min").min_; }

  /// Writes or reads the fitted scaler (io/detail/archive.hpp; save() in io/model_io.hpp).
  template <typename Archive>
  void serialize(Archive& ar) {
    ar(params_.feature_min, params_.feature_max, data_min_, data_max_, scale_, min_);
    if constexpr (Archive::loading) {
      validate(params_);
      const Index F = data_min_.size();
      ar.check(F >= 1 && data_max_.size() == F && scale_.size() == F && min_.size() == F, "the scaler has ",
               data_min_.size(), " minima, ", data_max_.size(), " maxima, ", scale_.size(), " scales and ", min_.size(),
               " offsets");
      ar.check(data_min_.allFinite() && data_max_.allFinite() && scale_.allFinite() && min_.allFinite() &&
                   (data_min_.array() <= data_max_.array()).all() && (scale_.array() > Scalar(0)).all(),
               "the scaler's ranges, scales or offsets are not finite, a minimum exceeds its maximum, or a "
               "scale is not > 0");
    }
  }

 private:
  const MinMaxScaler& fitted(const char* method) const {
    if (!is_fitted()) throw detail::scaler_not_fitted("MinMaxScaler", method);
    return *this;
  }
  void check(const char* method, ConstRowRef<Scalar> X, Missing missing) const {
    fitted(method);
    detail::check_data(detail::concat("MinMaxScaler::", method), X, n_features(), "MinMaxScaler", missing);
  }

  MinMaxScalerParams params_;
  Vector<Scalar> data_min_, data_max_, scale_, min_;
};

// MinMaxScaler's members, defined outside the class so that a program linking
// somtile::precompiled does not instantiate them (core/detail/precompiled.hpp).
/// \cond INTERNAL

template <typename Scalar>
auto MinMaxScaler<Scalar>::fit(ConstRowRef<Scalar> X, Missing missing) -> MinMaxScaler& {
  detail::check_data("MinMaxScaler::fit", X, missing);
  const Index F = X.cols();
  Vector<Scalar> lo, hi;
  if (missing == Missing::mask && detail::has_missing(X)) {
    detail::check_columns_present("MinMaxScaler::fit", X);
    std::tie(lo, hi) = detail::nan_column_range(X);
  } else {
    lo = X.colwise().minCoeff().transpose();
    hi = X.colwise().maxCoeff().transpose();
  }
  Vector<Scalar> scale(F), min(F);
  const Scalar tiny = Scalar(10) * std::numeric_limits<Scalar>::epsilon();
  const Scalar width = Scalar(params_.feature_max - params_.feature_min);
  for (Index j = 0; j < F; ++j) {
    Scalar range = hi[j] - lo[j];
    if (range < tiny) range = Scalar(1);
    scale[j] = width / range;
    min[j] = Scalar(params_.feature_min) - lo[j] * scale[j];
  }
  data_min_ = lo;
  data_max_ = hi;
  scale_.swap(scale);
  min_.swap(min);
  return *this;
}

template <typename Scalar>
auto MinMaxScaler<Scalar>::transform(ConstRowRef<Scalar> X, Missing missing) const -> RowMatrix<Scalar> {
  check("transform", X, missing);
  RowMatrix<Scalar> Z = X;
  Z.array().rowwise() *= scale_.transpose().array();
  Z.array().rowwise() += min_.transpose().array();
  return Z;
}

template <typename Scalar>
auto MinMaxScaler<Scalar>::fit_transform(ConstRowRef<Scalar> X, Missing missing) -> RowMatrix<Scalar> {
  return fit(X, missing).transform(X, missing);
}

template <typename Scalar>
auto MinMaxScaler<Scalar>::inverse_transform(ConstRowRef<Scalar> Z, Missing missing) const -> RowMatrix<Scalar> {
  check("inverse_transform", Z, missing);
  RowMatrix<Scalar> X = Z;
  X.array().rowwise() -= min_.transpose().array();
  X.array().rowwise() /= scale_.transpose().array();
  return X;
}
/// \endcond

}  // namespace somtile
