#pragma once
// The colour maps' control points (matplotlib's viridis and magma, ColorBrewer RdBu, gray), the
// category palettes (Tableau for classes, ColorBrewer for clusters), and the interpolation between control points
// (viz/colormap.hpp).

#include "somtile/viz/color.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace somtile::detail {

// matplotlib viridis / magma, entries 0, 5, ..., 255 of the 256-entry tables.
inline constexpr std::array<std::array<double, 3>, 52> viridis_table{
    {{0.2670, 0.0049, 0.3294}, {0.2738, 0.0315, 0.3589}, {0.2788, 0.0621, 0.3866}, {0.2819, 0.0897, 0.4124},
     {0.2832, 0.1157, 0.4361}, {0.2826, 0.1409, 0.4575}, {0.2803, 0.1657, 0.4765}, {0.2762, 0.1901, 0.4930},
     {0.2706, 0.2141, 0.5071}, {0.2637, 0.2376, 0.5188}, {0.2556, 0.2607, 0.5283}, {0.2468, 0.2832, 0.5359},
     {0.2374, 0.3052, 0.5419}, {0.2278, 0.3266, 0.5465}, {0.2181, 0.3474, 0.5500}, {0.2086, 0.3678, 0.5527},
     {0.1994, 0.3876, 0.5546}, {0.1906, 0.4071, 0.5561}, {0.1823, 0.4262, 0.5571}, {0.1743, 0.4450, 0.5578},
     {0.1666, 0.4637, 0.5581}, {0.1592, 0.4822, 0.5581}, {0.1519, 0.5007, 0.5576}, {0.1448, 0.5191, 0.5566},
     {0.1378, 0.5375, 0.5549}, {0.1312, 0.5559, 0.5525}, {0.1254, 0.5743, 0.5491}, {0.1211, 0.5927, 0.5446},
     {0.1194, 0.6111, 0.5390}, {0.1214, 0.6295, 0.5320}, {0.1281, 0.6477, 0.5235}, {0.1402, 0.6659, 0.5134},
     {0.1579, 0.6838, 0.5017}, {0.1807, 0.7014, 0.4882}, {0.2080, 0.7187, 0.4729}, {0.2394, 0.7356, 0.4557},
     {0.2741, 0.7520, 0.4366}, {0.3119, 0.7678, 0.4156}, {0.3524, 0.7830, 0.3926}, {0.3952, 0.7975, 0.3678},
     {0.4401, 0.8111, 0.3410}, {0.4870, 0.8239, 0.3123}, {0.5356, 0.8358, 0.2819}, {0.5857, 0.8467, 0.2499},
     {0.6369, 0.8565, 0.2166}, {0.6889, 0.8654, 0.1827}, {0.7414, 0.8734, 0.1496}, {0.7938, 0.8807, 0.1200},
     {0.8456, 0.8873, 0.0997}, {0.8963, 0.8936, 0.0963}, {0.9456, 0.8998, 0.1128}, {0.9932, 0.9062, 0.1439}}};
inline constexpr std::array<std::array<double, 3>, 52> magma_table{
    {{0.0015, 0.0005, 0.0139}, {0.0076, 0.0064, 0.0450}, {0.0188, 0.0160, 0.0846}, {0.0355, 0.0284, 0.1252},
     {0.0566, 0.0422, 0.1674}, {0.0788, 0.0542, 0.2117}, {0.1028, 0.0630, 0.2579}, {0.1294, 0.0679, 0.3054},
     {0.1590, 0.0684, 0.3527}, {0.1915, 0.0648, 0.3962}, {0.2253, 0.0604, 0.4317}, {0.2589, 0.0597, 0.4577},
     {0.2914, 0.0646, 0.4755}, {0.3229, 0.0738, 0.4874}, {0.3538, 0.0854, 0.4955}, {0.3843, 0.0979, 0.5010},
     {0.4147, 0.1104, 0.5047}, {0.4452, 0.1227, 0.5069}, {0.4758, 0.1346, 0.5079}, {0.5066, 0.1460, 0.5078},
     {0.5378, 0.1569, 0.5066}, {0.5692, 0.1675, 0.5041}, {0.6009, 0.1777, 0.5004}, {0.6328, 0.1879, 0.4953},
     {0.6649, 0.1981, 0.4888}, {0.6971, 0.2085, 0.4808}, {0.7292, 0.2194, 0.4713}, {0.7611, 0.2312, 0.4602},
     {0.7924, 0.2442, 0.4475}, {0.8229, 0.2590, 0.4336}, {0.8521, 0.2761, 0.4186}, {0.8795, 0.2961, 0.4031},
     {0.9043, 0.3196, 0.3881}, {0.9259, 0.3468, 0.3750}, {0.9440, 0.3776, 0.3651}, {0.9585, 0.4113, 0.3600},
     {0.9697, 0.4469, 0.3603}, {0.9782, 0.4836, 0.3660}, {0.9846, 0.5207, 0.3767}, {0.9894, 0.5579, 0.3917},
     {0.9928, 0.5949, 0.4103}, {0.9951, 0.6317, 0.4320}, {0.9966, 0.6683, 0.4562}, {0.9973, 0.7046, 0.4826},
     {0.9973, 0.7408, 0.5110}, {0.9967, 0.7768, 0.5410}, {0.9957, 0.8127, 0.5726}, {0.9942, 0.8485, 0.6057},
     {0.9924, 0.8843, 0.6401}, {0.9906, 0.9200, 0.6757}, {0.9887, 0.9557, 0.7122}, {0.9871, 0.9914, 0.7495}}};
// ColorBrewer RdBu (11 classes), listed from blue to red.
inline constexpr std::array<std::array<double, 3>, 2> gray_table{{{0.0, 0.0, 0.0}, {1.0, 1.0, 1.0}}};
inline constexpr std::array<std::array<double, 3>, 11> blue_red_table{{{0x05 / 255., 0x30 / 255., 0x61 / 255.},
                                                                       {0x21 / 255., 0x66 / 255., 0xac / 255.},
                                                                       {0x43 / 255., 0x93 / 255., 0xc3 / 255.},
                                                                       {0x92 / 255., 0xc5 / 255., 0xde / 255.},
                                                                       {0xd1 / 255., 0xe5 / 255., 0xf0 / 255.},
                                                                       {0xf7 / 255., 0xf7 / 255., 0xf7 / 255.},
                                                                       {0xfd / 255., 0xdb / 255., 0xc7 / 255.},
                                                                       {0xf4 / 255., 0xa5 / 255., 0x82 / 255.},
                                                                       {0xd6 / 255., 0x60 / 255., 0x4d / 255.},
                                                                       {0xb2 / 255., 0x18 / 255., 0x2b / 255.},
                                                                       {0x67 / 255., 0x00 / 255., 0x1f / 255.}}};
// Tableau 10 without its grey (reserved for noise), then the light Tableau 20 partners.
inline constexpr std::array<const char*, 18> category_hex{
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf",
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5"};

// The clusters' palette: ColorBrewer Dark2 then Set2, both without their grey (reserved for
// noise). Dark2 is reordered so that clusters 0, 1, 2 (magenta, slate violet, mustard) take hues far
// from classes 0, 1, 2 (blue, orange, green); no colour is shared with category_hex.
inline constexpr std::array<const char*, 14> cluster_hex{"#e7298a", "#7570b3", "#e6ab02", "#1b9e77", "#66a61e",
                                                         "#a6761d", "#d95f02", "#66c2a5", "#fc8d62", "#8da0cb",
                                                         "#e78ac3", "#a6d854", "#ffd92f", "#e5c494"};

template <std::size_t N>
viz::Color interpolate_colormap(const std::array<std::array<double, 3>, N>& table, double t) {
  const double pos = std::clamp(t, 0.0, 1.0) * double(N - 1);
  const std::size_t i = std::min(std::size_t(pos), N - 2);
  const double f = pos - double(i);
  return {table[i][0] + f * (table[i + 1][0] - table[i][0]), table[i][1] + f * (table[i + 1][1] - table[i][1]),
          table[i][2] + f * (table[i + 1][2] - table[i][2])};
}
/// Colour at hue h (degrees) with HSL saturation s and lightness l.
inline viz::Color hsl_color(double h, double s, double l) {
  const double c = (1 - std::abs(2 * l - 1)) * s, x = c * (1 - std::abs(std::fmod(h / 60.0, 2.0) - 1)), m = l - c / 2;
  const int sector = int(h / 60.0) % 6;
  const double rgb[6][3] = {{c, x, 0}, {x, c, 0}, {0, c, x}, {0, x, c}, {x, 0, c}, {c, 0, x}};
  return {rgb[sector][0] + m, rgb[sector][1] + m, rgb[sector][2] + m};
}
inline viz::Color color_from_hex(const char* hex) {
  unsigned v = 0;
  std::sscanf(hex + 1, "%6x", &v);
  return {double((v >> 16) & 0xff) / 255.0, double((v >> 8) & 0xff) / 255.0, double(v & 0xff) / 255.0};
}

}  // namespace somtile::detail
