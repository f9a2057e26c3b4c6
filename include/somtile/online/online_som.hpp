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
//     [0, 1] (always so with Scaling::minmax);
//   - NumbaSOM's normalize = true is scaling = Scaling::minmax: NumbaSOM returns the lattice in
//     its scaled [0, 1] units; ours is mapped back to the data's units (w * (max - min) + min; a
//     constant feature trains as 0 and maps back to its constant).
//
// Feature scaling: the OnlineSom holds a Scaler (preprocessing/scaler.hpp, params.scaling),
// fitted on the data of every fresh training and applied to every data it is given afterwards
// (partial_fit, predict, transform); the codebook lives in the scaled space (weights()) and
// lattice() returns it in the data's units. online/detail/online_scaling.hpp says how the
// trainer applies it and how model files store it. The deprecated train(X, n, normalize = true)
// is Scaling::minmax for that training.
//
// Missing values (params.missing = Missing::mask): a NaN cell is a missing value. A sample
// with missing cells finds its BMU over its present features only (the least sum of squared
// differences over them, which ranks units as the masked Euclidean distance of
// kernels/detail/masked_distance.hpp does) and its update w_u += lr h (x - w_u) moves only the present
// features of w_u. The initial lattice is drawn in each feature's [min, max] over its present
// values (train() needs one in every feature), and the scaling fits on them.
// Samples without missing cells take exactly the code path of complete data, so complete data
// give the same lattice under mask as under reject, bit for bit.
//
// Random stream, seeded with params.seed by every fit() and train(): first rows * cols *
// features uniforms for the initial lattice (unit-major, features inner), then one
// uniform_index(n_samples) per iteration; partial_fit continues the same stream. Each step
// depends on the previous one, so training runs on one thread and never depends on the
// thread count.

#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/detail/precompiled.hpp"  // SOMTILE_OUTLINE
#include "somtile/core/detail/sparse_fwd.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/random.hpp"
#include "somtile/core/types.hpp"
#include "somtile/grid/detail/sigma_warning.hpp"
#include "somtile/grid/grid.hpp"
#include "somtile/grid/neighborhood.hpp"
#include "somtile/grid/schedule.hpp"
#include "somtile/kernels/bmu.hpp"
#include "somtile/kernels/bmu.hpp"  // find_bmus(..., Missing)
#include "somtile/online/detail/online_scaling.hpp"
#include "somtile/online/detail/online_step.hpp"
#include "somtile/online/lattice.hpp"
#include "somtile/preprocessing/scaler.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

namespace somtile {

/// Parameters of OnlineSom (NumbaSOM's trainer); every field has a default.
struct OnlineSomParams {
  Index rows = 10;             ///< lattice rows
  Index cols = 10;             ///< lattice columns
  bool torus = false;          ///< wrap rows and columns around
  double learning_rate = 0.1;  ///< lr at the first iteration (NumbaSOM: 0.1)
  /// End point of Decay::exponential; unset = learning_rate / e, NumbaSOM's exp(-t / T) decay
  /// whatever learning_rate is (a fixed end point would change the decay's shape).
  std::optional<double> learning_rate_final;
  /// Schedule of the learning rate (NumbaSOM: exponential).
  Decay lr_decay = Decay::exponential;
  double sigma = 0.0;        ///< initial kernel width in grid steps; 0 = max(rows, cols) / 2 (NumbaSOM)
  double sigma_final = 1.0;  ///< end point of Decay::exponential for sigma (NumbaSOM: 1)
  /// Schedule of sigma (NumbaSOM: exponential).
  Decay sigma_decay = Decay::exponential;
  /// Kernel on the grid distance (NumbaSOM: gaussian).
  Neighborhood neighborhood = Neighborhood::gaussian;
  double kernel_epsilon = 1e-6;  ///< units whose |kernel weight| is below this are not updated
  /// Seed of the initial lattice and the sample draws.
  std::uint64_t seed = 42;
  Scaling scaling = Scaling::none;  ///< train on scaled features (preprocessing/scaler.hpp); the
                                    ///< lattice still comes back in the data's units
  /// NaN cells: rejected (InputError), or Missing::mask: missing, the BMU is found over the
  /// sample's present features and the update moves those features only (see the top of this file).
  Missing missing = Missing::reject;
  /// Steps fit() trains (one random sample each); train() takes its own count, as NumbaSOM's.
  /// Not stored in model files (format 3): a loaded map reads the iterations it was trained.
  Index num_iterations = 10000;
};

/// The learning rate's end point: learning_rate_final, or learning_rate / e when it is unset.
inline double final_learning_rate(const OnlineSomParams& p) {
  return p.learning_rate_final ? *p.learning_rate_final : p.learning_rate * 0.36787944117144233;  // 1/e
}

/// Checks every rule on the parameters of an OnlineSom; the OnlineSom constructor and
/// load_online_som() call it. Messages name the call `OnlineSom`.
/// \throws ParameterError if rows, cols, num_iterations or learning_rate is not > 0, sigma < 0,
///         an exponential decay's end point is not > 0, or kernel_epsilon is not in (0, 1).
inline void validate(const OnlineSomParams& p) {
  const char* call = "OnlineSom";
  detail::check_positive(call, "rows", p.rows);
  detail::check_positive(call, "cols", p.cols);
  detail::check_positive(call, "num_iterations", p.num_iterations);
  detail::check_positive(call, "learning_rate", p.learning_rate);
  detail::check_non_negative(call, "sigma", p.sigma);
  if (p.lr_decay == Decay::exponential) detail::check_positive(call, "learning_rate_final", final_learning_rate(p));
  if (p.sigma_decay == Decay::exponential) detail::check_positive(call, "sigma_final", p.sigma_final);
  detail::require(p.kernel_epsilon > 0.0 && p.kernel_epsilon < 1.0, call, "kernel_epsilon must be in (0, 1), got ",
                  p.kernel_epsilon);
}

/// NumbaSOM's online trainer (see the top of this file): one random sample per iteration on a
/// rows x cols rectangular lattice, optionally a torus. Two ways to train, the same steps:
/// scikit-learn's fit(X) (params().num_iterations steps, returns *this) and NumbaSOM's
/// train(X, num_iterations) (returns the Lattice). partial_fit() continues training at the
/// last learning rate and sigma.
///
/// \tparam Scalar  float or double: the codebook's and the data's scalar.
/// \throws ParameterError (constructor) when validate(params) fails; from train() and
///         partial_fit() when num_iterations is not > 0.
/// \throws InputError from fit(), train(), partial_fit(), predict() and transform() when X is
///         empty, holds infinite values, or holds NaN values (Missing::reject) or a row of NaN
///         only (Missing::mask), from fit() and train() when a column is NaN only, and from
///         partial_fit(), predict() and transform() when X has a feature count other than
///         n_features().
/// \throws NotFittedError from lattice(), weights(), weights_in_data_units(), predict() and
///         transform() before any training.
///
/// \code
/// OnlineSom<float> osom({.rows = 50, .cols = 100, .torus = true, .scaling = Scaling::minmax});
/// Lattice<float> lat = osom.train(X, /*num_iterations=*/15000);   // NumbaSOM's call
/// Labels bmu = osom.fit(X).predict(X);             // or scikit-learn's (params().num_iterations)
/// lat = osom.partial_fit(X, 2000);                 // fine-tuning
/// LatticeProjection cells = project_on_lattice<float>(X, osom.lattice());
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
  /// Iterations trained so far: fit() and train() count from 0, partial_fit adds to it.
  Index n_iterations() const { return state_.iterations; }
  /// The kernel width at the first iteration (params().sigma, or its NumbaSOM default).
  double initial_sigma() const { return sigma0_; }
  /// The feature scaling fitted by the last fit() or train() (params().scaling; minmax after
  /// the deprecated train(X, n, true)) and applied to every data given afterwards.
  const Scaler<Scalar>& scaler() const { return state_.scaler; }

  /// Trains a fresh lattice for params().num_iterations steps of the schedules (see the top of
  /// this file) on X, scaled by params().scaling; without scaling, warns when the features'
  /// scales differ by more than 100 times. Returns *this; the map is lattice(). train(X, n)
  /// is the same training with n steps. On an exception the previous map is kept.
  OnlineSom& fit(ConstRowRef<Scalar> X);

  /// fit() on sparse rows (SparseRowMatrix<Scalar>; needs \#include <somtile/sparse.hpp>), as
  /// train() on them.
  template <typename Sp, detail::IfSparseRows<Sp, Scalar> = 0>
  OnlineSom& fit(const Sp& X) {
    detail::SparseOnlineSom<Scalar, Sp>::train(*this, "OnlineSom::fit", X, params_.num_iterations, false);
    return *this;
  }

  /// NumbaSOM's call: trains a fresh lattice for num_iterations steps (fit() with that count)
  /// and returns it.
  Lattice<Scalar> train(ConstRowRef<Scalar> X, Index num_iterations);

  /// train() with NumbaSOM's normalize: true trains on features min-max scaled to [0, 1] by
  /// their range over X, which is Scaling::minmax (scaler().kind() reads minmax after it;
  /// params() is not changed), and cannot be combined with params().scaling.
  [[deprecated(
      "set OnlineSomParams::scaling = Scaling::minmax instead of normalize = true")]] SOMTILE_OUTLINE Lattice<Scalar>
  train(ConstRowRef<Scalar> X, Index num_iterations, bool normalize) {
    const char* call = "OnlineSom::train";
    detail::require(!(normalize && params_.scaling != Scaling::none), call,
                    "normalize = true and scaling = ", enum_name(params_.scaling), " both scale the data; use one");
    train_fresh(call, X, num_iterations, normalize ? Scaling::minmax : params_.scaling);
    return lattice();
  }

  /// train() on sparse rows (SparseRowMatrix<Scalar>; needs \#include <somtile/sparse.hpp>): the
  /// same steps on the same values, with Scaling::none (scaling would make the data dense).
  /// See online/detail/sparse_online_som.hpp for the cost.
  template <typename Sp, detail::IfSparseRows<Sp, Scalar> = 0>
  Lattice<Scalar> train(const Sp& X, Index num_iterations) {
    detail::SparseOnlineSom<Scalar, Sp>::train(*this, "OnlineSom::train", X, num_iterations, false);
    return lattice();
  }
  /// Deprecated: train() on sparse rows with NumbaSOM's normalize flag; normalize = true is
  /// refused for sparse rows as Scaling::minmax is.
  template <typename Sp, detail::IfSparseRows<Sp, Scalar> = 0>
  [[deprecated(
      "set OnlineSomParams::scaling = Scaling::minmax instead of normalize = true")]] SOMTILE_OUTLINE Lattice<Scalar>
  train(const Sp& X, Index num_iterations, bool normalize) {
    detail::SparseOnlineSom<Scalar, Sp>::train(*this, "OnlineSom::train", X, num_iterations, normalize);
    return lattice();
  }

  /// Continues training for num_iterations more steps with the learning rate and sigma of the
  /// last step taken (the fine-tuning phase of a two-phase SOM; decaying further would need a
  /// horizon the caller never gave). X is scaled by scaler(), and samples are drawn from it by
  /// the same random stream. On an untrained map it is train(X, num_iterations). Returns the
  /// lattice.
  Lattice<Scalar> partial_fit(ConstRowRef<Scalar> X, Index num_iterations);

  /// The BMU (unit r * cols + c) of every row of X, searched where training searched it: in
  /// the training space (X scaled by scaler()), Euclidean, lowest unit on ties (rounding aside:
  /// the search is the GEMM of find_bmus). With Missing::mask, NaN cells are missing and the
  /// BMU is found over the present features.
  Labels predict(ConstRowRef<Scalar> X, int n_threads = 0) const;

  /// Distance from every row of X to every unit (n x units), Euclidean, in the training space
  /// (X scaled by scaler()); predict() is each row's nearest. With Missing::mask, a row with
  /// NaN cells gets the masked distance of kernels/detail/masked_distance.hpp (over its present features,
  /// scaled by F / p), which ranks the units as predict() does.
  RowMatrix<Scalar> transform(ConstRowRef<Scalar> X, int n_threads = 0) const;

  /// The trained lattice in the data's units.
  Lattice<Scalar> lattice() const {
    fitted("OnlineSom::lattice");
    return Lattice<Scalar>(grid_, detail::to_data_units(state_.scaler, weights_t_transposed()));
  }

  /// Codebook, units x features (unit r * cols + c in row r * cols + c), in the training space:
  /// scaled by scaler() when it scales (as Som::weights()).
  RowMatrix<Scalar> weights() const {
    fitted("OnlineSom::weights");
    return weights_t_transposed();
  }
  /// The codebook in the data's units: lattice().codebook().
  RowMatrix<Scalar> weights_in_data_units() const {
    fitted("OnlineSom::weights_in_data_units");
    return detail::to_data_units(state_.scaler, weights_t_transposed());
  }

  /// Writes or reads every field, the random stream included, so a loaded map continues with
  /// partial_fit exactly as the saved one would (io/detail/archive.hpp, io/model_io.hpp). The
  /// scaler is stored as the (shift, divisor) pair the trainer applies, the format-3 record
  /// (online/detail/online_scaling.hpp).
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
    detail::FeatureRow<Scalar> shift, divisor;
    if constexpr (!Archive::loading) std::tie(shift, divisor) = detail::shift_and_divisor(s.scaler, n_features());
    ar(s.weights_t, shift, divisor, s.rng, s.last_learning_rate, s.last_sigma, s.iterations);
    if (ar.version() >= 2) ar.choice(p.scaling);  // version 1 files: Scaling::none
    if (ar.version() >= 3)
      ar.choice(p.missing);
    else if constexpr (Archive::loading)
      p.missing = Missing::reject;
    if constexpr (Archive::loading) {
      p.num_iterations = std::max<Index>(s.iterations, 1);
      validate(p);
      const Index F = s.weights_t.rows(), units = s.weights_t.cols();
      ar.check(s.iterations > 0, "the map was never trained (", s.iterations, " iterations)");
      ar.check(F > 0 && units % p.cols == 0 && units / p.cols == p.rows, "the codebook is ", units, " units x ", F,
               " features, the ", p.rows, " x ", p.cols, " grid needs ", p.rows, " * ", p.cols, " units");
      configure();
      ar.check(shift.size() == F && divisor.size() == F, "the feature scaling has ", shift.size(), " and ",
               divisor.size(), " entries for ", F, " features");
      ar.check(s.weights_t.allFinite(), "the codebook holds NaN or infinite values");
      s.scaler = detail::scaler_from_file<Scalar>(p.scaling, shift, divisor,
                                                  [&ar](bool ok, const auto&... why) { ar.check(ok, why...); });
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

  struct State {
    // features x units: each feature is contiguous over the units, so the BMU search and the
    // window updates are plain vector loops whatever the feature count.
    RowMatrix<Scalar> weights_t;
    Scaler<Scalar> scaler;  // training space = the data scaled by it
    Random rng;
    double last_learning_rate = 0.0, last_sigma = 0.0;
    Index iterations = 0;
  };

  // impute() (missing/impute.hpp) searches with Missing::mask whatever params().missing is.
  template <typename S>
  friend RowMatrix<S> impute(const OnlineSom<S>& som, DataRef<S> X);

  void fitted(const char* call) const {
    if (!is_fitted())
      throw NotFittedError(detail::concat(call, "(): this OnlineSom is not trained yet; call fit() or train() first"));
  }

  RowMatrix<Scalar> weights_t_transposed() const { return state_.weights_t.transpose(); }

  /// predict() on validated X with the given rule for NaN cells.
  Labels training_space_bmus(ConstRowRef<Scalar> X, int n_threads, Missing missing) const {
    const RowMatrix<Scalar> Xs = detail::to_training_space(state_.scaler, X);
    return detail::masked_bmus<Scalar>(Xs, weights_t_transposed(), Distance::euclidean, false, n_threads, missing).bmu;
  }

  /// Checks the parameters and derives the grid and the initial sigma from them.
  void configure() {
    validate(params_);
    grid_ = Grid(params_.rows, params_.cols, Topology::rectangular, params_.torus);
    sigma0_ = params_.sigma > 0.0 ? params_.sigma : double(std::max(params_.rows, params_.cols)) / 2.0;
  }

  /// A fresh training of num_iterations steps with the given scaling, fitted on X.
  void train_fresh(const char* call, ConstRowRef<Scalar> X, Index num_iterations, Scaling scaling) {
    detail::check_data(call, X, params_.missing);
    if (params_.missing == Missing::mask && detail::has_missing(X)) detail::check_columns_present(call, X);
    detail::check_positive(call, "num_iterations", num_iterations);
    const Index F = X.cols(), T = num_iterations;
    State next;
    next.scaler = Scaler<Scalar>(scaling);
    next.scaler.fit(X, params_.missing);  // NaN cells (Missing::mask) ignored
    if (scaling == Scaling::none) detail::warn_if_unscaled<Scalar>(call, X);
    const RowMatrix<Scalar> Xs = detail::to_training_space(next.scaler, X);
    next.rng.reseed(params_.seed);
    const auto [lo, hi] = detail::present_range<Scalar>(Xs);
    next.weights_t.resize(F, grid_.size());
    for (Index u = 0; u < grid_.size(); ++u)
      for (Index f = 0; f < F; ++f) next.weights_t(f, u) = Scalar(next.rng.uniform(double(lo[f]), double(hi[f])));
    const OnlineSomParams& p = params_;
    const double sigma0 = sigma0_;
    run(next, Xs, T, [&p, sigma0, T](Index t) {
      return std::pair<double, double>{decay(p.lr_decay, p.learning_rate, double(t), double(T), final_learning_rate(p)),
                                       decay(p.sigma_decay, sigma0, double(t), double(T), p.sigma_final)};
    });
    state_ = std::move(next);
  }

  /// num_iterations online steps; schedule(t) gives (learning rate, sigma) of local step t.
  template <typename Schedule>
  void run(State& s, const RowMatrix<Scalar>& Xs, Index num_iterations, Schedule&& schedule) const {
    detail::OnlineScratch<Scalar> scratch(grid_);
    detail::AlignedCodebook<Scalar> working(s.weights_t);
    const detail::CodebookRows<Scalar> W = working.rows();
    // Every kernel's support grows linearly with sigma, so one radius at sigma = 1 suffices.
    const double unit_radius = neighborhood_radius(params_.neighborhood, 1.0, params_.kernel_epsilon);
    // Missing values: only when there are any, so complete data run the plain steps.
    if (params_.missing == Missing::mask && detail::has_missing(Xs)) {
      run_masked(s, W, Xs, num_iterations, schedule, scratch, unit_radius);
    } else {
      for (Index t = 0; t < num_iterations; ++t) {
        const auto [lr, sigma] = schedule(t);
        const Scalar* x = Xs.row(s.rng.uniform_index(Xs.rows())).data();
        const Index bmu = detail::nearest_unit(W, x, scratch);
        detail::online_update(W, grid_, x, bmu, lr, sigma, params_.neighborhood, unit_radius * sigma, scratch);
        s.last_learning_rate = lr;
        s.last_sigma = sigma;
      }
    }
    working.copy_to(s.weights_t);
    s.iterations += num_iterations;
  }

  /// run() on data with missing cells: a sample with some finds its BMU over its present
  /// features and moves those only; a complete sample takes the plain step.
  template <typename Schedule>
  void run_masked(State& s, const detail::CodebookRows<Scalar>& W, const RowMatrix<Scalar>& Xs, Index num_iterations,
                  Schedule& schedule, detail::OnlineScratch<Scalar>& scratch, double unit_radius) const {
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
      const Index bmu =
          moved ? detail::nearest_unit_masked(W, x, present, scratch) : detail::nearest_unit(W, x, scratch);
      detail::online_update(W, grid_, x, bmu, lr, sigma, params_.neighborhood, unit_radius * sigma, scratch, moved);
      s.last_learning_rate = lr;
      s.last_sigma = sigma;
    }
  }

  OnlineSomParams params_;
  Grid grid_;
  double sigma0_ = 1.0;
  State state_;
};

// OnlineSom's members, defined outside the class so that a program linking
// somtile::precompiled does not instantiate them (core/detail/precompiled.hpp).
/// \cond INTERNAL

template <typename Scalar>
auto OnlineSom<Scalar>::fit(ConstRowRef<Scalar> X) -> OnlineSom& {
  train_fresh("OnlineSom::fit", X, params_.num_iterations, params_.scaling);
  return *this;
}

template <typename Scalar>
auto OnlineSom<Scalar>::train(ConstRowRef<Scalar> X, Index num_iterations) -> Lattice<Scalar> {
  train_fresh("OnlineSom::train", X, num_iterations, params_.scaling);
  return lattice();
}

template <typename Scalar>
auto OnlineSom<Scalar>::partial_fit(ConstRowRef<Scalar> X, Index num_iterations) -> Lattice<Scalar> {
  const char* call = "OnlineSom::partial_fit";
  if (!is_fitted()) {
    train_fresh(call, X, num_iterations, params_.scaling);
    return lattice();
  }
  detail::check_data(call, X, n_features(), "OnlineSom", params_.missing);
  detail::check_positive(call, "num_iterations", num_iterations);
  State next = state_;
  const RowMatrix<Scalar> Xs = detail::to_training_space(next.scaler, X);
  const double lr = next.last_learning_rate, sigma = next.last_sigma;
  run(next, Xs, num_iterations, [lr, sigma](Index) { return std::pair<double, double>{lr, sigma}; });
  state_ = std::move(next);
  return lattice();
}

template <typename Scalar>
auto OnlineSom<Scalar>::predict(ConstRowRef<Scalar> X, int n_threads) const -> Labels {
  const char* call = "OnlineSom::predict";
  fitted(call);
  detail::check_data(call, X, n_features(), "OnlineSom", params_.missing);
  return training_space_bmus(X, n_threads, params_.missing);
}

template <typename Scalar>
auto OnlineSom<Scalar>::transform(ConstRowRef<Scalar> X, int n_threads) const -> RowMatrix<Scalar> {
  const char* call = "OnlineSom::transform";
  fitted(call);
  detail::check_data(call, X, n_features(), "OnlineSom", params_.missing);
  const RowMatrix<Scalar> Xs = detail::to_training_space(state_.scaler, X);
  const RowMatrix<Scalar> W = weights();
  RowMatrix<Scalar> D(Xs.rows(), W.rows());
  detail::parallel_for_chunks(
      Xs.rows(), 256, n_threads,
      [&](Index b, Index e) {
        for (Index i = b; i < e; ++i) {
          const bool gaps = Xs.row(i).hasNaN();
          for (Index u = 0; u < W.rows(); ++u)
            D(i, u) = gaps ? detail::masked_distance<Scalar>(Distance::euclidean, Xs.row(i), W.row(u))
                           : distance<Scalar>(Distance::euclidean, Xs.row(i), W.row(u));
        }
      },
      double(W.rows()) * double(W.cols()));
  return D;
}
/// \endcond

}  // namespace somtile
