#pragma once
// Text in SVG documents (viz/svg.hpp): compact numbers and XML escaping.

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>

namespace somtile::detail {

/// Shortest fixed-point text with at most `decimals` decimals: "12", "0.5", "-3.25"; never "-0".
inline std::string svg_number(double v, int decimals = 2) {
  if (!std::isfinite(v)) v = 0.0;  // SVG has no NaN; callers validate data before drawing
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  std::string s(buf, res.ptr);
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

/// Escapes text for XML character data and attribute values; drops control characters that
/// XML 1.0 forbids, so any user string (a feature name, a title) yields a well-formed file.
inline std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto u = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (u < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') break;
        out += ch;
    }
  }
  return out;
}

}  // namespace somtile::detail
