#pragma once
// The classic Self-Organizing Map (TorchSOM's feature set): rectangular or hexagonal grid,
// optional torus, random / sample / PCA / uniform initialisation, mini-batch or Kohonen batch training.
//
// Training rules (alpha = learning rate, sigma = neighbourhood width, both per epoch):
//   minibatch: for each shuffled batch B (TorchSOM's rule, the mean of the online updates)
//                w_n += alpha / |B| * sum_{x in B} h(bmu(x), n) (x - w_n)
//   batch:     one BMU pass per epoch, then w_n = sum_u h(u, n) S_u / sum_u h(u, n) c_u with
//              S_u, c_u the sum and count of the samples won by unit u (the learning rate is not
//              used; a unit whose denominator is not positive keeps its weight).
// Both are written as "per-unit sums, then neighbourhood smoothing", sharing kernels/batch.hpp.
//
// Missing values (SomParams::missing = Missing::mask): NaN cells are missing. Distances use the
// present features (kernels/detail/masked_distance.hpp), the batch rule sums and counts per feature
// (w_nj = sum_u h(u, n) S_uj / sum_u h(u, n) C_uj; a (unit, feature) whose denominator is not
// positive keeps its weight), mini-batch updates touch present features only
// (w_nj += alpha / |B| * sum_{x in B, x_j present} h(bmu(x), n) (x_j - w_nj)), and the errors
// are masked distances. Data without NaN take the usual paths, bit for bit.

#include "somtile/cluster/som_cluster_types.hpp"
#include "somtile/core/detail/precompiled.hpp"  // SOMTILE_OUTLINE
#include "somtile/core/detail/sparse_fwd.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/epoch_info.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/random.hpp"
#include "somtile/core/types.hpp"
#include "somtile/grid/detail/sigma_warning.hpp"
#include "somtile/grid/grid.hpp"
#include "somtile/grid/neighborhood.hpp"
#include "somtile/grid/schedule.hpp"
#include "somtile/kernels/batch.hpp"
#include "somtile/kernels/bmu.hpp"
#include "somtile/kernels/detail/bounded_bmu.hpp"
#include "somtile/kernels/detail/masked_distance.hpp"
#include "somtile/kernels/detail/masked_sums.hpp"
#include "somtile/kernels/detail/pca.hpp"
#include "somtile/kernels/detail/smoothing_kernels.hpp"
#include "somtile/kernels/detail/sparse_bmu.hpp"
#include "somtile/kernels/detail/team_bmu.hpp"
#include "somtile/metrics/som_quality.hpp"
#include "somtile/preprocessing/scaler.hpp"
#include "somtile/som/detail/batch_sums.hpp"
#include "somtile/som/detail/bmu_file.hpp"
#include "somtile/som/detail/mean_fill.hpp"
#include "somtile/som/detail/serialize_init.hpp"

#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace somtile {

/// What mini-batch training records as each epoch's errors in TrainingHistory.
enum class EpochMetrics {
  after_epoch,  ///< exact errors of the weights after the epoch: one more BMU pass over the data
  during_epoch  ///< free: from the BMUs the epoch's batches found anyway (see TrainingHistory)
};
template <>
struct EnumNames<EpochMetrics> {
  static constexpr std::array<std::string_view, 2> names{"after_epoch", "during_epoch"};
};

/// Parameters of Som, TorchSOM's defaults; every field has a default.
struct SomParams {
  Index rows = 10;               ///< grid rows
  Index cols = 10;               ///< grid columns
  Index epochs = 10;             ///< passes over the data
  Index batch_size = 5;          ///< samples per mini-batch (Training::minibatch)
  double sigma = 1.0;            ///< initial neighbourhood width, in grid units
  double learning_rate = 0.5;    ///< initial learning rate (Training::minibatch)
  Index neighborhood_order = 1;  ///< rings used by the U-matrix, classification ties, retrieval
  /// Rectangular or hexagonal grid.
  Topology topology = Topology::rectangular;
  bool torus = false;  ///< periodic boundaries
  /// Kernel on the grid distance: gaussian, mexican_hat, bubble or triangle.
  Neighborhood neighborhood = Neighborhood::gaussian;
  /// Metric of the BMU search and the errors: euclidean, cosine, manhattan or chebyshev.
  Distance distance = Distance::euclidean;
  /// Schedule of the learning rate over the epochs.
  Decay lr_decay = Decay::asymptotic;
  /// Schedule of sigma over the epochs.
  Decay sigma_decay = Decay::asymptotic;
  double learning_rate_final = 0.01;  ///< end point of Decay::exponential for the learning rate
  double sigma_final = 0.5;           ///< end point of Decay::exponential for sigma
  Init init = Init::random;           ///< used by fit() when the weights were never initialised (random data rows)
  /// Mini-batch (TorchSOM's rule) or batch (Kohonen's batch map).
  Training training = Training::minibatch;
  EpochMetrics epoch_metrics = EpochMetrics::after_epoch;  ///< Training::minibatch; batch is always exact
  /// Seed of the initialisation and the batch order.
  std::uint64_t seed = 42;
  int n_threads = 0;                  ///< 0 = all available
  Scaling scaling = Scaling::none;    ///< feature scaling fitted on the first fit's data and applied
                                      ///< to every data the Som is given (preprocessing/scaler.hpp)
  Missing missing = Missing::reject;  ///< mask: NaN cells are missing values (see the top of
                                      ///< som/som.hpp and docs/missing-values.md)
};

/// Checks every rule on the parameters of a Som with `n_features` features; the Som
/// constructor and load_som() call it. Messages name the call `Som`.
/// \throws ParameterError if rows, cols, n_features, epochs, batch_size, sigma or learning_rate
///         is not > 0, neighborhood_order < 1, n_threads < 0, an exponential decay's end point is
///         not > 0, or the sigma schedule does not stay > 0 over the epochs.
inline void validate(const SomParams& p, Index n_features) {
  const char* call = "Som";
  detail::check_positive(call, "rows", p.rows);
  detail::check_positive(call, "cols", p.cols);
  detail::check_positive(call, "n_features", n_features);
  detail::check_positive(call, "epochs", p.epochs);
  detail::check_positive(call, "batch_size", p.batch_size);
  detail::check_positive(call, "sigma", p.sigma);
  detail::check_positive(call, "learning_rate", p.learning_rate);
  detail::require(p.neighborhood_order >= 1, call, "neighborhood_order must be >= 1, got ", p.neighborhood_order);
  detail::require(p.n_threads >= 0, call, "n_threads must be >= 0, got ", p.n_threads);
  if (p.lr_decay == Decay::exponential) detail::check_positive(call, "learning_rate_final", p.learning_rate_final);
  if (p.sigma_decay == Decay::exponential) detail::check_positive(call, "sigma_final", p.sigma_final);
  // Schedules must stay positive over the whole run; every decay is monotone in t, so the
  // first and last epochs decide (a loop over all epochs would hang on a huge count).
  for (const Index t : {Index(0), p.epochs - 1}) {
    const double s = decay(p.sigma_decay, p.sigma, double(t), double(p.epochs), p.sigma_final);
    detail::require(s > 0, call, "sigma schedule reaches ", s, " at epoch ", t, "; it must stay > 0");
  }
}

template <typename Scalar>
class BatchStatistics;  // som/batch_statistics.hpp
template <typename Scalar>
struct Chunk;  // io/chunk_source.hpp
template <typename Scalar>
class ChunkSource;  // io/chunk_source.hpp
namespace detail {
template <typename Scalar>
struct SourceFit;  // som/detail/source_fit.hpp
}  // namespace detail

/// Per-epoch errors of the weights after that epoch, on the whole training set
/// (topographic error as a fraction in [0, 1], unlike TorchSOM's percent).
/// With EpochMetrics::during_epoch (mini-batch only), an epoch's entry instead averages over the
/// samples of its batches, each measured against the weights its batch was searched with
/// (before that batch's update); the last epoch's entry is still exact, so the final errors
/// always describe the trained weights.
struct TrainingHistory {
  /// Quantization error after each epoch.
  std::vector<double> quantization_errors;
  /// Topographic error (a fraction) after each epoch.
  std::vector<double> topographic_errors;
  /// Batch training: the fraction of sample-unit distances the BMU search after each epoch
  /// computed (1 = all; the rest were ruled out by bounds kept between epochs). Empty where the
  /// search keeps no bounds (mini-batch, missing values, distances other than euclidean).
  std::vector<double> distances_computed;
};

/// The classic Self-Organizing Map (TorchSOM's feature set): a rows x cols rectangular or
/// hexagonal grid, optionally a torus, trained by mini-batch or Kohonen batch updates (see the
/// top of this file). Units are numbered row-major (unit = row * cols + col). The maps of a
/// trained Som (U-matrix, hit map, classification map, ...) are free functions in som/maps.hpp;
/// clustering its units (cluster(), elbow()) needs <somtile/cluster.hpp>.
///
/// \tparam Scalar  float or double: the codebook's and the data's scalar.
/// \throws ParameterError (constructor) when validate(params, n_features) fails.
/// \throws InputError when X is empty, holds NaN (unless params().missing is mask) or infinite
///         values, has a row of NaN only, or has a feature count other than n_features(); with
///         mask, also when the data that initialise the weights have a column of NaN only.
/// \throws NotFittedError from weights(), predict(), transform(), the errors and cluster()
///         before the weights exist (initialize_weights(), fit(), set_weights() or a load).
///
/// \code
/// SomParams p;
/// p.rows = 10; p.cols = 12; p.topology = Topology::hexagonal; p.training = Training::batch;
/// Som<double> som(p, X.cols());
/// TrainingHistory h = som.fit(X);
/// Labels bmu = som.predict(X);                 // flat unit index per sample
/// double te = som.topographic_error(X);
/// RowMatrix<double> u = u_matrix(som);         // som/maps.hpp
/// \endcode
template <typename Scalar>
class Som {
 public:
  /// Called after every epoch of fit() with an EpochInfo.
  using EpochCallback = somtile::EpochCallback;

  /// A map with these parameters for data with `n_features` features; the weights do not
  /// exist until initialize_weights() or fit().
  Som(const SomParams& params, Index n_features) : params_(params), n_features_(n_features), scaler_(params.scaling) {
    validate(params, n_features);
    grid_ = Grid(params.rows, params.cols, params.topology, params.torus);
    rng_.reseed(params.seed);
    detail::warn_sigma_beyond_map("Som", params.sigma, params.rows, params.cols);
  }

  /// The parameters the map was built with.
  const SomParams& params() const { return params_; }
  /// The map's grid.
  const Grid& grid() const { return grid_; }
  /// Features of the data the map takes.
  Index n_features() const { return n_features_; }
  /// Units of the map, rows * cols.
  Index n_units() const { return grid_.size(); }
  /// True once the weights exist: after initialize_weights(), fit(), set_weights() or a load.
  bool is_fitted() const { return weights_.rows() > 0; }

  /// Codebook, units x features, row-major unit order; in scaled space when params().scaling
  /// is set (see weights_in_data_units()).
  const RowMatrix<Scalar>& weights() const {
    require_weights("Som::weights");
    return weights_;
  }
  /// The codebook in the data's units: weights() mapped back through scaler().
  RowMatrix<Scalar> weights_in_data_units() const {
    require_weights("Som::weights_in_data_units");
    return scaler_.inverse_transform(weights_);
  }
  /// The feature scaling (params().scaling) every data goes through before it meets the
  /// codebook; fitted by the first initialize_weights() or fit().
  const Scaler<Scalar>& scaler() const { return scaler_; }
  /// Unit positions (x, y) in the plane, see Grid.
  RowMatrix<double> positions() const { return grid_.positions(); }

  /// Replaces the codebook (e.g. one loaded from disk), in scaled space when params().scaling
  /// is set, which needs the scaler fitted first (initialize_weights() or fit()).
  void set_weights(const RowMatrix<Scalar>& W) {
    detail::check_data("Som::set_weights", W, "W");
    if (!scaler_.is_fitted())
      throw NotFittedError(detail::concat("Som::set_weights(): the scaling (", enum_name(params_.scaling),
                                          ") is not fitted; call initialize_weights() or fit() first"));
    detail::require<InputError>(W.rows() == n_units() && W.cols() == n_features_, "Som::set_weights", "W must be ",
                                n_units(), " x ", n_features_, ", got ", W.rows(), " x ", W.cols());
    weights_ = W;
  }

  /// Replaces the scaling (e.g. a float Som's, widened); its kind must be params().scaling and
  /// it must be fitted on n_features() features.
  void set_scaler(const Scaler<Scalar>& scaler) {
    detail::require<InputError>(scaler.kind() == params_.scaling, "Som::set_scaler", "the scaler is ",
                                enum_name(scaler.kind()), ", but params().scaling is ", enum_name(params_.scaling));
    detail::require<InputError>(scaler.kind() == Scaling::none || scaler.n_features() == n_features_, "Som::set_scaler",
                                "the scaler is fitted on ", scaler.n_features(), " features, but this Som has ",
                                n_features_);
    scaler_ = scaler;
  }

  /// Rings used by maps and retrieval; training is unaffected.
  void set_neighborhood_order(Index order) {
    detail::require(order >= 1, "Som::set_neighborhood_order", "order must be >= 1, got ", order);
    params_.neighborhood_order = order;
  }

  /// Writes or reads every field (io/detail/archive.hpp; save() and load_som() in io/model_io.hpp).
  /// On reading, a file whose fields break the constructor's rules is rejected.
  template <typename Archive>
  void serialize(Archive& ar) {
    SomParams& p = params_;
    ar(p.rows, p.cols, p.epochs, p.batch_size, p.sigma, p.learning_rate, p.neighborhood_order);
    ar.choice(p.topology);
    ar(p.torus);
    ar.choice(p.neighborhood);
    ar.choice(p.distance);
    ar.choice(p.lr_decay);
    ar.choice(p.sigma_decay);
    ar(p.learning_rate_final, p.sigma_final);
    detail::serialize_init(ar, p.init);
    ar.choice(p.training);
    ar(p.seed, p.n_threads, n_features_, weights_, rng_);
    if (ar.version() >= 2) {  // version 1 files: Scaling::none
      ar.choice(p.scaling);
      ar(scaler_);
    }
    if (ar.version() >= 3)  // older files: Missing::reject
      ar.choice(p.missing);
    else if constexpr (Archive::loading)
      p.missing = Missing::reject;
    if constexpr (Archive::loading) {
      validate(p, n_features_);
      ar.check(scaler_.kind() == p.scaling && (p.scaling == Scaling::none || scaler_.n_features() == n_features_),
               "the scaler (", enum_name(scaler_.kind()), ", ", scaler_.n_features(),
               " features) does not match the parameters (", enum_name(p.scaling), ", ", n_features_, " features)");
      ar.check(weights_.cols() == n_features_ && weights_.rows() % p.cols == 0 && weights_.rows() / p.cols == p.rows,
               "the codebook is ", weights_.rows(), " x ", weights_.cols(), ", the parameters need ", p.rows, " * ",
               p.cols, " units x ", n_features_, " features");
      ar.check(weights_.allFinite(), "the codebook holds NaN or infinite values");
      grid_ = Grid(p.rows, p.cols, p.topology, p.torus);
    }
  }

  /// Initialises the weights from X with params().init.
  void initialize_weights(ConstRowRef<Scalar> X);

  /// random: each unit a data row drawn uniformly with replacement (TorchSOM's "random");
  /// sample: distinct random rows, without replacement (with more units than samples, every
  /// row is used once before any is used again, so repeats are as few as possible); pca: a plane
  /// spanned by the first two principal components, +-2 standard deviations across the grid,
  /// PC1 along the longer side; uniform: uniform in each feature's [min, max] (the data's
  /// bounding box; this was Init::random before model version 2). With params().scaling set, the
  /// scaling is fitted on X first. With missing values (Missing::mask), random, sample and pca
  /// read a copy of X whose NaN cells hold their column's mean of the present values, and
  /// uniform draws in the present values' [min, max] (som/detail/mean_fill.hpp).
  void initialize_weights(ConstRowRef<Scalar> X, Init init);

  /// Trains for params().epochs epochs. Initialises the weights with params().init first when
  /// they were never initialised (and, with params().scaling set, fits the scaling on X; later
  /// fits keep it). Without scaling, warns when the features' ranges (max - min) differ by more
  /// than 100 times. On an exception the previous weights are kept.
  TrainingHistory fit(ConstRowRef<Scalar> X, const EpochCallback& on_epoch = {});

  /// Batch training from a source read in passes (io/chunk_source.hpp; docs/batch-statistics.md,
  /// "Training from a source"): memory for one chunk and the codebook, whatever the data's size.
  /// Each epoch is one pass (rewind(), every chunk accumulated, the batch update applied); one
  /// more pass measures the trained map, so the history is fit(X)'s. Before the weights exist,
  /// first passes fit params().scaling and params().init as fit(X) does on all rows (the same
  /// scaler and draws; Init::pca's covariance in double, up to 1024 features). Needs
  /// Training::batch. Dense chunks follow params().missing; sparse chunks take the sparse
  /// search (Scaling::none, Distance::euclidean or cosine). Same seed: the codebook of fit(X)
  /// on the same rows, for any chunk size and thread count (see the docs for the precision).
  /// On an exception (a read that fails, a file that changed, bad data) the Som keeps the
  /// state of its last finished epoch (its state before the call when none finished).
  /// \throws ParameterError for Training::minibatch or a sparse chunk with scaling or another
  ///         distance; InputError for a feature count other than n_features(), no rows, bad
  ///         values (naming the source and the row), a row count that changes between passes.
  TrainingHistory fit(ChunkSource<Scalar>& src, const EpochCallback& on_epoch = {});

  /// BMU (flat unit index) of every sample.
  Labels predict(ConstRowRef<Scalar> X) const;

  /// Full BMU search result (BMU, second BMU unless SecondBmu::skip, distances) for the maps
  /// and diagnostics.
  BmuResult<Scalar> bmus(ConstRowRef<Scalar> X, SecondBmu second = SecondBmu::find) const;
  /// Deprecated: bmus(X, SecondBmu::find or SecondBmu::skip).
  [[deprecated("use bmus(X, SecondBmu::find) or bmus(X, SecondBmu::skip)")]] BmuResult<Scalar> bmus(
      ConstRowRef<Scalar> X, bool with_second) const {
    return bmus("Som::bmus", X, with_second);
  }

  /// Distance from every sample to every unit (n x units), in the map's metric (in scaled
  /// space when params().scaling is set; masked distances for rows with missing values).
  RowMatrix<Scalar> transform(ConstRowRef<Scalar> X_raw) const;

  /// Mean distance from each row of X to its BMU.
  double quantization_error(ConstRowRef<Scalar> X) const;
  /// Share of the rows of X whose two best units are not neighbours on the grid.
  double topographic_error(ConstRowRef<Scalar> X) const;

  /// \name Data from a ChunkSource (io/chunk_source.hpp; docs/som.md, "Predicting over a source")
  /// One pass over the source (rewind(), then every chunk): the same BMUs and distances as the
  /// in-memory calls on the same rows, bit for bit, for any chunk size and thread count. Dense
  /// chunks follow params().missing and params().scaling as the in-memory calls; sparse chunks
  /// take the sparse search (Distance::euclidean or cosine, Scaling::none). Errors name the call,
  /// the source (description()) and the row (Chunk::first_row + i, 0-based).
  /// \throws NotFittedError before the weights exist; InputError when the source has another
  ///         feature count, no rows, a NaN cell under Missing::reject, an infinite value or a
  ///         row of NaN only, and whatever the source throws (e.g. a file changed between passes).
  ///@{
  /// What bmus(source, second, on_chunk) calls for each chunk: the chunk as read and its result.
  using ChunkBmuCallback = std::function<void(const Chunk<Scalar>&, const BmuResult<Scalar>&)>;
  /// The BMU search on each chunk in turn (second BMUs unless SecondBmu::skip), handed to
  /// `on_chunk` and then dropped: memory for one chunk, whatever the source's size.
  void bmus(ChunkSource<Scalar>& src, SecondBmu second, const ChunkBmuCallback& on_chunk) const;
  /// BMU of every row of the source (the result is in memory: one Index per row).
  Labels predict(ChunkSource<Scalar>& src) const;
  /// Writes the BMU of every row to `bmu_path` as a 1-D int64 .npy, a chunk at a time (memory
  /// for one chunk), and returns the row count. The file is written as "<bmu_path>.part" and
  /// renamed to `bmu_path` when the pass is complete; a failed pass removes the .part file and
  /// leaves `bmu_path` as it was.
  Index predict(ChunkSource<Scalar>& src, const std::string& bmu_path) const;
  /// Distance from every row to every unit, as transform(X). The result is in memory:
  /// rows x units scalars, which can be far larger than the source.
  RowMatrix<Scalar> transform(ChunkSource<Scalar>& src) const;
  /// Mean BMU distance over the rows (memory for one chunk): the distances summed in double in
  /// row order, as quantization_error(X), so the same value.
  double quantization_error(ChunkSource<Scalar>& src) const;
  ///@}

  /// Clusters the units (not the samples): k-means, GMM or HDBSCAN on the codebook, the grid
  /// positions or both (see ClusterParams and cluster_units). Needs <somtile/cluster.hpp>.
  ClusterResult cluster(const ClusterParams& params = {}) const;

  /// k-means inertia of the units for k = 1..max_k in a feature space (the elbow plot's data).
  /// max_k = 0: up to 10; any max_k is capped at the number of units (k-means cannot make more
  /// clusters than there are units), so the result has min(max_k, units) entries.
  /// Needs <somtile/cluster.hpp>.
  std::vector<double> elbow(Index max_k = 0, FeatureSpace space = FeatureSpace::weights, std::uint64_t seed = 0) const;

  /// One Kohonen batch step from per-unit sums and counts (e.g. combined over MPI ranks):
  /// w_n = sum_u h(u, n) S_u / sum_u h(u, n) c_u with the kernel at width sigma.
  void batch_update(const UnitSums<Scalar>& sums, double sigma) {
    require_weights("Som::batch_update");
    detail::require<InputError>(
        sums.sums.rows() == n_units() && sums.sums.cols() == n_features_ && sums.counts.size() == n_units(),
        "Som::batch_update", "sums must be ", n_units(), " x ", n_features_, " with ", n_units(), " counts");
    detail::check_positive("Som::batch_update", "sigma", sigma);
    apply_batch_update(weights_, detail::compact(sums), sigma);
  }

  /// \name Batch epochs driven from outside (som/batch_statistics.hpp, docs/batch-statistics.md)
  ///@{
  /// Empty statistics of epoch `epoch` (0-based) for the current codebook, with the epoch's
  /// sigma (sigma_at(epoch)); fill them with BatchStatistics::accumulate, in parts and on any
  /// machines, merge them and pass them to apply(). epoch = params().epochs makes statistics
  /// that only measure the trained map (their errors; apply() refuses them). The update is the
  /// batch rule whatever params().training says.
  /// \throws InputError when epoch is not in [0, params().epochs]; NotFittedError before the
  ///         weights exist.
  BatchStatistics<Scalar> batch_statistics(Index epoch) const;
  /// The epoch's batch update from its statistics: the same smoothing and batch rule as fit()
  /// (with missing values, the per-feature rule). Returns the epoch, its sigma and the errors
  /// of the codebook the statistics were made for (the weights before this update) on the
  /// accumulated rows; learning_rate is 0, as in batch fit().
  /// \throws InputError when the statistics were made for another codebook, epoch or shape, hold
  ///         no rows, or are of epoch params().epochs; the weights are unchanged then.
  EpochInfo apply(const BatchStatistics<Scalar>& stats);
  ///@}

  /// \name Sparse data (SparseRowMatrix<Scalar>; needs #include <somtile/sparse.hpp>)
  /// The same calls on compressed rows, with Distance::euclidean or cosine and Scaling::none;
  /// batch training and the BMU search cost O(nnz x units) (see docs/sparse-input.md).
  ///@{
  template <typename Sp, detail::IfSparseRows<Sp, Scalar> = 0>
  /// Initialises the weights from sparse X with params().init.
  void initialize_weights(const Sp& X) {
    initialize_weights(X, params_.init);
  }
  template <typename Sp, detail::IfSparseRows<Sp, Scalar> = 0>
  /// Initialises the weights from sparse X with `init`.
  void initialize_weights(const Sp& X, Init init) {
    detail::SparseSom<Scalar, Sp>::initialize_weights(*this, X, init);
  }
  template <typename Sp, detail::IfSparseRows<Sp, Scalar> = 0>
  /// Trains on sparse X (batch training costs O(nnz x units) per epoch).
  TrainingHistory fit(const Sp& X, const EpochCallback& on_epoch = {}) {
    return detail::SparseSom<Scalar, Sp>::fit(*this, X, on_epoch);
  }
  template <typename Sp, detail::IfSparseRows<Sp, Scalar> = 0>
  /// BMU of every sparse row.
  Labels predict(const Sp& X) const {
    return detail::SparseSom<Scalar, Sp>::bmus(*this, "Som::predict", X, false).bmu;
  }
  template <typename Sp, detail::IfSparseRows<Sp, Scalar> = 0>
  /// BMUs (and second BMUs unless SecondBmu::skip) of every sparse row, with distances.
  BmuResult<Scalar> bmus(const Sp& X, SecondBmu second = SecondBmu::find) const {
    return detail::SparseSom<Scalar, Sp>::bmus(*this, "Som::bmus", X, second == SecondBmu::find);
  }
  template <typename Sp, detail::IfSparseRows<Sp, Scalar> = 0>
  /// Deprecated: bmus(X, SecondBmu::find or SecondBmu::skip) on sparse rows.
  [[deprecated("use bmus(X, SecondBmu::find) or bmus(X, SecondBmu::skip)")]] BmuResult<Scalar> bmus(
      const Sp& X, bool with_second) const {
    return detail::SparseSom<Scalar, Sp>::bmus(*this, "Som::bmus", X, with_second);
  }
  template <typename Sp, detail::IfSparseRows<Sp, Scalar> = 0>
  /// Distances from every sparse row to every unit.
  RowMatrix<Scalar> transform(const Sp& X) const {
    return detail::SparseSom<Scalar, Sp>::transform(*this, X);
  }
  template <typename Sp, detail::IfSparseRows<Sp, Scalar> = 0>
  /// Mean distance from each sparse row to its BMU.
  double quantization_error(const Sp& X) const {
    return somtile::quantization_error(detail::SparseSom<Scalar, Sp>::bmus(*this, "Som::quantization_error", X, false));
  }
  template <typename Sp, detail::IfSparseRows<Sp, Scalar> = 0>
  /// Share of the sparse rows whose two best units are not neighbours.
  double topographic_error(const Sp& X) const {
    return somtile::topographic_error(detail::SparseSom<Scalar, Sp>::bmus(*this, "Som::topographic_error", X, true),
                                      grid_);
  }
  ///@}

  /// Learning rate and sigma used in epoch t.
  double learning_rate_at(Index t) const {
    return decay(params_.lr_decay, params_.learning_rate, double(t), double(params_.epochs),
                 params_.learning_rate_final);
  }
  /// Sigma used in epoch t.
  double sigma_at(Index t) const {
    return decay(params_.sigma_decay, params_.sigma, double(t), double(params_.epochs), params_.sigma_final);
  }

 private:
  template <typename, typename>
  friend struct detail::SparseSom;
  friend struct detail::SourceFit<Scalar>;

  void require_weights(const char* call) const {
    if (!is_fitted())
      throw NotFittedError(detail::concat(call,
                                          "(): the weights are not initialised; call "
                                          "initialize_weights() or fit() first"));
  }

  // The data checks of every entry that takes data, with params().missing.
  void check(const char* call, ConstRowRef<Scalar> X) const {
    detail::check_data(call, X, n_features_, "Som", params_.missing);
  }
  // Whether X (checked) takes the missing-value paths: mask and a NaN in it.
  bool masked(ConstRowRef<Scalar> X) const { return params_.missing == Missing::mask && detail::has_missing(X); }

  BmuResult<Scalar> bmus(const char* call, ConstRowRef<Scalar> X, bool with_second) const;
  // One pass over a source: checks each chunk (check_chunk) and hands it to fn(chunk, bmus);
  // returns the row count.
  Index stream_bmus(const char* call, ChunkSource<Scalar>& src, bool with_second, const ChunkBmuCallback& fn) const;
  // A chunk's checks, with the source and the row in the messages.
  void check_chunk(const char* call, const ChunkSource<Scalar>& src, const Chunk<Scalar>& c) const;

  RowMatrix<Scalar> initial_weights(ConstRowRef<Scalar> X_in, Init init) {
    RowMatrix<Scalar> filled;  // NaN cells at their column's mean (som/detail/mean_fill.hpp)
    if (detail::has_missing(X_in)) filled = detail::fill_with_column_means<Scalar>(X_in);
    const ConstRowRef<Scalar> X = filled.size() > 0 ? ConstRowRef<Scalar>(filled) : X_in;
    const Index n = X.rows(), units = n_units();
    RowMatrix<Scalar> W(units, n_features_);
    switch (init) {
      case Init::random:
        for (Index u = 0; u < units; ++u) W.row(u) = X.row(rng_.uniform_index(n));
        break;
      case Init::uniform: {
        // Evaluated once (a lazy column reduction would rescan X for every unit).
        const Eigen::Matrix<Scalar, 1, Eigen::Dynamic> lo = X.colwise().minCoeff(), hi = X.colwise().maxCoeff();
        for (Index u = 0; u < units; ++u)
          for (Index j = 0; j < n_features_; ++j) W(u, j) = Scalar(rng_.uniform(double(lo(j)), double(hi(j))));
        break;
      }
      case Init::sample: {
        for (Index u = 0; u < units; u += n) {
          const auto rows = rng_.sample_without_replacement(n, std::min(n, units - u));
          for (std::size_t k = 0; k < rows.size(); ++k) W.row(u + Index(k)) = X.row(rows[k]);
        }
        break;
      }
      case Init::pca:
        W = pca_weights(detail::principal_axes(X, 2, params_.n_threads));
        break;
    }
    return W;
  }

  // The plane of the first two principal components (dense or sparse data's axes), +-2
  // standard deviations across the grid, PC1 along the longer side.
  RowMatrix<Scalar> pca_weights(const detail::PrincipalAxes& pca) const {
    const Eigen::VectorXd pc1 = pca.axes.col(0) * std::sqrt(pca.variances(0)),
                          pc2 = pca.axes.col(1) * std::sqrt(pca.variances(1));
    const Eigen::RowVectorXd& mean = pca.mean;
    const Index F = n_features_;
    // The grid's longer side follows PC1.
    const RowMatrix<double> pos = grid_.positions();
    const bool cols_longer = grid_.cols() >= grid_.rows();
    const Eigen::VectorXd along = pos.col(cols_longer ? 0 : 1), across = pos.col(cols_longer ? 1 : 0);
    auto unit_span = [](const Eigen::VectorXd& v) -> Eigen::VectorXd {
      const double lo = v.minCoeff(), hi = v.maxCoeff();
      if (hi - lo <= 0) return Eigen::VectorXd::Zero(v.size());
      return (2.0 * (v.array() - lo) / (hi - lo) - 1.0).matrix();
    };
    const Eigen::VectorXd a = unit_span(along), b = unit_span(across);
    RowMatrix<Scalar> W(n_units(), F);
    for (Index u = 0; u < n_units(); ++u)
      W.row(u) = (mean.transpose() + 2.0 * (a(u) * pc1 + b(u) * pc2)).transpose().template cast<Scalar>();
    return W;
  }

  // Samples rows `order[begin, end)` of X into a contiguous block.
  static void gather(ConstRowRef<Scalar> X, const std::vector<Index>& order, Index begin, Index end,
                     RowMatrix<Scalar>& out) {
    out.resize(end - begin, X.cols());
    for (Index k = begin; k < end; ++k) out.row(k - begin) = X.row(order[std::size_t(k)]);
  }

  void record(TrainingHistory& h, const BmuResult<Scalar>& r, Index epoch, double lr, double sigma,
              const EpochCallback& on_epoch) const {
    record(h, somtile::quantization_error(r), somtile::topographic_error(r, grid_), epoch, lr, sigma, on_epoch);
  }

  void record(TrainingHistory& h, double qe, double te, Index epoch, double lr, double sigma,
              const EpochCallback& on_epoch) const {
    h.quantization_errors.push_back(qe);
    h.topographic_errors.push_back(te);
    if (on_epoch) on_epoch(EpochInfo{epoch, params_.epochs, lr, sigma, qe, te, grid_.size()});
  }

  void train_minibatch(ConstRowRef<Scalar> X, RowMatrix<Scalar>& W, TrainingHistory& history,
                       const EpochCallback& on_epoch) {
    const Index n = X.rows(), batch = std::min(params_.batch_size, n), F = n_features_;
    const bool during = params_.epoch_metrics == EpochMetrics::during_epoch;
    // Each batch is searched, smoothed and applied by a team of threads that each own a fixed
    // range of units (kernels/detail/team_bmu.hpp): no thread reads rows another one writes, so the
    // codebook does not move between cores at every batch. Small jobs run on one thread.
    const bool worth_it = double(batch) * double(n_units()) * double(F) >= detail::min_parallel_work;
    const int team = worth_it ? detail::resolve_threads(params_.n_threads) : 1;
    detail::TeamBmu<Scalar> bmus(team, batch);
    const detail::SmoothingKernels<Scalar> kernels = detail::smoothing_kernels<Scalar>();  // the update's level
    for (Index epoch = 0; epoch < params_.epochs; ++epoch) {
      const double lr = learning_rate_at(epoch), sigma = sigma_at(epoch);
      const NeighborhoodTable h(grid_, params_.neighborhood, sigma);
      detail::Smoother<Scalar> smoother(h);
      smoother.reserve(team);
      const bool last = epoch + 1 == params_.epochs;
      const bool measure = during && !last;  // errors from this epoch's own BMU searches
      double distance_sum = 0.0;
      Index te_count = 0;
      const auto order = rng_.permutation(n);
      detail::parallel_team(team, [&](int thread, int threads) {
        const auto [u0, u1] = smoother.team_units(thread, threads);
        RowMatrix<Scalar> Xb;  // each thread's own copy of the batch
        BmuResult<Scalar> r;
        detail::CompactSums<Scalar> sums;
        std::vector<Index> start, grouped;
        for (Index begin = 0; begin < n; begin += batch) {
          const Index end = std::min(n, begin + batch);
          gather(X, order, begin, end, Xb);
          bmus.search(thread, threads, u0, u1, Xb, W, params_.distance, measure, r);
          if (measure && thread == 0) {
            for (Index i = 0; i < r.bmu.size(); ++i) distance_sum += double(r.distance[i]);
            te_count += detail::topographic_error_count(r.bmu, r.second,
                                                        [this](Index a, Index b) { return grid_.adjacent(a, b); });
          }
          detail::compact_unit_sums<Scalar>(Xb, r.bmu, n_units(), sums, start, grouped);
          // w += alpha/|B| (sum_k h x_k - (sum_k h) w), on the thread's own units
          const Scalar step = Scalar(lr / double(end - begin));
          smoother.apply_team(sums, thread, threads, [&](Index v0, Index v1, const RowMatrix<Scalar>& S) {
            kernels.minibatch_step({W.row(v0).data(), F, S.data(), F + 1, v1 - v0, F, step});
          });
        }
      });
      require_finite(W, "Som::fit");
      if (measure)
        record(history, distance_sum / double(n), double(te_count) / double(n), epoch, lr, sigma, on_epoch);
      else
        record(history, detail::dense_bmus<Scalar>(X, W, params_.distance, true, params_.n_threads), epoch, lr, sigma,
               on_epoch);
    }
  }

  // train_minibatch for data with missing values: each batch is searched with the masked
  // kernel (exact, parallel over its rows) and its [sums | counts] per feature smoothed at once;
  // the update touches present features only. The permutation and results are train_minibatch's
  // rules; the team search is not used (it has no masked path).
  void train_minibatch_masked(ConstRowRef<Scalar> X, RowMatrix<Scalar>& W, TrainingHistory& history,
                              const EpochCallback& on_epoch) {
    const Index n = X.rows(), batch = std::min(params_.batch_size, n), F = n_features_;
    const bool during = params_.epoch_metrics == EpochMetrics::during_epoch;
    const int threads = params_.n_threads;
    RowMatrix<Scalar> Xb;
    detail::CompactSums<Scalar> sums;
    std::vector<Index> start, grouped;
    for (Index epoch = 0; epoch < params_.epochs; ++epoch) {
      const double lr = learning_rate_at(epoch), sigma = sigma_at(epoch);
      const NeighborhoodTable h(grid_, params_.neighborhood, sigma);
      detail::Smoother<Scalar> smoother(h);
      const bool measure = during && epoch + 1 != params_.epochs;
      double distance_sum = 0.0;
      Index te_count = 0;
      const auto order = rng_.permutation(n);
      for (Index begin = 0; begin < n; begin += batch) {
        const Index end = std::min(n, begin + batch);
        gather(X, order, begin, end, Xb);
        const BmuResult<Scalar> r =
            detail::masked_bmus<Scalar>(Xb, W, params_.distance, measure, threads, Missing::mask);
        if (measure) {
          for (Index i = 0; i < r.bmu.size(); ++i) distance_sum += double(r.distance[i]);
          te_count += detail::topographic_error_count(r.bmu, r.second,
                                                      [this](Index a, Index b) { return grid_.adjacent(a, b); });
        }
        detail::compact_masked_unit_sums<Scalar>(Xb, r.bmu, n_units(), sums, start, grouped);
        // w_nj += alpha/|B| (sum_k h x_kj - (sum_k h [x_kj present]) w_nj)
        const Scalar step = Scalar(lr / double(end - begin));
        smoother.apply(sums, threads, [&](Index v0, Index v1, const RowMatrix<Scalar>& S) {
          for (Index u = v0; u < v1; ++u)
            for (Index j = 0; j < F; ++j) W(u, j) += step * (S(u - v0, j) - S(u - v0, F + j) * W(u, j));
        });
      }
      require_finite(W, "Som::fit");
      if (measure)
        record(history, distance_sum / double(n), double(te_count) / double(n), epoch, lr, sigma, on_epoch);
      else
        record(history, detail::masked_bmus<Scalar>(X, W, params_.distance, true, threads, Missing::mask), epoch, lr,
               sigma, on_epoch);
    }
  }

  // The batch rule on masked sums (compact_masked_unit_sums): per feature, numerator over its
  // own denominator; a (unit, feature) whose denominator is not positive keeps its weight.
  void apply_masked_batch_update(RowMatrix<Scalar>& W, const detail::CompactSums<Scalar>& sums, double sigma) const {
    const NeighborhoodTable h(grid_, params_.neighborhood, sigma);
    const Index F = n_features_;
    detail::Smoother<Scalar>(h).apply(sums, params_.n_threads,
                                      [&](Index first, Index last, const RowMatrix<Scalar>& S) {
                                        for (Index u = first; u < last; ++u)
                                          for (Index j = 0; j < F; ++j)
                                            if (S(u - first, F + j) > Scalar(0))
                                              W(u, j) = S(u - first, j) / S(u - first, F + j);
                                      });
  }

  void apply_batch_update(RowMatrix<Scalar>& W, const detail::CompactSums<Scalar>& sums, double sigma) const {
    const NeighborhoodTable h(grid_, params_.neighborhood, sigma);
    const Index F = n_features_;
    detail::Smoother<Scalar>(h).apply(sums, params_.n_threads,
                                      [&](Index first, Index last, const RowMatrix<Scalar>& S) {
                                        for (Index u = first; u < last; ++u)
                                          if (S(u - first, F) > Scalar(0))
                                            W.row(u) = S.row(u - first).head(F) / S(u - first, F);
                                      });
  }

  // The batch epoch's update from its statistics (fit(), apply()): smoothing and the batch rule,
  // or its per-feature form when the statistics hold missing values. `compact` is a buffer.
  // Sums can overflow (float sums of values near the type's limit, or merged statistics from a
  // corrupted source): a codebook that is not finite is refused, not kept. W is the caller's
  // working copy, so the Som is unchanged.
  void batch_step(RowMatrix<Scalar>& W, const detail::BatchSums<Scalar>& s, double sigma,
                  detail::CompactSums<Scalar>& compact, const char* call) const {
    s.compact(compact);
    if (s.masked())
      apply_masked_batch_update(W, compact, sigma);
    else
      apply_batch_update(W, compact, sigma);
    require_finite(W, call);
  }

  // A codebook an update left not finite (sums that overflow the scalar type) is refused.
  static void require_finite(const RowMatrix<Scalar>& W, const char* call) {
    detail::require<InputError>(
        W.allFinite(), call, "the update is not finite: the sums overflow ",
        sizeof(Scalar) == 4 ? "float; scale the data or train in double" : "double; scale the data");
  }

  // Whether batch passes over complete rows keep bounds between epochs (kernels/detail/bounded_bmu.hpp),
  // in memory (train_batch) and from a source (SourceFit), and the unit groups they bound: map tiles.
  bool batch_keeps_bounds() const {
    return params_.distance == Distance::euclidean && detail::bounded_search_enabled() &&
           n_units() >= detail::min_bounded_units && params_.epochs >= detail::min_bounded_epochs;
  }
  std::vector<std::vector<Index>> bound_groups() const {
    return detail::grid_tiles(grid_.rows(), grid_.cols(), detail::bounded_group_size_for(n_features_));
  }

  // missing: X has NaN cells (Missing::mask): masked search, per-feature sums and counts.
  void train_batch(ConstRowRef<Scalar> X, RowMatrix<Scalar>& W, TrainingHistory& history, const EpochCallback& on_epoch,
                   bool missing) {
    const int threads = params_.n_threads;
    const Missing search = missing ? Missing::mask : Missing::reject;
    detail::BatchSums<Scalar> sums;
    detail::CompactSums<Scalar> compact;
    // Passes over complete data keep bounds between epochs: the same BMUs, fewer distances.
    std::unique_ptr<detail::BoundedBmuSearch<Scalar>> bounded;
    if (!missing && batch_keeps_bounds())
      bounded = std::make_unique<detail::BoundedBmuSearch<Scalar>>(bound_groups(), true, threads);
    BmuResult<Scalar> r;
    const auto pass = [&] {
      if (bounded)
        bounded->search(X, W, r);
      else
        r = detail::masked_bmus<Scalar>(X, W, params_.distance, true, threads, search);
    };
    // The pass at the start of epoch e also measures the weights left by epoch e - 1.
    pass();
    for (Index epoch = 0; epoch < params_.epochs; ++epoch) {
      const double sigma = sigma_at(epoch);
      // The steps of BatchStatistics (som/batch_statistics.hpp) on all rows at once.
      sums.reset(n_units(), n_features_);
      sums.add_rows(X, r.bmu, missing);
      batch_step(W, sums, sigma, compact, "Som::fit");
      pass();
      if (bounded) history.distances_computed.push_back(bounded->stats().scored_fraction);
      record(history, r, epoch, 0.0, sigma, on_epoch);
    }
  }

  SomParams params_;
  Index n_features_;
  Grid grid_;
  Random rng_;
  RowMatrix<Scalar> weights_;
  Scaler<Scalar> scaler_;
};

// Som's members, defined outside the class so that a program linking
// somtile::precompiled does not instantiate them (core/detail/precompiled.hpp).
/// \cond INTERNAL

template <typename Scalar>
auto Som<Scalar>::initialize_weights(ConstRowRef<Scalar> X) -> void {
  initialize_weights(X, params_.init);
}

template <typename Scalar>
auto Som<Scalar>::initialize_weights(ConstRowRef<Scalar> X, Init init) -> void {
  const char* call = "Som::initialize_weights";
  check(call, X);
  if (masked(X)) detail::check_columns_present(call, X);
  Scaler<Scalar> scaler(params_.scaling);
  scaler.fit(X, params_.missing);
  RowMatrix<Scalar> storage;
  weights_ = initial_weights(scaler.scaled_view(X, storage, params_.missing), init);
  scaler_ = std::move(scaler);
}

template <typename Scalar>
auto Som<Scalar>::fit(ConstRowRef<Scalar> X, const EpochCallback& on_epoch) -> TrainingHistory {
  check("Som::fit", X);
  const bool missing = masked(X);
  if (missing && !is_fitted()) detail::check_columns_present("Som::fit", X);
  Scaler<Scalar> scaler = scaler_;
  if (!is_fitted()) scaler.fit(X, params_.missing);
  if (params_.scaling == Scaling::none) detail::warn_if_unscaled<Scalar>("Som::fit", X);
  RowMatrix<Scalar> storage;
  const ConstRowRef<Scalar> Xs = scaler.scaled_view(X, storage, params_.missing);
  RowMatrix<Scalar> W = is_fitted() ? weights_ : initial_weights(Xs, params_.init);
  TrainingHistory history;
  if (params_.training == Training::batch)
    train_batch(Xs, W, history, on_epoch, missing);
  else if (missing)
    train_minibatch_masked(Xs, W, history, on_epoch);
  else
    train_minibatch(Xs, W, history, on_epoch);
  weights_ = std::move(W);
  scaler_ = std::move(scaler);
  return history;
}

template <typename Scalar>
auto Som<Scalar>::fit(ChunkSource<Scalar>& src, const EpochCallback& on_epoch) -> TrainingHistory {
  return detail::SourceFit<Scalar>::fit(*this, src, on_epoch);
}

template <typename Scalar>
auto Som<Scalar>::predict(ConstRowRef<Scalar> X) const -> Labels {
  return bmus("Som::predict", X, false).bmu;
}

template <typename Scalar>
auto Som<Scalar>::bmus(ConstRowRef<Scalar> X, SecondBmu second) const -> BmuResult<Scalar> {
  return bmus("Som::bmus", X, second == SecondBmu::find);
}

template <typename Scalar>
auto Som<Scalar>::transform(ConstRowRef<Scalar> X_raw) const -> RowMatrix<Scalar> {
  require_weights("Som::transform");
  check("Som::transform", X_raw);
  const bool missing = masked(X_raw);
  RowMatrix<Scalar> storage;
  const ConstRowRef<Scalar> X = scaler_.scaled_view(X_raw, storage, params_.missing);
  RowMatrix<Scalar> D(X.rows(), n_units());
  const RowMatrix<Scalar> Wt = missing ? RowMatrix<Scalar>(weights_.transpose()) : RowMatrix<Scalar>();
  detail::parallel_for_chunks(
      X.rows(), 256, params_.n_threads,
      [&](Index b, Index e) {
        detail::MaskedRow<Scalar> row;
        std::vector<Scalar> scratch(missing ? static_cast<std::size_t>(n_units()) : 0);
        for (Index i = b; i < e; ++i) {
          if (missing && X.row(i).hasNaN()) {
            row.set(X.row(i));
            row.distances(params_.distance, weights_, Wt, D.row(i).data(), scratch.data());
            continue;
          }
          for (Index u = 0; u < n_units(); ++u) D(i, u) = distance<Scalar>(params_.distance, X.row(i), weights_.row(u));
        }
      },
      double(n_units()) * double(n_features_));
  return D;
}

template <typename Scalar>
auto Som<Scalar>::quantization_error(ConstRowRef<Scalar> X) const -> double {
  return somtile::quantization_error(bmus("Som::quantization_error", X, false));
}

template <typename Scalar>
auto Som<Scalar>::bmus(ChunkSource<Scalar>& src, SecondBmu second, const ChunkBmuCallback& on_chunk) const -> void {
  stream_bmus("Som::bmus", src, second == SecondBmu::find, on_chunk);
}

template <typename Scalar>
auto Som<Scalar>::predict(ChunkSource<Scalar>& src) const -> Labels {
  Labels out(std::max<Index>(src.n_rows(), 0));
  Index at = 0;
  stream_bmus("Som::predict", src, false, [&](const Chunk<Scalar>&, const BmuResult<Scalar>& r) {
    if (at + r.bmu.size() > out.size()) out.conservativeResize(std::max(2 * out.size(), at + r.bmu.size()));
    out.segment(at, r.bmu.size()) = r.bmu;
    at += r.bmu.size();
  });
  out.conservativeResize(at);
  return out;
}

template <typename Scalar>
auto Som<Scalar>::predict(ChunkSource<Scalar>& src, const std::string& bmu_path) const -> Index {
  const char* call = "Som::predict";
  require_weights(call);
  detail::BmuFile file(bmu_path, call);
  const Index n =
      stream_bmus(call, src, false, [&](const Chunk<Scalar>&, const BmuResult<Scalar>& r) { file.append(r.bmu); });
  file.finish();
  return n;
}

template <typename Scalar>
auto Som<Scalar>::transform(ChunkSource<Scalar>& src) const -> RowMatrix<Scalar> {
  const char* call = "Som::transform";
  require_weights(call);
  RowMatrix<Scalar> D(std::max<Index>(src.n_rows(), 0), n_units());
  Index at = 0;
  // No BMU search here: stream_bmus's checks and pass, with the distances instead.
  const auto add = [&](const RowMatrix<Scalar>& part) {
    if (at + part.rows() > D.rows()) D.conservativeResize(std::max(2 * D.rows(), at + part.rows()), n_units());
    D.middleRows(at, part.rows()) = part;
    at += part.rows();
  };
  detail::require<InputError>(src.n_features() == n_features_, call, src.description(), " has ", src.n_features(),
                              " features, but this Som expects ", n_features_);
  src.rewind();
  Chunk<Scalar> c;
  while (src.next(c)) {
    if (c.rows() == 0) continue;
    check_chunk(call, src, c);
    if (c.is_sparse)
      add(detail::sparse_transform<Scalar>(detail::csr_view(c.sparse), weights_, params_.distance, params_.n_threads));
    else
      add(transform(c.dense));
  }
  detail::require<InputError>(at > 0, call, src.description(), " has no rows");
  D.conservativeResize(at, n_units());
  return D;
}

template <typename Scalar>
auto Som<Scalar>::quantization_error(ChunkSource<Scalar>& src) const -> double {
  double sum = 0.0;  // in row order, as somtile::quantization_error(BmuResult)
  const Index n =
      stream_bmus("Som::quantization_error", src, false, [&](const Chunk<Scalar>&, const BmuResult<Scalar>& r) {
        for (Index i = 0; i < r.distance.size(); ++i) sum += double(r.distance[i]);
      });
  return sum / double(n);
}

template <typename Scalar>
auto Som<Scalar>::stream_bmus(const char* call, ChunkSource<Scalar>& src, bool with_second,
                              const ChunkBmuCallback& fn) const -> Index {
  require_weights(call);
  detail::require<InputError>(src.n_features() == n_features_, call, src.description(), " has ", src.n_features(),
                              " features, but this Som expects ", n_features_);
  src.rewind();
  Chunk<Scalar> c;
  Index n = 0;
  while (src.next(c)) {
    if (c.rows() == 0) continue;
    check_chunk(call, src, c);
    if (c.is_sparse)
      fn(c, detail::sparse_find_bmus<Scalar>(detail::csr_view(c.sparse), weights_, params_.distance, with_second,
                                             params_.n_threads));
    else
      fn(c, bmus(call, c.dense, with_second));
    n += c.rows();
  }
  detail::require<InputError>(n > 0, call, src.description(), " has no rows");
  return n;
}

template <typename Scalar>
auto Som<Scalar>::check_chunk(const char* call, const ChunkSource<Scalar>& src, const Chunk<Scalar>& c) const -> void {
  const Index cols = c.is_sparse ? c.sparse.cols() : c.dense.cols();
  detail::require<InputError>(cols == n_features_, call, src.description(), " gave a chunk of ", cols,
                              " features at row ", c.first_row, ", but this Som expects ", n_features_);
  if (c.is_sparse) {  // the in-memory sparse calls' rules (som/detail/sparse_som.hpp)
    detail::require(params_.scaling == Scaling::none, call,
                    "sparse data needs Scaling::none (scaling would make it dense), but params().scaling is ",
                    enum_name(params_.scaling), " (", src.description(), ")");
    detail::check_sparse_metric(call, params_.distance);
    const detail::CsrView<Scalar> v = detail::csr_view(c.sparse);
    for (Index i = 0; i < v.rows; ++i)
      for (Index k = v.begin(i); k < v.end(i); ++k)
        if (!std::isfinite(double(v.values[k])))
          throw InputError(detail::concat(call, "(): ", src.description(), " row ", c.first_row + i, " column ",
                                          v.inner[k], " is ", v.values[k], "; values must be finite"));
    detail::check_sparse_data(call, v, n_features_, "Som", src.description());
    return;
  }
  const bool mask = params_.missing == Missing::mask;
  for (Index i = 0; i < c.dense.rows(); ++i) {
    Index present = 0;
    for (Index j = 0; j < cols; ++j) {
      const double x = double(c.dense(i, j));
      if (std::isfinite(x)) {
        ++present;
        continue;
      }
      const std::string where =
          detail::concat(call, "(): ", src.description(), " row ", c.first_row + i, " column ", j, " (0-based) is ");
      if (!std::isnan(x)) throw InputError(detail::concat(where, x, "; values must be finite (or NaN, missing)"));
      if (!mask)
        throw InputError(detail::concat(where,
                                        "NaN (a missing value), but this Som's params().missing is Missing::reject; "
                                        "train with missing = Missing::mask to search on the present features, or "
                                        "fill the missing values"));
    }
    if (present == 0)
      throw InputError(detail::concat(call, "(): ", src.description(), " row ", c.first_row + i,
                                      " (0-based) has no present feature (all NaN)"));
  }
}

template <typename Scalar>
auto Som<Scalar>::topographic_error(ConstRowRef<Scalar> X) const -> double {
  return somtile::topographic_error(bmus("Som::topographic_error", X, true), grid_);
}

template <typename Scalar>
auto Som<Scalar>::cluster(const ClusterParams& params) const -> ClusterResult {
  static_assert(detail::NeuronClusteringIncluded<Scalar>::value, "Som::cluster() needs #include <somtile/cluster.hpp>");
  require_weights("Som::cluster");
  return cluster_units<Scalar>(weights_, positions(), params, "Som::cluster");
}

template <typename Scalar>
auto Som<Scalar>::elbow(Index max_k, FeatureSpace space, std::uint64_t seed) const -> std::vector<double> {
  static_assert(detail::NeuronClusteringIncluded<Scalar>::value, "Som::elbow() needs #include <somtile/cluster.hpp>");
  require_weights("Som::elbow");
  detail::check_non_negative("Som::elbow", "max_k", max_k);
  return elbow_inertias(cluster_features<Scalar>(weights_, positions(), space),
                        std::min<Index>(max_k > 0 ? max_k : 10, n_units()), seed, 10, params_.n_threads);
}

template <typename Scalar>
auto Som<Scalar>::bmus(const char* call, ConstRowRef<Scalar> X, bool with_second) const -> BmuResult<Scalar> {
  require_weights(call);
  check(call, X);
  RowMatrix<Scalar> storage;
  return detail::masked_bmus<Scalar>(scaler_.scaled_view(X, storage, params_.missing), weights_, params_.distance,
                                     with_second, params_.n_threads, params_.missing);
}
/// \endcond

}  // namespace somtile

#include "somtile/som/batch_statistics.hpp"  // BatchStatistics and the members that take it
