#pragma once
// OnlineSom::train for sparse data (SparseRowMatrix<Scalar>), included by somtile/sparse.hpp.
// The online rule is the dense one on the same values (online/online_som.hpp): the same random
// stream, the same initial lattice (uniform in each feature's [min, max], the implicit zeros
// included), the same BMU search and window update, step by step. Each step makes its one
// sample dense (a features-long buffer) and costs what a dense step costs, O(features x units)
// for the BMU and O(features x window) for the update: every weight in the window moves towards
// the sample's zeros too, so an online step cannot cost O(nnz). The data itself is never made
// dense. Scaling (params().scaling or the deprecated normalize = true) is refused: it would
// make it dense.
// No unscaled-feature warning is given: sparse features (counts, tf-idf) differ in range by
// design, and scaling them is not on offer.

#include "somtile/core/detail/sparse_fwd.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/kernels/detail/sparse_bmu.hpp"
#include "somtile/online/online_som.hpp"

#include <limits>
#include <vector>

namespace somtile::detail {

template <typename Scalar, typename Sp>
struct SparseOnlineSom {
  using Model = OnlineSom<Scalar>;

  /// A fresh training of som on sparse rows; `call` names the caller in error messages.
  static void train(Model& som, const char* call, const Sp& Xsp, Index num_iterations, bool normalize) {
    const CsrView<Scalar> X = csr_view(Xsp);
    check_sparse_data(call, X);
    check_positive(call, "num_iterations", num_iterations);
    require(!normalize && som.params_.scaling == Scaling::none, call,
            "sparse data needs Scaling::none and normalize = false (scaling would make it dense), but scaling is ",
            enum_name(som.params_.scaling), " and normalize is ", normalize ? "true" : "false");
    const Index F = X.cols, n = X.rows, T = num_iterations;
    typename Model::State next;  // its scaler: Scaling::none
    next.rng.reseed(som.params_.seed);
    // Each feature's [min, max], the implicit zeros included (what the dense lattice starts in).
    FeatureRow<Scalar> lo = FeatureRow<Scalar>::Constant(F, std::numeric_limits<Scalar>::infinity()), hi = -lo;
    std::vector<Index> count(std::size_t(F), 0);
    for (Index i = 0; i < n; ++i)
      for (Index k = X.begin(i); k < X.end(i); ++k) {
        const Index j = X.inner[k];
        lo[j] = std::min(lo[j], X.values[k]);
        hi[j] = std::max(hi[j], X.values[k]);
        ++count[std::size_t(j)];
      }
    for (Index j = 0; j < F; ++j)
      if (count[std::size_t(j)] < n) {
        lo[j] = std::min(lo[j], Scalar(0));
        hi[j] = std::max(hi[j], Scalar(0));
      }
    const Grid& grid = som.grid_;
    next.weights_t.resize(F, grid.size());
    for (Index u = 0; u < grid.size(); ++u)
      for (Index f = 0; f < F; ++f) next.weights_t(f, u) = Scalar(next.rng.uniform(double(lo[f]), double(hi[f])));
    const OnlineSomParams& p = som.params_;
    const double sigma0 = som.sigma0_;
    OnlineScratch<Scalar> scratch(grid);
    AlignedCodebook<Scalar> working(next.weights_t);
    const CodebookRows<Scalar> W = working.rows();
    const double unit_radius = neighborhood_radius(p.neighborhood, 1.0, p.kernel_epsilon);
    std::vector<Scalar> x(std::size_t(F), Scalar(0));
    for (Index t = 0; t < T; ++t) {
      const double lr = decay(p.lr_decay, p.learning_rate, double(t), double(T), final_learning_rate(p));
      const double sigma = decay(p.sigma_decay, sigma0, double(t), double(T), p.sigma_final);
      const Index i = next.rng.uniform_index(n);
      for (Index k = X.begin(i); k < X.end(i); ++k) x[std::size_t(X.inner[k])] = X.values[k];
      const Index bmu = nearest_unit(W, x.data(), scratch);
      online_update(W, grid, x.data(), bmu, lr, sigma, p.neighborhood, unit_radius * sigma, scratch);
      for (Index k = X.begin(i); k < X.end(i); ++k) x[std::size_t(X.inner[k])] = Scalar(0);
      next.last_learning_rate = lr;
      next.last_sigma = sigma;
    }
    working.copy_to(next.weights_t);
    next.iterations += T;
    som.state_ = std::move(next);
  }
};

}  // namespace somtile::detail
