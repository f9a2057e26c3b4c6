#pragma once
// Sparse input: SparseRowMatrix<S> (Eigen::SparseMatrix<S, Eigen::RowMajor, int>, compressed or
// not) accepted by Som (fit, initialize_weights, predict, bmus, transform, quantization_error,
// topographic_error), hit_map, bmus_data_map, collect_samples and OnlineSom::train, and its
// files: read_svmlight / write_svmlight (LIBSVM text) and read_sparse_npz / write_sparse_npz
// (scipy.sparse.save_npz's CSR archives, compressed or stored). Euclidean
// and cosine distances; the BMU search and batch training cost O(nnz x units) and never make the
// data dense. See docs/sparse-input.md for the rules.
//
// This header is kept apart from somtile/som.hpp and somtile/somtile.hpp so that programs
// without sparse data do not pay for <Eigen/SparseCore>.

#include <Eigen/SparseCore>

#include "somtile/io/sparse_npz.hpp"
#include "somtile/io/svmlight.hpp"
#include "somtile/kernels/detail/sparse_batch.hpp"
#include "somtile/kernels/detail/sparse_bmu.hpp"
#include "somtile/online.hpp"
#include "somtile/online/detail/sparse_online_som.hpp"
#include "somtile/som.hpp"
#include "somtile/som/detail/sparse_som.hpp"
