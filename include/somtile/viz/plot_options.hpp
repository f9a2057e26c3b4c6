#pragma once
// What each plot can be told: titles, colour maps, sizes, what to encode. Plain structs and
// enums without model types, so plot families and model adapters share them at no cost.

#include "somtile/core/types.hpp"
#include "somtile/viz/colormap.hpp"

#include <limits>
#include <string>
#include <vector>

namespace somtile::viz {

/// A continuous map: U-matrix, hit map, metric/score/rank maps, one component plane.
struct MapPlotOptions {
  std::string title;           ///< empty = the plot's default title
  std::string colorbar_label;  ///< empty = the plot's default label
  /// Colour map of the values.
  Colormap colormap = Colormap::viridis;
  /// Low values bright, high values dark.
  bool reverse_colormap = false;
  double vmin = std::numeric_limits<double>::quiet_NaN();  ///< NaN = the data's minimum
  double vmax = std::numeric_limits<double>::quiet_NaN();  ///< NaN = the data's maximum
  double cell_size = 0;                                    ///< px per unit; 0 = fit the map into about 480 px
  bool show_values = false;  ///< print each unit's value (when the cells are large enough)
  /// Decimals of the printed values.
  int value_decimals = 2;
  std::string empty_label = "no value";  ///< legend entry of NaN units
  /// Text written on units (index = unit, "" = none; may be shorter than the grid), centred on
  /// a pale box, e.g. the top terms of a document map's clusters. plot_grid_map and the plots
  /// built on it (U-matrix, hit map, ...).
  std::vector<std::string> unit_labels;
  double label_size = 10;  ///< font size of unit_labels, px
};

/// A map of categories per unit: classification map, cluster map.
struct CategoryPlotOptions {
  /// Empty = the plot's default title.
  std::string title;
  std::vector<std::string> class_names;  ///< name of category k at index k; missing = prefix + k
  /// Names of unnamed categories: prefix + k.
  std::string name_prefix = "class";
  std::string noise_label = "Uncertain";   ///< label -1
  std::string empty_label = "no samples";  ///< NaN units
  /// px per unit; 0 = fit the map into about 480 px.
  double cell_size = 0;
  /// Colours of the categories; automatic = the plot's (classification map: classes, cluster
  /// map: clusters).
  CategoryPalette palette = CategoryPalette::automatic;
  /// Heading of the legend; empty = the plot's ("class", "cluster"), so a reader sees which
  /// kind of group a colour stands for.
  std::string legend_title;
};

/// Several maps of one grid in one file: component planes, activation maps.
struct MultiMapPlotOptions {
  /// Empty = the plot's default title.
  std::string title;
  std::vector<std::string> names;  ///< panel titles; missing = prefix + (index + 1)
  /// Titles of unnamed panels: prefix + (index + 1).
  std::string name_prefix = "map";
  /// Colour map of every panel.
  Colormap colormap = Colormap::viridis;
  /// Low values bright, high values dark.
  bool reverse_colormap = false;
  double cell_size = 0;  ///< px per unit; 0 = about 180 px per panel
  Index columns = 0;     ///< panels per row; 0 = ceil(sqrt(n))
};

/// plot_component_planes: the panels' look (names index features), and which features get a
/// panel. A wide map (a document map's thousands of terms) would otherwise write one panel per
/// feature: a file of hundreds of MB that no viewer opens.
struct ComponentPlaneOptions : MultiMapPlotOptions {
  /// Draw these features (0-based, in this order); empty = chosen by max_planes.
  std::vector<Index> features;
  /// With more features than this, draw the max_planes of largest variance over the units
  /// (high_variance_features; the title says "64 of 11 441 features, largest variance");
  /// 0 = every feature.
  Index max_planes = 64;
};

/// Line and bar charts: training errors, curves, elbow, silhouette, quality comparison.
struct ChartOptions {
  /// Empty = the plot's default title.
  std::string title;
  std::string x_label;  ///< empty = the plot's default
  /// Empty = the plot's default.
  std::string y_label;
  double width = 0;  ///< px; 0 = the plot's default
  /// px; 0 = the plot's default.
  double height = 0;
};

/// Neurons as points with edges (growing SOM), coloured and sized by per-node statistics.
struct NetworkPlotOptions {
  /// Empty = the plot's default title.
  std::string title;
  /// Label of the x axis.
  std::string x_label = "x";
  /// Label of the y axis.
  std::string y_label = "y";
  Eigen::VectorXd color;  ///< per-node value -> colour map (empty = one colour)
  Labels category;        ///< per-node category (-1 = noise) -> legend; excludes `color`
  /// Colours of `category`; automatic = classes (category_color).
  CategoryPalette palette = CategoryPalette::automatic;
  RowMatrix<double> rgb;    ///< per-node colour (n x 3, channels in [0, 1]); excludes the two above
  Eigen::VectorXd size;     ///< per-node value -> radius between min_radius and max_radius
  std::string color_label;  ///< colour bar title
  std::string size_label;   ///< size legend title
  /// Name of category k at index k; missing = prefix + k.
  std::vector<std::string> class_names;
  /// Names of unnamed categories: prefix + k.
  std::string name_prefix = "class";
  std::string noise_label = "Uncertain";  ///< category -1
  /// Colour map of `color`.
  Colormap colormap = Colormap::viridis;
  /// Low values bright, high values dark.
  bool reverse_colormap = false;
  /// Radius of the smallest `size` value, px.
  double min_radius = 3;
  /// Radius of the largest `size` value, px.
  double max_radius = 9;
  RowMatrix<double> samples;  ///< optional data points (n x 2) drawn faintly underneath
  Labels sample_labels;       ///< their categories (empty = grey)
  double width = 520;         ///< px of the plotting area's longer side
};

/// Units drawn in the RGB colour of their 3 values (NumbaSOM's lattice image).
struct RgbPlotOptions {
  /// Empty = the plot's default title.
  std::string title;
  /// px per unit; 0 = fit the map into about 480 px.
  double cell_size = 0;
  bool rescale = false;  ///< stretch each channel's range to [0, 1] instead of requiring [0, 1]
};

/// plot_prototypes: every unit's weight vector drawn as a small image_height x image_width
/// image (pixel (r, c) = feature r * image_width + c, as the digits' pixel_r_c columns).
struct PrototypePlotOptions {
  /// Empty = the plot's default title.
  std::string title;
  Index image_width = 0;   ///< pixels across one image; 0 = sqrt(n_features) (or from image_height)
  Index image_height = 0;  ///< pixels down one image; 0 = n_features / image_width
  /// Colour map of the pixel values.
  Colormap colormap = Colormap::gray;
  bool reverse_colormap = true;                            ///< with gray: high values dark (ink on paper)
  double vmin = std::numeric_limits<double>::quiet_NaN();  ///< NaN = the prototypes' minimum
  double vmax = std::numeric_limits<double>::quiet_NaN();  ///< NaN = the prototypes' maximum
  double pixel_size = 0;  ///< px per image pixel; 0 = fit the picture into about 640 px
  /// Title of the colour bar.
  std::string colorbar_label = "weight";
};

/// A per-neuron statistic of a growing SOM, for colour or size.
enum class NodeStatistic {
  automatic,  ///< colour only: the model's natural one, a SomClassifier's class (label), a SomVQ's
              ///< hit count
  none,
  hit_count,
  error,
  average_distance,
  density,
  epoch_created,
  label,   ///< colour only: SomClassifier's majority class, SomVQ's cluster id, or
           ///< GrowingSomPlotOptions::labels (a legend of categories)
  pca_rgb  ///< colour only: the weights' first 3 principal components as red, green, blue
           ///< (viz::pca_rgb), so neurons with similar prototypes get similar colours
};

/// Where the neurons of a growing SOM are drawn.
enum class NetworkLayout {
  lattice,  ///< integer lattice coordinates (the map's own topology)
  weights,  ///< the first two weight components (data space for 2-D data)
  pca       ///< the weights projected on their first two principal components
};

/// plot_growing_som: what to encode, where to place the neurons, and the network's look.
struct GrowingSomPlotOptions {
  /// Statistic shown by the neurons' colour; automatic = a SomClassifier's class, a SomVQ's
  /// hit count.
  NodeStatistic color = NodeStatistic::automatic;
  /// Statistic shown by the neurons' size (none = one size).
  NodeStatistic size = NodeStatistic::none;
  /// Where the neurons are drawn: lattice, weights or pca.
  NetworkLayout layout = NetworkLayout::lattice;
  /// NodeStatistic::label: one category per neuron (-1 = none), e.g. clusters of the neurons;
  /// empty = the model's own (SomClassifier: majority class, SomVQ: cluster id).
  Labels labels;
  NetworkPlotOptions network;  ///< title, colour map, radii, optional samples underneath
};

}  // namespace somtile::viz
