// libFuzzer entry point for the stats target (see targets.hpp and run).
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  somtile::fuzz::fuzz_stats(data, size);
  return 0;
}
