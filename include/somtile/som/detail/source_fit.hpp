#pragma once
// Som::fit(ChunkSource&): batch training from a source read in passes (docs/batch-statistics.md,
// "Training from a source"). Memory: one chunk, a few units x features matrices, and the
// bounded search's per-row state up to chunk_bounds_memory() (64 MB; the rest in a temporary
// file, som/detail/chunk_bounds.hpp).
//
// Passes, when the weights do not exist yet (each one rewind() and every chunk):
//   1. rows, the data checks, and per column the sum, count, min and max of the present values
//      (skipped for Init::random / sample without scaling or missing values when the source
//      knows its row count);
//   2. Scaling::standard: the squared deviations from pass 1's mean (StandardScaler::fit's two
//      passes, summed in row order: the same scaler bit for bit); MinMaxScaler is fitted on the
//      two rows (min, max), which gives its fit on the data exactly;
//   3. what the initialisation reads in scaled space: column means of the present values (the
//      fill of missing cells, som/detail/mean_fill.hpp), min and max (uniform), the mean of the
//      rows (pca), then the covariance (pca, kernels/detail/pca.hpp's four-row blocks in row
//      order: the same matrix bit for bit up to 1024 features) or the rows random / sample
//      draw (the same draws as Som::initial_weights for the same seed).
// Then epoch e's pass accumulates BatchStatistics for the codebook after epoch e - 1 and applies
// them; its errors are epoch e - 1's entry of the history (Som::fit's own order: one extra pass
// at the end measures the trained map).

#include "somtile/core/detail/validate.hpp"
#include "somtile/kernels/detail/pca.hpp"
#include "somtile/kernels/detail/sparse_bmu.hpp"
#include "somtile/preprocessing/min_max_scaler.hpp"
#include "somtile/preprocessing/standard_scaler.hpp"
#include "somtile/som/batch_statistics.hpp"
#include "somtile/som/detail/batch_bytes.hpp"
#include "somtile/som/detail/chunk_bounds.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

namespace somtile::detail {

/// Per-column sum, count, min and max of the present values, in row order.
struct ColumnMoments {
  Eigen::ArrayXd sum, count, lo, hi;
  bool any_missing = false;
  explicit ColumnMoments(Index F = 0)
      : sum(Eigen::ArrayXd::Zero(F)),
        count(Eigen::ArrayXd::Zero(F)),
        lo(Eigen::ArrayXd::Constant(F, std::numeric_limits<double>::infinity())),
        hi(Eigen::ArrayXd::Constant(F, -std::numeric_limits<double>::infinity())) {}
  template <typename Scalar>
  void add(ConstRowRef<Scalar> X) {
    for (Index i = 0; i < X.rows(); ++i)
      for (Index j = 0; j < X.cols(); ++j) {
        const double x = double(X(i, j));
        if (std::isnan(x)) {
          any_missing = true;
          continue;
        }
        sum[j] += x;
        count[j] += 1.0;
        lo[j] = std::min(lo[j], x);
        hi[j] = std::max(hi[j], x);
      }
  }
};

/// kernels/detail/pca.hpp's principal_axes (full covariance) fed one row at a time: the same
/// four-row blocks in row order, so the same matrix bit for bit.
struct StreamingCovariance {
  Eigen::RowVectorXd mean;
  RowMatrix<double> cov, c;
  Index filled = 0, n = 0;
  explicit StreamingCovariance(const Eigen::RowVectorXd& m)
      : mean(m), cov(RowMatrix<double>::Zero(m.size(), m.size())), c(4, m.size()) {}
  template <typename Row>
  void add(const Row& x) {
    c.row(filled++) = x.template cast<double>() - mean;
    ++n;
    if (filled == 4) flush();
  }
  void flush() {
    for (Index r = filled; r < 4; ++r) c.row(r).setZero();
    const Index F = cov.cols();
    for (Index j = 0; j < F; ++j) {
      const Index len = F - j;
      cov.row(j).tail(len) += c(0, j) * c.row(0).tail(len) + c(1, j) * c.row(1).tail(len) +
                              c(2, j) * c.row(2).tail(len) + c(3, j) * c.row(3).tail(len);
    }
    filled = 0;
  }
  PrincipalAxes axes(Index k) {
    if (filled > 0) flush();
    const Index F = cov.cols();
    cov /= double(std::max<Index>(n - 1, 1));
    const SymmetricEigen eig = symmetric_eigen(cov.transpose());
    PrincipalAxes out;
    out.mean = mean;
    out.axes = Eigen::MatrixXd::Zero(F, k);
    out.variances = Eigen::VectorXd::Zero(k);
    for (Index a = 0; a < std::min(k, F); ++a) {
      out.axes.col(a) = signed_axis(eig.vectors.col(F - 1 - a));
      out.variances(a) = std::max(0.0, eig.values(F - 1 - a));
    }
    return out;
  }
};

template <typename Scalar>
struct SourceFit {
  using Model = Som<Scalar>;
  using Source = ChunkSource<Scalar>;
  static constexpr const char* call = "Som::fit";

  /// One pass: fn(chunk) for every non-empty chunk, after its checks. Returns the row count;
  /// `expected` >= 0: the count every pass must give (a source that changed is an error).
  template <typename Fn>
  static Index pass(const Model& som, Source& src, Index expected, Fn&& fn) {
    src.rewind();
    Chunk<Scalar> c;
    Index n = 0;
    while (src.next(c)) {
      if (c.rows() == 0) continue;
      require<InputError>(c.first_row == n, call, src.description(), " gave a chunk at row ", c.first_row, " after ", n,
                          " rows; chunks must come in row order");
      check(som, src, c);
      fn(c);
      n += c.rows();
    }
    require<InputError>(n > 0, call, src.description(), " has no rows");
    require<InputError>(expected < 0 || n == expected, call, src.description(), " gave ", n, " rows in this pass, but ",
                        expected,
                        " before; the data changed between passes (training needs the same rows in every pass)");
    return n;
  }

  /// The checks of a chunk, with the source in the message.
  static void check(const Model& som, const Source& src, const Chunk<Scalar>& c) {
    const SomParams& p = som.params_;
    try {
      if (!c.is_sparse) {
        check_chunk<Scalar>(call, c.dense, som.n_features_, p.missing, c.first_row);
        return;
      }
      require(p.scaling == Scaling::none, call,
              "sparse data needs Scaling::none (scaling would make it dense), but params().scaling is ",
              enum_name(p.scaling));
      check_sparse_metric(call, p.distance);
      const CsrView<Scalar> v = csr_view(c.sparse);
      require<InputError>(v.cols == som.n_features_, call, "the chunk has ", v.cols, " features, but this Som expects ",
                          som.n_features_);
      for (Index i = 0; i < v.rows; ++i)
        for (Index k = v.begin(i); k < v.end(i); ++k)
          require<InputError>(std::isfinite(double(v.values[k])), call, "row ", c.first_row + i + 1,
                              " of the data (column ", v.inner[k], ") is ", v.values[k],
                              "; sparse values must be finite");
    } catch (const InputError& e) {
      throw InputError(concat(e.what(), " [", src.description(), "]"));
    } catch (const ParameterError& e) {
      throw ParameterError(concat(e.what(), " [", src.description(), "]"));
    }
  }

  /// The chunk's rows in the Som's scaled space (a view of the chunk when nothing changes).
  static ConstRowRef<Scalar> scaled(const Scaler<Scalar>& scaler, Missing missing, const Chunk<Scalar>& c,
                                    RowMatrix<Scalar>& storage) {
    return scaler.scaled_view(c.dense, storage, missing);
  }

  /// Row i of a chunk (dense or sparse) into W.row(u), with NaN cells at `fill` when given.
  static void copy_row(ConstRowRef<Scalar> X, const Chunk<Scalar>& c, Index i, const Vector<Scalar>* fill,
                       RowMatrix<Scalar>& W, Index u) {
    if (c.is_sparse) {
      const CsrView<Scalar> v = csr_view(c.sparse);
      W.row(u).setZero();
      for (Index k = v.begin(i); k < v.end(i); ++k) W(u, v.inner[k]) = v.values[k];
      return;
    }
    W.row(u) = X.row(i);
    if (fill)
      for (Index j = 0; j < W.cols(); ++j)
        if (std::isnan(W(u, j))) W(u, j) = (*fill)[j];
  }

  static TrainingHistory fit(Model& som, Source& src, const typename Model::EpochCallback& on_epoch) {
    const SomParams& p = som.params_;
    require(p.training == Training::batch, call, "training from a source (", src.description(),
            ") takes the batch rule, which reads the rows in order once per epoch; params().training is ",
            enum_name(p.training),
            ", which shuffles all rows every epoch. Set training = Training::batch, or read the data into memory "
            "(e.g. read_npy) and call fit(X)");
    require<InputError>(src.n_features() == som.n_features_, call, src.description(), " has ", src.n_features(),
                        " features, but this Som expects ", som.n_features_);
    Model work = som;  // the state the passes change; `som` takes it at each finished epoch
    Index n = src.n_rows();
    if (!som.is_fitted()) n = initialize(work, src);
    TrainingHistory history;
    history.quantization_errors.reserve(std::size_t(p.epochs));
    history.topographic_errors.reserve(std::size_t(p.epochs));
    // Pass e accumulates for the weights after epoch e - 1: it measures them (history entry
    // e - 1) and makes epoch e's update; pass epochs only measures.
    // Bounds between passes, as fit(X) keeps them (som/detail/chunk_bounds.hpp): the same BMUs.
    const std::unique_ptr<ChunkBounds<Scalar>> bounds = chunk_bounds(work);
    RowMatrix<Scalar> storage;
    BmuResult<Scalar> r;
    for (Index e = 0; e <= p.epochs; ++e) {
      BatchStatistics<Scalar> stats = work.batch_statistics(e);
      if (bounds) bounds->begin_pass(work.weights_);
      n = pass(work, src, n, [&](const Chunk<Scalar>& c) {
        if (c.is_sparse) {
          if (bounds) bounds->skip();
          accumulate_sparse(work, stats, c);
        } else {
          accumulate_dense(work, src, stats, c, bounds.get(), storage, r);
        }
      });
      if (bounds) {
        bounds->end_pass();
        if (e > 0) history.distances_computed.push_back(bounds->stats().scored_fraction);
      }
      if (e > 0) {
        const double sigma = work.sigma_at(e - 1);
        work.record(history, stats.quantization_error(), stats.topographic_error(), e - 1, 0.0, sigma, on_epoch);
      }
      if (e < p.epochs) {
        work.apply(stats);
        som.weights_ = work.weights_;
        som.scaler_ = work.scaler_;
        som.rng_ = work.rng_;
      }
    }
    return history;
  }

  /// The bounded search where the in-memory fit keeps one (chunks with missing values and
  /// sparse chunks are searched without).
  static std::unique_ptr<ChunkBounds<Scalar>> chunk_bounds(const Model& som) {
    if (!som.batch_keeps_bounds()) return nullptr;
    return std::make_unique<ChunkBounds<Scalar>>(som.bound_groups(), som.params_.n_threads);
  }

  /// BatchStatistics::accumulate on a dense chunk that pass() checked: its steps, with the
  /// bounded search when there is one (the same BMUs).
  static void accumulate_dense(const Model& som, const Source& src, BatchStatistics<Scalar>& stats,
                               const Chunk<Scalar>& c, ChunkBounds<Scalar>* bounds, RowMatrix<Scalar>& storage,
                               BmuResult<Scalar>& r) {
    const SomParams& p = som.params_;
    const ConstRowRef<Scalar> X = som.scaler_.scaled_view(c.dense, storage, p.missing);
    if (bounds && !(p.missing == Missing::mask && has_missing(X))) {
      const Index changed = bounds->search(X, r);
      require<InputError>(changed < 0, call, "row ", c.first_row + changed + 1, " of ", src.description(),
                          " differs from the previous pass's: the data changed during training (every pass must "
                          "read the same rows)");
    } else {
      if (bounds) bounds->skip();
      r = masked_bmus<Scalar>(X, som.weights_, p.distance, true, p.n_threads, p.missing);
    }
    BatchSums<Scalar>& s = BatchStatisticsAccess::sums(stats);
    s.add_rows(X, r.bmu, p.missing == Missing::mask);
    s.add_errors(r, [&som](Index a, Index b) { return som.grid_.adjacent(a, b); });
  }

  /// BatchStatistics::accumulate on a sparse chunk (som/detail/sparse_som.hpp's steps), without
  /// needing somtile/sparse.hpp.
  static void accumulate_sparse(const Model& som, BatchStatistics<Scalar>& stats, const Chunk<Scalar>& c) {
    const CsrView<Scalar> v = csr_view(c.sparse);
    const BmuResult<Scalar> r =
        sparse_find_bmus<Scalar>(v, som.weights_, som.params_.distance, true, som.params_.n_threads);
    BatchSums<Scalar>& s = BatchStatisticsAccess::sums(stats);
    s.add_sparse(v, r.bmu);
    s.add_errors(r, [&som](Index a, Index b) { return som.grid_.adjacent(a, b); });
  }

  /// Fits the scaling and makes the initial weights (see the top of this file); returns the
  /// row count. Changes only `work`.
  static Index initialize(Model& work, Source& src) {
    const SomParams& p = work.params_;
    const Index F = work.n_features_;
    const Init init = p.init;
    const bool rows_only =
        (init == Init::random || init == Init::sample) && p.scaling == Scaling::none && p.missing == Missing::reject;
    Index n = src.n_rows();
    ColumnMoments raw(F);
    // Sparse columns: the values stored (raw.count) and whether a chunk was sparse.
    bool sparse = false;
    if (!(rows_only && n > 0)) {
      n = pass(work, src, -1, [&](const Chunk<Scalar>& c) {
        if (!c.is_sparse) return raw.add<Scalar>(c.dense);
        sparse = true;
        const CsrView<Scalar> v = csr_view(c.sparse);
        for (Index i = 0; i < v.rows; ++i)
          for (Index k = v.begin(i); k < v.end(i); ++k) {
            const Index j = v.inner[k];
            const double x = double(v.values[k]);
            raw.sum[j] += x;
            raw.count[j] += 1.0;
            raw.lo[j] = std::min(raw.lo[j], x);
            raw.hi[j] = std::max(raw.hi[j], x);
          }
      });
      if (!sparse)
        for (Index j = 0; j < F; ++j)
          require<InputError>(raw.count[j] > 0, call, "feature ", j, " of ", src.description(),
                              " has no present value (all NaN); it cannot be scaled or initialised");
    }
    work.scaler_ = fit_scaler(work, src, n, raw);
    const Missing missing = p.missing;
    const Scaler<Scalar>& scaler = work.scaler_;
    RowMatrix<Scalar> storage;
    // Scaled-space moments: the fill of missing cells (their column's mean), min and max.
    ColumnMoments scaled_moments = raw;
    if (!sparse && p.scaling != Scaling::none && (init == Init::uniform || raw.any_missing))
      scaled_moments = moments(work, src, n);
    Vector<Scalar> fill;
    const bool filling = raw.any_missing && !sparse;
    if (filling) fill = (scaled_moments.sum / scaled_moments.count).template cast<Scalar>().matrix();
    RowMatrix<Scalar> W(work.n_units(), F);
    Random& rng = work.rng_;
    switch (init) {
      case Init::random:
      case Init::sample: {
        std::vector<std::pair<Index, Index>> wanted;  // (row, unit)
        if (init == Init::random) {
          for (Index u = 0; u < work.n_units(); ++u) wanted.emplace_back(rng.uniform_index(n), u);
        } else {
          for (Index u = 0; u < work.n_units(); u += n) {
            const auto rows = rng.sample_without_replacement(n, std::min(n, work.n_units() - u));
            for (std::size_t k = 0; k < rows.size(); ++k) wanted.emplace_back(rows[k], u + Index(k));
          }
        }
        std::sort(wanted.begin(), wanted.end());
        std::size_t next = 0;
        pass(work, src, n, [&](const Chunk<Scalar>& c) {
          const Index end = c.first_row + c.rows();
          if (next >= wanted.size() || wanted[next].first >= end) return;
          const ConstRowRef<Scalar> X =
              c.is_sparse ? ConstRowRef<Scalar>(storage) : scaled(scaler, missing, c, storage);
          for (; next < wanted.size() && wanted[next].first < end; ++next)
            copy_row(X, c, wanted[next].first - c.first_row, filling ? &fill : nullptr, W, wanted[next].second);
        });
        break;
      }
      case Init::uniform: {
        Eigen::ArrayXd lo = scaled_moments.lo, hi = scaled_moments.hi;
        if (sparse)  // the implicit zeros count (SparseSom::initial)
          for (Index j = 0; j < F; ++j)
            if (raw.count[j] < double(n)) lo[j] = std::min(lo[j], 0.0), hi[j] = std::max(hi[j], 0.0);
        for (Index u = 0; u < work.n_units(); ++u)
          for (Index j = 0; j < F; ++j) W(u, j) = Scalar(rng.uniform(double(Scalar(lo[j])), double(Scalar(hi[j]))));
        break;
      }
      case Init::pca: {
        require(F <= full_eigen_max_features, call, "Init::pca from a source (", src.description(), ") needs at most ",
                full_eigen_max_features, " features (a full covariance), got ", F,
                "; use Init::random, or initialize_weights(X) on a sample of the rows in memory, then fit(source)");
        // The rows' mean as principal_axes takes it: rows (missing cells filled) summed in
        // row order; without missing values and scaling these are pass 1's sums.
        Eigen::ArrayXd sum = raw.sum;
        if (sparse || filling || p.scaling != Scaling::none) {
          sum.setZero();
          for_rows(work, src, n, filling ? &fill : nullptr, storage,
                   [&](const auto& row) { sum += row.template cast<double>().transpose().array(); });
        }
        StreamingCovariance cov(Eigen::RowVectorXd((sum / double(n)).matrix().transpose()));
        for_rows(work, src, n, filling ? &fill : nullptr, storage, [&](const auto& row) { cov.add(row); });
        W = work.pca_weights(cov.axes(2));
        break;
      }
    }
    work.weights_ = std::move(W);
    return n;
  }

  /// fn(row) for every row in scaled space (missing cells at `fill`; sparse rows made dense).
  template <typename Fn>
  static void for_rows(const Model& work, Source& src, Index n, const Vector<Scalar>* fill, RowMatrix<Scalar>& storage,
                       Fn&& fn) {
    RowMatrix<Scalar> row(1, work.n_features_);
    pass(work, src, n, [&](const Chunk<Scalar>& c) {
      const ConstRowRef<Scalar> X =
          c.is_sparse ? ConstRowRef<Scalar>(storage) : scaled(work.scaler_, work.params_.missing, c, storage);
      for (Index i = 0; i < c.rows(); ++i) {
        copy_row(X, c, i, fill, row, 0);
        fn(row.row(0));
      }
    });
  }

  /// Column moments of the scaled rows.
  static ColumnMoments moments(const Model& work, Source& src, Index n) {
    ColumnMoments m(work.n_features_);
    RowMatrix<Scalar> storage;
    pass(work, src, n,
         [&](const Chunk<Scalar>& c) { m.add<Scalar>(scaled(work.scaler_, work.params_.missing, c, storage)); });
    return m;
  }

  /// The scaler Scaler::fit would make on all rows (see the top of this file).
  static Scaler<Scalar> fit_scaler(const Model& work, Source& src, Index n, const ColumnMoments& raw) {
    const SomParams& p = work.params_;
    const Index F = work.n_features_;
    if (p.scaling == Scaling::minmax) {
      RowMatrix<Scalar> range(2, F);
      range.row(0) = raw.lo.template cast<Scalar>().matrix().transpose();
      range.row(1) = raw.hi.template cast<Scalar>().matrix().transpose();
      MinMaxScaler<Scalar> s;
      s.fit(range);
      return Scaler<Scalar>(s);
    }
    if (p.scaling != Scaling::standard) return Scaler<Scalar>(p.scaling);
    // StandardScaler::fit's second pass and formulas.
    const Eigen::ArrayXd m = raw.sum / raw.count;
    Eigen::ArrayXd sq = Eigen::ArrayXd::Zero(F), correction = Eigen::ArrayXd::Zero(F);
    pass(work, src, n, [&](const Chunk<Scalar>& c) {
      const auto& X = c.dense;
      for (Index i = 0; i < X.rows(); ++i)
        for (Index j = 0; j < F; ++j) {
          const double x = double(X(i, j));
          if (std::isnan(x)) continue;
          const double d = x - m[j];
          sq[j] += d * d;
          correction[j] += d;
        }
    });
    const double eps = std::numeric_limits<double>::epsilon();
    Vector<Scalar> mean(F), var(F), scale(F);
    for (Index j = 0; j < F; ++j) {
      const double dn = raw.count[j];
      const double v = (sq[j] - correction[j] * correction[j] / dn) / dn;
      const bool constant = v <= dn * eps * v + (dn * m[j] * eps) * (dn * m[j] * eps);
      mean[j] = Scalar(m[j]);
      var[j] = Scalar(v);
      scale[j] = constant ? Scalar(1) : Scalar(std::sqrt(v));
    }
    return Scaler<Scalar>(StandardScaler<Scalar>::from_statistics(mean, var, scale));
  }
};

}  // namespace somtile::detail
