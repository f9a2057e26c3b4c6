#pragma once
// Module: the growing map (DBGSOM). The growing engine adds units where the quantization error
// is largest (growing/growing_som.hpp, with its trainer and unit graph in growing/detail/);
// SomVQ is the scikit-learn-style vector quantiser over it and SomClassifier the classifier
// (growing/som_vq.hpp, growing/som_classifier.hpp).

#include "somtile/growing/som_classifier.hpp"
#include "somtile/growing/som_vq.hpp"

// Precompiled mode: the instantiations somtile::precompiled holds are declared, not compiled here.
#ifdef SOMTILE_PRECOMPILED
#include "somtile/core/detail/precompiled.hpp"
#include "somtile/growing/detail/instantiations.hpp"
namespace somtile {
SOMTILE_FOR_PRECOMPILED_SCALARS(SOMTILE_GROWING_INSTANTIATIONS, SOMTILE_EXTERN_TEMPLATE)
}  // namespace somtile
#endif
