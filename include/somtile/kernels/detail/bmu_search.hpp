#pragma once
// The internals of find_bmus (kernels/bmu.hpp): the score form of each metric, exact pair
// distances, and the search of one group of samples with the micro-kernel.

#include "somtile/core/types.hpp"
#include "somtile/kernels/detail/score_kernel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

namespace somtile::detail {

/// Euclidean norm; when the squares overflow (huge values, above all in float), Eigen's
/// scaled stableNorm, so a representable norm is returned as such instead of inf.
template <typename Row>
auto robust_norm(const Row& v) {
  const auto n = v.norm();
  return std::isfinite(n) ? n : v.stableNorm();
}

/// The expanded scores that euclidean and cosine BMU searches compare, for the rows of W:
/// score(u) = bias[u] - scale * x.p_u, with p = w, bias = |w|^2, scale = 2 (euclidean: the
/// argmin of |x - w|^2 - |x|^2) or p = w / |w| (unit_rows), bias = 0, scale = 1 (cosine: |x| is
/// the same for every unit).
template <typename Scalar>
struct ScoreForm {
  RowMatrix<Scalar> unit_rows;  // cosine only
  Vector<Scalar> bias;
  Scalar scale = Scalar(2);
  Scalar max_bias = Scalar(0);  // max |bias[u]|, for rounding_slack

  void build(ConstRowRef<Scalar> W, Distance metric) {
    if (metric == Distance::cosine) {
      unit_rows = W;
      for (Index u = 0; u < W.rows(); ++u) {
        const Scalar norm = robust_norm(W.row(u));
        if (norm > Scalar(0)) unit_rows.row(u) /= norm;
      }
      bias.setZero(W.rows());
      scale = Scalar(1);
    } else {
      bias = W.rowwise().squaredNorm();
      scale = Scalar(2);
    }
    max_bias = bias.size() ? bias.cwiseAbs().maxCoeff() : Scalar(0);
  }

  /// The rows in the product: W itself, or its unit-length rows for cosine.
  ConstRowRef<Scalar> prototypes(ConstRowRef<Scalar> W, Distance metric) const {
    return metric == Distance::cosine ? ConstRowRef<Scalar>(unit_rows) : W;
  }
};

/// How far apart the expanded scores of x can be and still be misordered by rounding; not
/// finite when the squares overflowed. max_bias: the largest |bias| over all units searched.
template <typename Scalar>
Scalar rounding_slack_of(Scalar squared_norm, Scalar max_bias) {
  return Scalar(64) * std::numeric_limits<Scalar>::epsilon() * (squared_norm + max_bias + Scalar(1));
}
template <typename Scalar, typename Row>
Scalar rounding_slack(const Row& x, Scalar max_bias) {
  return rounding_slack_of<Scalar>(x.squaredNorm(), max_bias);
}

template <typename Scalar, typename RowA, typename RowB>
Scalar pair_distance(Distance metric, const RowA& x, const RowB& w) {
  switch (metric) {
    case Distance::euclidean:
      return robust_norm(x - w);
    case Distance::manhattan:
      return (x - w).cwiseAbs().sum();
    case Distance::chebyshev:
      return (x - w).cwiseAbs().maxCoeff();
    case Distance::cosine: {
      const Scalar nx = robust_norm(x), nw = robust_norm(w);
      if (nx == Scalar(0) || nw == Scalar(0)) return Scalar(1);
      Scalar cosine = x.dot(w) / (nx * nw);
      if (!std::isfinite(cosine)) cosine = (x / nx).dot(w / nw);  // the product overflowed
      return std::clamp(Scalar(1) - cosine, Scalar(0), Scalar(2));
    }
  }
  return Scalar(0);
}

/// Adds a part's top two to a running one: the top two of a union of units is the top two of
/// the parts' top twos.
template <typename Scalar>
void merge_into(TopTwo<Scalar>& into, const TopTwo<Scalar>& part) {
  if (part.best_unit >= 0) into.offer(part.best, part.best_unit);
  if (part.next_unit >= 0) into.offer(part.next, part.next_unit);
}

/// Per-thread buffers of a BMU pass, reused group after group.
template <typename Scalar>
struct BmuScratch {
  std::vector<Scalar> xt;      ///< the group's samples, packed
  std::vector<Scalar> scores;  ///< unit-major score tile of the group, units x group
  std::vector<TopTwo<Scalar>> top;
  std::vector<Scalar> limit;  ///< per lane: scores up to this are near-tie candidates (-inf: none)
  std::vector<int> slot;
  std::vector<std::vector<Index>> candidates;
};

/// Direct-distance top two of x over the units offered (all of W if `units` is null).
template <typename Scalar, typename Row>
TopTwo<Scalar> direct_top_two(Distance metric, const Row& x, ConstRowRef<Scalar> W,
                              const std::vector<Index>* units = nullptr) {
  TopTwo<Scalar> t;
  if (units) {
    for (const Index u : *units) t.offer(pair_distance<Scalar>(metric, x, W.row(u)), u);
  } else {
    for (Index u = 0; u < W.rows(); ++u) t.offer(pair_distance<Scalar>(metric, x, W.row(u)), u);
  }
  return t;
}

/// Scores one group of samples (rows [begin, begin + rows) of X, rows <= kernel.group) and
/// settles its near ties: the expanded form rounds differently per unit, so where the runner-up
/// is within rounding of the best, the units within that margin are decided by direct
/// distances (ties: lowest index), and where the squares overflowed, all units are. Leaves the
/// group's top twos in b.top.
template <typename Scalar>
void search_group(const ScoreKernel<Scalar>& kernel, const ScoreForm<Scalar>& form, const std::vector<Scalar>& panels,
                  ConstRowRef<Scalar> X, Index begin, Index rows, ConstRowRef<Scalar> W, Distance metric,
                  bool with_second, BmuScratch<Scalar>& b) {
  const Index G = kernel.group, n_units = W.rows();
  b.scores.resize(std::size_t(n_units * G));
  b.top.resize(std::size_t(G));
  b.limit.assign(std::size_t(G), -std::numeric_limits<Scalar>::infinity());
  b.slot.resize(std::size_t(G));
  if (b.candidates.size() < std::size_t(G)) b.candidates.resize(std::size_t(G));
  pack_group(X, begin, rows, G, b.xt);
  kernel.score(
      {panels.data(), b.xt.data(), form.bias.data(), form.scale, n_units, X.cols(), b.scores.data(), G, b.top.data()});
  bool near_ties = false;
  for (Index l = 0; l < rows; ++l) {
    TopTwo<Scalar>& t = b.top[std::size_t(l)];
    const auto x = X.row(begin + l);
    const Scalar slack = rounding_slack(x, form.max_bias);
    b.slot[std::size_t(l)] = int(l);
    if (!std::isfinite(slack) || t.best_unit < 0) {
      t = direct_top_two<Scalar>(metric, x, W);
      if (t.best_unit < 0) t.best_unit = 0;  // every distance overflowed: a tie, lowest unit
    } else if (t.next - t.best <= slack) {
      b.limit[std::size_t(l)] = t.best + slack;
      b.candidates[std::size_t(l)].clear();
      near_ties = true;
    }
  }
  if (!near_ties) return;
  kernel.collect({b.scores.data(), G, n_units, b.limit.data(), b.slot.data(), b.candidates.data()});
  for (Index l = 0; l < rows; ++l) {
    if (!(b.limit[std::size_t(l)] > -std::numeric_limits<Scalar>::infinity())) continue;
    const auto x = X.row(begin + l);
    TopTwo<Scalar> t = direct_top_two<Scalar>(metric, x, W, &b.candidates[std::size_t(l)]);
    if (with_second && t.next_unit < 0)  // the runner-up fell outside the margin
      for (Index u = 0; u < n_units; ++u)
        if (u != t.best_unit) t.offer_second(pair_distance<Scalar>(metric, x, W.row(u)), u);
    b.top[std::size_t(l)] = t;
  }
}
}  // namespace somtile::detail
