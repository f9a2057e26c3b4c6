#pragma once
// A small SVG canvas: shapes, text and groups appended in order, serialised deterministically
// (no time stamps, no generated ids, locale-independent numbers) and written atomically, so a
// reader never sees half a picture and the same plot call always gives the same bytes.

#include "somtile/core/detail/file_writer.hpp"
#include "somtile/core/error.hpp"
#include "somtile/viz/detail/svg_text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace somtile::viz {

/// A point in SVG user units.
struct Point {
  /// Horizontal position, px.
  double x = 0;
  /// Vertical position, px (down).
  double y = 0;
};

/// Presentation attributes of a shape; empty strings and default values are not written.
struct Style {
  /// Fill colour; "none" = not filled.
  std::string fill = "none";
  std::string stroke;  ///< empty = no stroke
  /// Stroke width, px.
  double stroke_width = 1.0;
  double opacity = 1.0;   ///< fill and stroke opacity together
  std::string dash;       ///< stroke-dasharray, e.g. "4 3"
  std::string css_class;  ///< class attribute, lets tests and style sheets find shapes
};

enum class Anchor { start, middle, end };

/// Presentation attributes of a text.
struct TextStyle {
  double size = 12.0;  ///< font size in px
  /// Which point of the text (x, y) is: its start, middle or end.
  Anchor anchor = Anchor::start;
  /// Bold type.
  bool bold = false;
  /// Text colour.
  std::string fill = "#222222";
  double rotate = 0.0;   ///< degrees, around the text's anchor point
  std::string baseline;  ///< "middle", "central" or "hanging": y is the text's centre or top;
                         ///< empty = y is the alphabetic baseline
  /// Class attribute, lets tests and style sheets find texts.
  std::string css_class;
};

/// An SVG document under construction: shapes and texts in drawing order, then str() or save().
class SvgCanvas {
 public:
  /// An empty canvas of width x height px.
  SvgCanvas(double width, double height) : width_(width), height_(height) {}

  /// Width, px.
  double width() const { return width_; }
  /// Height, px.
  double height() const { return height_; }

  /// The document's \<title\> (shown by viewers as the tooltip / tab name).
  void title(std::string_view text) { title_ = detail::xml_escape(text); }

  /// A rectangle with its top-left corner at (x, y).
  void rect(double x, double y, double w, double h, const Style& s) {
    body_ += indent() + "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" + num(h) +
             "\"" + attributes(s) + "/>\n";
  }

  /// A closed polygon through the points.
  void polygon(const std::vector<Point>& points, const Style& s) {
    body_ += indent() + "<polygon points=\"" + point_list(points) + "\"" + attributes(s) + "/>\n";
  }

  /// An open line through the points.
  void polyline(const std::vector<Point>& points, const Style& s) {
    body_ += indent() + "<polyline points=\"" + point_list(points) + "\"" + attributes(s) + "/>\n";
  }

  /// A line from (x1, y1) to (x2, y2).
  void line(double x1, double y1, double x2, double y2, const Style& s) {
    body_ += indent() + "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) +
             "\"" + attributes(s) + "/>\n";
  }

  /// A circle of radius r centred at (cx, cy).
  void circle(double cx, double cy, double r, const Style& s) {
    body_ += indent() + "<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"" + num(r) + "\"" + attributes(s) +
             "/>\n";
  }

  /// A text at (x, y), escaped for XML.
  void text(double x, double y, std::string_view content, const TextStyle& t) {
    // dominant-baseline is applied here as an offset, since not every renderer honours it.
    double dy = 0;
    if (t.baseline == "middle" || t.baseline == "central")
      dy = 0.35 * t.size;
    else if (t.baseline == "hanging")
      dy = 0.75 * t.size;
    std::string a = "<text x=\"" + num(x) + "\" y=\"" + num(y + dy) + "\" font-size=\"" + num(t.size) + "\"";
    if (t.anchor != Anchor::start)
      a += std::string(" text-anchor=\"") + (t.anchor == Anchor::middle ? "middle" : "end") + "\"";
    if (t.bold) a += " font-weight=\"bold\"";
    if (t.fill != "#222222") a += " fill=\"" + detail::xml_escape(t.fill) + "\"";
    if (t.rotate != 0.0) a += " transform=\"rotate(" + num(t.rotate) + " " + num(x) + " " + num(y) + ")\"";
    if (!t.css_class.empty()) a += " class=\"" + detail::xml_escape(t.css_class) + "\"";
    body_ += indent() + a + ">" + detail::xml_escape(content) + "</text>\n";
  }

  /// Opens a \<g\>; `id` and `css_class` are optional. Close it with end_group().
  void begin_group(std::string_view id = {}, std::string_view css_class = {}) {
    std::string a = "<g";
    if (!id.empty()) a += " id=\"" + detail::xml_escape(id) + "\"";
    if (!css_class.empty()) a += " class=\"" + detail::xml_escape(css_class) + "\"";
    body_ += indent() + a + ">\n";
    ++depth_;
  }
  /// Closes the group begin_group() opened. \throws ParameterError when none is open.
  void end_group() {
    if (depth_ == 0) throw ParameterError("SvgCanvas::end_group(): no group is open");
    --depth_;
    body_ += indent() + "</g>\n";
  }

  /// A vertical (bottom = first colour) or horizontal linear gradient, referenced as
  /// "url(#id)". `stops` are (offset in [0, 1], colour).
  void linear_gradient(std::string_view id, const std::vector<std::pair<double, std::string>>& stops, bool vertical) {
    if (!define(id)) return;
    defs_ += "    <linearGradient id=\"" + detail::xml_escape(id) + "\"" +
             (vertical ? " x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\"" : " x1=\"0\" y1=\"0\" x2=\"1\" y2=\"0\"") + ">\n";
    for (const auto& [offset, colour] : stops)
      defs_ += "      <stop offset=\"" + detail::svg_number(offset, 4) + "\" stop-color=\"" +
               detail::xml_escape(colour) + "\"/>\n";
    defs_ += "    </linearGradient>\n";
  }

  /// Diagonal hatching on a background, referenced as "url(#id)": marks cells without a value
  /// so they cannot be mistaken for any colour of the colour map.
  void hatch_pattern(std::string_view id, std::string_view background, std::string_view line_colour,
                     double spacing = 6.0) {
    if (!define(id)) return;
    const std::string s = num(spacing);
    defs_ += "    <pattern id=\"" + detail::xml_escape(id) + "\" patternUnits=\"userSpaceOnUse\" width=\"" + s +
             "\" height=\"" + s + "\" patternTransform=\"rotate(45)\">\n" + "      <rect width=\"" + s +
             "\" height=\"" + s + "\" fill=\"" + detail::xml_escape(background) + "\"/>\n" +
             "      <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"" + s + "\" stroke=\"" + detail::xml_escape(line_colour) +
             "\" stroke-width=\"" + num(spacing / 4) + "\"/>\n    </pattern>\n";
  }

  /// True when a gradient or pattern with this id was defined.
  bool defined(std::string_view id) const { return std::find(def_ids_.begin(), def_ids_.end(), id) != def_ids_.end(); }

  /// The complete document.
  std::string str() const {
    if (depth_ != 0) throw ParameterError(concat_open_groups());
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + num(width_) + "\" height=\"" +
           num(height_) + "\" viewBox=\"0 0 " + num(width_) + " " + num(height_) +
           "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n";
    if (!title_.empty()) out += "  <title>" + title_ + "</title>\n";
    if (!defs_.empty()) out += "  <defs>\n" + defs_ + "  </defs>\n";
    out += "  <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
    out += body_;
    out += "</svg>\n";
    return out;
  }

  /// Writes the document to `path` through a temporary file renamed into place.
  void save(const std::string& path) const { detail::write_file_replacing(path, "SvgCanvas::save", str()); }

 private:
  // Records a definition id; false when it exists already (ids must be unique in a document).
  bool define(std::string_view id) {
    if (defined(id)) return false;
    def_ids_.emplace_back(id);
    return true;
  }

  static std::string num(double v) { return detail::svg_number(v, 2); }

  std::string indent() const { return std::string(std::size_t(2 * (depth_ + 1)), ' '); }

  static std::string point_list(const std::vector<Point>& points) {
    std::string s;
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (i) s += ' ';
      s += num(points[i].x) + "," + num(points[i].y);
    }
    return s;
  }

  static std::string attributes(const Style& s) {
    std::string a = " fill=\"" + detail::xml_escape(s.fill) + "\"";
    if (!s.stroke.empty()) {
      a += " stroke=\"" + detail::xml_escape(s.stroke) + "\"";
      if (s.stroke_width != 1.0) a += " stroke-width=\"" + num(s.stroke_width) + "\"";
      if (!s.dash.empty()) a += " stroke-dasharray=\"" + detail::xml_escape(s.dash) + "\"";
    }
    if (s.opacity != 1.0) a += " opacity=\"" + detail::svg_number(s.opacity, 3) + "\"";
    if (!s.css_class.empty()) a += " class=\"" + detail::xml_escape(s.css_class) + "\"";
    return a;
  }

  std::string concat_open_groups() const {
    return "SvgCanvas::str(): " + std::to_string(depth_) + " group(s) still open; call end_group()";
  }

  double width_, height_;
  std::string title_, defs_, body_;
  std::vector<std::string> def_ids_;
  int depth_ = 0;
};

}  // namespace somtile::viz
