#pragma once
// BatchStatistics: one batch epoch of a Som as partial sums that any engine can compute in
// parts, move as bytes, merge and apply (docs/batch-statistics.md).
//
//   BatchStatistics<S> stats = som.batch_statistics(epoch);  // empty sums for the current codebook
//   stats.accumulate(X_chunk);                               // dense, sparse or masked rows
//   stats.merge(other);                                      // another part, same epoch and codebook
//   std::vector<std::uint8_t> b = stats.to_bytes();          // BatchStatistics<S>::from_bytes(b)
//   som.apply(stats);                                        // the epoch's batch update
//
// Determinism: each unit's sum adds its rows in the order they are accumulated, so chunks fed
// in data order give, bit for bit, the sums (and the codebook) of Som::fit on all rows, for any
// chunk sizes and thread counts. Merging parts adds them in the order of the merge calls: a
// fixed order gives the same result every run (and equals one part holding all rows to
// rounding).

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/epoch_info.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/kernels/detail/masked_bmu.hpp"
#include "somtile/som/detail/batch_bytes.hpp"
#include "somtile/som/detail/batch_sums.hpp"
#include "somtile/som/som.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace somtile {

namespace detail {
/// What accumulate needs of the Som that made the statistics: a copy of its codebook, scaling,
/// grid and parameters, shared by the copies of one BatchStatistics.
template <typename Scalar>
struct BatchContext {
  SomParams params;
  Grid grid;
  RowMatrix<Scalar> weights;
  Scaler<Scalar> scaler;
};
struct BatchStatisticsAccess;
}  // namespace detail

/// The statistics of one batch epoch of a Som: per-unit sums and counts of the samples each unit
/// wins against the codebook they were made for, and the errors of that codebook on the same
/// samples. Made by Som::batch_statistics(epoch), filled by accumulate() (in any number of
/// parts, on any machines), combined by merge(), moved by to_bytes() / from_bytes() and
/// applied by Som::apply(). See docs/batch-statistics.md.
///
/// \tparam Scalar  float or double, the Som's.
template <typename Scalar>
class BatchStatistics {
 public:
  /// Empty statistics of no epoch: merge() into them adopts the first part's shape and epoch.
  BatchStatistics() = default;

  /// The epoch (0-based) whose update these statistics make; epochs() for statistics that only
  /// measure a trained codebook.
  Index epoch() const { return epoch_; }
  /// The Som's params().epochs.
  Index epochs() const { return epochs_; }
  /// Neighbourhood width of the epoch's update (the Som's sigma_at(epoch())).
  double sigma() const { return sigma_; }
  /// Units of the map.
  Index n_units() const { return sums_.n_units(); }
  /// Features of the data.
  Index n_features() const { return sums_.n_features(); }
  /// Identifies the codebook, epoch and schedule the statistics were made for.
  std::uint64_t fingerprint() const { return fingerprint_; }
  /// Rows accumulated (over every merged part).
  Index n_samples() const { return Index(sums_.samples); }
  /// Whether a row with missing values (NaN, Missing::mask) was accumulated: the update then
  /// takes the per-feature (masked) batch rule, as Som::fit does on such data.
  bool has_missing() const { return sums_.masked(); }
  /// Per-unit sums of the rows each unit won (units x features, in scaled space when the Som
  /// scales; missing cells left out).
  const RowMatrix<Scalar>& sums() const { return sums_.sums; }
  /// Per-unit number of rows won.
  const std::vector<std::int64_t>& counts() const { return sums_.counts; }
  /// Mean BMU distance of the accumulated rows to the codebook the statistics were made for
  /// (its quantization error; 0 without rows).
  double quantization_error() const { return sums_.samples ? sums_.distance_sum / double(sums_.samples) : 0.0; }
  /// Share of the accumulated rows whose two best units are not neighbours (0 without rows).
  double topographic_error() const {
    return sums_.samples ? double(sums_.topographic_errors) / double(sums_.samples) : 0.0;
  }
  /// Whether accumulate() can be called: true for statistics made by Som::batch_statistics (and
  /// their copies), false for those read by from_bytes() or default constructed.
  bool can_accumulate() const { return context_ != nullptr; }

  /// Adds the rows of a dense chunk: finds their BMUs with the Som's distance and adds them to
  /// the sums in row order. NaN cells are missing values with Missing::mask and an error
  /// otherwise. `first_row`: the chunk's first row in the whole data (0-based), for messages.
  /// A chunk of 0 rows adds nothing.
  /// \throws InputError on a wrong feature count or a non-finite value (naming the row);
  ///         std::logic_error when the statistics hold no codebook (can_accumulate()).
  void accumulate(ConstRowRef<Scalar> X, Index first_row = 0);

  /// The same for compressed rows (SparseRowMatrix<Scalar>; needs <somtile/sparse.hpp>):
  /// the Som needs Scaling::none and Distance::euclidean or cosine (ParameterError otherwise).
  template <typename Sp, detail::IfSparseRows<Sp, Scalar> = 0>
  void accumulate(const Sp& X, Index first_row = 0) {
    detail::SparseSom<Scalar, Sp>::accumulate(*this, X, first_row);
  }

  /// Adds another part's statistics (made for the same epoch and codebook, e.g. on another
  /// machine). Parts merged in a fixed order give the same sums every run.
  /// \throws InputError when the shape, epoch or fingerprint differ; nothing is changed then.
  void merge(const BatchStatistics& other);

  /// The statistics as bytes (little-endian, versioned; layout in docs/batch-statistics.md).
  /// \throws InputError on empty (default-constructed) statistics.
  std::vector<std::uint8_t> to_bytes() const;
  /// Statistics from to_bytes() output (they can be merged and applied, not accumulated into).
  /// \throws InputError when the bytes are truncated, not statistics, of another scalar type,
  ///         of a newer version or inconsistent.
  static BatchStatistics from_bytes(const std::vector<std::uint8_t>& bytes);
  /// The same from `size` bytes at `data`.
  static BatchStatistics from_bytes(const std::uint8_t* data, std::size_t size);

 private:
  friend class Som<Scalar>;
  friend struct detail::BatchStatisticsAccess;
  template <typename, typename>
  friend struct detail::SparseSom;

  void require_context(const char* call) const;

  std::shared_ptr<const detail::BatchContext<Scalar>> context_;
  Index epoch_ = -1, epochs_ = 0;
  double sigma_ = 0.0;
  std::uint64_t fingerprint_ = 0;
  detail::BatchSums<Scalar> sums_;
};

namespace detail {
/// The raw statistics, for reductions that add them in place (mpi::fit_batch).
struct BatchStatisticsAccess {
  template <typename Scalar>
  static BatchSums<Scalar>& sums(BatchStatistics<Scalar>& s) {
    return s.sums_;
  }
};
/// Bytes of the header of BatchStatistics::to_bytes.
inline constexpr std::size_t batch_bytes_header = 8 + 4 + 4 + 8 * 4 + 8 + 8 + 8 + 8 + 8;
inline constexpr char batch_bytes_magic[8] = {'S', 'O', 'M', 'B', 'S', 'T', 'A', 'T'};
inline constexpr std::uint32_t batch_bytes_version = 1;
}  // namespace detail

// Members defined outside the class so that programs linking somtile::precompiled do not
// instantiate them (core/detail/precompiled.hpp).
/// \cond INTERNAL

template <typename Scalar>
auto BatchStatistics<Scalar>::require_context(const char* call) const -> void {
  if (!context_)
    throw std::logic_error(detail::concat(call,
                                          "(): these statistics hold no codebook (read from bytes or default "
                                          "constructed); accumulate into som.batch_statistics(epoch) and merge"));
}

template <typename Scalar>
auto BatchStatistics<Scalar>::accumulate(ConstRowRef<Scalar> X, Index first_row) -> void {
  const char* call = "BatchStatistics::accumulate";
  require_context(call);
  const detail::BatchContext<Scalar>& c = *context_;
  const SomParams& p = c.params;
  detail::check_chunk<Scalar>(call, X, n_features(), p.missing, first_row);
  if (X.rows() == 0) return;
  RowMatrix<Scalar> storage;
  const ConstRowRef<Scalar> Xs = c.scaler.scaled_view(X, storage, p.missing);
  // Som::fit's BMU pass (the bounded search finds the same BMUs and distances).
  const BmuResult<Scalar> r = detail::masked_bmus<Scalar>(Xs, c.weights, p.distance, true, p.n_threads, p.missing);
  sums_.add_rows(Xs, r.bmu, p.missing == Missing::mask);
  sums_.add_errors(r, [&c](Index a, Index b) { return c.grid.adjacent(a, b); });
}

template <typename Scalar>
auto BatchStatistics<Scalar>::merge(const BatchStatistics& o) -> void {
  const char* call = "BatchStatistics::merge";
  if (o.epoch_ < 0) return;  // empty: nothing to add
  if (epoch_ < 0) {
    *this = o;
    return;
  }
  detail::require<InputError>(o.n_units() == n_units() && o.n_features() == n_features(), call, "the other part is ",
                              o.n_units(), " units x ", o.n_features(), " features, these statistics ", n_units(),
                              " x ", n_features());
  detail::require<InputError>(o.epoch_ == epoch_ && o.epochs_ == epochs_, call, "the other part is for epoch ",
                              o.epoch_, " of ", o.epochs_, ", these statistics for epoch ", epoch_, " of ", epochs_);
  detail::require<InputError>(o.fingerprint_ == fingerprint_, call, "the other part was made for another codebook ",
                              "(fingerprint ", o.fingerprint_, ", these statistics ", fingerprint_,
                              "); every part must come from som.batch_statistics(", epoch_, ") on the same weights");
  sums_.merge(o.sums_);
}

template <typename Scalar>
auto BatchStatistics<Scalar>::to_bytes() const -> std::vector<std::uint8_t> {
  detail::require<InputError>(epoch_ >= 0, "BatchStatistics::to_bytes",
                              "the statistics are empty (default constructed); make them with som.batch_statistics");
  const Index U = n_units(), F = n_features();
  std::vector<std::uint8_t> out;
  out.reserve(detail::batch_bytes_header + std::size_t(U * F) * sizeof(Scalar) +
              std::size_t(U + (has_missing() ? U * F : 0)) * 8);
  detail::LittleEndianWriter w{out};
  for (const char ch : detail::batch_bytes_magic) w.put(std::uint8_t(ch));
  w.put(detail::batch_bytes_version);
  w.put(std::uint8_t(sizeof(Scalar)));
  w.put(std::uint8_t(has_missing() ? 1 : 0));
  w.put(std::uint8_t(0));
  w.put(std::uint8_t(0));
  for (const Index v : {U, F, epoch_, epochs_}) w.put(std::int64_t(v));
  w.put(sigma_);
  w.put(fingerprint_);
  w.put(sums_.samples);
  w.put(sums_.distance_sum);
  w.put(sums_.topographic_errors);
  for (Index u = 0; u < U; ++u)
    for (Index j = 0; j < F; ++j) w.put(sums_.sums(u, j));
  for (const std::int64_t c : sums_.counts) w.put(c);
  for (const std::int64_t m : sums_.missing) w.put(m);
  return out;
}

template <typename Scalar>
auto BatchStatistics<Scalar>::from_bytes(const std::vector<std::uint8_t>& bytes) -> BatchStatistics {
  return from_bytes(bytes.data(), bytes.size());
}

template <typename Scalar>
auto BatchStatistics<Scalar>::from_bytes(const std::uint8_t* data, std::size_t size) -> BatchStatistics {
  const char* call = "BatchStatistics::from_bytes";
  using detail::require;
  require<InputError>(size >= detail::batch_bytes_header, call, "truncated: ", size, " bytes, the header alone has ",
                      detail::batch_bytes_header);
  require<InputError>(std::memcmp(data, detail::batch_bytes_magic, 8) == 0, call,
                      "these bytes are not batch statistics (the magic SOMBSTAT is missing)");
  detail::LittleEndianReader r{data, 8};
  const auto version = r.get<std::uint32_t>();
  require<InputError>(version == detail::batch_bytes_version, call, "format version ", version,
                      " is not supported (this library reads version ", detail::batch_bytes_version, ")");
  const auto scalar = r.get<std::uint8_t>(), masked = r.get<std::uint8_t>();
  const auto reserved = r.get<std::uint8_t>() | r.get<std::uint8_t>();
  require<InputError>(reserved == 0, call, "the reserved bytes 14 and 15 are not zero");
  require<InputError>(scalar == sizeof(Scalar), call, "the statistics hold ", scalar == 4 ? "float" : "double",
                      " values (", int(scalar), " bytes), but this is BatchStatistics<",
                      sizeof(Scalar) == 4 ? "float" : "double", ">");
  require<InputError>(masked <= 1, call, "the missing-values flag is ", int(masked), ", not 0 or 1");
  BatchStatistics s;
  const auto U = r.get<std::int64_t>(), F = r.get<std::int64_t>();
  s.epoch_ = Index(r.get<std::int64_t>());
  s.epochs_ = Index(r.get<std::int64_t>());
  s.sigma_ = r.get<double>();
  s.fingerprint_ = r.get<std::uint64_t>();
  const auto samples = r.get<std::int64_t>();
  const double distance_sum = r.get<double>();
  const auto te = r.get<std::int64_t>();
  const std::int64_t limit = std::int64_t(1) << 40;  // far beyond any codebook, keeps sizes below overflow
  require<InputError>(U > 0 && F > 0 && U < limit && F <= limit / U, call, "the shape ", U, " units x ", F,
                      " features is not valid");
  const std::size_t expected =
      detail::batch_bytes_header + std::size_t(U * F) * sizeof(Scalar) + std::size_t(U + (masked ? U * F : 0)) * 8;
  require<InputError>(size == expected, call, "the statistics of ", U, " units x ", F, " features",
                      masked ? " with missing values" : "", " take ", expected, " bytes, got ", size,
                      size < expected ? " (truncated)" : " (trailing bytes)");
  require<InputError>(s.epochs_ > 0 && s.epoch_ >= 0 && s.epoch_ <= s.epochs_, call, "epoch ", s.epoch_, " of ",
                      s.epochs_, " is not valid");
  require<InputError>(samples >= 0 && te >= 0 && te <= samples && std::isfinite(distance_sum) && distance_sum >= 0,
                      call, "the error sums (", samples, " samples, ", te, " topographic errors, distance sum ",
                      distance_sum, ") are not valid");
  s.sums_.reset(Index(U), Index(F));
  for (Index u = 0; u < U; ++u)
    for (Index j = 0; j < F; ++j) s.sums_.sums(u, j) = r.get<Scalar>();
  std::int64_t total = 0;
  for (auto& c : s.sums_.counts) {
    c = r.get<std::int64_t>();
    require<InputError>(c >= 0 && c <= samples - total, call, "a unit count of ", c,
                        " is negative or makes the counts add up to more than the ", samples, " samples");
    total += c;
  }
  require<InputError>(total == samples, call, "the unit counts add up to ", total, ", not to the ", samples,
                      " samples");
  if (masked) {
    s.sums_.missing.resize(std::size_t(U * F));
    for (std::size_t k = 0; k < s.sums_.missing.size(); ++k) {
      const auto m = r.get<std::int64_t>();
      const std::int64_t c = s.sums_.counts[k / std::size_t(F)];
      require<InputError>(m >= 0 && m <= c, call, "a missing count of ", m, " is not in [0, ", c, "]");
      s.sums_.missing[k] = m;
    }
  }
  // Sums of finite rows are finite, and a sum over no rows is zero: a unit (or, with missing
  // values, a feature of a unit) that no row reached must not carry a value into apply().
  for (Index u = 0; u < U; ++u)
    for (Index j = 0; j < F; ++j) {
      const Scalar v = s.sums_.sums(u, j);
      require<InputError>(std::isfinite(v), call, "the sum of unit ", u, ", feature ", j, " is ", v,
                          "; sums of finite rows are finite");
      const std::int64_t present =
          s.sums_.counts[std::size_t(u)] - (masked ? s.sums_.missing[std::size_t(u * F + j)] : 0);
      require<InputError>(present > 0 || v == Scalar(0), call, "unit ", u, ", feature ", j, " sums no rows but holds ",
                          v, "; a sum over no rows is 0");
    }
  s.sums_.samples = samples;
  s.sums_.distance_sum = distance_sum;
  s.sums_.topographic_errors = te;
  return s;
}

template <typename Scalar>
auto Som<Scalar>::batch_statistics(Index epoch) const -> BatchStatistics<Scalar> {
  const char* call = "Som::batch_statistics";
  require_weights(call);
  detail::require<InputError>(epoch >= 0 && epoch <= params_.epochs, call, "epoch must be in [0, ", params_.epochs,
                              "] (params().epochs, for measuring the trained map), got ", epoch);
  BatchStatistics<Scalar> s;
  s.context_ = std::make_shared<const detail::BatchContext<Scalar>>(
      detail::BatchContext<Scalar>{params_, grid_, weights_, scaler_});
  s.epoch_ = epoch;
  s.epochs_ = params_.epochs;
  s.sigma_ = sigma_at(epoch);
  s.fingerprint_ = detail::batch_fingerprint<Scalar>(weights_, epoch, params_.epochs, s.sigma_);
  s.sums_.reset(n_units(), n_features_);
  return s;
}

template <typename Scalar>
auto Som<Scalar>::apply(const BatchStatistics<Scalar>& s) -> EpochInfo {
  const char* call = "Som::apply";
  require_weights(call);
  detail::require<InputError>(s.epoch() >= 0, call, "the statistics are empty (default constructed)");
  detail::require<InputError>(s.n_units() == n_units() && s.n_features() == n_features_, call, "the statistics are ",
                              s.n_units(), " units x ", s.n_features(), " features, this Som ", n_units(), " x ",
                              n_features_);
  detail::require<InputError>(s.epochs() == params_.epochs && s.epoch() < params_.epochs, call,
                              "the statistics are for epoch ", s.epoch(), " of ", s.epochs(),
                              "; this Som updates epochs 0 to ", params_.epochs - 1,
                              " (statistics of epoch params().epochs only measure a map)");
  const double sigma = sigma_at(s.epoch());
  detail::require<InputError>(
      s.fingerprint() == detail::batch_fingerprint<Scalar>(weights_, s.epoch(), params_.epochs, sigma), call,
      "the statistics were made for another codebook or schedule (fingerprint ", s.fingerprint(),
      "); make them with batch_statistics(", s.epoch(), ") on this Som's current weights");
  detail::require<InputError>(s.n_samples() > 0, call, "the statistics hold no samples; accumulate rows first");
  detail::require<InputError>(!s.has_missing() || params_.missing == Missing::mask, call,
                              "the statistics hold missing values, but params().missing is not Missing::mask");
  RowMatrix<Scalar> W = weights_;
  detail::CompactSums<Scalar> compact;
  batch_step(W, s.sums_, sigma, compact, call);
  weights_ = std::move(W);
  return EpochInfo{s.epoch(), params_.epochs, 0.0, sigma, s.quantization_error(), s.topographic_error(), n_units()};
}
/// \endcond

}  // namespace somtile

#include "somtile/som/detail/source_fit.hpp"  // Som::fit(ChunkSource&), which runs BatchStatistics
