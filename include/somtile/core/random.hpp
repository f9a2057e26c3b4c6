#pragma once
// somtile's own random numbers: xoshiro256** seeded through splitmix64, with uniform,
// integer, normal, shuffle and sampling helpers whose output is the same on every standard
// library (std::*_distribution differ between implementations).

#include "somtile/core/types.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <utility>
#include <vector>

namespace somtile {

/// somtile's random generator (xoshiro256**, seeded by splitmix64): the same stream on every
/// standard library, with its own uniform, integer, normal, shuffle and sampling helpers. A
/// UniformRandomBitGenerator, so it also works with std::shuffle and the like.
class Random {
  __extension__ using uint128 = unsigned __int128;

 public:
  /// 64-bit output.
  using result_type = std::uint64_t;

  /// A generator seeded with `seed`.
  explicit Random(std::uint64_t seed = 0) { reseed(seed); }

  /// Restarts the stream from `seed`.
  void reseed(std::uint64_t seed) {
    std::uint64_t s = seed;
    for (auto& word : state_) word = splitmix64(s);
    has_spare_normal_ = false;
  }

  /// An independent generator for sub-task `stream` (restarts, threads) of this seed.
  Random fork(std::uint64_t stream) const {
    std::uint64_t s = state_[0] ^ (0x9E3779B97F4A7C15ULL * (stream + 1));
    return Random(splitmix64(s));
  }

  /// Smallest value operator() returns.
  static constexpr result_type min() { return 0; }
  /// Largest value operator() returns.
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  /// The next 64 random bits.
  result_type operator()() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// Uniform double in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

  /// Uniform double in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  /// Uniform integer in [0, n), unbiased (Lemire's multiply-shift with rejection).
  Index uniform_index(Index n) {
    const auto range = static_cast<std::uint64_t>(n);
    uint128 m = static_cast<uint128>((*this)()) * range;
    auto low = static_cast<std::uint64_t>(m);
    if (low < range) {
      const std::uint64_t threshold = (0 - range) % range;
      while (low < threshold) {
        m = static_cast<uint128>((*this)()) * range;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<Index>(m >> 64);
  }

  /// Standard normal deviate (Marsaglia's polar method).
  double normal() {
    if (has_spare_normal_) {
      has_spare_normal_ = false;
      return spare_normal_;
    }
    double u, v, s;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double factor = std::sqrt(-2.0 * std::log(s) / s);
    spare_normal_ = v * factor;
    has_spare_normal_ = true;
    return u * factor;
  }

  /// Fisher–Yates shuffle.
  template <typename T>
  void shuffle(std::vector<T>& values) {
    for (std::size_t i = values.size(); i > 1; --i)
      std::swap(values[i - 1], values[static_cast<std::size_t>(uniform_index(Index(i)))]);
  }

  /// 0..n-1 in random order.
  std::vector<Index> permutation(Index n) {
    std::vector<Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Index(0));
    shuffle(order);
    return order;
  }

  /// k distinct indices from [0, n), in random order (partial Fisher–Yates). Memory O(k), not
  /// O(n): the shuffle runs on the identity permutation and keeps only the positions it has
  /// moved, so drawing a map's seeds from a file of a billion rows does not allocate the billion.
  std::vector<Index> sample_without_replacement(Index n, Index k) {
    std::vector<Index> out(static_cast<std::size_t>(k));
    std::unordered_map<Index, Index> moved;  // position -> value, where not the identity
    const auto at = [&moved](Index position) {
      const auto it = moved.find(position);
      return it == moved.end() ? position : it->second;
    };
    for (Index i = 0; i < k; ++i) {
      const Index j = i + uniform_index(n - i);
      // Swap positions i and j; position i is never read again (later j > i).
      out[std::size_t(i)] = at(j);
      moved[j] = at(i);
    }
    return out;
  }

  /// The generator's whole state, for save() and load() (see io/archive.hpp).
  template <typename Archive>
  void serialize(Archive& ar) {
    ar(state_[0], state_[1], state_[2], state_[3], spare_normal_, has_spare_normal_);
    // An all-zero state outputs 0 for ever: rejection sampling and normal() would never end.
    if constexpr (Archive::loading)
      ar.check((state_[0] | state_[1] | state_[2] | state_[3]) != 0 && std::isfinite(spare_normal_),
               "the random generator's state is all zero or its spare normal deviate is not finite");
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  std::uint64_t state_[4]{};
  double spare_normal_ = 0.0;
  bool has_spare_normal_ = false;
};

}  // namespace somtile
