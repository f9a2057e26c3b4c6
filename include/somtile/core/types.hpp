#pragma once
// Basic types shared by every somtile module: row-major sample matrices, label vectors and
// the run-time choices (enums) that parameter structs carry.

#include "somtile/core/enum_names.hpp"

#include <Eigen/Core>

#include <cstdint>

// Declared here so that the trainers can name sparse data without including <Eigen/SparseCore>
// (its defaults come from Eigen's own declaration; users of sparse data include somtile/sparse.hpp).
namespace Eigen {
template <typename Scalar_, int Options_, typename StorageIndex_>
class SparseMatrix;
}  // namespace Eigen

namespace somtile {

using Index = Eigen::Index;

/// Rows are samples, columns are features.
template <typename Scalar>
using RowMatrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

template <typename Scalar>
using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

/// Cluster or unit labels, one per sample; -1 marks noise.
using Labels = Eigen::Matrix<Index, Eigen::Dynamic, 1>;

/// Read-only view of a sample matrix (accepts any row-major matrix or block without copying).
template <typename Scalar>
using ConstRowRef = Eigen::Ref<const RowMatrix<Scalar>>;

/// Sparse samples (documents, one-hot features): compressed rows, int indices. Accepted by
/// Som::fit / predict / transform / the errors and OnlineSom::train; include somtile/sparse.hpp.
template <typename Scalar>
using SparseRowMatrix = Eigen::SparseMatrix<Scalar, Eigen::RowMajor, int>;

namespace detail {
// Kept here: DataRef below needs it (std::type_identity is C++20).
template <typename T>
struct TypeIdentity {
  using type = T;
};
}  // namespace detail

/// ConstRowRef in a position where the scalar must come from another argument (a model), so a
/// plain RowMatrix converts instead of failing template deduction.
template <typename Scalar>
using DataRef = typename detail::TypeIdentity<ConstRowRef<Scalar>>::type;

/// Grid lattice of a map.
enum class Topology { rectangular, hexagonal };

/// Neighbourhood kernel h(d, sigma) over grid distance d.
enum class Neighborhood { gaussian, mexican_hat, bubble, triangle };

/// Distance between a sample and a unit's weight vector.
enum class Distance { euclidean, cosine, manhattan, chebyshev };

/// Decay schedule of the learning rate or sigma over training time.
enum class Decay {
  asymptotic,       ///< v0 / (1 + 2t/T)
  inverse_to_zero,  ///< v0 * g / (g + t), g = T/100
  linear_to_zero,   ///< v0 * (1 - t/T)
  inverse_to_one,   ///< v0 / (1 + t (v0 - 1) / T)
  linear_to_one,    ///< v0 + t (1 - v0) / T
  exponential       ///< v0 * (v_end / v0)^(t/T), v_end given by the caller
};

/// Shape of the component covariances.
enum class Covariance {
  full,       ///< each component its own general covariance
  diag,       ///< each component its own diagonal covariance
  spherical,  ///< each component its own single variance
  tied        ///< all components share one general covariance
};

/// How a classic SOM's codebook is initialised (new enumerators go at the end: model files
/// store the position).
enum class Init {
  random,  ///< each unit a random data row, drawn with replacement (TorchSOM's "random")
  sample,  ///< distinct random data rows (without replacement; see Som::initialize_weights)
  pca,     ///< the plane of the first two principal components
  uniform  ///< uniform in each feature's [min, max] (somtile's "random" before model version 2)
};

/// Training rule of the classic SOM.
enum class Training { minibatch, batch };

/// Feature scaling a model applies to every data it is given (preprocessing/scaler.hpp):
/// none, StandardScaler (zero mean, unit variance) or MinMaxScaler (each feature to [0, 1]).
enum class Scaling { none, standard, minmax };

/// What a trainer does with NaN cells in its data: reject them (InputError, the default) or
/// treat them as missing values that distances, updates and errors skip (see
/// docs/missing-values.md). Infinite values are always rejected.
enum class Missing { reject, mask };

// The enums' names (core/enum_names.hpp), in enumerator order.
template <>
struct EnumNames<Topology> {
  static constexpr std::array<std::string_view, 2> names{"rectangular", "hexagonal"};
};
template <>
struct EnumNames<Neighborhood> {
  static constexpr std::array<std::string_view, 4> names{"gaussian", "mexican_hat", "bubble", "triangle"};
};
template <>
struct EnumNames<Distance> {
  static constexpr std::array<std::string_view, 4> names{"euclidean", "cosine", "manhattan", "chebyshev"};
};
template <>
struct EnumNames<Decay> {
  static constexpr std::array<std::string_view, 6> names{"asymptotic",     "inverse_to_zero", "linear_to_zero",
                                                         "inverse_to_one", "linear_to_one",   "exponential"};
};
template <>
struct EnumNames<Covariance> {
  static constexpr std::array<std::string_view, 4> names{"full", "diag", "spherical", "tied"};
};
template <>
struct EnumNames<Init> {
  static constexpr std::array<std::string_view, 4> names{"random", "sample", "pca", "uniform"};
};
template <>
struct EnumNames<Training> {
  static constexpr std::array<std::string_view, 2> names{"minibatch", "batch"};
};
template <>
struct EnumNames<Scaling> {
  static constexpr std::array<std::string_view, 3> names{"none", "standard", "minmax"};
};
template <>
struct EnumNames<Missing> {
  static constexpr std::array<std::string_view, 2> names{"reject", "mask"};
};

}  // namespace somtile
