#pragma once
// Kept for existing includes: the plots now live in one file per family (see somtile/viz.hpp).
#include "somtile/viz.hpp"
