#pragma once
// Number text as read_csv and read_svmlight read it: the rule is strtod's (C locale, all of
// the text, no ERANGE); std::from_chars decides the common case faster with the same result.

#include <algorithm>
#include <cerrno>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <system_error>

namespace somtile::detail {

/// The reference rule: strtod reads all of `text` without a range error.
inline bool parse_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && errno != ERANGE;
}

/// parse_number on the characters [b, e), without a std::string in the common case: when
/// from_chars reads them all as a normal double (strictly inside (2 DBL_MIN, DBL_MAX), where
/// both functions round correctly to the same value and strtod raises no range error) or as an
/// exact zero written without a non-zero digit. Everything else goes to strtod.
inline bool parse_number(const char* b, const char* e, double& value) {
  if (b == e) return false;
  const auto r = std::from_chars(b, e, value);
  if (r.ec == std::errc() && r.ptr == e) {
    const double a = std::fabs(value);
    if (a > 2 * DBL_MIN && a < DBL_MAX) return true;
    if (a == 0 && std::none_of(b, e, [](char ch) { return ch >= '1' && ch <= '9'; })) return true;
  }
  return parse_number(std::string(b, e), value);
}

}  // namespace somtile::detail
