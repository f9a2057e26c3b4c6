#pragma once
// Plots of growing SOMs (SomVQ, SomClassifier): the neurons drawn as a network (their
// prototypes as images: viz/prototypes.hpp).

#include "somtile/core/types.hpp"
#include "somtile/growing/som_classifier.hpp"
#include "somtile/growing/som_vq.hpp"
#include "somtile/viz/detail/growing_network.hpp"
#include "somtile/viz/plot_options.hpp"

#include <string>

namespace somtile::viz {

/// A growing SOM as a network: neurons placed by `layout`, lattice edges as grey lines, colour
/// and size by per-neuron statistics (colour by default: the hit count). NodeStatistic::label
/// colours the neurons by their cluster id (neuron_labels(), the clusters' palette, legend
/// "cluster k") or by options.labels; NodeStatistic::pca_rgb by their prototypes' principal
/// components. The weights layout draws the prototypes in the data's units.
template <typename Scalar>
void plot_growing_som(const SomVQ<Scalar>& model, const std::string& path, const GrowingSomPlotOptions& options = {}) {
  GrowingSomPlotOptions o = options;
  if (o.color == NodeStatistic::automatic) o.color = NodeStatistic::hit_count;
  if (o.color == NodeStatistic::label && o.labels.size() == 0) {  // the model's cluster ids
    if (o.network.name_prefix == "class") o.network.name_prefix = "cluster";
    if (o.network.palette == CategoryPalette::automatic) o.network.palette = CategoryPalette::clusters;
    if (o.network.color_label.empty()) o.network.color_label = "cluster";
  }
  detail::plot_growing_network(model, path, o, &model.neuron_labels());
}

/// As above, but coloured by class by default (NodeStatistic::label: each neuron's majority
/// class, a legend "class k" headed "class", neurons without hits as "no hits"), or by
/// options.labels.
template <typename Scalar>
void plot_growing_som(const SomClassifier<Scalar>& model, const std::string& path,
                      const GrowingSomPlotOptions& options = {}) {
  GrowingSomPlotOptions o = options;
  if (o.color == NodeStatistic::automatic) o.color = NodeStatistic::label;
  if (o.network.class_names.empty() && o.labels.size() == 0)
    for (Index k = 0; k < model.classes().size(); ++k)
      o.network.class_names.push_back("class " + std::to_string(model.classes()[k]));
  if (o.network.noise_label == "Uncertain") o.network.noise_label = "no hits";
  if (o.color == NodeStatistic::label && o.labels.size() == 0 && o.network.color_label.empty())
    o.network.color_label = "class";
  detail::plot_growing_network(model, path, o, &model.neuron_labels());
}

}  // namespace somtile::viz
