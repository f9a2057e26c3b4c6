#pragma once
// Base of the layout engine: the SVG names it draws with, text styles, text metrics estimated
// without loading a font (every layout decision uses them), number formats and the title.

#include "somtile/viz/svg.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

namespace somtile::detail {

using viz::Anchor;
using viz::Point;
using viz::Style;
using viz::SvgCanvas;
using viz::TextStyle;

/// A fully initialised TextStyle (positional aggregate init would leave members implicit).
inline TextStyle ts(double size, Anchor anchor = Anchor::start, bool bold = false, std::string fill = "#222222",
                    double rotate = 0, std::string baseline = {}, std::string css_class = {}) {
  TextStyle t;
  t.size = size;
  t.anchor = anchor;
  t.bold = bold;
  t.fill = std::move(fill);
  t.rotate = rotate;
  t.baseline = std::move(baseline);
  t.css_class = std::move(css_class);
  return t;
}

/// Approximate advance of a string in px (DejaVu Sans averages ~0.6 em per character).
inline double text_width(const std::string& s, double size) {
  std::size_t chars = 0;
  for (char ch : s) chars += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;  // UTF-8 code points
  return 0.6 * size * double(chars);
}

/// Canvas width a bold 16 px title needs, margins included (bold glyphs run wider).
inline double title_width(const std::string& title) { return title.empty() ? 0 : 1.15 * text_width(title, 16) + 24; }

/// Fixed decimals, trailing zeros kept (values printed in cells line up).
inline std::string fixed_number(double v, int decimals) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  std::string s(buf, res.ptr);
  return s.find_first_not_of("-0.") == std::string::npos ? s.substr(s[0] == '-' ? 1 : 0) : s;  // no "-0.00"
}

/// A value printed with 3 significant digits (bar annotations).
inline std::string short_number(double v) {
  if (!std::isfinite(v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, (std::abs(v) >= 1e4 || (std::abs(v) < 1e-3 && v != 0)) ? "%.3g" : "%.4g", v);
  return buf;
}

/// A count with its thousands grouped by spaces: 11441 -> "11 441".
inline std::string grouped_count(long long n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ' ';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

inline void title_text(SvgCanvas& svg, const std::string& title, double y = 26) {
  if (!title.empty()) svg.text(svg.width() / 2, y, title, detail::ts(16, Anchor::middle, true));
}

}  // namespace somtile::detail
