#pragma once
// Best-matching units of sparse samples (compressed rows), written on raw arrays: this header
// needs no <Eigen/SparseCore> (somtile/sparse.hpp turns a SparseRowMatrix into a CsrView).
//
// Scores are the expanded form of the dense search (kernels/bmu.hpp):
//   euclidean  score(u) = |w_u|^2 - 2 x.w_u         (the argmin of |x - w_u|^2 - |x|^2)
//   cosine     score(u) = -(x.w_u) / |w_u|          (0 for a zero unit)
// x.w for every unit of a block ("panel") of units comes from the feature-major copy of that
// panel, Wt (features x units): for each non-zero x_j, acc[0..units) += x_j * Wt.row(j), a
// contiguous pass that vectorises, so a row costs O(nnz(x) * units). The codebook goes through
// in panels of units whose transposed copy stays small (sparse_panel_bytes), so the search needs
// no second codebook; each panel's scores are merged into every row's top two in unit order,
// the same top two as one pass over all units.
//
// Near ties are settled as the dense search settles them: where the runner-up's score is
// within rounding of the best one's (the dense search's margin), or the scores overflowed, the
// row's units are compared by their exact distances. The distance reported for the BMU is
// always recomputed from the sparse row and w_u in double:
//   euclidean  |x - w|^2 = |w|^2 + sum over the non-zeros j of ((x_j - w_j)^2 - w_j^2)
//              (|w|^2 summed in double over all features, O(nnz(x)) per distance; its error is
//              a few eps |w|^2, so where the result is below |w|^2 / 1024, x close to w, the
//              squares are summed over all features instead, O(features): the distance is then
//              within about 1e-12 relative (double) of the exact one, whatever x and w)
//   cosine     1 - x.w / (|x| |w|), clamped to [0, 2]; 1 when x or w is zero
// Ties go to the lowest unit. Every row is computed by one thread with the same sums in the
// same order, so results never depend on the thread count.

#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/kernels/bmu.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <vector>

#if defined(__GNUC__)
#define SOMTILE_SPARSE_INLINE inline __attribute__((always_inline))
#else
#define SOMTILE_SPARSE_INLINE inline
#endif

namespace somtile::detail {

/// Compressed-row view of sparse samples: row i's non-zeros are inner[begin(i) .. end(i)) with
/// values[...]. row_nnz is set for Eigen's uncompressed matrices (non-zeros per row; the
/// rows' storage then has gaps), null otherwise.
template <typename Scalar>
struct CsrView {
  Index rows = 0;
  Index cols = 0;
  const int* outer = nullptr;
  const int* row_nnz = nullptr;
  const int* inner = nullptr;
  const Scalar* values = nullptr;

  Index begin(Index i) const { return Index(outer[i]); }
  Index end(Index i) const { return row_nnz ? Index(outer[i]) + Index(row_nnz[i]) : Index(outer[i + 1]); }
  Index nnz() const {
    if (!row_nnz) return rows > 0 ? Index(outer[rows]) - Index(outer[0]) : 0;
    Index s = 0;
    for (Index i = 0; i < rows; ++i) s += Index(row_nnz[i]);
    return s;
  }
};

/// The view of any Eigen row-major sparse matrix with int indices (only dependent calls, so a
/// header that names SparseRowMatrix without including <Eigen/SparseCore> can use it).
template <typename Sp>
CsrView<typename Sp::Scalar> csr_view(const Sp& X) {
  CsrView<typename Sp::Scalar> v;
  v.rows = X.rows();
  v.cols = X.cols();
  v.outer = X.outerIndexPtr();
  v.row_nnz = X.innerNonZeroPtr();
  v.inner = X.innerIndexPtr();
  v.values = X.valuePtr();
  return v;
}

/// Non-empty sparse samples with finite values and, per row, column indices in [0, cols) in
/// increasing order (what Eigen keeps; a hand-built matrix could break it).
template <typename Scalar>
void check_sparse_data(std::string_view call, const CsrView<Scalar>& X, std::string_view name = "X") {
  require<InputError>(X.rows > 0, call, name, " has no samples (0 rows)");
  require<InputError>(X.cols > 0, call, name, " has no features (0 columns)");
  for (Index i = 0; i < X.rows; ++i) {
    Index previous = -1;
    for (Index k = X.begin(i); k < X.end(i); ++k) {
      const Index j = X.inner[k];
      if (j < 0 || j >= X.cols || j <= previous)
        throw InputError(concat(call, "(): ", name, " row ", i, " has column index ", j, " after ", previous,
                                "; indices must increase within a row and lie in [0, ", X.cols, ")"));
      previous = j;
      if (!std::isfinite(static_cast<double>(X.values[k])))
        throw InputError(
            concat(call, "(): ", name, " must be finite, but ", name, "(", i, ", ", j, ") = ", X.values[k]));
    }
  }
}

template <typename Scalar>
void check_sparse_data(std::string_view call, const CsrView<Scalar>& X, Index n_features, std::string_view owner,
                       std::string_view name = "X") {
  check_sparse_data(call, X, name);
  require<InputError>(X.cols == n_features, call, name, " has ", X.cols, " features, but this ", owner, " expects ",
                      n_features);
}

/// Only euclidean and cosine distances have a sparse search.
inline void check_sparse_metric(std::string_view call, Distance metric) {
  require(metric == Distance::euclidean || metric == Distance::cosine, call,
          "sparse data supports Distance::euclidean and Distance::cosine, but the distance is ", enum_name(metric));
}

/// Squared norm of each row, in double.
template <typename Scalar>
std::vector<double> sparse_row_squared_norms(const CsrView<Scalar>& X) {
  std::vector<double> out(std::size_t(X.rows));
  for (Index i = 0; i < X.rows; ++i) {
    double s = 0.0;
    for (Index k = X.begin(i); k < X.end(i); ++k) s += double(X.values[k]) * double(X.values[k]);
    out[std::size_t(i)] = s;
  }
  return out;
}

/// Per-unit terms of the scores and the exact distances.
template <typename Scalar>
struct SparseScoreForm {
  Distance metric = Distance::euclidean;
  std::vector<double> squared_norm;  ///< |w_u|^2, summed in double
  std::vector<double> bias;          ///< euclidean: |w_u|^2; cosine: 0
  std::vector<double> factor;        ///< euclidean: 2; cosine: 1 / |w_u| (0 for a zero unit)
  double max_bias = 0.0;

  /// From the unit-major codebook W (units x features).
  void build(ConstRowRef<Scalar> W, Distance m, int n_threads) {
    metric = m;
    const Index U = W.rows(), F = W.cols();
    squared_norm.resize(std::size_t(U));
    bias.resize(std::size_t(U));
    factor.resize(std::size_t(U));
    parallel_for_chunks(
        U, 16, n_threads,
        [&](Index b, Index e) {
          for (Index u = b; u < e; ++u) {
            const Scalar* w = W.row(u).data();
            double s = 0.0;
            for (Index j = 0; j < F; ++j) s += double(w[j]) * double(w[j]);
            squared_norm[std::size_t(u)] = s;
          }
        },
        double(F));
    max_bias = 0.0;
    for (Index u = 0; u < U; ++u) {
      const double s = squared_norm[std::size_t(u)];
      if (metric == Distance::cosine) {
        bias[std::size_t(u)] = 0.0;
        factor[std::size_t(u)] = s > 0.0 ? 1.0 / std::sqrt(s) : 0.0;
      } else {
        bias[std::size_t(u)] = s;
        factor[std::size_t(u)] = 2.0;
        max_bias = std::max(max_bias, s);
      }
    }
  }
};

/// Scores rows [b, e) of X against one panel of p units (panel: features x p, feature-major;
/// its first unit is u0) and merges them into each row's top two. The products x.w are summed
/// in double (acc, p entries), four non-zeros at a time, so the scores are exact to double
/// rounding and near ties are rare; the panel stays in the codebook's scalar.
template <typename Scalar>
SOMTILE_SPARSE_INLINE void sparse_score_rows_impl(const CsrView<Scalar>& X, Index b, Index e, const Scalar* panel,
                                                  Index p, Index u0, const double* bias, const double* factor,
                                                  double* __restrict acc, TopTwo<double>* top) {
  for (Index i = b; i < e; ++i) {
    std::fill(acc, acc + p, 0.0);
    Index k = X.begin(i);
    const Index end = X.end(i);
    for (; k + 4 <= end; k += 4) {
      const double v0 = X.values[k], v1 = X.values[k + 1], v2 = X.values[k + 2], v3 = X.values[k + 3];
      const Scalar* __restrict w0 = panel + Index(X.inner[k]) * p;
      const Scalar* __restrict w1 = panel + Index(X.inner[k + 1]) * p;
      const Scalar* __restrict w2 = panel + Index(X.inner[k + 2]) * p;
      const Scalar* __restrict w3 = panel + Index(X.inner[k + 3]) * p;
      for (Index u = 0; u < p; ++u)
        acc[u] += (v0 * double(w0[u]) + v1 * double(w1[u])) + (v2 * double(w2[u]) + v3 * double(w3[u]));
    }
    for (; k < end; ++k) {
      const double v = X.values[k];
      const Scalar* __restrict w = panel + Index(X.inner[k]) * p;
      for (Index u = 0; u < p; ++u) acc[u] += v * double(w[u]);
    }
    TopTwo<double>& t = top[i];
    for (Index u = 0; u < p; ++u) {
      const double score = bias[u0 + u] - factor[u0 + u] * acc[u];
      if (score < t.next) t.offer(score, u0 + u);  // units come in increasing order: ties stay
    }
  }
}

template <typename Scalar>
using SparseScoreRows = void (*)(const CsrView<Scalar>&, Index, Index, const Scalar*, Index, Index, const double*,
                                 const double*, double*, TopTwo<double>*);

template <typename Scalar>
SOMTILE_WIDE_VECTORS void sparse_score_rows_compiled(const CsrView<Scalar>& X, Index b, Index e, const Scalar* panel,
                                                     Index p, Index u0, const double* bias, const double* factor,
                                                     double* acc, TopTwo<double>* top) {
  sparse_score_rows_impl(X, b, e, panel, p, u0, bias, factor, acc, top);
}

#if SOMTILE_X86_DISPATCH && defined(__GNUC__)
template <typename Scalar>
SOMTILE_TARGET_AVX2 void sparse_score_rows_avx2(const CsrView<Scalar>& X, Index b, Index e, const Scalar* panel,
                                                Index p, Index u0, const double* bias, const double* factor,
                                                double* acc, TopTwo<double>* top) {
  sparse_score_rows_impl(X, b, e, panel, p, u0, bias, factor, acc, top);
}
template <typename Scalar>
SOMTILE_TARGET_AVX512 void sparse_score_rows_avx512(const CsrView<Scalar>& X, Index b, Index e, const Scalar* panel,
                                                    Index p, Index u0, const double* bias, const double* factor,
                                                    double* acc, TopTwo<double>* top) {
  sparse_score_rows_impl(X, b, e, panel, p, u0, bias, factor, acc, top);
}
#endif

/// The scoring loop for the level active_isa() names now (kernels/isa.hpp).
template <typename Scalar>
SparseScoreRows<Scalar> sparse_score_rows() {
#if SOMTILE_X86_DISPATCH && defined(__GNUC__)
  const Isa isa = active_isa();
  if (isa != compiled_isa) {
    if (isa == Isa::avx512) return sparse_score_rows_avx512<Scalar>;
    if (isa == Isa::avx2) return sparse_score_rows_avx2<Scalar>;
  }
#endif
  return sparse_score_rows_compiled<Scalar>;
}

/// Exact distance (see the top of this file) from row i (squared norm x_sq) to a unit with
/// squared norm w_sq whose feature j is w_at(j), over F features.
template <typename Scalar, typename WAt>
double sparse_exact_distance(Distance metric, const CsrView<Scalar>& X, Index i, double x_sq, double w_sq, Index F,
                             WAt&& w_at) {
  if (metric == Distance::cosine) {
    if (x_sq == 0.0 || w_sq == 0.0) return 1.0;
    double dot = 0.0;
    for (Index k = X.begin(i); k < X.end(i); ++k) dot += double(X.values[k]) * double(w_at(X.inner[k]));
    return std::clamp(1.0 - dot / (std::sqrt(x_sq) * std::sqrt(w_sq)), 0.0, 2.0);
  }
  double s = w_sq;
  for (Index k = X.begin(i); k < X.end(i); ++k) {
    const double w = double(w_at(X.inner[k])), d = double(X.values[k]) - w;
    s += d * d - w * w;
  }
  // s carries a rounding error of a few eps |w|^2 from the cancelled |w|^2 terms; where that
  // is not negligible next to s (x close to w), sum the squares over all features instead.
  if (s < w_sq * 0x1p-10) {
    s = 0.0;
    Index k = X.begin(i);
    const Index e = X.end(i);
    for (Index j = 0; j < F; ++j) {
      double d = -double(w_at(j));
      if (k < e && X.inner[k] == j) d += double(X.values[k++]);
      s += d * d;
    }
  }
  return std::sqrt(std::max(0.0, s));
}

/// Settles row i's search from its score top two: near ties and overflowed scores by exact
/// distances over all units (w_at(u, j) = feature j of unit u), then the BMU's exact distance.
template <typename Scalar, typename WAt>
void sparse_finish_row(const CsrView<Scalar>& X, Index i, double x_sq, const SparseScoreForm<Scalar>& form,
                       const TopTwo<double>& t, Index n_units, bool with_second, WAt&& w_at, BmuResult<Scalar>& out) {
  // The dense search's margin, at double rounding (the scores are summed in double).
  const double slack = 64.0 * std::numeric_limits<double>::epsilon() * (x_sq + form.max_bias + 1.0);
  const bool overflow = !std::isfinite(slack) || t.best_unit < 0 || !std::isfinite(t.best);
  if (overflow || t.next - t.best <= slack) {
    TopTwo<double> e;
    for (Index u = 0; u < n_units; ++u)
      e.offer(sparse_exact_distance(form.metric, X, i, x_sq, form.squared_norm[std::size_t(u)], X.cols,
                                    [&](Index j) { return w_at(u, j); }),
              u);
    if (e.best_unit < 0) e.best_unit = 0;  // every distance overflowed: a tie, lowest unit
    out.bmu[i] = e.best_unit;
    out.distance[i] =
        Scalar(e.best_unit >= 0 && std::isfinite(e.best) ? e.best : std::numeric_limits<double>::infinity());
    if (with_second) out.second[i] = e.next_unit;
    return;
  }
  out.bmu[i] = t.best_unit;
  const Index b = t.best_unit;
  out.distance[i] = Scalar(sparse_exact_distance(form.metric, X, i, x_sq, form.squared_norm[std::size_t(b)], X.cols,
                                                 [&](Index j) { return w_at(b, j); }));
  if (with_second) out.second[i] = t.next_unit;
}

/// Bytes of the transposed panel of units the search keeps (the codebook goes through in
/// panels of at most this size; a smaller codebook in one).
inline constexpr double sparse_panel_bytes = double(16 << 20);

/// Units per panel for a codebook of F features.
template <typename Scalar>
Index sparse_panel_units(Index n_units, Index F) {
  const Index fit = Index(sparse_panel_bytes / (double(F) * double(sizeof(Scalar))));
  if (fit >= n_units) return n_units;
  return std::max<Index>(16, fit / 16 * 16);
}

/// Reusable buffers of sparse searches (panel, per-row top twos, per-thread accumulators).
template <typename Scalar>
struct SparseBmuScratch {
  std::vector<Scalar> panel;
  std::vector<TopTwo<double>> top;
  std::vector<std::vector<double>> acc;
  std::vector<double> x_sq;
  Index panel_units = 0;

  /// Allocates everything a search of X against n_units units needs (so training can
  /// allocate before it touches the weights). panel_units: units per panel, 0 = by
  /// sparse_panel_bytes (tests set it to exercise the merging of panels).
  void reserve(const CsrView<Scalar>& X, Index n_units, int n_threads, Index units_per_panel = 0) {
    const Index P =
        units_per_panel > 0 ? std::min(units_per_panel, n_units) : sparse_panel_units<Scalar>(n_units, X.cols);
    panel_units = P;
    panel.resize(std::size_t(P * X.cols));
    top.resize(std::size_t(X.rows));
    acc.resize(std::size_t(resolve_threads(n_threads)));
    for (auto& a : acc) a.resize(std::size_t(P));
    x_sq = sparse_row_squared_norms(X);
  }
};

/// Nearest (and optionally second-nearest) unit of W (units x features, row-major) for every
/// row of X, into `out` (resized; its memory reused). Call scratch.reserve(X, W.rows(),
/// n_threads) first; nothing is allocated here beyond `out` and the score form.
template <typename Scalar>
void sparse_find_bmus(const CsrView<Scalar>& X, ConstRowRef<Scalar> W, Distance metric, bool with_second, int n_threads,
                      SparseBmuScratch<Scalar>& s, SparseScoreForm<Scalar>& form, BmuResult<Scalar>& out) {
  const Index n = X.rows, U = W.rows(), F = W.cols();
  out.bmu.resize(n);
  out.distance.resize(n);
  out.second.resize(with_second ? n : 0);
  form.build(W, metric, n_threads);
  const Index P = s.panel_units;
  std::fill(s.top.begin(), s.top.end(), TopTwo<double>{});
  const SparseScoreRows<Scalar> score_rows = sparse_score_rows<Scalar>();
  const double nnz_per_row = double(X.nnz()) / double(std::max<Index>(n, 1)) + 1.0;
  for (Index u0 = 0; u0 < U; u0 += P) {
    const Index p = std::min(P, U - u0);
    // The panel, feature-major: panel[j * p + (u - u0)] = W(u, j).
    Scalar* panel = s.panel.data();
    parallel_for_chunks(
        F, 256, n_threads,
        [&](Index j0, Index j1) {
          for (Index u = 0; u < p; ++u) {
            const Scalar* w = W.row(u0 + u).data();
            for (Index j = j0; j < j1; ++j) panel[j * p + u] = w[j];
          }
        },
        double(p));
    parallel_for_chunks(
        n, 64, n_threads,
        [&](Index b, Index e) {
          score_rows(X, b, e, panel, p, u0, form.bias.data(), form.factor.data(),
                     s.acc[std::size_t(thread_slot())].data(), s.top.data());
        },
        nnz_per_row * double(p));
  }
  parallel_for_chunks(
      n, 64, n_threads,
      [&](Index b, Index e) {
        for (Index i = b; i < e; ++i)
          sparse_finish_row(
              X, i, s.x_sq[std::size_t(i)], form, s.top[std::size_t(i)], U, with_second,
              [&](Index u, Index j) { return W(u, j); }, out);
      },
      nnz_per_row * 4.0);
}

/// find_bmus for sparse rows (allocates its own buffers).
template <typename Scalar>
BmuResult<Scalar> sparse_find_bmus(const CsrView<Scalar>& X, ConstRowRef<Scalar> W, Distance metric, bool with_second,
                                   int n_threads, Index panel_units = 0) {
  SparseBmuScratch<Scalar> s;
  s.reserve(X, W.rows(), n_threads, panel_units);
  SparseScoreForm<Scalar> form;
  BmuResult<Scalar> out;
  sparse_find_bmus(X, W, metric, with_second, n_threads, s, form, out);
  return out;
}

/// Distance from every row of X to every unit of W (n x units), exact as above.
template <typename Scalar>
RowMatrix<Scalar> sparse_transform(const CsrView<Scalar>& X, ConstRowRef<Scalar> W, Distance metric, int n_threads) {
  SparseScoreForm<Scalar> form;
  form.build(W, metric, n_threads);
  const std::vector<double> x_sq = sparse_row_squared_norms(X);
  RowMatrix<Scalar> D(X.rows, W.rows());
  const double nnz_per_row = double(X.nnz()) / double(std::max<Index>(X.rows, 1)) + 1.0;
  parallel_for_chunks(
      X.rows, 64, n_threads,
      [&](Index b, Index e) {
        for (Index i = b; i < e; ++i)
          for (Index u = 0; u < W.rows(); ++u)
            D(i, u) =
                Scalar(sparse_exact_distance(metric, X, i, x_sq[std::size_t(i)], form.squared_norm[std::size_t(u)],
                                             X.cols, [&](Index j) { return W(u, j); }));
      },
      nnz_per_row * double(W.rows()));
  return D;
}

}  // namespace somtile::detail
