#pragma once
// Error types. Messages name the call, the rule and the offending value, e.g.
// "SomVQ::predict(): X has 3 features, but this SomVQ was fitted with 4".

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace somtile {

/// Bad data passed to a call (empty, NaN/Inf, wrong shape, mismatched labels).
class InputError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// A parameter outside its documented range.
class ParameterError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// A model used before it was fitted.
class NotFittedError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

namespace detail {

/// Concatenates any streamable values into one message.
template <typename... Parts>
std::string concat(Parts&&... parts) {
  std::ostringstream out;
  (out << ... << std::forward<Parts>(parts));
  return out.str();
}

}  // namespace detail
}  // namespace somtile
