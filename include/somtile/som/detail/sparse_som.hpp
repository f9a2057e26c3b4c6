#pragma once
// Som's members for sparse data (SparseRowMatrix<Scalar>): the bodies of the overloads declared
// in som/som.hpp, and the maps that take data. Included by somtile/sparse.hpp, which brings
// <Eigen/SparseCore>; everything here reads the matrix through detail::csr_view.
//
// Rules: Distance::euclidean or cosine (ParameterError otherwise), Scaling::none (scaling would
// make the data dense; ParameterError otherwise), finite values (InputError), no missing values.
//   Training::batch    O(nnz x units) per epoch for the BMU pass, the update sums only the
//                      non-zeros (kernels/detail/sparse_batch.hpp); the codebook is updated in place.
//   Training::minibatch the dense rule on each batch made dense (batch x features): the same
//                      result as the dense fit on the same values, at the dense cost per batch
//                      (O(batch x units x features)); batch training is the mode that scales
//                      with the non-zeros.
//   Init::random, sample, uniform as for dense data (the same draws, so the same codebook for
//   the same seed); Init::pca from sparse_principal_axes (kernels/detail/sparse_pca.hpp), subspace
//   iteration at O(nnz) per iteration: the dense plane to its tolerance.

#include "somtile/core/detail/sparse_fwd.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/kernels/detail/sparse_batch.hpp"
#include "somtile/kernels/detail/sparse_bmu.hpp"
#include "somtile/kernels/detail/sparse_pca.hpp"
#include "somtile/kernels/detail/team_bmu.hpp"
#include "somtile/som/maps.hpp"
#include "somtile/som/som.hpp"

#include <cmath>
#include <limits>
#include <vector>

namespace somtile {
namespace detail {

template <typename Scalar, typename Sp>
struct SparseSom {
  using Model = Som<Scalar>;

  static void check_settings(const Model& som, const char* call) {
    require(som.params_.scaling == Scaling::none, call,
            "sparse data needs Scaling::none (scaling would make it dense), but params().scaling is ",
            enum_name(som.params_.scaling));
    check_sparse_metric(call, som.params_.distance);
  }

  static CsrView<Scalar> checked(const Model& som, const char* call, const Sp& X) {
    const CsrView<Scalar> v = csr_view(X);
    check_sparse_data(call, v, som.n_features_, "Som");
    check_settings(som, call);
    return v;
  }

  /// Row i of X into row u of W (zeros elsewhere).
  static void copy_row(const CsrView<Scalar>& X, Index i, RowMatrix<Scalar>& W, Index u) {
    W.row(u).setZero();
    for (Index k = X.begin(i); k < X.end(i); ++k) W(u, X.inner[k]) = X.values[k];
  }

  /// Som::initial_weights on sparse rows: the same random draws, so the same codebook as on
  /// the dense matrix of the same values.
  static RowMatrix<Scalar> initial(Model& som, const CsrView<Scalar>& X, Init init) {
    const Index n = X.rows, units = som.n_units(), F = som.n_features_;
    RowMatrix<Scalar> W(units, F);
    switch (init) {
      case Init::random:
        for (Index u = 0; u < units; ++u) copy_row(X, som.rng_.uniform_index(n), W, u);
        break;
      case Init::uniform: {
        // Each feature's [min, max] over all its values, the implicit zeros included.
        Eigen::Matrix<Scalar, 1, Eigen::Dynamic> lo = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>::Constant(
                                                     F, std::numeric_limits<Scalar>::infinity()),
                                                 hi = -lo;
        std::vector<Index> count(std::size_t(F), 0);
        for (Index i = 0; i < n; ++i)
          for (Index k = X.begin(i); k < X.end(i); ++k) {
            const Index j = X.inner[k];
            lo(j) = std::min(lo(j), X.values[k]);
            hi(j) = std::max(hi(j), X.values[k]);
            ++count[std::size_t(j)];
          }
        for (Index j = 0; j < F; ++j)
          if (count[std::size_t(j)] < n) {
            lo(j) = std::min(lo(j), Scalar(0));
            hi(j) = std::max(hi(j), Scalar(0));
          }
        for (Index u = 0; u < units; ++u)
          for (Index j = 0; j < F; ++j) W(u, j) = Scalar(som.rng_.uniform(double(lo(j)), double(hi(j))));
        break;
      }
      case Init::sample:
        for (Index u = 0; u < units; u += n) {
          const auto rows = som.rng_.sample_without_replacement(n, std::min(n, units - u));
          for (std::size_t k = 0; k < rows.size(); ++k) copy_row(X, rows[k], W, u + Index(k));
        }
        break;
      case Init::pca:
        W = som.pca_weights(sparse_principal_axes(X, 2));
        break;
    }
    return W;
  }

  static void initialize_weights(Model& som, const Sp& X, Init init) {
    const char* call = "Som::initialize_weights";
    const CsrView<Scalar> v = checked(som, call, X);
    som.weights_ = initial(som, v, init);
  }

  static BmuResult<Scalar> bmus(const Model& som, const char* call, const Sp& X, bool with_second) {
    som.require_weights(call);
    const CsrView<Scalar> v = checked(som, call, X);
    return sparse_find_bmus<Scalar>(v, som.weights_, som.params_.distance, with_second, som.params_.n_threads);
  }

  static RowMatrix<Scalar> transform(const Model& som, const Sp& X) {
    const char* call = "Som::transform";
    som.require_weights(call);
    const CsrView<Scalar> v = checked(som, call, X);
    return sparse_transform<Scalar>(v, som.weights_, som.params_.distance, som.params_.n_threads);
  }

  /// See Som::fit and the top of this file. Batch training updates the codebook in place (no
  /// second copy). The large buffers (the column copy, the BMU arrays, the panel) are allocated
  /// before the weights change, so running out of memory for them leaves the weights as they
  /// were; what is allocated later is small (kernel tables and per-epoch sums of units x 128
  /// scalars). If the epoch callback throws, a Som that was fitted before keeps the codebook of
  /// the last finished epoch (a valid one), and one that was not stays unfitted. Mini-batch
  /// training works on a copy, as for dense data.
  static TrainingHistory fit(Model& som, const Sp& X, const typename Model::EpochCallback& on_epoch) {
    const char* call = "Som::fit";
    const CsrView<Scalar> v = checked(som, call, X);
    TrainingHistory history;
    if (som.params_.training == Training::batch) {
      train_batch(som, v, history, on_epoch);
    } else {
      RowMatrix<Scalar> W = som.is_fitted() ? som.weights_ : initial(som, v, som.params_.init);
      train_minibatch(som, v, W, history, on_epoch);
      som.weights_ = std::move(W);
    }
    return history;
  }

  static void train_batch(Model& som, const CsrView<Scalar>& X, TrainingHistory& history,
                          const typename Model::EpochCallback& on_epoch) {
    const SomParams& p = som.params_;
    const int threads = p.n_threads;
    SparseBmuScratch<Scalar> scratch;
    scratch.reserve(X, som.n_units(), threads);
    SparseScoreForm<Scalar> form;
    BmuResult<Scalar> r;
    r.bmu.resize(X.rows);
    r.second.resize(X.rows);
    r.distance.resize(X.rows);
    CscCopy<Scalar> csc;
    csc.build(X);
    SparseBatchScratch<Scalar> batch;
    batch.reserve(som.n_units());
    history.quantization_errors.reserve(std::size_t(p.epochs));
    history.topographic_errors.reserve(std::size_t(p.epochs));
    RowMatrix<Scalar> fresh;
    const bool in_place = som.is_fitted();
    if (!in_place) fresh = initial(som, X, p.init);
    RowMatrix<Scalar>& W = in_place ? som.weights_ : fresh;
    // As the dense batch fit: the pass at the start of epoch e also measures epoch e - 1.
    sparse_find_bmus<Scalar>(X, W, p.distance, true, threads, scratch, form, r);
    for (Index epoch = 0; epoch < p.epochs; ++epoch) {
      const double sigma = som.sigma_at(epoch);
      const NeighborhoodTable h(som.grid_, p.neighborhood, sigma);
      sparse_batch_update(csc, r.bmu, W, h, threads, batch);
      sparse_find_bmus<Scalar>(X, W, p.distance, true, threads, scratch, form, r);
      som.record(history, r, epoch, 0.0, sigma, on_epoch);
    }
    if (!in_place) som.weights_ = std::move(fresh);
  }

  /// BatchStatistics::accumulate on compressed rows: the sparse BMU search of the sparse fit,
  /// then the non-zeros added to the sums in row order (the dense rows' sums, bit for bit).
  static void accumulate(BatchStatistics<Scalar>& stats, const Sp& X, Index first_row) {
    const char* call = "BatchStatistics::accumulate";
    stats.require_context(call);
    const auto& c = *stats.context_;
    const CsrView<Scalar> v = csr_view(X);
    require<InputError>(v.cols == stats.n_features(), call, "the chunk has ", v.cols,
                        " features, but this Som expects ", stats.n_features());
    require(c.params.scaling == Scaling::none, call,
            "sparse data needs Scaling::none (scaling would make it dense), but params().scaling is ",
            enum_name(c.params.scaling));
    check_sparse_metric(call, c.params.distance);
    for (Index i = 0; i < v.rows; ++i)
      for (Index k = v.begin(i); k < v.end(i); ++k)
        require<InputError>(std::isfinite(double(v.values[k])), call, "row ", first_row + i + 1, " of the data (X(", i,
                            ", ", v.inner[k], ") of the chunk) is ", v.values[k], "; sparse values must be finite");
    if (v.rows == 0) return;
    const BmuResult<Scalar> r = sparse_find_bmus<Scalar>(v, c.weights, c.params.distance, true, c.params.n_threads);
    stats.sums_.add_sparse(v, r.bmu);
    stats.sums_.add_errors(r, [&c](Index a, Index b) { return c.grid.adjacent(a, b); });
  }

  /// Som::train_minibatch with each batch's rows made dense: the same steps on the same values.
  static void train_minibatch(Model& som, const CsrView<Scalar>& X, RowMatrix<Scalar>& W, TrainingHistory& history,
                              const typename Model::EpochCallback& on_epoch) {
    const SomParams& p = som.params_;
    const Index n = X.rows, units = som.n_units(), batch = std::min(p.batch_size, n), F = som.n_features_;
    const bool during = p.epoch_metrics == EpochMetrics::during_epoch;
    const bool worth_it = double(batch) * double(units) * double(F) >= min_parallel_work;
    const int team = worth_it ? resolve_threads(p.n_threads) : 1;
    TeamBmu<Scalar> bmus(team, batch);
    for (Index epoch = 0; epoch < p.epochs; ++epoch) {
      const double lr = som.learning_rate_at(epoch), sigma = som.sigma_at(epoch);
      const NeighborhoodTable h(som.grid_, p.neighborhood, sigma);
      Smoother<Scalar> smoother(h);
      smoother.reserve(team);
      const bool last = epoch + 1 == p.epochs;
      const bool measure = during && !last;
      double distance_sum = 0.0;
      Index te_count = 0;
      const auto order = som.rng_.permutation(n);
      parallel_team(team, [&](int thread, int threads) {
        const auto [u0, u1] = smoother.team_units(thread, threads);
        RowMatrix<Scalar> Xb;
        BmuResult<Scalar> r;
        CompactSums<Scalar> sums;
        std::vector<Index> start, grouped;
        for (Index begin = 0; begin < n; begin += batch) {
          const Index end = std::min(n, begin + batch);
          Xb.setZero(end - begin, F);
          for (Index k = begin; k < end; ++k) {
            const Index i = order[std::size_t(k)];
            for (Index q = X.begin(i); q < X.end(i); ++q) Xb(k - begin, X.inner[q]) = X.values[q];
          }
          bmus.search(thread, threads, u0, u1, Xb, W, p.distance, measure, r);
          if (measure && thread == 0) {
            for (Index i = 0; i < r.bmu.size(); ++i) distance_sum += double(r.distance[i]);
            te_count +=
                topographic_error_count(r.bmu, r.second, [&som](Index a, Index b) { return som.grid_.adjacent(a, b); });
          }
          compact_unit_sums<Scalar>(Xb, r.bmu, units, sums, start, grouped);
          const Scalar step = Scalar(lr / double(end - begin));
          smoother.apply_team(sums, thread, threads, [&](Index v0, Index v1, const RowMatrix<Scalar>& S) {
            for (Index u = v0; u < v1; ++u) W.row(u) += step * (S.row(u - v0).head(F) - S(u - v0, F) * W.row(u));
          });
        }
      });
      if (measure)
        som.record(history, distance_sum / double(n), double(te_count) / double(n), epoch, lr, sigma, on_epoch);
      else
        som.record(history, sparse_find_bmus<Scalar>(X, W, p.distance, true, p.n_threads), epoch, lr, sigma, on_epoch);
    }
  }
};

}  // namespace detail

/// Number of samples per unit (som/maps.hpp's hit_map for sparse rows).
template <typename Scalar>
RowMatrix<double> hit_map(const Som<Scalar>& som, const SparseRowMatrix<Scalar>& X) {
  const Labels bmu = som.predict(X);
  RowMatrix<double> hits = detail::empty_map(som.grid(), 0.0);
  for (Index i = 0; i < bmu.size(); ++i) hits.data()[bmu[i]] += 1.0;
  return hits;
}

/// Unit -> sample indices (som/maps.hpp's bmus_data_map for sparse rows).
template <typename Scalar>
BmuDataMap bmus_data_map(const Som<Scalar>& som, const SparseRowMatrix<Scalar>& X) {
  return detail::samples_by_unit(som.predict(X), som.n_units());
}

namespace detail {

/// Distance between rows a of A and b of B (both sparse), exact in double as pair_distance.
template <typename Scalar>
double sparse_pair_distance(Distance metric, const CsrView<Scalar>& A, Index a, const CsrView<Scalar>& B, Index b) {
  Index p = A.begin(a), q = B.begin(b);
  const Index pe = A.end(a), qe = B.end(b);
  double sq = 0.0, dot = 0.0, na = 0.0, nb = 0.0;
  while (p < pe || q < qe) {
    const Index ja = p < pe ? Index(A.inner[p]) : std::numeric_limits<Index>::max();
    const Index jb = q < qe ? Index(B.inner[q]) : std::numeric_limits<Index>::max();
    const double x = ja <= jb ? double(A.values[p]) : 0.0, y = jb <= ja ? double(B.values[q]) : 0.0;
    if (ja <= jb) ++p;
    if (jb <= ja) ++q;
    sq += (x - y) * (x - y);
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (metric != Distance::cosine) return std::sqrt(sq);
  if (na == 0.0 || nb == 0.0) return 1.0;
  return std::clamp(1.0 - dot / (std::sqrt(na) * std::sqrt(nb)), 0.0, 2.0);
}

}  // namespace detail

/// collect_samples (som/maps.hpp) for a sparse query and sparse historical samples.
template <typename Scalar>
std::vector<Index> collect_samples(const Som<Scalar>& som, const SparseRowMatrix<Scalar>& query,
                                   const SparseRowMatrix<Scalar>& X, const BmuDataMap& map, Index min_buffer = 50,
                                   Retrieval mode = Retrieval::bmu_neighborhood_knn) {
  const char* call = "collect_samples";
  detail::require<InputError>(query.rows() == 1, call, "query must be one sample (1 row), got ", query.rows(), " rows");
  const detail::CsrView<Scalar> q = detail::csr_view(query), x = detail::csr_view(X);
  detail::check_sparse_data(call, q, som.n_features(), "Som", "query");
  detail::check_sparse_data(call, x, som.n_features(), "Som");
  detail::check_bmu_map(call, som, map);
  detail::check_map_targets(call, map, X.rows());
  detail::check_non_negative(call, "min_buffer", min_buffer);
  const Distance metric = som.params().distance;
  return detail::collect_in_tiers(som, som.predict(query)[0], map, min_buffer, mode,
                                  [&](Index i) { return detail::sparse_pair_distance(metric, q, 0, x, i); });
}

}  // namespace somtile
