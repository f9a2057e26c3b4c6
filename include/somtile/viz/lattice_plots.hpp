#pragma once
// Plots of an online-SOM Lattice: U-matrix, RGB image of a 3-feature lattice, activation maps.

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/types.hpp"
#include "somtile/online/lattice.hpp"
#include "somtile/viz/grid_maps.hpp"
#include "somtile/viz/plot_options.hpp"
#include "somtile/viz/rgb_map.hpp"

#include <string>

namespace somtile::viz {

/// U-matrix of an online-SOM lattice (mean distance to the up to 8 neighbours).
template <typename Scalar>
void plot_u_matrix(const Lattice<Scalar>& lattice, const std::string& path, MapPlotOptions options = {}) {
  if (options.title.empty()) options.title = "U-matrix";
  if (options.colorbar_label.empty()) options.colorbar_label = "mean euclidean distance";
  plot_grid_map(lattice.grid(), u_matrix(lattice), path, options);
}

/// A 3-feature lattice as an RGB image (NumbaSOM's imshow(lattice)).
template <typename Scalar>
void plot_rgb_map(const Lattice<Scalar>& lattice, const std::string& path, RgbPlotOptions options = {}) {
  detail::require<InputError>(lattice.n_features() == 3, "plot_rgb_map",
                              "an RGB image needs a lattice of 3 features, got ", lattice.n_features());
  if (options.title.empty()) options.title = "Lattice as RGB";
  plot_rgb_map(lattice.grid(), lattice.codebook().template cast<double>(), path, options);
}

/// Activation maps of the samples in X on a lattice (lattice_activations), one panel each.
template <typename Scalar>
void plot_activation_maps(const Lattice<Scalar>& lattice, DataRef<Scalar> X, const std::string& path,
                          const MultiMapPlotOptions& options = {}, double exponent = 1.0) {
  plot_activation_maps(lattice.grid(), lattice_activations(X, lattice, exponent), path, options);
}

}  // namespace somtile::viz
