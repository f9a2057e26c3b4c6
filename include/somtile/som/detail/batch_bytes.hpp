#pragma once
// The pieces of BatchStatistics (som/batch_statistics.hpp) that are not statistics: the
// little-endian byte writer and reader of to_bytes / from_bytes, the fingerprint that ties
// statistics to one codebook and epoch, and the check of a chunk of rows that names the row in
// the whole data.

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <vector>

namespace somtile::detail {

/// Appends values to a byte vector, least significant byte first, whatever the host's order.
struct LittleEndianWriter {
  std::vector<std::uint8_t>& out;

  template <typename T>
  void put(T value) {
    static_assert(std::is_arithmetic_v<T>);
    using U = std::conditional_t<sizeof(T) == 8, std::uint64_t,
                                 std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint8_t>>;
    static_assert(sizeof(U) == sizeof(T));
    U bits;
    std::memcpy(&bits, &value, sizeof(T));
    for (std::size_t k = 0; k < sizeof(T); ++k) out.push_back(std::uint8_t(bits >> (8 * k)));
  }
};

/// Reads what LittleEndianWriter wrote; the caller checks the size before reading.
struct LittleEndianReader {
  const std::uint8_t* data;
  std::size_t pos = 0;

  template <typename T>
  T get() {
    using U = std::conditional_t<sizeof(T) == 8, std::uint64_t,
                                 std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint8_t>>;
    U bits = 0;
    for (std::size_t k = 0; k < sizeof(T); ++k) bits |= U(U(data[pos + k]) << (8 * k));
    pos += sizeof(T);
    T value;
    std::memcpy(&value, &bits, sizeof(T));
    return value;
  }
};

/// FNV-1a over the codebook's values and what else decides an epoch's statistics: statistics
/// made for another codebook, epoch or schedule get another fingerprint (up to 64-bit
/// collisions).
template <typename Scalar>
std::uint64_t batch_fingerprint(ConstRowRef<Scalar> W, Index epoch, Index epochs, double sigma) {
  std::uint64_t h = 1469598103934665603ull;
  const auto mix = [&h](const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    for (std::size_t k = 0; k < n; ++k) h = (h ^ b[k]) * 1099511628211ull;
  };
  const std::int64_t head[5] = {std::int64_t(sizeof(Scalar)), std::int64_t(W.rows()), std::int64_t(W.cols()),
                                std::int64_t(epoch), std::int64_t(epochs)};
  mix(head, sizeof(head));
  mix(&sigma, sizeof(sigma));
  for (Index u = 0; u < W.rows(); ++u) mix(W.row(u).data(), std::size_t(W.cols()) * sizeof(Scalar));
  return h;
}

/// The checks of a dense chunk whose first row is row `first_row` (0-based) of the whole data:
/// messages name the row of the data (1-based, as read_csv's lines) and the chunk's cell X(i, j).
template <typename Scalar>
void check_chunk(std::string_view call, ConstRowRef<Scalar> X, Index n_features, Missing missing, Index first_row) {
  require<InputError>(X.cols() == n_features, call, "the chunk has ", X.cols(), " features, but this Som expects ",
                      n_features);
  if (all_finite(X)) return;  // the common case, vectorised; the loop finds the first bad cell
  for (Index i = 0; i < X.rows(); ++i) {
    Index present = 0;
    for (Index j = 0; j < X.cols(); ++j) {
      const double v = double(X(i, j));
      if (std::isfinite(v)) {
        ++present;
        continue;
      }
      if (std::isnan(v) && missing == Missing::mask) continue;
      throw InputError(concat(
          call, "(): row ", first_row + i + 1, " of the data (X(", i, ", ", j, ") of the chunk) is ", v,
          std::isnan(v) ? "; if NaN marks missing values, set missing = Missing::mask" : "; values must be finite"));
    }
    require<InputError>(present > 0, call, "row ", first_row + i + 1, " of the data (X.row(", i,
                        ") of the chunk) has no present feature (all NaN)");
  }
}

}  // namespace somtile::detail
