#pragma once
// What a best-matching-unit search is asked (BmuSearch) and what it answers (BmuResult); the
// search itself is find_bmus (kernels/bmu.hpp).

#include "somtile/core/types.hpp"

namespace somtile {

/// Best-matching units of every sample (find_bmus).
template <typename Scalar>
struct BmuResult {
  Labels bmu;               ///< nearest unit per sample
  Labels second;            ///< second-nearest unit per sample (empty unless requested; -1 with one unit)
  Vector<Scalar> distance;  ///< distance from each sample to its BMU, in the chosen metric
};

/// Whether a BMU search also finds each sample's second-nearest unit (the topographic error
/// needs it; it costs little: the same pass keeps the two best).
enum class SecondBmu { skip, find };

/// How find_bmus searches: the distance, whether to find the second-nearest unit, the threads
/// (0 = all available) and how NaN cells of X are read (Missing::mask: as missing values).
struct BmuSearch {
  Distance metric = Distance::euclidean;  ///< the distance between a sample and a unit
  SecondBmu second = SecondBmu::skip;     ///< also find the second-nearest unit
  int n_threads = 0;                      ///< 0 = all available
  Missing missing = Missing::reject;      ///< Missing::mask: NaN cells are missing values
};

}  // namespace somtile
