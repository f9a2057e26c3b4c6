#pragma once
// train_test_split: a random split of samples (and their labels) into a training and a test
// part, as scikit-learn's train_test_split(X, y, test_size=fraction, random_state=seed,
// stratify=y if stratify else None): ceil(test_fraction * n) test samples; with stratify,
// every class keeps its share in both parts (per-class test counts by largest remainder).
// The random stream is somtile's own (core/random.hpp), so a seed gives the same split on
// every platform, but not the split scikit-learn gives for the same seed.

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/random.hpp"
#include "somtile/core/types.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <vector>

namespace somtile {

/// The two parts of a split. Rows keep the random order they were drawn in; train_index and
/// test_index are the rows of the original X (together a partition of 0..n-1).
template <typename Scalar>
struct Split {
  ///@{
  /// Training and test rows.
  RowMatrix<Scalar> X_train, X_test;
  ///@}
  ///@{
  /// Training and test labels.
  Labels y_train, y_test;  ///< empty when no labels were given
  ///@}
  ///@{
  /// Rows of the original X in each part.
  std::vector<Index> train_index, test_index;
  ///@}
};

/// Splits X (and y, one label per row; may be empty when stratify is false).
/// \throws ParameterError unless 0 < test_fraction < 1, or when either part would be empty.
/// \throws InputError when X is empty or not finite, y has another length than X has rows, or
///         (stratify) a class has fewer than 2 samples or there are more classes than samples
///         in a part.
///
/// \code
/// Split<double> s = train_test_split(X, y, 0.25, /*seed=*/1, /*stratify=*/true);
/// clf.fit(s.X_train, s.y_train).score(s.X_test, s.y_test);
/// \endcode
template <typename Scalar>
Split<Scalar> train_test_split(DataRef<Scalar> X, const Labels& y, double test_fraction, std::uint64_t seed = 0,
                               bool stratify = false) {
  const char* call = "train_test_split";
  detail::require(test_fraction > 0.0 && test_fraction < 1.0, call, "test_fraction must be in (0, 1), got ",
                  test_fraction);
  detail::check_data(call, X);
  const Index n = X.rows();
  detail::require<InputError>(y.size() == n || (y.size() == 0 && !stratify), call, "y has ", y.size(),
                              " labels, but X has ", n, " samples", stratify ? " (stratify needs labels)" : "");
  const Index n_test = Index(std::ceil(test_fraction * double(n) - 1e-9)), n_train = n - n_test;
  detail::require(n_test >= 1 && n_train >= 1, call, "test_fraction ", test_fraction, " of ", n, " samples leaves ",
                  n_train, " training and ", n_test, " test samples; both must be >= 1");

  Random rng(seed);
  const std::vector<Index> order = rng.permutation(n);
  std::vector<char> in_test(std::size_t(n), 0);
  if (!stratify) {
    for (Index k = 0; k < n_test; ++k) in_test[std::size_t(order[std::size_t(k)])] = 1;
  } else {
    std::map<Index, Index> count;  // class -> samples, in class order
    for (Index i = 0; i < n; ++i) ++count[y[i]];
    const Index C = Index(count.size());
    for (const auto& [label, c] : count)
      detail::require<InputError>(c >= 2, call, "class ", label, " has only ", c,
                                  " sample; stratify needs at least 2 per class");
    detail::require<InputError>(n_test >= C && n_train >= C, call, "stratify needs at least one sample of each of the ",
                                C, " classes in both parts, but the split has ", n_train, " training and ", n_test,
                                " test samples");
    // Test samples per class: the floor of its share, then the rest by largest remainder (ties
    // to the lower class); every class keeps at least one sample in each part when it can.
    std::map<Index, Index> want;
    std::vector<std::pair<double, Index>> remainder;
    Index given = 0;
    for (const auto& [label, c] : count) {
      const double exact = double(c) * double(n_test) / double(n);
      want[label] = Index(std::floor(exact));
      given += want[label];
      remainder.emplace_back(-(exact - std::floor(exact)), label);
    }
    std::stable_sort(remainder.begin(), remainder.end());
    for (std::size_t k = 0; given < n_test && k < remainder.size(); ++k, ++given) ++want[remainder[k].second];
    for (Index i : order) {
      Index& left = want[y[i]];
      if (left > 0) {
        in_test[std::size_t(i)] = 1;
        --left;
      }
    }
  }
  Split<Scalar> s;
  for (Index i : order) (in_test[std::size_t(i)] ? s.test_index : s.train_index).push_back(i);
  auto take = [&](const std::vector<Index>& rows, RowMatrix<Scalar>& Xp, Labels& yp) {
    Xp.resize(Index(rows.size()), X.cols());
    if (y.size()) yp.resize(Index(rows.size()));
    for (std::size_t k = 0; k < rows.size(); ++k) {
      Xp.row(Index(k)) = X.row(rows[k]);
      if (y.size()) yp[Index(k)] = y[rows[k]];
    }
  };
  take(s.train_index, s.X_train, s.y_train);
  take(s.test_index, s.X_test, s.y_test);
  return s;
}

/// The same, with the scalar taken from X (any Eigen matrix or expression of float or double).
template <typename Derived>
Split<typename Derived::Scalar> train_test_split(const Eigen::MatrixBase<Derived>& X, const Labels& y,
                                                 double test_fraction, std::uint64_t seed = 0, bool stratify = false) {
  return train_test_split<typename Derived::Scalar>(X, y, test_fraction, seed, stratify);
}

}  // namespace somtile
