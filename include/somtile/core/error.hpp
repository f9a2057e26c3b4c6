#pragma once
// Error types. Messages name the call, the rule and the offending value, e.g.
// "SomVQ::predict(): X has 3 features, but this SomVQ was fitted with 4".

#include "somtile/core/detail/concat.hpp"

#include <stdexcept>

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

}  // namespace somtile
