// libFuzzer entry point for the npz target (see targets.hpp and run).
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  somtile::fuzz::fuzz_npz(data, size);
  return 0;
}
