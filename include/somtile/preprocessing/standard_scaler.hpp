#pragma once
// StandardScaler: each feature to zero mean and unit variance, as scikit-learn's
// StandardScaler (with_mean = with_std = True): z = (x - mean) / scale, scale = the population
// standard deviation (ddof = 0). A constant feature gets scale 1, detected as scikit-learn
// 1.2 does (variance <= n eps var + (n eps mean)^2, the error bound of the two-pass variance),
// so it transforms to x - mean. Means and variances are accumulated in double, in row order.
// With Missing::mask, NaN cells are missing values: fit ignores them per column (nanmean and
// nanvar over the column's present values, as scikit-learn does), transform and
// inverse_transform keep them NaN. A column with no present value is rejected.

#include "somtile/core/detail/precompiled.hpp"  // SOMTILE_OUTLINE
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/preprocessing/detail/scaler_not_fitted.hpp"

#include <cmath>
#include <limits>
#include <type_traits>

namespace somtile {

/// Standardises features (see the top of this file).
///
/// \tparam Scalar  float or double.
/// \throws InputError from fit() when X is empty or holds NaN or infinite values (with
///         Missing::mask: infinite values, a row or a column of NaN only); from transform() and
///         inverse_transform() when X is not finite (the same rule) or has another feature count.
/// \throws NotFittedError from transform(), inverse_transform() and the accessors before fit().
///
/// \code
/// StandardScaler<double> scaler;
/// RowMatrix<double> Z = scaler.fit_transform(X_train);
/// RowMatrix<double> Zt = scaler.transform(X_test);
/// scaler.mean(); scaler.scale(); scaler.var();
/// \endcode
template <typename Scalar>
class StandardScaler {
 public:
  StandardScaler() = default;
  /// The same scaler in another scalar type (e.g. a float model's scaler, widened).
  template <typename Other, typename = std::enable_if_t<!std::is_same_v<Other, Scalar>>>
  explicit StandardScaler(const StandardScaler<Other>& other) {
    if (!other.is_fitted()) return;
    mean_ = other.mean().template cast<Scalar>();
    var_ = other.var().template cast<Scalar>();
    scale_ = other.scale().template cast<Scalar>();
  }

  /// A fitted scaler from its statistics (e.g. those a model file stores): per feature the
  /// mean, the variance and the scale transform() divides by.
  /// \throws InputError unless the three have one entry per feature (at least one), are
  ///         finite, var >= 0 and scale > 0.
  static StandardScaler from_statistics(Vector<Scalar> mean, Vector<Scalar> var, Vector<Scalar> scale) {
    const Index F = mean.size();
    detail::require<InputError>(F >= 1 && var.size() == F && scale.size() == F, "StandardScaler::from_statistics",
                                "mean, var and scale need one entry per feature, got ", F, ", ", var.size(), " and ",
                                scale.size());
    detail::require<InputError>(mean.allFinite() && var.allFinite() && scale.allFinite() &&
                                    (var.array() >= Scalar(0)).all() && (scale.array() > Scalar(0)).all(),
                                "StandardScaler::from_statistics",
                                "the statistics must be finite, with var >= 0 and scale > 0");
    StandardScaler s;
    s.mean_.swap(mean);
    s.var_.swap(var);
    s.scale_.swap(scale);
    return s;
  }

  /// True after a successful fit() (or a load).
  bool is_fitted() const { return mean_.size() > 0; }
  /// Features the scaler was fitted on.
  Index n_features() const { return mean_.size(); }

  /// Learns each feature's mean and standard deviation (over its present values with
  /// Missing::mask). On an exception the previous fit is kept.
  StandardScaler& fit(ConstRowRef<Scalar> X, Missing missing = Missing::reject);

  /// (X - mean) / scale (NaN stays NaN with Missing::mask).
  RowMatrix<Scalar> transform(ConstRowRef<Scalar> X, Missing missing = Missing::reject) const;

  /// fit(X), then transform(X).
  RowMatrix<Scalar> fit_transform(ConstRowRef<Scalar> X, Missing missing = Missing::reject);

  /// Z * scale + mean: back to the data's units.
  RowMatrix<Scalar> inverse_transform(ConstRowRef<Scalar> Z, Missing missing = Missing::reject) const;

  /// Per-feature mean (scikit-learn's mean_).
  const Vector<Scalar>& mean() const { return fitted("mean").mean_; }
  /// Per-feature population variance (var_).
  const Vector<Scalar>& var() const { return fitted("var").var_; }
  /// Per-feature divisor: the standard deviation, 1 for constant features (scale_).
  const Vector<Scalar>& scale() const { return fitted("scale").scale_; }

  /// Writes or reads the fitted scaler (io/detail/archive.hpp; save() in io/model_io.hpp).
  template <typename Archive>
  void serialize(Archive& ar) {
    ar(mean_, var_, scale_);
    if constexpr (Archive::loading) {
      const Index F = mean_.size();
      ar.check(F >= 1 && var_.size() == F && scale_.size() == F, "the scaler has ", mean_.size(), " means, ",
               var_.size(), " variances and ", scale_.size(), " scales");
      ar.check(mean_.allFinite() && var_.allFinite() && scale_.allFinite() && (var_.array() >= Scalar(0)).all() &&
                   (scale_.array() > Scalar(0)).all(),
               "the scaler's means, variances or scales are not finite, or a scale is not > 0");
    }
  }

 private:
  const StandardScaler& fitted(const char* method) const {
    if (!is_fitted()) throw detail::scaler_not_fitted("StandardScaler", method);
    return *this;
  }
  void check(const char* method, ConstRowRef<Scalar> X, Missing missing) const {
    fitted(method);
    detail::check_data(detail::concat("StandardScaler::", method), X, n_features(), "StandardScaler", missing);
  }

  Vector<Scalar> mean_, var_, scale_;
};

// StandardScaler's members, defined outside the class so that a program linking
// somtile::precompiled does not instantiate them (core/detail/precompiled.hpp).
/// \cond INTERNAL

template <typename Scalar>
auto StandardScaler<Scalar>::fit(ConstRowRef<Scalar> X, Missing missing) -> StandardScaler& {
  detail::check_data("StandardScaler::fit", X, missing);
  if (missing == Missing::mask) detail::check_columns_present("StandardScaler::fit", X);
  const Index n = X.rows(), F = X.cols();
  Vector<Scalar> mean(F), var(F), scale(F);
  const double eps = std::numeric_limits<double>::epsilon();
  // Two passes over the rows (row-major data: one sweep of memory each), every column summed
  // in row order. count[j]: the column's present values (n without NaN).
  Eigen::ArrayXd m = Eigen::ArrayXd::Zero(F), sq = Eigen::ArrayXd::Zero(F), count = Eigen::ArrayXd::Zero(F);
  Eigen::ArrayXd correction = Eigen::ArrayXd::Zero(F);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < F; ++j) {
      const double x = double(X(i, j));
      if (std::isnan(x)) continue;
      m[j] += x;
      count[j] += 1.0;
    }
  m /= count;
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < F; ++j) {
      const double x = double(X(i, j));
      if (std::isnan(x)) continue;
      const double d = x - m[j];
      sq[j] += d * d;
      correction[j] += d;
    }
  for (Index j = 0; j < F; ++j) {
    const double dn = count[j];
    const double v = (sq[j] - correction[j] * correction[j] / dn) / dn;
    const bool constant = v <= dn * eps * v + (dn * m[j] * eps) * (dn * m[j] * eps);
    mean[j] = Scalar(m[j]);
    var[j] = Scalar(v);
    scale[j] = constant ? Scalar(1) : Scalar(std::sqrt(v));
  }
  mean_.swap(mean);
  var_.swap(var);
  scale_.swap(scale);
  return *this;
}

template <typename Scalar>
auto StandardScaler<Scalar>::transform(ConstRowRef<Scalar> X, Missing missing) const -> RowMatrix<Scalar> {
  check("transform", X, missing);
  RowMatrix<Scalar> Z = X;
  Z.array().rowwise() -= mean_.transpose().array();
  Z.array().rowwise() /= scale_.transpose().array();
  return Z;
}

template <typename Scalar>
auto StandardScaler<Scalar>::fit_transform(ConstRowRef<Scalar> X, Missing missing) -> RowMatrix<Scalar> {
  return fit(X, missing).transform(X, missing);
}

template <typename Scalar>
auto StandardScaler<Scalar>::inverse_transform(ConstRowRef<Scalar> Z, Missing missing) const -> RowMatrix<Scalar> {
  check("inverse_transform", Z, missing);
  RowMatrix<Scalar> X = Z;
  X.array().rowwise() *= scale_.transpose().array();
  X.array().rowwise() += mean_.transpose().array();
  return X;
}
/// \endcond

}  // namespace somtile
