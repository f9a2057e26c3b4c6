#pragma once
// Whether cluster/som_cluster.hpp is included: Som::cluster() and elbow() are declared with the
// classic map but defined there, and say so in a static_assert when it is missing.

#include <type_traits>

namespace somtile::detail {

/// True once cluster/som_cluster.hpp, which defines the functions above, is included.
template <typename Scalar, typename = void>
struct NeuronClusteringIncluded : std::false_type {};

}  // namespace somtile::detail
