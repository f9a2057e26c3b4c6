#pragma once
// suggest_som_params(X): the map size, shape and training schedule the SOM Toolbox's som_make
// chooses for a data set, as SomParams.
//
// Followed from the MATLAB code of github.com/ilarinieminen/SOM-Toolbox, commit
// f2597abc1ae33c2060e0443d49e854011ff21831 (som/som_make.m, som/som_topol_struct.m,
// som/som_train_struct.m); tests/reference/som_toolbox_map_size.py re-implements it with numpy.
// - units: munits = ceil(5 sqrt(n)) (the code; som_make's help text still says
//   5 n^0.54321), first rounded to a square grid, s = round(sqrt(munits)),
//   munits = s * round(munits / s);
// - sides: ratio = sqrt(l1 / l2) of the two largest eigenvalues of the data's covariance
//   (1 when l1 = 0 or l2 * munits < l1), hexagonal:
//   cols = min(munits, round(sqrt(munits / ratio * sqrt(0.75)))), rows = round(munits / cols)
//   (the hexagonal rows are sqrt(0.75) apart, so the longer side has the rows);
//   a side of 1 makes the map 1 x max; one feature gives 1 x munits; one sample a square guess;
// - Init::pca (som_lininit), Training::batch, Gaussian neighbourhood;
// - schedule: a rough phase of ceil(10 munits / n) epochs with radius from max(1, ceil(ms / 8))
//   (ms = the longer side) to max(1, r0 / 4), then a fine-tuning phase of ceil(40 munits / n)
//   epochs from there to 1. SomParams has one schedule, so the two phases become one:
//   epochs = rough + fine-tuning, sigma = the rough phase's initial radius, falling linearly
//   to 1 (Decay::linear_to_one). The radius is sigma of exp(-d^2 / (2 sigma^2)) in both.
// MATLAB's round (halves away from zero) is std::round.
//
// Purpose::classify (somtile's own, not som_make's): about 5 sqrt(n) units are sized for looking
// at a map, and too coarse to classify with (MapClassifier on standardised digits: 0.85 against
// 0.98 for 5-NN). classify asks for munits = round(n / 1.5), one unit per 1.5 samples, keeps the
// sides' ratio and som_make's epochs for that many units, and lets sigma fall exponentially to
// 0.3 instead of linearly to 1, so that the last epochs move each unit to its own samples
// (standardised digits, stratified 75/25 splits: 0.95-0.97; a final sigma of 1 gives 0.90-0.93).

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/enum_names.hpp"
#include "somtile/core/types.hpp"
#include "somtile/kernels/detail/pca.hpp"
#include "somtile/som/som.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>

namespace somtile {

/// What a suggested map is for (suggest_som_params).
enum class Purpose {
  display,  ///< the SOM Toolbox's map, about 5 sqrt(n) units: to look at (U-matrix, planes, clusters)
  classify  ///< about one unit per 1.5 samples, trained to a small final sigma: for MapClassifier
};
template <>
struct EnumNames<Purpose> {
  static constexpr std::array<std::string_view, 2> names{"display", "classify"};
};

/// SomParams as the SOM Toolbox's som_make chooses them for X (see the top of this file):
/// about 5 sqrt(n) units on a hexagonal sheet whose side ratio follows the two largest
/// principal components, PCA initialisation, batch training, epochs and a sigma schedule from
/// the map size and n. The other fields keep their defaults (seed 42, all threads, ...).
/// With a `scaling`, the sides are chosen on X scaled that way and the parameters carry it, so
/// the map trains on raw X with the scaling the sizes were chosen for (the side ratio depends
/// on the features' scales).
/// With Missing::mask, NaN cells are missing values: the sides are chosen on X (scaled) with
/// each NaN at its column's mean, and the parameters carry `missing`.
/// \throws InputError when X is empty or holds NaN (unless missing is mask) or infinite values,
///         or with mask a row or column of NaN only.
/// \code
/// SomParams p = suggest_som_params(X, Scaling::standard);   // breast cancer: 15 x 8, 12 epochs
/// Som<double> som(p, X.cols());
/// som.fit(X);
/// \endcode
/// The map is sized to look at; for MapClassifier ask for a larger one with Purpose::classify
/// (the overload below).
template <typename Derived>
SomParams suggest_som_params(const Eigen::MatrixBase<Derived>& X, Scaling scaling = Scaling::none,
                             Missing missing = Missing::reject);

/// SomParams for X sized for `purpose`: Purpose::display is the overload without a Purpose
/// (the SOM Toolbox's map); Purpose::classify gives about one unit per 1.5 samples on the same
/// side ratio, som_make's epochs for that many units and sigma falling exponentially to 0.3
/// (Decay::exponential, sigma_final = 0.3), a map for MapClassifier (standardised digits,
/// stratified 75/25 split: test accuracy 0.95 against 0.85 with the display map).
/// `scaling` and `missing` as in the other overload.
/// \throws InputError as the other overload.
/// \code
/// Som<double> som(suggest_som_params(X_train, Scaling::standard, Purpose::classify), X_train.cols());
/// som.fit(X_train);
/// double accuracy = MapClassifier<double>(som).fit(X_train, y_train).score(X_test, y_test);
/// \endcode
template <typename Derived>
SomParams suggest_som_params(const Eigen::MatrixBase<Derived>& X, Scaling scaling, Purpose purpose,
                             Missing missing = Missing::reject) {
  if (missing == Missing::mask) {
    detail::check_data("suggest_som_params", X, missing);
    detail::check_columns_present("suggest_som_params", X);
    using S = typename Derived::Scalar;
    const RowMatrix<S> raw = X;
    const RowMatrix<S> scaled = Scaler<S>(scaling).fit(raw, missing).transform(raw, missing);
    SomParams p = suggest_som_params(detail::fill_with_column_means<S>(scaled), Scaling::none, purpose);
    p.scaling = scaling;
    p.missing = missing;
    return p;
  }
  detail::check_data("suggest_som_params", X);
  if (scaling != Scaling::none) {
    using S = typename Derived::Scalar;
    const RowMatrix<S> raw = X;
    SomParams p = suggest_som_params(Scaler<S>(scaling).fit(raw).transform(raw), Scaling::none, purpose);
    p.scaling = scaling;
    return p;
  }
  const Index n = X.rows(), dim = X.cols();
  const auto round = [](double v) { return Index(std::round(v)); };

  // som_topol_struct('dlen', n): a square guess, whose size is the number of units.
  double munits = std::ceil(5.0 * std::sqrt(double(n)));
  const Index s = round(std::sqrt(munits));
  munits = double(s * round(munits / double(s)));
  if (purpose == Purpose::classify) munits = double(std::max<Index>(1, round(double(n) / 1.5)));

  // som_topol_struct('data', X, 'munits', munits).
  Index rows = 0, cols = 0;
  if (dim == 1) {
    rows = 1;
    cols = Index(munits);
  } else if (n < 2) {
    rows = round(std::sqrt(munits));
    cols = round(munits / double(rows));
  } else {
    const detail::PrincipalAxes pca = detail::principal_axes(X, 2);
    const double l1 = pca.variances(0), l2 = pca.variances(1);
    const double ratio = (l1 <= 0 || l2 * munits < l1) ? 1.0 : std::sqrt(l1 / l2);
    cols = std::min(Index(munits), round(std::sqrt(munits / ratio * std::sqrt(0.75))));
    cols = std::max<Index>(cols, 1);
    rows = round(munits / double(cols));
    if (std::min(rows, cols) == 1) {
      cols = std::max(rows, cols);
      rows = 1;
    }
  }

  // som_train_struct: rough phase after som_lininit, then fine-tuning.
  const double units = double(rows * cols), ms = double(std::max(rows, cols));
  const double per_sample = units / double(n);
  const Index rough = std::max<Index>(1, Index(std::ceil(10 * per_sample)));
  const Index fine = std::max<Index>(1, Index(std::ceil(40 * per_sample)));

  SomParams p;
  p.rows = rows;
  p.cols = cols;
  p.topology = Topology::hexagonal;
  p.torus = false;
  p.neighborhood = Neighborhood::gaussian;
  p.init = Init::pca;
  p.training = Training::batch;
  p.epochs = rough + fine;
  p.sigma = std::max(1.0, std::ceil(ms / 8));
  p.sigma_decay = Decay::linear_to_one;
  if (purpose == Purpose::classify) {
    p.sigma_decay = Decay::exponential;
    p.sigma_final = std::min(0.3, p.sigma);
  }
  return p;
}

template <typename Derived>
SomParams suggest_som_params(const Eigen::MatrixBase<Derived>& X, Scaling scaling, Missing missing) {
  return suggest_som_params(X, scaling, Purpose::display, missing);
}

}  // namespace somtile
