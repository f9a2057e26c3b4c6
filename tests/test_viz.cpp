// Pictures: every SVG is parsed back (a small XML parser below, plus xmllint), its cells, colours
// and legends are checked against the input, and it is rendered by a real renderer
// (rsvg-convert) to PNG. Files go to the test's working directory (the build tree).
// Scalars: double only (a plot draws the same picture for either type; the float maps and
// models themselves are tested in test_som, test_online_som and test_growing_som).
#include <somtile/cluster.hpp>
#include <somtile/growing.hpp>
#include <somtile/io.hpp>
#include <somtile/som.hpp>
#include <somtile/viz.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace somtile;
using Catch::Matchers::Contains;

namespace {

// ---- a strict little XML parser: elements, attributes, text, comments, the XML declaration ----

struct Element {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::vector<std::unique_ptr<Element>> children;
  std::string text;

  std::string attr(const std::string& key) const {
    auto it = attributes.find(key);
    return it == attributes.end() ? std::string() : it->second;
  }
  bool has_class(const std::string& c) const {
    std::istringstream words(attr("class"));
    for (std::string w; words >> w;)
      if (w == c) return true;
    return false;
  }
};

class XmlParser {
 public:
  explicit XmlParser(std::string text) : s_(std::move(text)) {}

  std::unique_ptr<Element> parse() {
    skip_space();
    if (s_.compare(i_, 5, "<?xml") == 0) {
      const auto end = s_.find("?>", i_);
      if (end == std::string::npos) fail("unterminated XML declaration");
      i_ = end + 2;
    }
    skip_misc();
    auto root = element();
    skip_misc();
    if (i_ != s_.size()) fail("content after the root element");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw std::runtime_error("XML error at offset " + std::to_string(i_) + ": " + why);
  }
  void skip_space() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  void skip_misc() {
    for (;;) {
      skip_space();
      if (s_.compare(i_, 4, "<!--") != 0) return;
      const auto end = s_.find("-->", i_);
      if (end == std::string::npos) fail("unterminated comment");
      i_ = end + 3;
    }
  }
  std::string name() {
    const std::size_t b = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-' || s_[i_] == '_' ||
                              s_[i_] == ':' || s_[i_] == '.'))
      ++i_;
    if (b == i_) fail("expected a name");
    return s_.substr(b, i_ - b);
  }
  std::string decode(const std::string& raw) const {
    std::string out;
    for (std::size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] == '<') fail("'<' in text or attribute");
      if (raw[k] != '&') {
        out += raw[k];
        continue;
      }
      const auto semi = raw.find(';', k);
      if (semi == std::string::npos) fail("unterminated entity");
      const std::string e = raw.substr(k + 1, semi - k - 1);
      if (e == "amp")
        out += '&';
      else if (e == "lt")
        out += '<';
      else if (e == "gt")
        out += '>';
      else if (e == "quot")
        out += '"';
      else if (e == "apos")
        out += '\'';
      else if (!e.empty() && e[0] == '#')
        out += '?';
      else
        fail("unknown entity &" + e + ";");
      k = semi;
    }
    return out;
  }
  std::unique_ptr<Element> element() {
    if (i_ >= s_.size() || s_[i_] != '<') fail("expected '<'");
    ++i_;
    auto el = std::make_unique<Element>();
    el->name = name();
    for (;;) {
      skip_space();
      if (i_ >= s_.size()) fail("unterminated start tag");
      if (s_.compare(i_, 2, "/>") == 0) {
        i_ += 2;
        return el;
      }
      if (s_[i_] == '>') {
        ++i_;
        break;
      }
      const std::string key = name();
      skip_space();
      if (i_ >= s_.size() || s_[i_] != '=') fail("expected '=' after attribute " + key);
      ++i_;
      skip_space();
      const char quote = s_[i_];
      if (quote != '"' && quote != '\'') fail("unquoted attribute " + key);
      const auto end = s_.find(quote, i_ + 1);
      if (end == std::string::npos) fail("unterminated attribute " + key);
      if (el->attributes.count(key)) fail("duplicate attribute " + key);
      el->attributes[key] = decode(s_.substr(i_ + 1, end - i_ - 1));
      i_ = end + 1;
    }
    for (;;) {
      const auto lt = s_.find('<', i_);
      if (lt == std::string::npos) fail("unterminated element " + el->name);
      el->text += decode(s_.substr(i_, lt - i_));
      i_ = lt;
      if (s_.compare(i_, 4, "<!--") == 0) {
        skip_misc();
        continue;
      }
      if (s_.compare(i_, 2, "</") == 0) {
        i_ += 2;
        if (name() != el->name) fail("mismatched end tag for " + el->name);
        skip_space();
        if (i_ >= s_.size() || s_[i_] != '>') fail("expected '>'");
        ++i_;
        return el;
      }
      el->children.push_back(element());
    }
  }

  std::string s_;
  std::size_t i_ = 0;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <typename Pred>
void collect(const Element& e, Pred pred, std::vector<const Element*>& out) {
  if (pred(e)) out.push_back(&e);
  for (const auto& c : e.children) collect(*c, pred, out);
}
template <typename Pred>
std::vector<const Element*> find_all(const Element& root, Pred pred) {
  std::vector<const Element*> out;
  collect(root, pred, out);
  return out;
}
std::vector<const Element*> with_class(const Element& root, const std::string& c) {
  return find_all(root, [&](const Element& e) { return e.has_class(c); });
}
std::vector<std::string> texts(const Element& root) {
  std::vector<std::string> out;
  for (const Element* t : find_all(root, [](const Element& e) { return e.name == "text"; })) out.push_back(t->text);
  return out;
}
bool has_text(const Element& root, const std::string& s) {
  for (const auto& t : texts(root))
    if (t == s) return true;
  return false;
}

bool valid_paint(const std::string& fill) {  // "none", "#rrggbb" (lower-case hex) or a url(#id) reference
  const bool hex =
      fill.size() == 7 && fill[0] == '#' && fill.find_first_not_of("0123456789abcdef", 1) == std::string::npos;
  return fill == "none" || hex || fill.rfind("url(#", 0) == 0;
}

bool tools_available() {  // asked once: each std::system call costs a shell
  static const bool available =
      std::system("command -v xmllint > /dev/null 2>&1 && command -v rsvg-convert > /dev/null 2>&1") == 0;
  return available;
}

/// Parses the file, checks every paint is a valid colour, validates it with xmllint and
/// renders it with rsvg-convert (each renderer start costs ~0.1 s, so repeated variants of one
/// code path may skip that); returns the parsed document.
std::unique_ptr<Element> load_svg(const std::string& path, bool render = true) {
  INFO("checking " << path);
  std::unique_ptr<Element> root;
  REQUIRE_NOTHROW(root = XmlParser(read_text(path)).parse());
  REQUIRE(root->name == "svg");
  CHECK(root->attr("xmlns") == "http://www.w3.org/2000/svg");
  for (const Element* e : find_all(*root, [](const Element&) { return true; })) {
    for (const char* key : {"fill", "stroke", "stop-color"})
      if (e->attributes.count(key)) {
        INFO(e->name << " " << key << "=" << e->attr(key));
        CHECK(valid_paint(e->attr(key)));
      }
  }
  if (!render) return root;
  INFO("xmllint (libxml2-utils) and rsvg-convert (librsvg2-bin) must be installed");
  REQUIRE(tools_available());
  const std::string png = path + ".png";
  std::remove(png.c_str());
  CHECK(std::system(("xmllint --noout '" + path + "' && rsvg-convert -o '" + png + "' '" + path + "'").c_str()) == 0);
  const std::string bytes = read_text(png);
  CHECK(bytes.size() > 100);
  CHECK(bytes.compare(1, 3, "PNG") == 0);
  return root;
}

std::vector<std::pair<double, double>> polygon_points(const Element& e) {
  std::vector<std::pair<double, double>> pts;
  std::istringstream in(e.attr("points"));
  std::string pair;
  while (in >> pair) {
    const auto comma = pair.find(',');
    pts.emplace_back(std::stod(pair.substr(0, comma)), std::stod(pair.substr(comma + 1)));
  }
  return pts;
}

double nan() { return std::numeric_limits<double>::quiet_NaN(); }

template <typename S>
Som<S> small_som(const RowMatrix<S>& X, Topology topology) {
  SomParams p;
  p.rows = 5;
  p.cols = 6;
  p.epochs = 4;
  p.topology = topology;
  p.init = Init::pca;
  p.seed = 3;
  p.n_threads = 1;
  Som<S> som(p, X.cols());
  som.fit(X);
  return som;
}

}  // namespace

// ---- canvas ------------------------------------------------------------------------------------

TEST_CASE("SvgCanvas escapes text, prints compact numbers and writes deterministic files", "[viz][svg]") {
  viz::SvgCanvas svg(100.5, 40);
  const std::string nasty = "a<b & \"c\" 'd' >\x01 e";
  svg.title(nasty);
  svg.text(1.0 / 3.0, -0.0001, nasty, viz::TextStyle());
  viz::Style fill;
  fill.fill = "#123456";
  svg.rect(0.5, 2, 10, 12.25, fill);
  svg.save("viz_canvas.svg");
  const std::string doc = read_text("viz_canvas.svg");
  CHECK(doc == svg.str());
  CHECK(doc.find("x=\"0.33\" y=\"0\"") != std::string::npos);  // 2 decimals, no "-0"
  CHECK(doc.find("width=\"100.5\"") != std::string::npos);
  CHECK(doc.find("height=\"12.25\"") != std::string::npos);
  CHECK(std::ifstream("viz_canvas.svg.tmp").fail());  // the temporary file was renamed away
  auto root = load_svg("viz_canvas.svg");
  CHECK(has_text(*root, "a<b & \"c\" 'd' > e"));  // the control character is dropped
  CHECK(svg.str() == svg.str());

  viz::SvgCanvas groups(10, 10);
  CHECK_THROWS_AS(groups.end_group(), ParameterError);
  CHECK_THROWS_WITH(groups.end_group(), "SvgCanvas::end_group(): no group is open");
  groups.begin_group("g");
  CHECK_THROWS_AS(groups.str(), ParameterError);
  CHECK_THROWS_WITH(groups.str(), Contains("1 group(s) still open"));
  CHECK_THROWS_AS(svg.save("no_such_directory/x.svg"), InputError);
  CHECK_THROWS_WITH(svg.save("no_such_directory/x.svg"),
                    Contains("SvgCanvas::save(): cannot write 'no_such_directory/x.svg.tmp'"));
  // A target that is a non-empty directory: the rename fails (even for root), no temporary stays.
  std::filesystem::create_directories("busy.svg/inside");
  CHECK_THROWS_WITH(svg.save("busy.svg"), Contains("SvgCanvas::save(): cannot rename 'busy.svg.tmp' to 'busy.svg'"));
  CHECK_FALSE(std::filesystem::exists("busy.svg.tmp"));
  std::filesystem::remove_all("busy.svg");
}

// ---- colour maps
// ---------------------------------------------------------------------------------

TEST_CASE("Colour maps match matplotlib's tables", "[viz][colormap]") {
  std::ifstream in(std::string(SOMTILE_REFERENCE_DIR) + "/viz_colormaps.txt");
  REQUIRE(in);
  int checked = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream row(line);
    std::string name;
    double t, r, g, b;
    row >> name >> t >> r >> g >> b;
    const viz::Colormap map = name == "viridis" ? viz::Colormap::viridis
                              : name == "magma" ? viz::Colormap::magma
                                                : viz::Colormap::blue_red;
    // viridis/magma interpolate table entries (< 1/255 off); RdBu goes through matplotlib's
    // 256-entry lookup table, which is up to one entry off the exact ramp.
    const double tol = name == "blue_red" ? 0.02 : 1.2 / 255;
    const viz::Color c = viz::colormap_color(map, t);
    INFO(line);
    CHECK(std::abs(c.r - r) < tol);
    CHECK(std::abs(c.g - g) < tol);
    CHECK(std::abs(c.b - b) < tol);
    ++checked;
  }
  CHECK(checked == 33);
  CHECK(viz::colormap_color(viz::Colormap::viridis, 0.0).hex() == "#440154");
  CHECK(viz::colormap_color(viz::Colormap::viridis, 1.0).hex() == "#fde725");
  CHECK(viz::colormap_color(viz::Colormap::viridis, -3.0).hex() == "#440154");  // clamped
  CHECK(viz::colormap_color(viz::Colormap::viridis, 7.0).hex() == "#fde725");
}

TEST_CASE("Category colours are distinct, valid and exclude the noise grey", "[viz][colormap]") {
  std::vector<std::string> seen;
  for (long long k = 0; k < 40; ++k) {
    const std::string h = viz::category_color(k).hex();
    CHECK(valid_paint(h));
    CHECK(h != viz::colors::noise);
    CHECK(std::find(seen.begin(), seen.end(), h) == seen.end());
    seen.push_back(h);
  }
  CHECK(seen[0] == "#1f77b4");  // class 0 is Tableau blue like any other class, not white
  CHECK_THROWS_AS(viz::category_color(-1), ParameterError);
  CHECK_THROWS_WITH(viz::category_color(-1), "category_color(): k must be >= 0 (noise has its own grey), got -1");
}

TEST_CASE("Cluster colours are a palette of their own: no colour of a class, none twice", "[viz][colormap]") {
  std::vector<std::string> classes, clusters;
  for (long long k = 0; k < 40; ++k) classes.push_back(viz::category_color(k).hex());
  for (long long k = 0; k < 40; ++k) {
    const std::string h = viz::cluster_color(k).hex();
    INFO("cluster " << k << " " << h);
    CHECK(valid_paint(h));
    CHECK(h != viz::colors::noise);
    CHECK(std::find(clusters.begin(), clusters.end(), h) == clusters.end());
    clusters.push_back(h);
    CHECK(std::find(classes.begin(), classes.end(), h) == classes.end());  // never a class's colour
  }
  CHECK(viz::palette_color(viz::CategoryPalette::clusters, 3).hex() == clusters[3]);
  CHECK(viz::palette_color(viz::CategoryPalette::classes, 3).hex() == classes[3]);
  CHECK(viz::palette_color(viz::CategoryPalette::automatic, 3).hex() == classes[3]);
  CHECK_THROWS_AS(viz::cluster_color(-1), ParameterError);
  CHECK_THROWS_WITH(viz::cluster_color(-1), "cluster_color(): k must be >= 0 (noise has its own grey), got -1");
}

TEST_CASE("Axis ticks are nice numbers covering the range", "[viz][ticks]") {
  struct Case {
    double lo, hi;
  };
  for (const Case c :
       {Case{0, 1}, Case{0.13, 0.87}, Case{-3.7, 12.2}, Case{1e-5, 3e-5}, Case{120, 98000}, Case{5, 6}}) {
    const double step = detail::nice_step(c.lo, c.hi);
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
    INFO(c.lo << " .. " << c.hi << " step " << step);
    CHECK((std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 || std::abs(mantissa - 5) < 1e-9));
    const auto ticks = detail::ticks_within(c.lo, c.hi, step);
    CHECK(ticks.size() >= 2);
    CHECK(ticks.size() <= 11);
    for (double t : ticks) {
      CHECK(t >= c.lo - 1e-12);
      CHECK(t <= c.hi + 1e-12);
      CHECK(std::abs(t / step - std::round(t / step)) < 1e-6);
    }
  }
  CHECK(detail::tick_label(0.30000000000000004, 0.1) == "0.3");
  CHECK(detail::tick_label(2500, 500) == "2500");
}

// ---- maps
// ----------------------------------------------------------------------------------------

TEST_CASE("plot_grid_map draws one square per unit, colours by value and hatches NaN", "[viz][map]") {
  const Grid grid(4, 6);
  RowMatrix<double> v(4, 6);
  for (Index i = 0; i < v.size(); ++i) v.data()[i] = double(i);
  v(1, 2) = nan();
  v(3, 5) = nan();
  viz::MapPlotOptions o;
  o.title = "Values & <more>";
  o.colorbar_label = "value";
  o.show_values = true;
  o.cell_size = 30;
  viz::plot_grid_map(grid, v, "viz_grid_rect.svg", o);
  auto root = load_svg("viz_grid_rect.svg");
  const auto cells = with_class(*root, "cell");
  REQUIRE(cells.size() == 24);
  for (const Element* c : cells) CHECK(c->name == "rect");
  const auto empty = with_class(*root, "empty");
  CHECK(empty.size() == 2);
  for (const Element* c : empty) CHECK(c->attr("fill") == "url(#empty-unit)");
  // Row-major order: unit 0 holds the minimum (viridis' first colour), unit 22 the maximum.
  CHECK(cells[0]->attr("fill") == "#440154");
  CHECK(cells[22]->attr("fill") == "#fde725");
  CHECK(cells[8]->attr("fill") == "url(#empty-unit)");
  // Squares tile: unit (r, c) sits at column c, row r.
  CHECK(std::stod(cells[6]->attr("x")) - std::stod(cells[0]->attr("x")) == Approx(0).margin(0.01));
  CHECK(std::stod(cells[6]->attr("y")) - std::stod(cells[0]->attr("y")) == Approx(30).margin(0.01));
  CHECK(std::stod(cells[1]->attr("x")) - std::stod(cells[0]->attr("x")) == Approx(30).margin(0.01));
  CHECK(with_class(*root, "legend").size() == 1);
  CHECK(has_text(*root, "no value"));
  CHECK(has_text(*root, "Values & <more>"));
  CHECK(has_text(*root, "value"));
  CHECK(has_text(*root, "22.00"));  // printed values
  const auto ticks = with_class(*root, "tick");
  CHECK(ticks.size() >= 3);
  CHECK(has_text(*root, "0"));
  CHECK(has_text(*root, "20"));

  // No NaN, no legend; a constant map still draws.
  viz::plot_grid_map(grid, RowMatrix<double>::Constant(4, 6, 2.0), "viz_grid_const.svg");
  auto flat = load_svg("viz_grid_const.svg");
  CHECK(with_class(*flat, "legend").empty());
  CHECK(with_class(*flat, "cell").size() == 24);
}

TEST_CASE("Hexagonal maps are pointy-top hexagons that tile without gaps or overlaps", "[viz][map]") {
  const Grid grid(5, 7, Topology::hexagonal);
  RowMatrix<double> v = RowMatrix<double>::Zero(5, 7);
  v(0, 0) = 1;
  viz::MapPlotOptions o;
  o.cell_size = 20;
  viz::plot_grid_map(grid, v, "viz_grid_hex.svg", o);
  auto root = load_svg("viz_grid_hex.svg");
  const auto cells = with_class(*root, "cell");
  REQUIRE(cells.size() == 35);
  std::vector<std::vector<std::pair<double, double>>> polys;
  for (const Element* c : cells) {
    CHECK(c->name == "polygon");
    polys.push_back(polygon_points(*c));
    REQUIRE(polys.back().size() == 6);
    // Pointy top: the first vertex is straight above the centre's x.
    CHECK(polys.back()[0].first == Approx(polys.back()[3].first).margin(0.01));
  }
  CHECK(cells[1]->attr("fill") == "#440154");  // zero is a colour, not empty
  CHECK(with_class(*root, "empty").empty());
  auto shared = [&](Index a, Index b) {
    int n = 0;
    for (const auto& p : polys[std::size_t(a)])
      for (const auto& q : polys[std::size_t(b)])
        if (std::abs(p.first - q.first) < 0.02 && std::abs(p.second - q.second) < 0.02) ++n;
    return n;
  };
  for (Index a = 0; a < grid.size(); ++a)
    for (Index b = a + 1; b < grid.size(); ++b) {
      INFO("units " << a << " and " << b);
      CHECK(shared(a, b) == (grid.adjacent(a, b) ? 2 : 0));  // neighbours share an edge, others touch nowhere
    }
}

TEST_CASE("Category maps give class 0 a colour, noise the Uncertain grey and list both", "[viz][map]") {
  const Grid grid(3, 4, Topology::hexagonal);
  RowMatrix<double> cls(3, 4);
  cls << 0, 0, 1, 1, 0, -1, 1, 2, nan(), 2, 2, 2;
  viz::CategoryPlotOptions o;
  o.class_names = {"setosa", "versicolor"};
  o.title = "classes";
  viz::plot_classification_map(grid, cls, "viz_classes.svg", o);
  auto root = load_svg("viz_classes.svg");
  const auto cells = with_class(*root, "cell");
  REQUIRE(cells.size() == 12);
  CHECK(cells[0]->attr("fill") == viz::category_color(0).hex());
  CHECK(cells[5]->attr("fill") == viz::colors::noise);
  CHECK(cells[7]->attr("fill") == viz::category_color(2).hex());
  CHECK(cells[8]->attr("fill") == "url(#empty-unit)");
  for (const char* label : {"setosa", "versicolor", "class 2", "Uncertain", "no samples", "class"})
    CHECK(has_text(*root, label));
  CHECK(with_class(*root, "swatch").size() == 5);

  Labels units(12);
  units << 0, 0, 1, 1, 0, -1, 1, 2, 2, 2, 2, 2;
  viz::plot_cluster_map(Grid(3, 4), units, "viz_clusters.svg");
  auto clusters = load_svg("viz_clusters.svg");
  for (const char* label : {"cluster 0", "cluster 1", "cluster 2", "Uncertain", "Cluster map", "cluster"})
    CHECK(has_text(*clusters, label));
  CHECK(with_class(*clusters, "empty").empty());
  // Clusters in their own palette: cluster 0 is not class 0's colour.
  const auto cluster_cells = with_class(*clusters, "cell");
  REQUIRE(cluster_cells.size() == 12);
  for (Index u = 0; u < 12; ++u)
    CHECK(cluster_cells[std::size_t(u)]->attr("fill") ==
          (units[u] < 0 ? std::string(viz::colors::noise) : viz::cluster_color(units[u]).hex()));
  CHECK(cluster_cells[0]->attr("fill") != cells[0]->attr("fill"));
  viz::CategoryPlotOptions as_classes;  // a palette chosen by the caller
  as_classes.palette = viz::CategoryPalette::classes;
  as_classes.legend_title = "group";
  viz::plot_cluster_map(Grid(3, 4), units, "viz_clusters_classes.svg", as_classes);
  auto recoloured = load_svg("viz_clusters_classes.svg", false);
  CHECK(with_class(*recoloured, "cell")[0]->attr("fill") == viz::category_color(0).hex());
  CHECK(has_text(*recoloured, "group"));

  CHECK_THROWS_AS(viz::plot_category_map(grid, RowMatrix<double>::Constant(3, 4, 0.5), "x.svg"), InputError);
  CHECK_THROWS_WITH(viz::plot_category_map(grid, RowMatrix<double>::Constant(3, 4, -2), "x.svg"),
                    "plot_category_map(): categories must be integers >= -1 or NaN, but unit 0 is -2");
  CHECK_THROWS_AS(viz::plot_cluster_map(grid, Labels::Zero(5), "x.svg"), InputError);
  CHECK_THROWS_WITH(viz::plot_cluster_map(grid, Labels::Zero(5), "x.svg"),
                    "plot_cluster_map(): unit_labels has 5 labels, but the grid has 12 units");
}

TEST_CASE("Panels and RGB maps: one cell per unit per panel, colours from the data", "[viz][map]") {
  const Grid grid(4, 5, Topology::hexagonal);
  std::vector<RowMatrix<double>> maps;
  for (int k = 0; k < 3; ++k) {
    RowMatrix<double> m(4, 5);
    for (Index i = 0; i < m.size(); ++i) m.data()[i] = std::sin(double(i + k));
    maps.push_back(m);
  }
  maps[2](0, 0) = nan();
  viz::MultiMapPlotOptions o;
  o.names = {"first", "second"};
  viz::plot_activation_maps(grid, maps, "viz_activations.svg", o);
  auto root = load_svg("viz_activations.svg");
  CHECK(with_class(*root, "cell").size() == 60);
  CHECK(with_class(*root, "panel").size() == 3);
  CHECK(with_class(*root, "colorbar").size() == 3);
  CHECK(with_class(*root, "empty").size() == 1);
  for (const char* label : {"first", "second", "sample 3", "Activation maps", "no value"})
    CHECK(has_text(*root, label));

  RowMatrix<double> rgb(20, 3);
  for (Index u = 0; u < 20; ++u) rgb.row(u) << double(u) / 19, 1 - double(u) / 19, 0.5;
  viz::plot_rgb_map(grid, rgb, "viz_rgb.svg", {"lattice"});
  auto image = load_svg("viz_rgb.svg");
  const auto cells = with_class(*image, "cell");
  REQUIRE(cells.size() == 20);
  CHECK(cells[0]->attr("fill") == "#00ff80");
  CHECK(cells[19]->attr("fill") == "#ff0080");
  viz::RgbPlotOptions stretch;
  stretch.rescale = true;
  RowMatrix<double> wide = rgb * 10;
  wide.col(2).setConstant(3);
  viz::plot_rgb_map(grid, wide, "viz_rgb_rescaled.svg", stretch);
  auto rescaled = load_svg("viz_rgb_rescaled.svg");
  CHECK(with_class(*rescaled, "cell")[19]->attr("fill") == "#ff0080");  // a constant channel sits mid-range

  CHECK_THROWS_AS(viz::plot_rgb_map(grid, wide, "x.svg"), InputError);
  CHECK_THROWS_WITH(viz::plot_rgb_map(grid, wide, "x.svg"),
                    Contains("plot_rgb_map(): colour values must be in [0, 1] (or set rescale), but rgb(0, 1) = 10"));
  CHECK_THROWS_WITH(viz::plot_rgb_map(grid, RowMatrix<double>::Zero(20, 2), "x.svg"),
                    "plot_rgb_map(): rgb must be 20 x 3 (one row per unit), got 20 x 2");
  CHECK_THROWS_WITH(viz::plot_grid_maps(grid, {}, "x.svg"), "plot_grid_maps(): maps must not be empty");
  CHECK_THROWS_WITH(viz::plot_grid_maps(grid, {RowMatrix<double>::Zero(2, 2)}, "x.svg"),
                    "plot_grid_maps(): maps[0] is 2 x 2, but the grid is 4 x 5");
}

TEST_CASE("Map plots reject bad input and options before writing anything", "[viz][map][errors]") {
  const Grid grid(2, 3);
  const RowMatrix<double> ok = RowMatrix<double>::Zero(2, 3);
  CHECK_THROWS_AS(viz::plot_grid_map(grid, RowMatrix<double>::Zero(3, 2), "x.svg"), InputError);
  CHECK_THROWS_WITH(viz::plot_grid_map(grid, RowMatrix<double>::Zero(3, 2), "x.svg"),
                    "plot_grid_map(): values is 3 x 2, but the grid is 2 x 3");
  RowMatrix<double> inf = ok;
  inf(1, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(viz::plot_grid_map(grid, inf, "x.svg"), InputError);
  CHECK_THROWS_WITH(viz::plot_grid_map(grid, inf, "x.svg"),
                    "plot_grid_map(): values must be finite or NaN, but unit 4 is inf");
  CHECK_THROWS_AS(viz::plot_grid_map(grid, ok, ""), InputError);
  CHECK_THROWS_WITH(viz::plot_grid_map(grid, ok, ""), "plot_grid_map(): path must not be empty");
  viz::MapPlotOptions o;
  o.vmin = 2;
  o.vmax = 1;
  CHECK_THROWS_AS(viz::plot_grid_map(grid, ok, "x.svg", o), ParameterError);
  CHECK_THROWS_WITH(viz::plot_grid_map(grid, ok, "x.svg", o),
                    "plot_grid_map(): vmin must be <= vmax, got vmin = 2, vmax = 1");
  o = {};
  o.cell_size = -1;
  CHECK_THROWS_AS(viz::plot_grid_map(grid, ok, "x.svg", o), ParameterError);
  CHECK_THROWS_WITH(viz::plot_grid_map(grid, ok, "x.svg", o), "plot_grid_map(): cell_size must be >= 0, got -1");
  o = {};
  o.value_decimals = 11;
  CHECK_THROWS_WITH(viz::plot_grid_map(grid, ok, "x.svg", o),
                    "plot_grid_map(): value_decimals must be in [0, 10], got 11");
  o = {};
  o.label_size = 0;
  CHECK_THROWS_WITH(viz::plot_grid_map(grid, ok, "x.svg", o), "plot_grid_map(): label_size must be in (0, 100], got 0");
  o = {};
  o.unit_labels.assign(std::size_t(grid.size()) + 1, "x");
  CHECK_THROWS_AS(viz::plot_grid_map(grid, ok, "x.svg", o), InputError);
  CHECK_THROWS_WITH(viz::plot_grid_map(grid, ok, "x.svg", o),
                    Catch::Matchers::Contains("unit_labels has 7 entries, but the grid has 6 units"));
  CHECK(std::ifstream("x.svg").fail());
}

TEST_CASE("plot_grid_map writes unit_labels on their units, over a pale box", "[viz][map]") {
  const Grid grid(2, 3);
  const RowMatrix<double> v = RowMatrix<double>::Zero(2, 3);
  viz::MapPlotOptions o;
  o.cell_size = 40;
  o.unit_labels = {"", "alpha beta", "", "", "<gamma>"};  // shorter than the grid: unit 5 has none
  viz::plot_grid_map(grid, v, "labels.svg", o);
  auto root = load_svg("labels.svg");
  const auto groups = with_class(*root, "unit-labels");
  REQUIRE(groups.size() == 1);
  const Element& g = *groups[0];
  REQUIRE(g.children.size() == 4);  // two boxes, two texts
  CHECK(g.children[0]->name == "rect");
  CHECK(g.children[1]->text == "alpha beta");
  CHECK(g.children[3]->text == "<gamma>");
  // Centred on units 1 (row 0, col 1) and 4 (row 1, col 1): the same x, one cell apart in y.
  const auto cells = with_class(*root, "cell");
  const double x1 = std::stod(cells[1]->attr("x")) + 20;
  CHECK(std::stod(g.children[1]->attr("x")) == Approx(x1).margin(0.01));
  CHECK(std::stod(g.children[3]->attr("x")) == Approx(x1).margin(0.01));
  CHECK(std::stod(g.children[3]->attr("y")) - std::stod(g.children[1]->attr("y")) == Approx(40).margin(0.01));
}

// ---- Som overloads
// -------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("Som plots: U-matrix, hits, planes, class/metric/score/rank maps, errors", "[viz][som]", double) {
  using S = TestType;
  const CsvData iris = read_csv(std::string(SOMTILE_DATA_DIR) + "/iris.csv", "label");
  RowMatrix<S> X = iris.X.cast<S>();
  X = (X.rowwise() - X.colwise().mean()).array().rowwise() /
      (X.array().square().colwise().mean().sqrt() + S(1e-9));  // rough scaling is enough here
  const std::string tag = std::is_same_v<S, float> ? "f" : "d";
  for (Topology topology : {Topology::rectangular, Topology::hexagonal}) {
    const Som<S> som = small_som<S>(X, topology);
    const std::string t = tag + (topology == Topology::hexagonal ? "_hex" : "_rect");
    const Index units = som.n_units();
    const bool render = std::is_same_v<S, double> && topology == Topology::hexagonal;

    viz::plot_u_matrix(som, "viz_umatrix_" + t + ".svg");
    auto u = load_svg("viz_umatrix_" + t + ".svg", render);
    CHECK(with_class(*u, "cell").size() == std::size_t(units));
    CHECK(has_text(*u, "U-matrix (distance map), order 1"));
    CHECK(has_text(*u, "mean euclidean distance (max = 1)"));  // not summed: border units are not darker
    // Colours follow u_matrix's values: the largest value gets viridis' top colour.
    const RowMatrix<double> um = u_matrix(som);
    Index arg_max = 0;
    Eigen::Map<const Eigen::VectorXd>(um.data(), um.size()).maxCoeff(&arg_max);
    CHECK(with_class(*u, "cell")[std::size_t(arg_max)]->attr("fill") == "#fde725");

    viz::plot_hit_map(som, X, "viz_hits_" + t + ".svg");
    auto hits = load_svg("viz_hits_" + t + ".svg", render);
    const RowMatrix<double> hm = hit_map(som, X);
    const auto hit_cells = with_class(*hits, "cell");
    REQUIRE(hit_cells.size() == std::size_t(units));
    Index zero_units = 0;
    for (Index i = 0; i < units; ++i) {
      const bool empty = hit_cells[std::size_t(i)]->has_class("empty");
      CHECK(empty == (hm.data()[i] == 0));
      zero_units += hm.data()[i] == 0;
    }
    CHECK(has_text(*hits, "samples per unit"));
    CHECK(has_text(*hits, "no hits") == (zero_units > 0));

    viz::ComponentPlaneOptions planes;
    planes.names = iris.columns;
    viz::plot_component_planes(som, "viz_planes_" + t + ".svg", planes);
    auto p = load_svg("viz_planes_" + t + ".svg", render);
    CHECK(with_class(*p, "cell").size() == std::size_t(4 * units));
    for (const auto& name : iris.columns) CHECK(has_text(*p, name));

    const BmuDataMap bmap = bmus_data_map(som, X);
    viz::plot_classification_map(som, bmap, iris.y, "viz_class_" + t + ".svg");
    auto c = load_svg("viz_class_" + t + ".svg", render);
    const RowMatrix<double> cm = classification_map(som, bmap, iris.y);
    const auto class_cells = with_class(*c, "cell");
    for (Index i = 0; i < units; ++i) {
      const double k = cm.data()[i];
      CHECK(class_cells[std::size_t(i)]->attr("fill") ==
            (std::isnan(k) ? std::string("url(#empty-unit)") : viz::category_color(Index(k)).hex()));
    }
    CHECK(has_text(*c, "class 0"));

    Eigen::VectorXd target = iris.X.col(3);
    viz::plot_metric_map(som, bmap, target, "viz_metric_" + t + ".svg");
    viz::plot_metric_map(som, bmap, target, "viz_std_" + t + ".svg", {}, Reduction::std);
    viz::plot_score_map(som, bmap, target, "viz_score_" + t + ".svg");
    viz::plot_rank_map(som, bmap, target, "viz_rank_" + t + ".svg");
    for (const char* name : {"metric", "std", "score"})
      CHECK(with_class(*load_svg("viz_" + std::string(name) + "_" + t + ".svg", render), "cell").size() ==
            std::size_t(units));
    auto rank = load_svg("viz_rank_" + t + ".svg", render);
    CHECK(has_text(*rank, "1"));  // ranks are printed in the cells
    CHECK(has_text(*rank, "Units ranked by target std"));

    SomParams hp = som.params();
    Som<S> fresh(hp, X.cols());
    const TrainingHistory h = fresh.fit(X);
    viz::plot_training_errors(h, "viz_errors_" + t + ".svg");
    auto e = load_svg("viz_errors_" + t + ".svg", render);
    CHECK(with_class(*e, "series").size() == 2);
    CHECK(has_text(*e, "quantization error"));
    CHECK(has_text(*e, "epoch"));
  }
}

TEST_CASE("Component planes of a wide map: the 64 of largest variance, the title says so", "[viz][som]") {
  // 1 200 features on a 2 x 2 map; feature j's weights spread by (j * 37) % 1200 + 1 (all distinct).
  const Index D = 1200;
  SomParams p;
  p.rows = 2;
  p.cols = 2;
  Som<double> som(p, D);
  RowMatrix<double> W(4, D);
  for (Index j = 0; j < D; ++j) {
    const double spread = double((j * 37) % D + 1);
    W.col(j) << 0, spread, -spread, 0.5 * spread;
  }
  som.set_weights(W);
  // Brute force: the 64 largest spreads, in feature order.
  std::vector<std::pair<double, Index>> by_spread;
  for (Index j = 0; j < D; ++j) by_spread.push_back({-double((j * 37) % D + 1), j});
  std::sort(by_spread.begin(), by_spread.end());
  std::vector<Index> expect;
  for (Index i = 0; i < 64; ++i) expect.push_back(by_spread[std::size_t(i)].second);
  std::sort(expect.begin(), expect.end());
  CHECK(high_variance_features(som, 64) == expect);

  viz::plot_component_planes(som, "viz_planes_wide.svg");
  auto doc = load_svg("viz_planes_wide.svg");
  const auto panels = with_class(*doc, "panel");
  REQUIRE(panels.size() == 64);
  CHECK(with_class(*doc, "cell").size() == 64 * 4);
  CHECK(has_text(*doc, "Component planes: 64 of 1 200 features, largest variance"));
  for (std::size_t k = 0; k < 64; ++k) CHECK(has_text(*panels[k], "feature " + std::to_string(expect[k] + 1)));

  viz::ComponentPlaneOptions chosen;  // features by index, in the caller's order, named
  chosen.features = {5, 2};
  chosen.names = std::vector<std::string>(D, "");
  chosen.names[5] = "five";
  chosen.names[2] = "two";
  viz::plot_component_planes(som, "viz_planes_chosen.svg", chosen);
  auto picked = load_svg("viz_planes_chosen.svg", false);
  const auto picked_panels = with_class(*picked, "panel");
  REQUIRE(picked_panels.size() == 2);
  CHECK(has_text(*picked_panels[0], "five"));
  CHECK(has_text(*picked_panels[1], "two"));
  CHECK(has_text(*picked, "Component planes: 2 of 1 200 features"));

  viz::ComponentPlaneOptions every;
  every.max_planes = 0;
  every.cell_size = 2;
  viz::plot_component_planes(som, "viz_planes_all.svg", every);
  CHECK(with_class(*load_svg("viz_planes_all.svg", false), "panel").size() == std::size_t(D));

  viz::ComponentPlaneOptions bad;
  bad.max_planes = -1;
  CHECK_THROWS_AS(viz::plot_component_planes(som, "x.svg", bad), ParameterError);
  CHECK_THROWS_WITH(viz::plot_component_planes(som, "x.svg", bad),
                    "plot_component_planes(): max_planes must be >= 0 (0 = every feature), got -1");
  bad.max_planes = 64;
  bad.features = {0, 1200};
  CHECK_THROWS_WITH(viz::plot_component_planes(som, "x.svg", bad),
                    "plot_component_planes(): features[1] = 1200 is not a feature of the Som (0 to 1199)");
}

// ---- charts
// --------------------------------------------------------------------------------------

TEST_CASE("Charts: curves, training errors and the elbow", "[viz][chart]") {
  viz::Curve a{"rising", {1, 2, 3, 4}, {0.1, 0.4, 0.5, 0.9}};
  viz::Curve b{"falling", {1, 2, 3, 4}, {0.9, 0.5, 0.2, 0.1}};
  viz::plot_curves({a, b}, "viz_curves.svg", {"Two curves", "x", "y"});
  auto root = load_svg("viz_curves.svg");
  const auto series = with_class(*root, "series");
  REQUIRE(series.size() == 2);
  CHECK(polygon_points(*series[0]).size() == 4);
  CHECK(has_text(*root, "rising"));
  CHECK(has_text(*root, "falling"));
  CHECK_THROWS_AS(viz::plot_curves({viz::Curve{"bad", {1, 2}, {1}}}, "x.svg"), InputError);
  CHECK_THROWS_WITH(viz::plot_curves({viz::Curve{"bad", {1, 2}, {1}}}, "x.svg"),
                    "plot_curves(): curve 0 ('bad') must have as many x as y values, at least one; got 2 and 1");
  CHECK_THROWS_WITH(viz::plot_curves({viz::Curve{"nan", {1}, {nan()}}}, "x.svg"),
                    "plot_curves(): y must be finite, but y[0] = nan");

  viz::plot_training_errors({3, 2, 1.5, 1.4}, {}, "viz_qe_only.svg");
  auto qe = load_svg("viz_qe_only.svg");
  CHECK(with_class(*qe, "series").size() == 1);
  CHECK_THROWS_AS(viz::plot_training_errors({}, {}, "x.svg"), InputError);
  CHECK_THROWS_WITH(viz::plot_training_errors({}, {}, "x.svg"),
                    "plot_training_errors(): both error lists are empty; train first");

  viz::plot_elbow({2, 3, 4, 5, 6}, {120, 40, 33, 29, 27}, 3, "viz_elbow.svg");
  auto elbow = load_svg("viz_elbow.svg");
  CHECK(with_class(*elbow, "chosen").size() == 1);
  CHECK(has_text(*elbow, "k = 3"));
  for (const char* k : {"2", "3", "4", "5", "6"}) CHECK(has_text(*elbow, k));
  CHECK_THROWS_AS(viz::plot_elbow({2, 3}, {1, 2}, 7, "x.svg"), ParameterError);
  CHECK_THROWS_WITH(viz::plot_elbow({2, 3}, {1, 2}, 7, "x.svg"), "plot_elbow(): chosen_k (7) is not one of k_values");
  CHECK_THROWS_AS(viz::plot_elbow({2, 3}, {1}, 0, "x.svg"), InputError);
  CHECK_THROWS_WITH(viz::plot_elbow({2, 3}, {1}, 0, "x.svg"),
                    "plot_elbow(): k_values and inertias must have the same, non-zero length; got 2 and 1");
}

TEST_CASE("Silhouette analysis: one band per cluster, noise left out, the mean marked", "[viz][chart]") {
  Eigen::VectorXd s(9);
  s << 0.8, 0.6, 0.7, 0.2, 0.5, -0.1, 0.9, 0.3, 0.4;
  Labels labels(9);
  labels << 0, 0, 0, 1, 1, 1, -1, 2, 2;
  viz::plot_silhouette(s, labels, "viz_silhouette.svg");
  auto root = load_svg("viz_silhouette.svg");
  const auto bands = with_class(*root, "band");
  REQUIRE(bands.size() == 3);
  CHECK(bands[0]->attr("fill") == viz::category_color(0).hex());
  CHECK(polygon_points(*bands[0]).size() == 2 * 3 + 2);  // a step outline of 3 samples
  // Mean over the 8 non-noise samples (the noise sample's 0.9 is left out).
  CHECK(has_text(*root, "mean 0.425"));
  CHECK(with_class(*root, "mean").size() == 1);
  // Fewer than two clusters: a panel that says so, not an exception.
  viz::plot_silhouette(s, Labels::Constant(9, -1), "viz_silhouette_noise.svg");
  auto noise = load_svg("viz_silhouette_noise.svg", false);
  CHECK(has_text(*noise, "Every sample is noise: no clusters, so no silhouette"));
  CHECK(with_class(*noise, "band").empty());
  viz::plot_silhouette(s, Labels::Zero(9), "viz_silhouette_one.svg");
  auto one = load_svg("viz_silhouette_one.svg");
  CHECK(has_text(*one, "Only one cluster: a silhouette needs at least two"));
  CHECK(has_text(*one, "Silhouette analysis"));
  Eigen::VectorXd bad = s;
  bad[4] = 1.5;
  CHECK_THROWS_WITH(viz::plot_silhouette(bad, labels, "x.svg"),
                    "plot_silhouette(): silhouette values must be in [-1, 1], but value 4 is 1.5");
  CHECK_THROWS_WITH(viz::plot_silhouette(s, Labels::Zero(3), "x.svg"),
                    "plot_silhouette(): silhouette_values has 9 values, but labels has 3");
}

TEST_CASE("Cluster quality comparison: four panels, one bar per finite metric", "[viz][chart]") {
  std::vector<viz::ClusterQuality> r{{"kmeans_weights", 0.61, 0.52, 310.5, 3},
                                     {"gmm_weights", 0.58, 0.61, 280.0, 3},
                                     {"hdbscan_weights", nan(), nan(), nan(), 1}};
  viz::plot_cluster_quality_comparison(r, "viz_quality.svg");
  auto root = load_svg("viz_quality.svg");
  CHECK(with_class(*root, "panel").size() == 4);
  CHECK(with_class(*root, "bar").size() == 2 * 4 + 1);  // hdbscan has only its cluster count
  for (const char* label : {"kmeans_weights", "hdbscan_weights", "n/a", "0.61", "310.5", "Number of clusters"})
    CHECK(has_text(*root, label));
  CHECK_THROWS_AS(viz::plot_cluster_quality_comparison(std::vector<viz::ClusterQuality>{}, "x.svg"), InputError);
  CHECK_THROWS_WITH(viz::plot_cluster_quality_comparison(std::vector<viz::ClusterQuality>{}, "x.svg"),
                    "plot_cluster_quality_comparison(): results must not be empty");
}

TEST_CASE("Network plot: nodes, grey edges, colour bar or legend, size legend", "[viz][chart]") {
  RowMatrix<double> pos(5, 2);
  pos << 0, 0, 1, 0, 1, 1, 0, 1, 2, 1;
  const std::vector<std::pair<Index, Index>> edges{{0, 1}, {1, 2}, {2, 3}, {3, 0}, {2, 4}};
  viz::NetworkPlotOptions o;
  o.title = "growing SOM";
  o.color = Eigen::VectorXd::LinSpaced(5, 0, 4);
  o.color_label = "error";
  o.size = Eigen::VectorXd::LinSpaced(5, 10, 50);
  o.size_label = "hit count";
  viz::plot_network(pos, edges, "viz_network.svg", o);
  auto root = load_svg("viz_network.svg");
  const auto nodes = with_class(*root, "node");
  REQUIRE(nodes.size() == 5);
  CHECK(with_class(*root, "edge").size() == 5);
  CHECK(nodes[0]->attr("fill") == "#440154");
  CHECK(nodes[4]->attr("fill") == "#fde725");
  CHECK(std::stod(nodes[0]->attr("r")) == Approx(o.min_radius).margin(0.01));
  CHECK(std::stod(nodes[4]->attr("r")) == Approx(o.max_radius).margin(0.01));
  CHECK(with_class(*root, "colorbar").size() == 1);
  CHECK(has_text(*root, "hit count"));

  viz::NetworkPlotOptions cat;
  cat.category = (Labels(5) << 0, 0, 1, -1, 1).finished();
  cat.samples = RowMatrix<double>::Random(30, 2);
  cat.sample_labels = Labels::Zero(30);
  viz::plot_network(pos, edges, "viz_network_labels.svg", cat);
  auto labelled = load_svg("viz_network_labels.svg");
  CHECK(with_class(*labelled, "node")[2]->attr("fill") == viz::category_color(1).hex());
  CHECK(with_class(*labelled, "node")[3]->attr("fill") == viz::colors::noise);
  for (const char* label : {"class 0", "class 1", "Uncertain"}) CHECK(has_text(*labelled, label));

  CHECK_THROWS_AS(viz::plot_network(pos, {{0, 5}}, "x.svg"), InputError);
  CHECK_THROWS_WITH(viz::plot_network(pos, {{0, 5}}, "x.svg"),
                    "plot_network(): edge (0, 5) refers to a node outside [0, 5)");
  viz::NetworkPlotOptions both = o;
  both.category = Labels::Zero(5);
  CHECK_THROWS_AS(viz::plot_network(pos, edges, "x.svg", both), ParameterError);
  CHECK_THROWS_WITH(viz::plot_network(pos, edges, "x.svg", both),
                    "plot_network(): set one of color, category and rgb, not several");
  viz::NetworkPlotOptions rgb;
  rgb.rgb = RowMatrix<double>::Constant(5, 3, 0.25);
  rgb.rgb(2, 0) = 1.0;
  viz::plot_network(pos, edges, "viz_network_rgb.svg", rgb);
  const auto rgb_svg = load_svg("viz_network_rgb.svg", false);  // the nodes point into it
  const auto rgb_nodes = with_class(*rgb_svg, "node");
  REQUIRE(rgb_nodes.size() == 5);
  CHECK(rgb_nodes[0]->attr("fill") == "#404040");
  CHECK(rgb_nodes[2]->attr("fill") == "#ff4040");
  rgb.color = Eigen::VectorXd::Ones(5);
  CHECK_THROWS_AS(viz::plot_network(pos, edges, "x.svg", rgb), ParameterError);
  rgb.color.resize(0);
  rgb.rgb(1, 1) = 1.5;
  CHECK_THROWS_WITH(viz::plot_network(pos, edges, "x.svg", rgb),
                    "plot_network(): rgb values must be in [0, 1], but rgb(1, 1) = 1.5");
  rgb.rgb = RowMatrix<double>::Zero(4, 3);
  CHECK_THROWS_WITH(viz::plot_network(pos, edges, "x.svg", rgb),
                    "plot_network(): rgb must be 5 x 3 (one row per node), got 4 x 3");
  viz::NetworkPlotOptions short_size;
  short_size.size = Eigen::VectorXd::Ones(4);
  CHECK_THROWS_WITH(viz::plot_network(pos, edges, "x.svg", short_size),
                    "plot_network(): size has 4 values, but there are 5 nodes");
  CHECK_THROWS_WITH(viz::plot_network(RowMatrix<double>::Zero(3, 3), {}, "x.svg"),
                    "plot_network(): positions must have 2 columns, got 3");
}

// ---- online lattice and growing SOM overloads
// ----------------------------------------------------

TEMPLATE_TEST_CASE("Lattice plots: U-matrix, RGB image and activation maps", "[viz][lattice]", double) {
  using S = TestType;
  const bool render = std::is_same_v<S, double>;
  Random rng(5);
  RowMatrix<S> codebook(20, 3);
  for (Index i = 0; i < codebook.size(); ++i) codebook.data()[i] = S(rng.uniform());
  const Lattice<S> lattice(Grid(4, 5), codebook);
  viz::plot_u_matrix(lattice, "viz_lattice_u.svg");
  auto u = load_svg("viz_lattice_u.svg", render);
  const auto u_cells = with_class(*u, "cell");
  REQUIRE(u_cells.size() == 20);
  const RowMatrix<double> um = u_matrix(lattice);
  Index arg_min = 0;
  Eigen::Map<const Eigen::VectorXd>(um.data(), um.size()).minCoeff(&arg_min);
  CHECK(u_cells[std::size_t(arg_min)]->attr("fill") == "#440154");

  viz::plot_rgb_map(lattice, "viz_lattice_rgb.svg");
  auto rgb = load_svg("viz_lattice_rgb.svg", render);
  const auto cells = with_class(*rgb, "cell");
  REQUIRE(cells.size() == 20);
  for (Index unit : {0, 7, 19}) {
    const viz::Color expected{double(codebook(unit, 0)), double(codebook(unit, 1)), double(codebook(unit, 2))};
    CHECK(cells[std::size_t(unit)]->attr("fill") == expected.hex());
  }

  const RowMatrix<S> queries = codebook.topRows(2);
  viz::plot_activation_maps(lattice, queries, "viz_lattice_act.svg", {}, 4.0);
  auto act = load_svg("viz_lattice_act.svg", render);
  CHECK(with_class(*act, "panel").size() == 2);
  // A query equal to unit 0's vector activates unit 0 most: the top colour of its panel.
  CHECK(with_class(*act, "cell")[0]->attr("fill") == "#fde725");

  const Lattice<S> two(Grid(2, 2), RowMatrix<S>::Zero(4, 2));
  CHECK_THROWS_AS(viz::plot_rgb_map(two, "x.svg"), InputError);
  CHECK_THROWS_WITH(viz::plot_rgb_map(two, "x.svg"),
                    "plot_rgb_map(): an RGB image needs a lattice of 3 features, got 2");
}

TEMPLATE_TEST_CASE("Growing SOM network: neurons at lattice positions, edges, statistics", "[viz][growing]", double) {
  using S = TestType;
  const bool render = std::is_same_v<S, double>;
  Random rng(11);
  RowMatrix<S> X(90, 2);
  Labels y(90);
  for (Index i = 0; i < 90; ++i) {
    y[i] = i % 3;
    X(i, 0) = S(3.0 * double(y[i]) + 0.3 * rng.normal());
    X(i, 1) = S((y[i] == 1 ? 2.0 : 0.0) + 0.3 * rng.normal());
  }
  SomVQParams p;
  p.max_neurons = 12;
  p.max_iter = 40;
  p.n_threads = 1;
  SomVQ<S> vq(p);
  vq.fit(X);
  viz::GrowingSomPlotOptions o;
  o.size = viz::NodeStatistic::error;
  viz::plot_growing_som(vq, "viz_growing.svg", o);
  auto root = load_svg("viz_growing.svg", render);
  const auto nodes = with_class(*root, "node");
  REQUIRE(nodes.size() == std::size_t(vq.n_neurons()));
  CHECK(with_class(*root, "edge").size() == vq.edges().size());
  Index busiest = 0;
  vq.hit_count().maxCoeff(&busiest);
  CHECK(nodes[std::size_t(busiest)]->attr("fill") == "#fde725");
  // Lattice layout: screen x grows with lattice x, screen y falls as lattice y grows.
  const auto pos = vq.positions();
  for (Index a = 0; a < vq.n_neurons(); ++a)
    for (Index b = 0; b < vq.n_neurons(); ++b) {
      const double dx = std::stod(nodes[std::size_t(a)]->attr("cx")) - std::stod(nodes[std::size_t(b)]->attr("cx"));
      const double dy = std::stod(nodes[std::size_t(a)]->attr("cy")) - std::stod(nodes[std::size_t(b)]->attr("cy"));
      if (pos(a, 0) > pos(b, 0)) CHECK(dx > 0);
      if (pos(a, 1) > pos(b, 1)) CHECK(dy < 0);
    }
  for (const char* label : {"hit count", "error", "lattice x"}) CHECK(has_text(*root, label));

  for (viz::NetworkLayout layout : {viz::NetworkLayout::weights, viz::NetworkLayout::pca}) {
    viz::GrowingSomPlotOptions l;
    l.layout = layout;
    l.color = viz::NodeStatistic::epoch_created;
    viz::plot_growing_som(vq, "viz_growing_layout.svg", l);
    CHECK(with_class(*load_svg("viz_growing_layout.svg", render), "node").size() == std::size_t(vq.n_neurons()));
  }

  // A map that scales its data draws the weights layout in the data's units, where the samples
  // underneath lie: the affine map of the samples' coordinates to the page places every neuron
  // at its inverse-transformed weights.
  {
    SomVQParams sp = p;
    sp.scaling = Scaling::standard;
    SomVQ<S> scaled(sp);
    RowMatrix<S> Xw = X;
    Xw.col(1) *= S(50);  // features of different widths: scaled and data layouts differ
    scaled.fit(Xw);
    viz::GrowingSomPlotOptions l;
    l.layout = viz::NetworkLayout::weights;
    l.network.samples = Xw.template cast<double>();
    viz::plot_growing_som(scaled, "viz_growing_scaled.svg", l);
    auto doc = load_svg("viz_growing_scaled.svg", false);
    const auto groups = with_class(*doc, "samples");
    REQUIRE(groups.size() == 1);
    const auto& dots = groups[0]->children;
    REQUIRE(dots.size() == std::size_t(Xw.rows()));
    Index a = 0, b = 1;  // two samples far apart on each axis fix the page's affine map
    for (Index i = 0; i < Xw.rows(); ++i) {
      if (Xw(i, 0) < Xw(a, 0)) a = i;
      if (Xw(i, 0) > Xw(b, 0)) b = i;
    }
    auto coord = [&](Index i, const char* key) { return std::stod(dots[std::size_t(i)]->attr(key)); };
    const double sx = (coord(b, "cx") - coord(a, "cx")) / double(Xw(b, 0) - Xw(a, 0));
    Index c = 0, d = 1;
    for (Index i = 0; i < Xw.rows(); ++i) {
      if (Xw(i, 1) < Xw(c, 1)) c = i;
      if (Xw(i, 1) > Xw(d, 1)) d = i;
    }
    const double sy = (coord(d, "cy") - coord(c, "cy")) / double(Xw(d, 1) - Xw(c, 1));
    const RowMatrix<double> D = scaled.scaler().inverse_transform(scaled.weights()).template cast<double>();
    const auto scaled_nodes = with_class(*doc, "node");
    REQUIRE(scaled_nodes.size() == std::size_t(scaled.n_neurons()));
    for (Index k = 0; k < scaled.n_neurons(); ++k) {
      CHECK(std::stod(scaled_nodes[std::size_t(k)]->attr("cx")) ==
            Approx(coord(a, "cx") + sx * (D(k, 0) - double(Xw(a, 0)))).margin(0.05));
      CHECK(std::stod(scaled_nodes[std::size_t(k)]->attr("cy")) ==
            Approx(coord(c, "cy") + sy * (D(k, 1) - double(Xw(c, 1)))).margin(0.05));
    }
  }

  // SomVQ by label: its cluster ids, legend "cluster k"; or labels given per neuron.
  viz::GrowingSomPlotOptions by_label;
  by_label.color = viz::NodeStatistic::label;
  viz::plot_growing_som(vq, "viz_growing_vq_labels.svg", by_label);
  {
    auto doc = load_svg("viz_growing_vq_labels.svg", render);
    const auto vq_nodes = with_class(*doc, "node");
    REQUIRE(vq_nodes.size() == std::size_t(vq.n_neurons()));
    for (Index k = 0; k < vq.n_neurons(); ++k)
      CHECK(vq_nodes[std::size_t(k)]->attr("fill") == viz::cluster_color(vq.neuron_labels()[k]).hex());
    CHECK(has_text(*doc, "cluster 0"));
  }
  viz::GrowingSomPlotOptions given = by_label;
  given.labels = Labels::Zero(vq.n_neurons());
  given.labels[0] = -1;
  given.labels[1] = 5;
  viz::plot_growing_som(vq, "viz_growing_given.svg", given);
  {
    auto doc = load_svg("viz_growing_given.svg", false);
    const auto given_nodes = with_class(*doc, "node");
    CHECK(given_nodes[0]->attr("fill") == std::string(viz::colors::noise));
    CHECK(given_nodes[1]->attr("fill") == viz::category_color(5).hex());
    CHECK(given_nodes[2]->attr("fill") == viz::category_color(0).hex());
  }
  given.labels = Labels::Zero(vq.n_neurons() + 1);
  CHECK_THROWS_WITH(viz::plot_growing_som(vq, "x.svg", given),
                    "plot_growing_som(): labels has " + std::to_string(vq.n_neurons() + 1) +
                        " values, but the map has " + std::to_string(vq.n_neurons()) + " neurons");
  given.labels = Labels::Constant(vq.n_neurons(), -2);
  CHECK_THROWS_AS(viz::plot_growing_som(vq, "x.svg", given), InputError);
  // By the weights' principal components: the nodes' colours are viz::pca_rgb(W).
  viz::GrowingSomPlotOptions rgb;
  rgb.color = viz::NodeStatistic::pca_rgb;
  viz::plot_growing_som(vq, "viz_growing_rgb.svg", rgb);
  {
    auto doc = load_svg("viz_growing_rgb.svg", render);
    const auto rgb_nodes = with_class(*doc, "node");
    const RowMatrix<double> colours = viz::pca_rgb(vq.weights().template cast<double>());
    for (Index k = 0; k < vq.n_neurons(); ++k)
      CHECK(rgb_nodes[std::size_t(k)]->attr("fill") == (viz::Color{colours(k, 0), colours(k, 1), colours(k, 2)}).hex());
  }
  viz::GrowingSomPlotOptions rgb_size;
  rgb_size.size = viz::NodeStatistic::pca_rgb;
  CHECK_THROWS_WITH(viz::plot_growing_som(vq, "x.svg", rgb_size),
                    "plot_growing_som(): size must be a numeric statistic, not NodeStatistic::pca_rgb");
  viz::GrowingSomPlotOptions sized;
  sized.size = viz::NodeStatistic::label;
  CHECK_THROWS_AS(viz::plot_growing_som(vq, "x.svg", sized), ParameterError);
  CHECK_THROWS_WITH(viz::plot_growing_som(vq, "x.svg", sized),
                    "plot_growing_som(): size must be a numeric statistic, not NodeStatistic::label");

  SomClassifier<S> clf(p);
  clf.fit(X, y);
  viz::plot_growing_som(clf, "viz_growing_labels.svg", by_label);
  auto labelled = load_svg("viz_growing_labels.svg", render);
  const auto class_nodes = with_class(*labelled, "node");
  for (Index k = 0; k < clf.n_neurons(); ++k) {
    const Index label = clf.neuron_labels()[k];
    CHECK(class_nodes[std::size_t(k)]->attr("fill") ==
          (label < 0 ? std::string(viz::colors::noise) : viz::category_color(label).hex()));
  }
  CHECK(has_text(*labelled, "class 0"));
  CHECK(has_text(*labelled, "class 2"));
  // A classifier's default colour is its class, not the hit count.
  viz::plot_growing_som(clf, "viz_growing_clf_default.svg");
  auto by_default = load_svg("viz_growing_clf_default.svg", render);
  const auto default_nodes = with_class(*by_default, "node");
  REQUIRE(default_nodes.size() == std::size_t(clf.n_neurons()));
  for (Index k = 0; k < clf.n_neurons(); ++k) {
    const Index label = clf.neuron_labels()[k];
    CHECK(default_nodes[std::size_t(k)]->attr("fill") ==
          (label < 0 ? std::string(viz::colors::noise) : viz::category_color(label).hex()));
  }
  CHECK(has_text(*by_default, "class"));
  CHECK_FALSE(has_text(*by_default, "hit count"));
  viz::GrowingSomPlotOptions automatic_size;
  automatic_size.size = viz::NodeStatistic::automatic;
  CHECK_THROWS_WITH(viz::plot_growing_som(clf, "x.svg", automatic_size),
                    "plot_growing_som(): size must be a numeric statistic, not NodeStatistic::automatic");
}

TEST_CASE("pca_rgb: principal components stretched to [0, 1]; fewer than 3 features give 0.5", "[viz][growing]") {
  // Columns already uncorrelated with falling variance: the components are the columns up to
  // sign, so each channel is the column stretched to [0, 1], or 1 minus that.
  RowMatrix<double> W(8, 3);
  for (Index i = 0; i < 8; ++i)
    W.row(i) << 8.0 * ((i & 1) ? 1 : -1), 4.0 * ((i & 2) ? 1 : -1), 1.0 * ((i & 4) ? 1 : -1);
  const RowMatrix<double> rgb = viz::pca_rgb(W);
  for (Index c = 0; c < 3; ++c) {
    const Eigen::VectorXd up = (W.col(c).array() - W.col(c).minCoeff()) / (W.col(c).maxCoeff() - W.col(c).minCoeff());
    const bool same = (rgb.col(c) - up).cwiseAbs().maxCoeff() < 1e-12;
    const bool flipped = (rgb.col(c) - (1.0 - up.array()).matrix()).cwiseAbs().maxCoeff() < 1e-12;
    CHECK((same || flipped));
  }
  RowMatrix<double> line(4, 2);
  line << 0, 0, 1, 1, 2, 2, 3, 3;  // one varying component, the second is constant
  const RowMatrix<double> two = viz::pca_rgb(line);
  CHECK(two.col(1).isConstant(0.5));
  CHECK(two.col(2).isConstant(0.5));
  CHECK(std::abs(two(0, 0) - two(3, 0)) == Approx(1.0));
  CHECK_THROWS_AS(viz::pca_rgb(RowMatrix<double>(0, 3)), InputError);
}

TEMPLATE_TEST_CASE("Prototypes as images: Som (rectangular, hexagonal) and growing maps", "[viz][prototypes]", double) {
  using S = TestType;
  const bool render = std::is_same_v<S, double>;
  Random rng(5);
  RowMatrix<S> X(60, 6);  // 6 features: 2 x 3 images
  for (Index i = 0; i < X.rows(); ++i)
    for (Index j = 0; j < 6; ++j) X(i, j) = S(rng.uniform() * double(j + 1));
  for (Topology topology : {Topology::rectangular, Topology::hexagonal}) {
    SomParams p;
    p.rows = 3;
    p.cols = 4;
    p.topology = topology;
    p.epochs = 3;
    Som<S> som(p, 6);
    som.fit(X);
    viz::PrototypePlotOptions o;
    o.image_width = 3;
    viz::plot_prototypes(som, "viz_prototypes.svg", o);
    auto doc = load_svg("viz_prototypes.svg", render);
    const auto images = with_class(*doc, "prototype");
    REQUIRE(images.size() == 12);
    const RowMatrix<double> W = som.weights().template cast<double>();
    const double lo = W.minCoeff(), hi = W.maxCoeff();
    std::vector<double> left(12);
    for (Index u = 0; u < 12; ++u) {
      const auto& rects = images[std::size_t(u)]->children;
      REQUIRE(rects.size() == 7);  // 2 x 3 pixels and a frame
      for (Index r = 0; r < 2; ++r)
        for (Index c = 0; c < 3; ++c) {
          const Element& px = *rects[std::size_t(r * 3 + c)];
          CHECK(px.attr("fill") ==
                viz::colormap_color(viz::Colormap::gray, 1.0 - (W(u, r * 3 + c) - lo) / (hi - lo)).hex());
          if (c > 0) CHECK(std::stod(px.attr("x")) > std::stod(rects[std::size_t(r * 3 + c - 1)]->attr("x")));
          if (r > 0) CHECK(std::stod(px.attr("y")) > std::stod(rects[std::size_t(c)]->attr("y")));
        }
      left[std::size_t(u)] = std::stod(rects[0]->attr("x"));
    }
    // Grid placement: columns to the right; hexagonal odd rows shifted by half a cell.
    const double step = left[1] - left[0];
    CHECK(step > 0);
    CHECK(left[4] - left[0] == Approx(topology == Topology::hexagonal ? step / 2 : 0.0).margin(1e-6));
    CHECK(left[8] == Approx(left[0]).margin(1e-6));
  }

  // A scaled Som draws its prototypes in the data's units: the pixels are the inverse-transformed
  // weights, not the standardised ones (whose pale digits and loud constant borders mislead).
  {
    RowMatrix<S> Xw = X;
    Xw.col(5) = RowMatrix<S>::Constant(X.rows(), 1, S(7));  // a constant "border pixel"
    Xw(0, 5) = S(7.001);                                    // (standardised: a 0/1 spread)
    SomParams p;
    p.rows = 3;
    p.cols = 4;
    p.epochs = 3;
    p.scaling = Scaling::standard;
    Som<S> som(p, 6);
    som.fit(Xw);
    viz::PrototypePlotOptions o;
    o.image_width = 3;
    viz::plot_prototypes(som, "viz_prototypes_scaled.svg", o);
    auto doc = load_svg("viz_prototypes_scaled.svg", render);
    const auto images = with_class(*doc, "prototype");
    REQUIRE(images.size() == 12);
    const RowMatrix<double> D = som.scaler().inverse_transform(som.weights()).template cast<double>();
    const double lo = D.minCoeff(), hi = D.maxCoeff();
    for (Index u = 0; u < 12; ++u)
      for (Index j = 0; j < 6; ++j)
        CHECK(images[std::size_t(u)]->children[std::size_t(j)]->attr("fill") ==
              viz::colormap_color(viz::Colormap::gray, 1.0 - (D(u, j) - lo) / (hi - lo)).hex());
    CHECK(hi > 6.9);  // the constant feature sits at 7 in the data's units, near 0 standardised
    CHECK(has_text(*doc, "Prototypes (3 x 4, in the data's units)"));
  }

  SomVQParams gp;
  gp.max_neurons = 10;
  gp.lambda_ = 2.0;
  gp.max_iter = 30;
  SomVQ<S> vq(gp);
  vq.fit(X);
  viz::PrototypePlotOptions o;
  o.image_height = 2;
  o.colormap = viz::Colormap::viridis;
  o.reverse_colormap = false;
  viz::plot_prototypes(vq, "viz_prototypes_growing.svg", o);
  auto doc = load_svg("viz_prototypes_growing.svg", render);
  const auto images = with_class(*doc, "prototype");
  REQUIRE(images.size() == std::size_t(vq.n_neurons()));
  const LatticePositions P = vq.positions();
  const RowMatrix<double> W = vq.weights().template cast<double>();
  for (Index a = 0; a < vq.n_neurons(); ++a) {
    CHECK(images[std::size_t(a)]->children[0]->attr("fill") ==
          viz::colormap_color(viz::Colormap::viridis, (W(a, 0) - W.minCoeff()) / (W.maxCoeff() - W.minCoeff())).hex());
    for (Index b = 0; b < vq.n_neurons(); ++b) {
      const double dx = std::stod(images[std::size_t(a)]->children[0]->attr("x")) -
                        std::stod(images[std::size_t(b)]->children[0]->attr("x"));
      const double dy = std::stod(images[std::size_t(a)]->children[0]->attr("y")) -
                        std::stod(images[std::size_t(b)]->children[0]->attr("y"));
      if (P(a, 0) > P(b, 0)) CHECK(dx > 0);
      if (P(a, 1) > P(b, 1)) CHECK(dy < 0);  // lattice y upward
    }
  }

  // Errors: the image shape must match the features; a bad value range is a parameter error.
  const RowMatrix<double> W5 = RowMatrix<double>::Ones(2, 5);
  const RowMatrix<double> C = RowMatrix<double>::Zero(2, 2);
  CHECK_THROWS_WITH(
      viz::plot_prototypes(W5, C, "x.svg"),
      "plot_prototypes(): the prototypes have 5 features, not a square number: set image_width (and image_height)");
  viz::PrototypePlotOptions bad;
  bad.image_width = 2;
  CHECK_THROWS_WITH(viz::plot_prototypes(W5, C, "x.svg", bad),
                    "plot_prototypes(): image_width 2 does not divide the 5 features");
  bad.image_width = 5;
  bad.image_height = 2;
  CHECK_THROWS_WITH(viz::plot_prototypes(W5, C, "x.svg", bad),
                    "plot_prototypes(): an image of 2 x 5 pixels needs 10 features, but the prototypes have 5");
  viz::PrototypePlotOptions range;
  range.image_width = 5;
  range.vmin = 1;
  range.vmax = 1;
  CHECK_THROWS_AS(viz::plot_prototypes(W5, C, "x.svg", range), ParameterError);
  CHECK_THROWS_WITH(viz::plot_prototypes(W5, RowMatrix<double>::Zero(3, 2), "x.svg", range),
                    "plot_prototypes(): centres must be 2 x 2 (one row per prototype), got 3 x 2");
}

// ---- clustering of the units
// ---------------------------------------------------------------------

TEMPLATE_TEST_CASE("Cluster plots of a Som: map, silhouette, quality comparison, elbow", "[viz][cluster]", double) {
  using S = TestType;
  const bool render = std::is_same_v<S, double>;
  const CsvData iris = read_csv(std::string(SOMTILE_DATA_DIR) + "/iris.csv", "label");
  const RowMatrix<S> X = iris.X.cast<S>();
  const Som<S> som = small_som<S>(X, Topology::hexagonal);
  std::vector<ClusterResult> results;
  for (ClusterMethod method : {ClusterMethod::kmeans, ClusterMethod::gmm, ClusterMethod::hdbscan}) {
    ClusterParams cp;
    cp.method = method;
    cp.n_clusters = method == ClusterMethod::hdbscan ? 0 : 3;
    cp.n_threads = 1;
    results.push_back(cluster_units<S>(som.weights(), som.positions(), cp));
  }
  const ClusterResult& km = results[0];

  viz::plot_cluster_map(som, km, "viz_cluster_som.svg");
  auto map = load_svg("viz_cluster_som.svg", render);
  const auto cells = with_class(*map, "cell");
  REQUIRE(cells.size() == std::size_t(som.n_units()));
  for (Index u = 0; u < som.n_units(); ++u)
    CHECK(cells[std::size_t(u)]->attr("fill") == viz::cluster_color(km.labels[u]).hex());
  CHECK(has_text(*map, "k-means clustering (weights), 3 clusters"));

  viz::plot_silhouette(km, "viz_cluster_silhouette.svg");
  auto sil = load_svg("viz_cluster_silhouette.svg", render);
  CHECK(with_class(*sil, "band").size() == 3);
  CHECK(has_text(*sil, "mean " + detail::svg_number(silhouette_score(km.features, km.labels), 3)));

  viz::plot_cluster_quality_comparison(results, "viz_cluster_quality.svg");
  auto quality = load_svg("viz_cluster_quality.svg", render);
  std::size_t bars = results.size();  // the cluster counts
  for (const auto& r : results)
    bars += std::isfinite(r.metrics.silhouette) + std::isfinite(r.metrics.davies_bouldin) +
            std::isfinite(r.metrics.calinski_harabasz);
  CHECK(with_class(*quality, "bar").size() == bars);
  for (const char* name : {"kmeans_weights", "gmm_weights", "hdbscan_weights"}) CHECK(has_text(*quality, name));

  // A ClusterResult with one cluster: the silhouette file says so.
  ClusterParams one;
  one.n_clusters = 1;
  one.n_threads = 1;
  const ClusterResult single = cluster_units<S>(som.weights(), som.positions(), one);
  viz::plot_silhouette(single, "viz_cluster_silhouette_one.svg");
  auto sil1 = load_svg("viz_cluster_silhouette_one.svg", render);
  CHECK(has_text(*sil1, "Silhouette: k-means clustering (weights), 1 cluster"));
  CHECK(has_text(*sil1, "Only one cluster: a silhouette needs at least two"));
  CHECK_THROWS_AS(viz::plot_silhouette(single, "/nonexistent/dir/x.svg"), InputError);

  // plot_elbow caps max_k at the units (48 here) instead of throwing.
  viz::plot_elbow(som, "viz_cluster_elbow_capped.svg", 500);
  auto capped = load_svg("viz_cluster_elbow_capped.svg", false);
  CHECK(polygon_points(*with_class(*capped, "series")[0]).size() == std::size_t(som.n_units()));

  viz::plot_elbow(som, "viz_cluster_elbow.svg", 6);
  auto elbow = load_svg("viz_cluster_elbow.svg", render);
  const std::vector<double> inertias = elbow_inertias(km.features, 6);
  CHECK(has_text(*elbow, "k = " + std::to_string(elbow_k(inertias))));
  CHECK(with_class(*elbow, "series").size() == 1);
  CHECK(polygon_points(*with_class(*elbow, "series")[0]).size() == 6);
}

TEST_CASE("Classification map plots take negative and non-contiguous labels", "[viz][som][degenerate]") {
  SomParams p;
  p.rows = 1;
  p.cols = 4;
  Som<double> som(p, 1);
  som.set_weights((RowMatrix<double>(4, 1) << 0, 1, 2, 3).finished());
  const RowMatrix<double> X = (RowMatrix<double>(5, 1) << 0, 0.1, 1, 2, 2.1).finished();
  const Labels y = (Labels(5) << -1, -1, 40, -7, -7).finished();  // unit 3 has no samples
  viz::CategoryPlotOptions o;
  o.class_names = {"zero"};  // indexed by label value: no label 0 here, so unused
  viz::plot_classification_map(som, bmus_data_map(som, X), y, "viz_class_negative.svg", o);
  auto root = load_svg("viz_class_negative.svg");
  const auto cells = with_class(*root, "cell");
  REQUIRE(cells.size() == 4);
  // Ranks among the labels {-7, -1, 40}: unit 0 holds -1 (rank 1), unit 1 40 (rank 2), unit 2 -7.
  CHECK(cells[0]->attr("fill") == viz::category_color(1).hex());
  CHECK(cells[1]->attr("fill") == viz::category_color(2).hex());
  CHECK(cells[2]->attr("fill") == viz::category_color(0).hex());
  CHECK(cells[3]->attr("fill") == "url(#empty-unit)");
  for (const char* label : {"class -7", "class -1", "class 40", "no samples"}) CHECK(has_text(*root, label));
  CHECK_FALSE(has_text(*root, "Uncertain"));  // -1 is a class, not noise
  CHECK_FALSE(has_text(*root, "zero"));
}

TEST_CASE("plot_all draws every picture of a Som into a directory", "[viz][plot_all]") {
  const CsvData iris = read_csv(std::string(SOMTILE_DATA_DIR) + "/iris.csv", "label");
  const RowMatrix<double> X = iris.X;
  SomParams p;
  p.rows = 6;
  p.cols = 8;
  p.epochs = 8;
  p.topology = Topology::hexagonal;
  p.init = Init::pca;
  p.training = Training::batch;
  p.sigma = 2;
  Som<double> som(p, X.cols());
  viz::PlotAllOptions o;
  o.history = som.fit(X);
  o.feature_names = iris.columns;
  o.cluster.n_clusters = 3;
  const std::string dir = "viz_plot_all";
  std::filesystem::remove_all(dir);
  const std::vector<std::string> files = viz::plot_all(som, X, iris.y, dir, o);
  // Class labels alone: the classification map, no mean/std/score/rank of the labels.
  const std::vector<std::string> expected{"u_matrix.svg",        "component_planes.svg",   "hit_map.svg",
                                          "training_errors.svg", "classification_map.svg", "elbow.svg",
                                          "cluster_map.svg",     "silhouette.svg"};
  REQUIRE(files.size() == expected.size());
  for (std::size_t k = 0; k < files.size(); ++k) {
    CHECK(files[k] == (std::filesystem::path(dir) / expected[k]).string());
    REQUIRE(std::filesystem::exists(files[k]));
    auto root = load_svg(files[k], k < 3);  // valid SVG; the first few also rendered to PNG
    CHECK(!with_class(*root, "cell").empty() == (k < 3 || k == 4 || k == 6));
  }
  CHECK_FALSE(std::filesystem::exists(dir + "/mean_target_map.svg"));
  CHECK(has_text(*load_svg(files[1], false), iris.columns[0]));
  CHECK(has_text(*load_svg(files[6], false), "k-means clustering (weights), 3 clusters"));
  // A numeric target: its mean, std, score and rank maps, the values metric_map computes.
  viz::PlotAllOptions numeric;
  numeric.target = iris.X.col(3);
  const std::string tdir = dir + "/target";
  const auto with_target = viz::plot_all(som, X, Labels(), tdir, numeric);
  const std::vector<std::string> expected_target{
      "u_matrix.svg",  "component_planes.svg", "hit_map.svg", "mean_target_map.svg", "std_target_map.svg",
      "score_map.svg", "rank_map.svg",         "elbow.svg",   "cluster_map.svg",     "silhouette.svg"};
  REQUIRE(with_target.size() == expected_target.size());
  for (std::size_t k = 0; k < with_target.size(); ++k)
    CHECK(with_target[k] == (std::filesystem::path(tdir) / expected_target[k]).string());
  {
    auto mean_doc = load_svg(with_target[3], false);
    const RowMatrix<double> mean = metric_map(som, bmus_data_map(som, X), numeric.target);
    const auto cells = with_class(*mean_doc, "cell");
    REQUIRE(cells.size() == std::size_t(som.n_units()));
    for (Index u = 0; u < som.n_units(); ++u)
      CHECK(cells[std::size_t(u)]->has_class("empty") == std::isnan(mean.data()[u]));
  }
  // No labels and no history: only the maps that need neither.
  const auto fewer = viz::plot_all(som, X, Labels(), dir + "/unlabelled");
  CHECK(fewer.size() == 6);
  CHECK_THROWS_AS(viz::plot_all(som, X, Labels::Zero(3), dir), InputError);
  viz::PlotAllOptions short_target;
  short_target.target = Eigen::VectorXd::Zero(3);
  CHECK_THROWS_WITH(
      viz::plot_all(som, X, Labels(), dir, short_target),
      "plot_all(): options.target has 3 values, but X has 150 samples (leave it empty for no target maps)");
  viz::PlotAllOptions nan_target = numeric;
  nan_target.target[7] = nan();
  CHECK_THROWS_WITH(viz::plot_all(som, X, Labels(), dir, nan_target),
                    "plot_all(): options.target must be finite, but sample 7 is nan");
  CHECK_THROWS_WITH(viz::plot_all(som, X, Labels::Zero(3), dir),
                    Catch::StartsWith("plot_all(): y has 3 labels, but X has 150 samples"));
  Som<double> unfitted(p, X.cols());
  CHECK_THROWS_AS(viz::plot_all(unfitted, X, iris.y, dir), NotFittedError);
}
