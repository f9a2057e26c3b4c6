#pragma once
// Input and parameter checks. Every check runs before any parallel region and before any
// state is modified, so a failed call leaves a fitted model untouched. Positions in words
// ("row 3", "column 2") are 1-based, as read_csv's lines and columns; X(i, j) is C++ indexing.

#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"

#include <cmath>
#include <string_view>

namespace somtile::detail {

/// Throws `Error(call + "(): " + message...)` unless `condition` holds.
template <typename Error = ParameterError, typename... Parts>
void require(bool condition, std::string_view call, Parts&&... message) {
  if (!condition) throw Error(concat(call, "(): ", std::forward<Parts>(message)...));
}

/// Whether every cell of X is finite, as one vectorised sum: x * 0 is 0 for a finite x and NaN
/// for an infinite or NaN one. The checks below look cell by cell only when it says no.
template <typename Derived>
bool all_finite(const Eigen::MatrixBase<Derived>& X) {
  using Scalar = typename Derived::Scalar;
  return X.size() == 0 || (X.array() * Scalar(0)).sum() == Scalar(0);
}

/// Non-empty, finite sample matrix. `name` is the argument's name in messages.
template <typename Derived>
void check_data(std::string_view call, const Eigen::MatrixBase<Derived>& X, std::string_view name = "X") {
  require<InputError>(X.rows() > 0, call, name, " has no samples (0 rows)");
  require<InputError>(X.cols() > 0, call, name, " has no features (0 columns)");
  if (all_finite(X)) return;
  for (Index i = 0; i < X.rows(); ++i)
    for (Index j = 0; j < X.cols(); ++j)
      if (!std::isfinite(static_cast<double>(X(i, j))))
        throw InputError(concat(call, "(): ", name, " must be finite, but ", name, "(", i, ", ", j, ") = ", X(i, j)));
}

/// Sample matrix with the feature count a model expects.
template <typename Derived>
void check_data(std::string_view call, const Eigen::MatrixBase<Derived>& X, Index n_features, std::string_view owner,
                std::string_view name = "X") {
  check_data(call, X, name);
  require<InputError>(X.cols() == n_features, call, name, " has ", X.cols(), " features, but this ", owner, " expects ",
                      n_features);
}

/// True if any cell of X is NaN (a missing value under Missing::mask).
template <typename Derived>
bool has_missing(const Eigen::MatrixBase<Derived>& X) {
  return !all_finite(X) && X.hasNaN();
}

/// Non-empty sample matrix where, with Missing::mask, NaN cells are missing values: infinite
/// cells are still rejected, and so is a row with no present feature. With Missing::reject,
/// the plain check above (every cell finite), whose message for a NaN cell names Missing::mask.
template <typename Derived>
void check_data(std::string_view call, const Eigen::MatrixBase<Derived>& X, Missing missing,
                std::string_view name = "X") {
  if (missing == Missing::reject) {
    // The first non-finite cell, when it is NaN, is most likely a missing value: the message
    // says how to read it as one.
    const bool finite = all_finite(X);
    for (Index i = 0; !finite && i < X.rows(); ++i)
      for (Index j = 0; j < X.cols(); ++j)
        if (!std::isfinite(static_cast<double>(X(i, j)))) {
          if (std::isnan(static_cast<double>(X(i, j))))
            throw InputError(concat(call, "(): ", name, " must be finite, but ", name, "(", i, ", ", j,
                                    ") = nan; if NaN marks missing values, set missing = Missing::mask"));
          return check_data(call, X, name);
        }
    require<InputError>(X.rows() > 0, call, name, " has no samples (0 rows)");
    require<InputError>(X.cols() > 0, call, name, " has no features (0 columns)");
    return;
  }
  require<InputError>(X.rows() > 0, call, name, " has no samples (0 rows)");
  require<InputError>(X.cols() > 0, call, name, " has no features (0 columns)");
  for (Index i = 0; i < X.rows(); ++i) {
    Index present = 0;
    for (Index j = 0; j < X.cols(); ++j) {
      const double v = static_cast<double>(X(i, j));
      if (std::isnan(v)) continue;
      ++present;
      if (!std::isfinite(v))
        throw InputError(concat(call, "(): ", name, " must be finite or NaN (missing), but ", name, "(", i, ", ", j,
                                ") = ", X(i, j)));
    }
    if (present == 0)
      throw InputError(
          concat(call, "(): ", name, " row ", i + 1, " (", name, ".row(", i, ")) has no present feature (all NaN)"));
  }
}

/// The same with the feature count a model expects.
template <typename Derived>
void check_data(std::string_view call, const Eigen::MatrixBase<Derived>& X, Index n_features, std::string_view owner,
                Missing missing, std::string_view name = "X") {
  check_data(call, X, missing, name);
  require<InputError>(X.cols() == n_features, call, name, " has ", X.cols(), " features, but this ", owner, " expects ",
                      n_features);
}

/// Every column of X has a present (non-NaN) value: what a fit needs to learn each feature.
template <typename Derived>
void check_columns_present(std::string_view call, const Eigen::MatrixBase<Derived>& X, std::string_view name = "X") {
  for (Index j = 0; j < X.cols(); ++j) {
    bool present = false;
    for (Index i = 0; i < X.rows() && !present; ++i) present = !std::isnan(static_cast<double>(X(i, j)));
    if (!present)
      throw InputError(
          concat(call, "(): ", name, " column ", j + 1, " (", name, ".col(", j, ")) has no present value (all NaN)"));
  }
}

/// One label per sample.
inline void check_labels(std::string_view call, const Labels& y, Index n_samples, std::string_view name = "y") {
  require<InputError>(y.size() == n_samples, call, name, " has ", y.size(), " labels, but X has ", n_samples,
                      " samples");
}

template <typename T>
void check_positive(std::string_view call, std::string_view name, T value) {
  require(value > T(0) && (std::is_integral_v<T> || std::isfinite(static_cast<double>(value))), call, name,
          " must be > 0, got ", value);
}

template <typename T>
void check_non_negative(std::string_view call, std::string_view name, T value) {
  require(value >= T(0) && (std::is_integral_v<T> || std::isfinite(static_cast<double>(value))), call, name,
          " must be >= 0, got ", value);
}

}  // namespace somtile::detail
