#pragma once
// Argument checks shared by the plot functions, with messages that name the call.

#include "somtile/core/detail/validate.hpp"
#include "somtile/core/types.hpp"
#include "somtile/grid/grid.hpp"
#include "somtile/viz/plot_options.hpp"

#include <cmath>
#include <cstddef>
#include <string>

namespace somtile::detail {

inline void check_path(const char* call, const std::string& path) {
  require<InputError>(!path.empty(), call, "path must not be empty");
}

inline void check_map_shape(const char* call, const Grid& g, const RowMatrix<double>& values,
                            const std::string& name = "values") {
  require<InputError>(values.rows() == g.rows() && values.cols() == g.cols(), call, name, " is ", values.rows(), " x ",
                      values.cols(), ", but the grid is ", g.rows(), " x ", g.cols());
  for (Index i = 0; i < values.size(); ++i)
    require<InputError>(!std::isinf(values.data()[i]), call, name, " must be finite or NaN, but unit ", i, " is ",
                        values.data()[i]);
}

inline void check_map_options(const char* call, const viz::MapPlotOptions& o) {
  require(o.cell_size >= 0, call, "cell_size must be >= 0, got ", o.cell_size);
  require(!(o.vmin > o.vmax), call, "vmin must be <= vmax, got vmin = ", o.vmin, ", vmax = ", o.vmax);
  require(!std::isinf(o.vmin) && !std::isinf(o.vmax), call, "vmin and vmax must be finite or NaN");
  require(o.value_decimals >= 0 && o.value_decimals <= 10, call, "value_decimals must be in [0, 10], got ",
          o.value_decimals);
  require(o.label_size > 0 && o.label_size <= 100, call, "label_size must be in (0, 100], got ", o.label_size);
}

template <typename Vec>
void check_finite_values(const char* call, const Vec& v, const char* name) {
  for (std::size_t i = 0; i < std::size_t(v.size()); ++i)
    require<InputError>(std::isfinite(double(v[i])), call, name, " must be finite, but ", name, "[", i,
                        "] = ", double(v[i]));
}

}  // namespace somtile::detail
