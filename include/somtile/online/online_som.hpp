#pragma once
// NumbaSOM's online trainer: per iteration one random sample x, its best-matching unit b
// (Euclidean, lowest unit on ties) and the update
//     w_u += lr(t) h(d(b, u); sigma(t)) (x - w_u)
// of the units in the square window of half-width neighborhood_radius(kernel, sigma(t),
// kernel_epsilon) grid steps around b (wrapping on a torus). Units outside it have
// |h| < kernel_epsilon and are not touched.
//
// NumbaSOM's schedules (numbasom/core.py, _som_calc, github.com/nmarincic/numbasom), for
// iteration t = 0 .. T-1 of T = num_iterations, and the defaults here:
//   learning rate  lr(t)  = lr0 exp(-t / T), lr0 = 0.1        -> Decay::exponential, lr0 -> lr0 / e
//                  (learning_rate_final unset follows learning_rate: lr0 / e keeps the shape)
//   radius         r(t)^2 = R0^2 exp(-t / (T / ln R0^2)), R0 = max(rows, cols) / 2,
//                  that is r(t) = R0 (1 / R0)^(t / T)        -> Decay::exponential, R0 -> 1 (sigma)
// Deliberate differences from NumbaSOM:
//   - kernel: NumbaSOM weighs exp(-d^4 / (2 r^4)) and cuts at d < r (a flat-topped bump that
//     is still 0.61 at its edge); we use the classic Gaussian exp(-d^2 / (2 sigma^2)) with
//     sigma = r(t), or any other Neighborhood;
//   - torus: NumbaSOM updates around four mirror images of the BMU (a unit near two images is
//     updated twice); we use somtile::Grid's minimum-image distance, one update per unit;
//   - initialisation: NumbaSOM draws every component uniformly in [0, 1); we draw uniformly in
//     each feature's [min, max] over the training data, the same thing whenever the data spans
//     [0, 1] (always so with normalize = true);
//   - normalize = true: NumbaSOM returns the lattice in its scaled [0, 1] units; ours is mapped
//     back to the data's units (w * (max - min) + min; a constant feature trains as 0 and maps
//     back to its constant).
//
// Missing values (params.missing = Missing::mask): a NaN cell is a missing value. A sample
// with missing cells finds its BMU over its present features only (the least sum of squared
// differences over them, which ranks units as the masked Euclidean distance of
// kernels/masked_bmu.hpp does) and its update w_u += lr h (x - w_u) moves only the present
// features of w_u. The initial lattice is drawn in each feature's [min, max] over its present
// values (train() needs one in every feature), and normalize and scaling fit on them.
// Samples without missing cells take exactly the code path of complete data, so complete data
// give the same lattice under mask as under reject, bit for bit.
//
// Random stream, seeded with params.seed by every train(): first rows * cols * features
// uniforms for the initial lattice (unit-major, features inner), then one
// uniform_index(n_samples) per iteration; partial_fit continues the same stream. Each step
// depends on the previous one, so training runs on one thread and never depends on the
// thread count.

#include "somtile/core/error.hpp"
#include "somtile/core/random.hpp"
#include "somtile/core/types.hpp"
#include "somtile/core/detail/sparse_fwd.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/grid/neighborhood.hpp"
#include "somtile/grid/schedule.hpp"
#include "somtile/grid/grid.hpp"
#include "somtile/kernels/bmu.hpp"
#include "somtile/kernels/bmu.hpp"  // find_bmus(..., Missing)
#include "somtile/grid/detail/sigma_warning.hpp"
#include "somtile/online/lattice.hpp"
#include "somtile/preprocessing/scaler.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace somtile {

/// Parameters of OnlineSom (NumbaSOM's trainer); every field has a default.
struct OnlineSomParams {
  Index rows = 10;                  ///< lattice rows
  Index cols = 10;                  ///< lattice columns
  bool torus = false;               ///< wrap rows and columns around
  double learning_rate = 0.1;       ///< lr at the first iteration (NumbaSOM: 0.1)
  /// End point of Decay::exponential; unset = learning_rate / e, NumbaSOM's exp(-t / T) decay
  /// whatever learning_rate is (a fixed end point would change the decay's shape).
  std::optional<double> learning_rate_final;
  /// Schedule of the learning rate (NumbaSOM: exponential).
  Decay lr_decay = Decay::exponential;
  double sigma = 0.0;               ///< initial kernel width in grid steps; 0 = max(rows, cols) / 2 (NumbaSOM)
  double sigma_final = 1.0;         ///< end point of Decay::exponential for sigma (NumbaSOM: 1)
  /// Schedule of sigma (NumbaSOM: exponential).
  Decay sigma_decay = Decay::exponential;
  /// Kernel on the grid distance (NumbaSOM: gaussian).
  Neighborhood neighborhood = Neighborhood::gaussian;
  double kernel_epsilon = 1e-6;     ///< units whose |kernel weight| is below this are not updated
  /// Seed of the initial lattice and the sample draws.
  std::uint64_t seed = 42;
  Scaling scaling = Scaling::none;  ///< train on scaled features (preprocessing/scaler.hpp); the
                                    ///< lattice still comes back in the data's units
  /// NaN cells: rejected (InputError), or Missing::mask: missing, the BMU is found over the
  /// sample's present features and the update moves those features only (see the top of this file).
  Missing missing = Missing::reject;
};

/// Checks every rule on the parameters of an OnlineSom; the OnlineSom constructor and
/// load_online_som() call it. Messages name the call `OnlineSom`.
/// \throws ParameterError if rows, cols or learning_rate is not > 0, sigma < 0, an exponential
///         decay's end point is not > 0, or kernel_epsilon is not in (0, 1).
/// The learning rate's end point: learning_rate_final, or learning_rate / e when it is unset.
inline double final_learning_rate(const OnlineSomParams& p) {
  return p.learning_rate_final ? *p.learning_rate_final : p.learning_rate * 0.36787944117144233;  // 1/e
}

inline void validate(const OnlineSomParams& p) {
  const char* call = "OnlineSom";
  detail::check_positive(call, "rows", p.rows);
  detail::check_positive(call, "cols", p.cols);
  detail::check_positive(call, "learning_rate", p.learning_rate);
  detail::check_non_negative(call, "sigma", p.sigma);
  if (p.lr_decay == Decay::exponential)
    detail::check_positive(call, "learning_rate_final", final_learning_rate(p));
  if (p.sigma_decay == Decay::exponential) detail::check_positive(call, "sigma_final", p.sigma_final);
  detail::require(p.kernel_epsilon > 0.0 && p.kernel_epsilon < 1.0, call,
                  "kernel_epsilon must be in (0, 1), got ", p.kernel_epsilon);
}

namespace detail {

/// Buffers of the online steps, allocated once per training call.
template <typename Scalar>
struct OnlineScratch {
  using Row = Eigen::Array<Scalar, 1, Eigen::Dynamic>;
  explicit OnlineScratch(const Grid& g)
      : distances(g.size()), col_rate(g.cols()), col_offset_sq(g.cols()), unit_rate(g.cols()),
        row_factor(g.rows()), row_offset_sq(g.rows()) {}
  Row distances;                                   ///< per unit: squared distance to the sample
  Row col_rate;                                    ///< per column: lr times the Gaussian's column factor
  Eigen::Array<double, 1, Eigen::Dynamic> col_offset_sq;  ///< per column: squared offset from the BMU
  Row unit_rate;                                   ///< per column of the current row: lr h
  Row row_factor;                                  ///< per row: the Gaussian's row factor
  Eigen::Array<double, 1, Eigen::Dynamic> row_offset_sq;  ///< per row: squared offset from the BMU
};

/// Up to two contiguous index ranges [begin, end) of one grid axis (two when a torus window wraps).
struct AxisWindow {
  Index begin[2] = {0, 0};
  Index end[2] = {0, 0};
  int parts = 0;
};

/// The indices within `reach` of `centre` on an axis of length n, each listed once.
inline AxisWindow axis_window(Index n, Index centre, Index reach, bool wrap) {
  AxisWindow w;
  auto add = [&w](Index b, Index e) {
    w.begin[w.parts] = b;
    w.end[w.parts] = e;
    ++w.parts;
  };
  if (!wrap) {
    add(std::max<Index>(0, centre - reach), std::min(n, centre + reach + 1));
  } else if (2 * reach + 1 >= n) {
    add(0, n);
  } else {
    const Index lo = centre - reach, hi = centre + reach + 1;  // sticks out on one side at most
    if (lo < 0) {
      add(0, hi);
      add(lo + n, n);
    } else if (hi > n) {
      add(lo, n);
      add(0, hi - n);
    } else {
      add(lo, hi);
    }
  }
  return w;
}

/// Steps between a and b on an axis of length n (minimum image when it wraps).
inline Index axis_offset(Index n, Index a, Index b, bool wrap) {
  const Index d = std::abs(a - b);
  return wrap ? std::min(d, n - d) : d;
}

template <typename Scalar>
using ConstRowMap = Eigen::Map<const Eigen::Array<Scalar, 1, Eigen::Dynamic>>;
template <typename Scalar>
using RowMap = Eigen::Map<Eigen::Array<Scalar, 1, Eigen::Dynamic>>;

/// Nearest unit to x (lowest unit on ties) in a feature-major codebook Wt (features x units):
/// each feature is one contiguous pass over the units, which vectorises for any feature count.
/// Units go in chunks that stay in L1 while all features add up and the chunk's minimum is
/// taken; only the winning chunk is searched again for the index.
template <typename Scalar>
Index nearest_unit(const RowMatrix<Scalar>& Wt, const Scalar* x, OnlineScratch<Scalar>& s) {
  constexpr Index chunk = 512;
  const Index units = Wt.cols();
  Scalar best = std::numeric_limits<Scalar>::infinity();
  Index best_chunk = 0;
  for (Index b = 0; b < units; b += chunk) {
    const Index n = std::min(chunk, units - b);
    auto d = s.distances.segment(b, n);
    auto term = [&](Index f) { return (ConstRowMap<Scalar>(Wt.data() + f * units + b, n) - x[f]).square(); };
    // Features three at a time: fewer passes over d, same order of additions.
    const Index F = Wt.rows();
    Index f = 1;
    if (F >= 3) {
      d = term(0) + term(1) + term(2);
      f = 3;
    } else {
      d = term(0);
    }
    for (; f + 1 < F; f += 2) d = d + term(f) + term(f + 1);
    for (; f < F; ++f) d += term(f);
    const Scalar m = d.minCoeff();
    if (m < best) {
      best = m;
      best_chunk = b;
    }
  }
  if (!(best < std::numeric_limits<Scalar>::infinity())) {
    // Every squared distance overflowed (|x - w| beyond ~1e19 in float): compare the distances
    // themselves, in double and scaled where needed, which stay finite. Ties: lowest unit.
    const Eigen::Map<const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>> xv(x, Wt.rows());
    double nearest = std::numeric_limits<double>::infinity();
    Index unit = 0;
    for (Index u = 0; u < units; ++u) {
      const double d = robust_norm(Wt.col(u).template cast<double>() - xv.template cast<double>());
      if (d < nearest) {
        nearest = d;
        unit = u;
      }
    }
    return unit;
  }
  const Scalar* d = s.distances.data();
  return Index(std::find(d + best_chunk, d + units, best) - d);
}

/// nearest_unit for a sample with missing cells: the least sum of squared differences over
/// the features listed in `present` (ascending, at least one), added in that order; lowest
/// unit on ties.
template <typename Scalar>
Index nearest_unit_masked(const RowMatrix<Scalar>& Wt, const Scalar* x, const std::vector<Index>& present,
                          OnlineScratch<Scalar>& s) {
  constexpr Index chunk = 512;
  const Index units = Wt.cols();
  Scalar best = std::numeric_limits<Scalar>::infinity();
  Index best_chunk = 0;
  for (Index b = 0; b < units; b += chunk) {
    const Index n = std::min(chunk, units - b);
    auto d = s.distances.segment(b, n);
    auto term = [&](Index f) { return (ConstRowMap<Scalar>(Wt.data() + f * units + b, n) - x[f]).square(); };
    d = term(present[0]);
    for (std::size_t k = 1; k < present.size(); ++k) d += term(present[k]);
    const Scalar m = d.minCoeff();
    if (m < best) {
      best = m;
      best_chunk = b;
    }
  }
  if (!(best < std::numeric_limits<Scalar>::infinity())) {  // squares overflowed: as nearest_unit
    Eigen::VectorXd diff(Index(present.size()));
    double nearest = std::numeric_limits<double>::infinity();
    Index unit = 0;
    for (Index u = 0; u < units; ++u) {
      for (std::size_t k = 0; k < present.size(); ++k)
        diff[Index(k)] = double(Wt(present[k], u)) - double(x[present[k]]);
      const double d = robust_norm(diff);
      if (d < nearest) {
        nearest = d;
        unit = u;
      }
    }
    return unit;
  }
  const Scalar* d = s.distances.data();
  return Index(std::find(d + best_chunk, d + units, best) - d);
}

/// Per column of X, the least and greatest value that is not NaN (both 0 for a column without one).
template <typename Scalar>
std::pair<Eigen::Array<Scalar, 1, Eigen::Dynamic>, Eigen::Array<Scalar, 1, Eigen::Dynamic>> present_range(
    const RowMatrix<Scalar>& X) {
  const Index F = X.cols();
  Eigen::Array<Scalar, 1, Eigen::Dynamic> lo = Eigen::Array<Scalar, 1, Eigen::Dynamic>::Constant(
                                              F, std::numeric_limits<Scalar>::infinity()),
                                          hi = -lo;
  for (Index i = 0; i < X.rows(); ++i)
    for (Index j = 0; j < F; ++j) {
      const Scalar v = X(i, j);
      if (v < lo[j]) lo[j] = v;  // false for NaN
      if (v > hi[j]) hi[j] = v;
    }
  for (Index j = 0; j < F; ++j)
    if (lo[j] > hi[j]) lo[j] = hi[j] = Scalar(0);
  return {lo, hi};
}

/// One online step on a feature-major codebook: w_u += lr h(d(bmu, u); sigma) (x - w_u) for
/// the units at most `radius` grid steps from the BMU along rows and along columns. `present`,
/// when given, lists the features to move (a sample with missing cells); else all move.
template <typename Scalar>
void online_update(RowMatrix<Scalar>& Wt, const Grid& g, const Scalar* x, Index bmu, double lr,
                   double sigma, Neighborhood kind, double radius, OnlineScratch<Scalar>& s,
                   const std::vector<Index>* present = nullptr) {
  // Every feature, or (a sample with missing cells) the listed ones: two plain loops, so the
  // complete-data loop is the one it always was.
  const auto each_feature = [&Wt, present](auto&& step) {
    if (present) {
      for (Index f : *present) step(f);
    } else {
      for (Index f = 0; f < Wt.rows(); ++f) step(f);
    }
  };
  const Index cols = g.cols(), units = g.size(), br = g.row_of(bmu), bc = g.col_of(bmu);
  const Index reach = Index(std::min(std::floor(radius), double(std::max(g.rows(), cols))));
  const AxisWindow row_window = axis_window(g.rows(), br, reach, g.torus());
  const AxisWindow col_window = axis_window(cols, bc, reach, g.torus());
  // The Gaussian is separable: exp(-(dr^2 + dc^2) / 2s^2) = row factor * column factor, so a
  // step needs one exp per window row and column instead of one per unit (vectorised: a
  // scalar exp per row and column was a fifth of a step).
  const bool gaussian = kind == Neighborhood::gaussian;
  const double inv_two_s2 = 1.0 / (2.0 * sigma * sigma);
  for (int p = 0; p < col_window.parts; ++p) {
    const Index b = col_window.begin[p], len = col_window.end[p] - b;
    for (Index c = b; c < b + len; ++c) {
      const double dc = double(axis_offset(cols, c, bc, g.torus()));
      s.col_offset_sq[c] = dc * dc;
    }
    if (gaussian)
      s.col_rate.segment(b, len) = (lr * (s.col_offset_sq.segment(b, len) * -inv_two_s2).exp()).template cast<Scalar>();
  }
  for (int p = 0; p < row_window.parts; ++p) {
    const Index b = row_window.begin[p], len = row_window.end[p] - b;
    for (Index r = b; r < b + len; ++r) {
      const double dr = double(axis_offset(g.rows(), r, br, g.torus()));
      s.row_offset_sq[r] = dr * dr;
    }
    if (gaussian)
      s.row_factor.segment(b, len) = (s.row_offset_sq.segment(b, len) * -inv_two_s2).exp().template cast<Scalar>();
  }
  for (int rp = 0; rp < row_window.parts; ++rp) {
    for (Index r = row_window.begin[rp]; r < row_window.end[rp]; ++r) {
      const double dr2 = s.row_offset_sq[r];
      const Scalar row_factor = gaussian ? s.row_factor[r] : Scalar(0);
      for (int cp = 0; cp < col_window.parts; ++cp) {
        const Index b = col_window.begin[cp], len = col_window.end[cp] - b;
        if (gaussian) {  // the rate is formed inside the update: no extra pass
          const auto col_rate = s.col_rate.segment(b, len);
          each_feature([&](Index f) {
            RowMap<Scalar> w(Wt.data() + f * units + r * cols + b, len);
            w += (row_factor * col_rate) * (x[f] - w);
          });
        } else {
          auto rate = s.unit_rate.segment(b, len);
          for (Index c = b; c < b + len; ++c)
            rate[c - b] = Scalar(lr * neighborhood_weight(kind, dr2 + s.col_offset_sq[c], sigma));
          each_feature([&](Index f) {
            RowMap<Scalar> w(Wt.data() + f * units + r * cols + b, len);
            w += rate * (x[f] - w);
          });
        }
      }
    }
  }
}

}  // namespace detail

/// NumbaSOM's online trainer (see the top of this file): one random sample per iteration on a
/// rows x cols rectangular lattice, optionally a torus. train() returns the trained Lattice;
/// partial_fit() continues training at the last learning rate and sigma.
///
/// \tparam Scalar  float or double: the codebook's and the data's scalar.
/// \throws ParameterError (constructor) when validate(params) fails; from train() and
///         partial_fit() when num_iterations is not > 0.
/// \throws InputError from train(), partial_fit() and predict() when X is empty, holds infinite
///         values, or holds NaN values (Missing::reject) or a row of NaN only (Missing::mask), from
///         train() when a column is NaN only, and from partial_fit() and predict() when X has a
///         feature count other than n_features().
/// \throws NotFittedError from lattice() before any training.
///
/// \code
/// OnlineSomParams p;
/// p.rows = 50; p.cols = 100; p.torus = true;
/// OnlineSom<float> osom(p);
/// Lattice<float> lat = osom.train(X, /*num_iterations=*/15000);
/// lat = osom.partial_fit(X, 2000);                 // fine-tuning
/// LatticeProjection cells = project_on_lattice<float>(X, lat);
/// \endcode
template <typename Scalar>
class OnlineSom {
 public:
  /// A trainer with these parameters. \throws ParameterError when validate(params) fails.
  explicit OnlineSom(const OnlineSomParams& params = {}) : params_(params) {
    configure();
    detail::warn_sigma_beyond_map("OnlineSom", sigma0_, params_.rows, params_.cols);
  }

  /// The parameters the trainer was built with.
  const OnlineSomParams& params() const { return params_; }
  /// The lattice's grid.
  const Grid& grid() const { return grid_; }
  /// True once trained (train(), partial_fit() or a load).
  bool is_fitted() const { return state_.iterations > 0; }
  /// Features of the training data (0 before training).
  Index n_features() const { return state_.weights_t.rows(); }
  /// Iterations trained so far: train() counts from 0, partial_fit adds to it.
  Index n_iterations() const { return state_.iterations; }
  /// The kernel width at the first iteration (params().sigma, or its NumbaSOM default).
  double initial_sigma() const { return sigma0_; }

  /// Trains a fresh lattice for num_iterations steps of the schedules (see the top of this
  /// file) and returns it. normalize = true trains on features scaled to [0, 1] by their
  /// min/max and returns the lattice mapped back to the data's units; params().scaling
  /// (standard or minmax, as scikit-learn's scalers) does the same with that scaling, and
  /// cannot be combined with normalize. Without either, warns when the features' scales differ
  /// by more than 100 times.
  Lattice<Scalar> train(ConstRowRef<Scalar> X, Index num_iterations, bool normalize = false) {
    return train_fresh("OnlineSom::train", X, num_iterations, normalize);
  }

  /// train() on sparse rows (SparseRowMatrix<Scalar>; needs \#include <somtile/sparse.hpp>): the
  /// same steps on the same values, with Scaling::none and normalize = false (scaling would
  /// make the data dense). See online/detail/sparse_online_som.hpp for the cost.
  template <typename Sp, detail::IfSparseRows<Sp, Scalar> = 0>
  Lattice<Scalar> train(const Sp& X, Index num_iterations, bool normalize = false) {
    return detail::SparseOnlineSom<Scalar, Sp>::train(*this, X, num_iterations, normalize);
  }

  /// Continues training for num_iterations more steps with the learning rate and sigma of the
  /// last step taken (the fine-tuning phase of a two-phase SOM; decaying further would need a
  /// horizon the caller never gave). X is scaled like train()'s data if that normalised, and
  /// samples are drawn from it by the same random stream. On an untrained map it is train(X,
  /// num_iterations). Returns the lattice.
  Lattice<Scalar> partial_fit(ConstRowRef<Scalar> X, Index num_iterations) {
    const char* call = "OnlineSom::partial_fit";
    if (!is_fitted()) return train_fresh(call, X, num_iterations, false);
    detail::check_data(call, X, n_features(), "OnlineSom", params_.missing);
    detail::check_positive(call, "num_iterations", num_iterations);
    State next = state_;
    const RowMatrix<Scalar> Xs = next.to_training_space(X);
    const double lr = next.last_learning_rate, sigma = next.last_sigma;
    run(next, Xs, num_iterations, [lr, sigma](Index) { return std::pair<double, double>{lr, sigma}; });
    state_ = std::move(next);
    return lattice();
  }

  /// The BMU (unit r * cols + c) of every row of X, searched where training searched it: in
  /// the training space (X scaled like train()'s data), Euclidean, lowest unit on ties
  /// (rounding aside: the search is the GEMM of find_bmus). With Missing::mask, NaN cells are
  /// missing and the BMU is found over the present features.
  Labels predict(ConstRowRef<Scalar> X, int n_threads = 0) const {
    const char* call = "OnlineSom::predict";
    if (!is_fitted())
      throw NotFittedError("OnlineSom::predict(): this OnlineSom is not trained yet; call train() first");
    detail::check_data(call, X, n_features(), "OnlineSom", params_.missing);
    return training_space_bmus(X, n_threads, params_.missing);
  }

  /// The trained lattice in the data's units.
  Lattice<Scalar> lattice() const {
    if (!is_fitted())
      throw NotFittedError("OnlineSom::lattice(): this OnlineSom is not trained yet; call train() first");
    RowMatrix<Scalar> W = state_.weights_t.transpose();
    W.array().rowwise() *= state_.scale;
    W.array().rowwise() += state_.offset;
    return Lattice<Scalar>(grid_, std::move(W));
  }

  /// Writes or reads every field, the random stream included, so a loaded map continues with
  /// partial_fit exactly as the saved one would (io/detail/archive.hpp, io/model_io.hpp).
  template <typename Archive>
  void serialize(Archive& ar) {
    OnlineSomParams& p = params_;
    // learning_rate_final: a number in every version, then (version 2) whether it was unset
    // and follows learning_rate; version 1 files always held a number.
    double lr_final = final_learning_rate(p);
    ar(p.rows, p.cols, p.torus, p.learning_rate, lr_final);
    bool follows = !p.learning_rate_final.has_value();
    if (ar.version() >= 2) ar(follows);
    if constexpr (Archive::loading) {
      if (ar.version() < 2) follows = false;
      p.learning_rate_final = follows ? std::nullopt : std::optional<double>(lr_final);
    }
    ar.choice(p.lr_decay);
    ar(p.sigma, p.sigma_final);
    ar.choice(p.sigma_decay);
    ar.choice(p.neighborhood);
    ar(p.kernel_epsilon, p.seed);
    State& s = state_;
    ar(s.weights_t, s.offset, s.scale, s.rng, s.last_learning_rate, s.last_sigma, s.iterations);
    if (ar.version() >= 2) ar.choice(p.scaling);  // version 1 files: Scaling::none
    if (ar.version() >= 3) ar.choice(p.missing);
    else if constexpr (Archive::loading) p.missing = Missing::reject;
    if constexpr (Archive::loading) {
      validate(p);
      const Index F = s.weights_t.rows(), units = s.weights_t.cols();
      ar.check(s.iterations > 0, "the map was never trained (", s.iterations, " iterations)");
      ar.check(F > 0 && units % p.cols == 0 && units / p.cols == p.rows, "the codebook is ", units, " units x ",
               F, " features, the ", p.rows, " x ", p.cols, " grid needs ", p.rows, " * ", p.cols, " units");
      configure();
      ar.check(s.offset.size() == F && s.scale.size() == F, "the feature scaling has ", s.offset.size(), " and ",
               s.scale.size(), " entries for ", F, " features");
      ar.check(s.weights_t.allFinite() && s.offset.allFinite() && s.scale.allFinite() && (s.scale >= Scalar(0)).all(),
               "the codebook or the feature scaling holds NaN, infinite or negative-scale values");
      // partial_fit continues at these; training only ever leaves finite positive values.
      ar.check(std::isfinite(s.last_learning_rate) && s.last_learning_rate > 0 && std::isfinite(s.last_sigma) &&
                   s.last_sigma > 0,
               "the last learning rate and sigma must be finite and > 0, got ", s.last_learning_rate, " and ",
               s.last_sigma);
    }
  }

 private:
  template <typename, typename>
  friend struct detail::SparseOnlineSom;
  using RowArray = Eigen::Array<Scalar, 1, Eigen::Dynamic>;

  struct State {
    // features x units: each feature is contiguous over the units, so the BMU search and the
    // window updates are plain vector loops whatever the feature count.
    RowMatrix<Scalar> weights_t;
    RowArray offset, scale;  // training space = (x - offset) / scale; 0 where scale is 0
    Random rng;
    double last_learning_rate = 0.0, last_sigma = 0.0;
    Index iterations = 0;

    RowMatrix<Scalar> to_training_space(ConstRowRef<Scalar> X) const {
      RowMatrix<Scalar> Xs = X;
      for (Index j = 0; j < Xs.cols(); ++j) {
        if (scale[j] > Scalar(0)) {
          Xs.col(j).array() = (Xs.col(j).array() - offset[j]) / scale[j];
        } else {
          for (Index i = 0; i < Xs.rows(); ++i)
            if (!std::isnan(Xs(i, j))) Xs(i, j) = Scalar(0);  // a missing cell stays missing
        }
      }
      return Xs;
    }
  };

  // impute() (missing/impute.hpp) searches with Missing::mask whatever params().missing is.
  template <typename S>
  friend RowMatrix<S> impute(const OnlineSom<S>& som, DataRef<S> X);

  /// predict() on validated X with the given rule for NaN cells.
  Labels training_space_bmus(ConstRowRef<Scalar> X, int n_threads, Missing missing) const {
    const RowMatrix<Scalar> Xs = state_.to_training_space(X);
    const RowMatrix<Scalar> W = state_.weights_t.transpose();
    return find_bmus<Scalar>(Xs, W, Distance::euclidean, false, n_threads, missing).bmu;
  }

  /// Checks the parameters and derives the grid and the initial sigma from them.
  void configure() {
    validate(params_);
    grid_ = Grid(params_.rows, params_.cols, Topology::rectangular, params_.torus);
    sigma0_ = params_.sigma > 0.0 ? params_.sigma : double(std::max(params_.rows, params_.cols)) / 2.0;
  }

  Lattice<Scalar> train_fresh(const char* call, ConstRowRef<Scalar> X, Index num_iterations,
                              bool normalize) {
    detail::check_data(call, X, params_.missing);
    if (params_.missing == Missing::mask && detail::has_missing(X)) detail::check_columns_present(call, X);
    detail::check_positive(call, "num_iterations", num_iterations);
    detail::require(!(normalize && params_.scaling != Scaling::none), call,
                    "normalize = true and scaling = ", enum_name(params_.scaling), " both scale the data; use one");
    const Index F = X.cols(), T = num_iterations;
    State next;
    if (normalize) {
      auto [lo, hi] = detail::present_range<Scalar>(X);  // NaN cells (Missing::mask) ignored
      next.offset = lo;
      next.scale = hi - lo;
    } else if (params_.scaling == Scaling::standard) {
      StandardScaler<Scalar> scaler;
      scaler.fit(X, params_.missing);
      next.offset = scaler.mean().transpose().array();
      next.scale = scaler.scale().transpose().array();
    } else if (params_.scaling == Scaling::minmax) {
      MinMaxScaler<Scalar> scaler;
      scaler.fit(X, params_.missing);
      next.offset = scaler.data_min().transpose().array();
      // The data's range, 1 for a constant feature (scikit-learn's rule, see MinMaxScaler).
      next.scale = (scaler.data_max() - scaler.data_min()).transpose().array();
      const Scalar tiny = Scalar(10) * std::numeric_limits<Scalar>::epsilon();
      next.scale = (next.scale < tiny).select(RowArray::Ones(F), next.scale);
    } else {
      detail::warn_if_unscaled<Scalar>(call, X);
      next.offset = RowArray::Zero(F);
      next.scale = RowArray::Ones(F);
    }
    const RowMatrix<Scalar> Xs = next.to_training_space(X);
    next.rng.reseed(params_.seed);
    const auto [lo, hi] = detail::present_range<Scalar>(Xs);
    next.weights_t.resize(F, grid_.size());
    for (Index u = 0; u < grid_.size(); ++u)
      for (Index f = 0; f < F; ++f)
        next.weights_t(f, u) = Scalar(next.rng.uniform(double(lo[f]), double(hi[f])));
    const OnlineSomParams& p = params_;
    const double sigma0 = sigma0_;
    run(next, Xs, T, [&p, sigma0, T](Index t) {
      return std::pair<double, double>{
          decay(p.lr_decay, p.learning_rate, double(t), double(T), final_learning_rate(p)),
          decay(p.sigma_decay, sigma0, double(t), double(T), p.sigma_final)};
    });
    state_ = std::move(next);
    return lattice();
  }

  /// num_iterations online steps; schedule(t) gives (learning rate, sigma) of local step t.
  template <typename Schedule>
  void run(State& s, const RowMatrix<Scalar>& Xs, Index num_iterations, Schedule&& schedule) const {
    detail::OnlineScratch<Scalar> scratch(grid_);
    // Every kernel's support grows linearly with sigma, so one radius at sigma = 1 suffices.
    const double unit_radius = neighborhood_radius(params_.neighborhood, 1.0, params_.kernel_epsilon);
    // Missing values: only when there are any, so complete data run the plain steps.
    if (params_.missing == Missing::mask && detail::has_missing(Xs)) {
      run_masked(s, Xs, num_iterations, schedule, scratch, unit_radius);
      return;
    }
    for (Index t = 0; t < num_iterations; ++t) {
      const auto [lr, sigma] = schedule(t);
      const Scalar* x = Xs.row(s.rng.uniform_index(Xs.rows())).data();
      const Index bmu = detail::nearest_unit(s.weights_t, x, scratch);
      detail::online_update(s.weights_t, grid_, x, bmu, lr, sigma, params_.neighborhood,
                            unit_radius * sigma, scratch);
      s.last_learning_rate = lr;
      s.last_sigma = sigma;
    }
    s.iterations += num_iterations;
  }

  /// run() on data with missing cells: a sample with some finds its BMU over its present
  /// features and moves those only; a complete sample takes the plain step.
  template <typename Schedule>
  void run_masked(State& s, const RowMatrix<Scalar>& Xs, Index num_iterations, Schedule& schedule,
                  detail::OnlineScratch<Scalar>& scratch, double unit_radius) const {
    const Index F = Xs.cols();
    std::vector<Index> present;
    present.reserve(std::size_t(F));
    for (Index t = 0; t < num_iterations; ++t) {
      const auto [lr, sigma] = schedule(t);
      const Scalar* x = Xs.row(s.rng.uniform_index(Xs.rows())).data();
      present.clear();
      for (Index f = 0; f < F; ++f)
        if (!std::isnan(x[f])) present.push_back(f);
      const std::vector<Index>* moved = Index(present.size()) < F ? &present : nullptr;
      const Index bmu = moved ? detail::nearest_unit_masked(s.weights_t, x, present, scratch)
                              : detail::nearest_unit(s.weights_t, x, scratch);
      detail::online_update(s.weights_t, grid_, x, bmu, lr, sigma, params_.neighborhood,
                            unit_radius * sigma, scratch, moved);
      s.last_learning_rate = lr;
      s.last_sigma = sigma;
    }
    s.iterations += num_iterations;
  }

  OnlineSomParams params_;
  Grid grid_;
  double sigma0_ = 1.0;
  State state_;
};

}  // namespace somtile
