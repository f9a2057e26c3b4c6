// NumbaSOM's README example: 200 random colours on a 50 x 100 lattice for 15 000 iterations,
// then the 8 named colours projected onto it. Writes the lattice as an image
// (colors_lattice.ppm, every cell a 6 x 6 block of its colour) and its U-matrix
// (colors_umatrix.pgm, dark = similar neighbours) into the given folder (default: here).
// Usage: colors [output_dir]
#include <somtile/som.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

using namespace somtile;

namespace {

constexpr int cell_pixels = 6;

// Binary PPM (P6) or PGM (P5): `channels` values in [0, 1] per cell, each cell a square block.
void write_image(const std::string& path, Index rows, Index cols, int channels, const std::vector<double>& values) {
  std::ofstream out(path, std::ios::binary);
  out << (channels == 3 ? "P6\n" : "P5\n") << cols * cell_pixels << ' ' << rows * cell_pixels << "\n255\n";
  for (Index r = 0; r < rows * cell_pixels; ++r)
    for (Index c = 0; c < cols * cell_pixels; ++c)
      for (int k = 0; k < channels; ++k) {
        const double v = values[std::size_t(((r / cell_pixels) * cols + c / cell_pixels) * channels + k)];
        out.put(char(static_cast<unsigned char>(std::clamp(v, 0.0, 1.0) * 255.0 + 0.5)));
      }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? std::string(argv[1]) + "/" : "";

  Random rng(2024);
  RowMatrix<double> data(200, 3);
  for (Index i = 0; i < data.size(); ++i) data.data()[i] = rng.uniform();

  OnlineSomParams params;
  params.rows = 50;
  params.cols = 100;
  OnlineSom<double> som(params);
  const auto t0 = std::chrono::steady_clock::now();
  const Lattice<double> lattice = som.train(data, 15000);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("SOM training took: %f seconds.\n", seconds);
  std::printf("lattice(5, 3) = [%.4f, %.4f, %.4f]\n", lattice(5, 3)[0], lattice(5, 3)[1], lattice(5, 3)[2]);

  RowMatrix<double> colors(8, 3);
  colors << 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1;
  const std::vector<std::string> names = {"red", "green", "blue", "yellow", "cyan", "purple", "black", "white"};
  Labels label(8);
  for (Index i = 0; i < 8; ++i) label[i] = i;

  const LatticeProjection projection = project_on_lattice<double>(colors, lattice, label);
  for (Index unit = 0; unit < Index(projection.size()); ++unit)
    if (!projection[std::size_t(unit)].empty())
      std::printf("(%ld, %ld) %s\n", long(lattice.grid().row_of(unit)), long(lattice.grid().col_of(unit)),
                  names[std::size_t(projection[std::size_t(unit)].front())].c_str());

  const CellIndexMap closest = lattice_closest_vectors<double>(colors, lattice, label);
  std::printf("closest named colour to cell (1, 1): %s, to cell (40, 80): %s\n",
              names[std::size_t(closest(1, 1))].c_str(), names[std::size_t(closest(40, 80))].c_str());

  const std::vector<RowMatrix<double>> activations = lattice_activations<double>(colors, lattice, 8.0);
  Index peak_row, peak_col;
  activations[2].maxCoeff(&peak_row, &peak_col);
  std::printf("blue activates cell (%ld, %ld) most\n", long(peak_row), long(peak_col));

  std::vector<double> pixels(lattice.codebook().data(), lattice.codebook().data() + lattice.codebook().size());
  write_image(dir + "colors_lattice.ppm", lattice.rows(), lattice.cols(), 3, pixels);
  const RowMatrix<double> u = u_matrix(lattice);
  const double u_max = u.maxCoeff();
  std::vector<double> shades(std::size_t(u.size()));
  for (Index k = 0; k < u.size(); ++k) shades[std::size_t(k)] = u.data()[k] / u_max;
  write_image(dir + "colors_umatrix.pgm", u.rows(), u.cols(), 1, shades);
  std::printf("wrote %scolors_lattice.ppm and %scolors_umatrix.pgm\n", dir.c_str(), dir.c_str());
  return 0;
}
