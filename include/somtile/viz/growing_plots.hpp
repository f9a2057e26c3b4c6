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
/// and size by per-neuron statistics. NodeStatistic::label colours the neurons by their
/// cluster id (neuron_labels(), legend "cluster k") or by options.labels; NodeStatistic::pca_rgb
/// by their prototypes' principal components.
template <typename Scalar>
void plot_growing_som(const SomVQ<Scalar>& model, const std::string& path, const GrowingSomPlotOptions& options = {}) {
  GrowingSomPlotOptions o = options;
  if (o.labels.size() == 0 && o.network.name_prefix == "class") o.network.name_prefix = "cluster";
  detail::plot_growing_network(model, path, o, &model.neuron_labels());
}

/// As above; NodeStatistic::label colours the neurons by class with a legend (neurons without
/// hits as "no hits"), or by options.labels.
template <typename Scalar>
void plot_growing_som(const SomClassifier<Scalar>& model, const std::string& path,
                      const GrowingSomPlotOptions& options = {}) {
  GrowingSomPlotOptions o = options;
  if (o.network.class_names.empty() && o.labels.size() == 0)
    for (Index k = 0; k < model.classes().size(); ++k)
      o.network.class_names.push_back("class " + std::to_string(model.classes()[k]));
  if (o.network.noise_label == "Uncertain") o.network.noise_label = "no hits";
  detail::plot_growing_network(model, path, o, &model.neuron_labels());
}

}  // namespace somtile::viz
