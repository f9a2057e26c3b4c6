#pragma once
// detail::concat, the message builder of every error (core/error.hpp) and warning.

#include <sstream>
#include <string>
#include <utility>

namespace somtile::detail {

/// Concatenates any streamable values into one message.
template <typename... Parts>
std::string concat(Parts&&... parts) {
  std::ostringstream out;
  (out << ... << std::forward<Parts>(parts));
  return out.str();
}

}  // namespace somtile::detail
