#pragma once
// viz::Color, the sRGB colour every plot and colour map uses.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace somtile::viz {

/// An sRGB colour with channels in [0, 1].
struct Color {
  ///@{
  /// Red, green and blue.
  double r = 0, g = 0, b = 0;
  ///@}

  /// "#rrggbb".
  std::string hex() const {
    auto byte = [](double v) { return int(std::lround(std::clamp(v, 0.0, 1.0) * 255.0)); };
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", byte(r), byte(g), byte(b));
    return buf;
  }

  /// Relative luminance (WCAG), to choose black or white text on top of the colour.
  double luminance() const {
    auto lin = [](double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  }
};

}  // namespace somtile::viz
