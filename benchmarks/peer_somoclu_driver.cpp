// Times somoclu's training call alone (peer_somoclu.sh builds it against a somoclu source tree;
// no somoclu code lives in this repository). Reads the data with somoclu's readMatrix, then per
// run: random codebook (somoclu's initializeCodebook), then train(): `epochs` dense-CPU batch
// epochs on a planar rectangular map, Gaussian neighbourhood with std_coeff 1 (sigma = radius),
// radius 20 -> 1 exponential, no compact support, and somoclu's final BMU pass. The timed call
// is what somoclu's own CLI runs between reading the data and writing its files.
// Usage: peer_somoclu_driver DATA [epochs] [repeats]      (threads: OMP_NUM_THREADS)
#include "io.h"
#include "somoclu.h"  // before io.h, which uses its types

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: peer_somoclu_driver DATA [epochs] [repeats]\n");
    return 2;
  }
  const unsigned epochs = argc > 2 ? unsigned(std::atoi(argv[2])) : 10;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 5;
  unsigned n = 0, dim = 0;
  float* data = readMatrix(argv[1], n, dim);
  const unsigned nx = 40, ny = 40;
  EuclideanDistance distance(dim);
  std::vector<float> codebook(std::size_t(nx) * ny * dim), umatrix(std::size_t(nx) * ny);
  std::vector<int> bmus(std::size_t(n) * 2);
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    som map = {nx, ny, dim, n, "planar", "rectangular", distance, umatrix.data(), codebook.data(), bmus.data()};
    initializeCodebook(unsigned(r + 1), map);
    const auto t0 = std::chrono::steady_clock::now();
    train(0, data, NULL, map, n, epochs, 20.0f, 1.0f, "exponential", 0.0f, 0.01f, "linear", DENSE_CPU,
          /*compact_support=*/false, /*gaussian=*/true, /*std_coeff=*/1.0f, 0, NULL);
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  std::printf("somoclu train(): %u x %u samples, %ux%u map, %u epochs: median %.3f s of %d runs (min %.3f, max %.3f)\n",
              n, dim, nx, ny, epochs, times[times.size() / 2], repeats, times.front(), times.back());
  delete[] data;
  return 0;
}
