#pragma once
// Module: missing values. Every trainer reads NaN as a missing cell under Missing::mask
// (SomParams, OnlineSomParams, GrowingSomParams): distances use the present features only,
// scaled by F/p as R's kohonen does, and the updates touch only present features. The masked
// search is find_bmus(..., Missing) (kernels/bmu.hpp); the masked kernels are
// kernels/detail/masked_*.hpp (distances, search, sums); impute(model, X) fills the holes from
// each row's BMU (missing/impute.hpp). See docs/missing-values.md.

#include "somtile/growing.hpp"
#include "somtile/missing/impute.hpp"
#include "somtile/online.hpp"
#include "somtile/som.hpp"

// Precompiled mode: the instantiations somtile::precompiled holds are declared, not compiled here.
#ifdef SOMTILE_PRECOMPILED
#include "somtile/core/detail/precompiled.hpp"
#include "somtile/missing/detail/instantiations.hpp"
namespace somtile {
SOMTILE_FOR_PRECOMPILED_SCALARS(SOMTILE_MISSING_INSTANTIATIONS, SOMTILE_EXTERN_TEMPLATE)
}  // namespace somtile
#endif
