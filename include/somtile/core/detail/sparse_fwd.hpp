#pragma once
// What the trainers need to offer member overloads for sparse data (SparseRowMatrix, core/types.hpp)
// without including <Eigen/SparseCore>: the constraint that picks those overloads for exactly
// SparseRowMatrix<Scalar> (a dense matrix still picks the dense ones), and the classes that
// implement them, declared here and defined in somtile/sparse.hpp.

#include "somtile/core/types.hpp"

#include <type_traits>

namespace somtile::detail {

/// Enables a member template for Sp = SparseRowMatrix<Scalar> only.
template <typename Sp, typename Scalar>
using IfSparseRows = std::enable_if_t<std::is_same_v<Sp, SparseRowMatrix<Scalar>>, int>;

/// The sparse-data members of Som and OnlineSom (somtile/sparse.hpp). A program that passes
/// sparse data without including somtile/sparse.hpp fails to compile on these incomplete types.
template <typename Scalar, typename Sp>
struct SparseSom;
template <typename Scalar, typename Sp>
struct SparseOnlineSom;

}  // namespace somtile::detail
