#pragma once
// The NotFittedError of both scalers.

#include "somtile/core/error.hpp"

#include <string_view>

namespace somtile::detail {

inline NotFittedError scaler_not_fitted(std::string_view name, std::string_view method) {
  return NotFittedError(concat(name, "::", method, "(): this ", name, " is not fitted yet; call fit() first"));
}

}  // namespace somtile::detail
