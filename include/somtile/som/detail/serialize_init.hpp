#pragma once
// SomParams::init in model files: the meaning of "random" changed in format version 2.

#include "somtile/core/types.hpp"

namespace somtile::detail {

/// Init through a model file. Version 1 files knew {random, sample, pca} and their "random" was
/// the uniform draw in the data's box, now Init::uniform; writing a version 1 file (tests
/// only) maps back. Init::random of version 2 (data rows) has no version 1 equivalent.
template <typename Archive>
void serialize_init(Archive& ar, Init& init) {
  if constexpr (Archive::loading) {
    ar.choice(init);
    if (ar.version() < 2) {
      ar.check(init != Init::uniform, "invalid enumerator ", int(init), " for a version 1 file");
      if (init == Init::random) init = Init::uniform;
    }
  } else {
    Init stored = init;
    if (ar.version() < 2 && stored == Init::uniform) stored = Init::random;
    ar.choice(stored);
  }
}

}  // namespace somtile::detail
