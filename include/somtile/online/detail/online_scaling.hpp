#pragma once
// How the online trainer (online/online_som.hpp) applies its Scaler, and how a model file
// gives the Scaler back.
//
// The trainer maps data into its training space as z = (x - shift) / divisor per feature and
// back as w * divisor + shift, the form it used before it held a Scaler: for none, standard
// and minmax alike, so codebooks are bit for bit what they were. For standard this is the
// Scaler's own arithmetic; for minmax it is the same map as MinMaxScaler::transform
// (x * scale + min), rounded differently.
//
// Model files keep that form (format version 3: two vectors, shift and divisor, after the
// codebook), so files written before and after OnlineSom held a Scaler read the same.
// scaler_from_file() rebuilds the Scaler from them: exactly the statistics the trainer uses
// (mean and scale; data_min and a data_max whose difference from data_min rounds to the
// stored range), while the statistics it never used are reconstructed: a standard scaler's
// var is scale^2 (1 for a constant feature), and a minmax constant feature (stored range 1)
// reads data_max = data_min + 1.

#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/preprocessing/scaler.hpp"

#include <cmath>
#include <limits>
#include <utility>

namespace somtile::detail {

template <typename Scalar>
using FeatureRow = Eigen::Array<Scalar, 1, Eigen::Dynamic>;

/// The range a minmax scaler divides by: data_max - data_min, or 1 for a constant feature
/// (below 10 machine epsilons, MinMaxScaler's and scikit-learn's rule).
template <typename Scalar>
Scalar minmax_divisor(Scalar data_min, Scalar data_max) {
  const Scalar range = data_max - data_min;
  return range < Scalar(10) * std::numeric_limits<Scalar>::epsilon() ? Scalar(1) : range;
}

/// The scaler as (x - shift) / divisor per feature, for F features; divisor > 0. Scaling::none
/// (or an unfitted scaler) is shift 0, divisor 1.
template <typename Scalar>
std::pair<FeatureRow<Scalar>, FeatureRow<Scalar>> shift_and_divisor(const Scaler<Scalar>& scaler, Index F) {
  std::pair<FeatureRow<Scalar>, FeatureRow<Scalar>> out{FeatureRow<Scalar>::Zero(F), FeatureRow<Scalar>::Ones(F)};
  if (scaler.kind() == Scaling::standard) {
    out.first = scaler.standard().mean().transpose().array();
    out.second = scaler.standard().scale().transpose().array();
  } else if (scaler.kind() == Scaling::minmax) {
    const auto& m = scaler.minmax();
    out.first = m.data_min().transpose().array();
    for (Index j = 0; j < F; ++j) out.second[j] = minmax_divisor(m.data_min()[j], m.data_max()[j]);
  }
  return out;
}

/// X in the training space: (x - shift) / divisor, column by column; NaN stays NaN.
template <typename Scalar>
RowMatrix<Scalar> to_training_space(const Scaler<Scalar>& scaler, ConstRowRef<Scalar> X) {
  RowMatrix<Scalar> Xs = X;
  if (scaler.kind() == Scaling::none) return Xs;
  const auto [shift, divisor] = shift_and_divisor(scaler, X.cols());
  for (Index j = 0; j < Xs.cols(); ++j) Xs.col(j).array() = (Xs.col(j).array() - shift[j]) / divisor[j];
  return Xs;
}

/// A codebook (units x features) from the training space back in the data's units.
template <typename Scalar>
RowMatrix<Scalar> to_data_units(const Scaler<Scalar>& scaler, RowMatrix<Scalar> W) {
  // Applied for none too (w * 1 + 0), as always: -0 comes back as +0, bit for bit as before.
  const auto [shift, divisor] = shift_and_divisor(scaler, W.cols());
  W.array().rowwise() *= divisor;
  W.array().rowwise() += shift;
  return W;
}

/// The Scaler a model file's (shift, divisor) pair stands for (see the top of this file).
/// `kind` is the file's params.scaling; a file with Scaling::none but a shift or divisor other
/// than 0 and 1 was trained with normalize = true, which is minmax. A divisor of 0 is the rule
/// normalize = true used for a constant feature before (it trained as 0): it reads as a
/// constant feature now, divisor 1, the same map on the data the model was trained on.
/// \throws InputError (through `check`) when the pair breaks the scaler's rules.
template <typename Scalar, typename Check>
Scaler<Scalar> scaler_from_file(Scaling kind, const FeatureRow<Scalar>& shift, const FeatureRow<Scalar>& divisor,
                                Check&& check) {
  const Index F = shift.size();
  check(divisor.size() == F, "the feature scaling has ", F, " shifts and ", divisor.size(), " divisors");
  check(shift.allFinite() && divisor.allFinite() && (divisor >= Scalar(0)).all(),
        "the feature scaling holds NaN, infinite or negative-scale values");
  if (kind == Scaling::none && ((shift != Scalar(0)).any() || (divisor != Scalar(1)).any())) kind = Scaling::minmax;
  if (kind == Scaling::none) return Scaler<Scalar>();
  if (kind == Scaling::standard) {
    check((divisor > Scalar(0)).all(), "a standard scaling has a scale of 0");
    // var as fit() leaves it: computed in double, cast (overflowing float, it saturates here).
    const double most = double(std::numeric_limits<Scalar>::max());
    const Vector<Scalar> var = divisor.template cast<double>().square().min(most).template cast<Scalar>().transpose();
    return Scaler<Scalar>(StandardScaler<Scalar>::from_statistics(shift.transpose(), var, divisor.transpose()));
  }
  // minmax: a data_max whose divisor is the stored one; near data_min + divisor (within a few
  // units in the last place, as rounding left it).
  RowMatrix<Scalar> corners(2, F);
  for (Index j = 0; j < F; ++j) {
    const Scalar lo = shift[j], d = divisor[j];
    Scalar hi = d == Scalar(0) ? lo : lo + d;
    if (d > Scalar(0)) {
      const Scalar start = hi;
      const Scalar inf = std::numeric_limits<Scalar>::infinity();
      for (int k = 1; k <= 4 && minmax_divisor(lo, hi) != d; ++k) {
        Scalar up = start, down = start;
        for (int i = 0; i < k; ++i) up = std::nextafter(up, inf), down = std::nextafter(down, -inf);
        hi = minmax_divisor(lo, up) == d ? up : down;
      }
      check(std::isfinite(hi) && minmax_divisor(lo, hi) == d, "feature ", j, "'s range ", d,
            " is not one a minimum of ", lo, " and a finite maximum can have");
    }
    corners(0, j) = lo;
    corners(1, j) = std::max(lo, hi);
  }
  // A MinMaxScaler depends on its data only through each feature's minimum and maximum.
  MinMaxScaler<Scalar> minmax;
  minmax.fit(corners);
  return Scaler<Scalar>(minmax);
}

}  // namespace somtile::detail
