// Issue 4: NumbaSOM's headline job, 200 random colours (200 x 3 in [0, 1)), 50 x 100 lattice,
// 15 000 iterations, default schedules. Times the train() call alone (NumbaSOM reports 0.37 s
// for it), then the helpers on the seed's 8 named colours.
// Training is single-threaded, so besides the wall-clock median (what NumbaSOM reports) this
// prints the median CPU time of the calling thread, which a busy shared machine distorts less,
// and how often the thread was descheduled while the wall-clock runs went on (involuntary
// context switches): on a machine with more runnable threads than cores, wall time exceeds CPU
// time by the time the thread waited for a core. The BMU searches' flops per CPU second are
// also given as a fraction of one core's FMA peak (timing.hpp), at the level the kernels run at.
// Usage: bench_online [repeats]
#include "timing.hpp"

#include <somtile/online/lattice.hpp>
#include <somtile/online/online_som.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <limits>

#include <sys/resource.h>
#include <vector>

using namespace somtile;

// Median CPU seconds of the calling thread over `repeats` runs.
template <typename F>
double median_thread_cpu_seconds(int repeats, F&& run) {
  auto now = [] {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
  };
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const double t0 = now();
    run();
    times.push_back(now() - t0);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

long involuntary_switches() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return u.ru_nivcsw;
}

template <typename S>
void headline(int repeats, bool torus) {
  Random rng(1);
  RowMatrix<S> colours(200, 3);
  for (Index i = 0; i < colours.size(); ++i) colours.data()[i] = S(rng.uniform());
  OnlineSomParams p;
  p.rows = 50;
  p.cols = 100;
  p.torus = torus;
  OnlineSom<S> som(p);
  som.train(colours, 15000);  // warm-up: first-touch of the buffers, not training
  const long switches = involuntary_switches();
  const double wall = bench::median_seconds(repeats, [&] { som.train(colours, 15000); });
  const long descheduled = involuntary_switches() - switches;
  const double cpu = median_thread_cpu_seconds(repeats, [&] { som.train(colours, 15000); });
  std::printf(
      "train %-6s %-5s 200x3, 50x100, 15000 iterations: median wall %.4f s, thread CPU %.4f s, "
      "descheduled %.1f times per run  (%s)\n",
      sizeof(S) == 4 ? "float" : "double", torus ? "torus" : "plain", wall, cpu, double(descheduled) / repeats,
      bench::load_average().c_str());
  // Each step's BMU search: (w - x)^2 summed over 3 features for 5000 units, 3 subtractions,
  // 3 squares and 2 additions = 8 flops per unit (not FMA-shaped: at most about half the FMA
  // peak); the neighbourhood update is not counted. Per thread CPU second.
  const double flops = 15000.0 * 5000.0 * (3.0 * 3.0 - 1.0);
  bench::print_peak_fraction(flops / cpu * 1e-9, 1, somtile::active_isa(), sizeof(S) == 8,
                             "its BMU searches' flops per thread CPU second (the update not counted)");
}

// The headline job (double, plain lattice) with 10% of the colour cells missing (NaN,
// Missing::mask): the masked BMU search and update for the samples that have a gap.
void headline_missing(int repeats) {
  Random rng(1);
  RowMatrix<double> colours(200, 3);
  for (Index i = 0; i < colours.size(); ++i) colours.data()[i] = rng.uniform();
  Random holes(2);
  for (Index i = 0; i < colours.rows(); ++i)
    if (holes.uniform() < 0.3) colours(i, holes.uniform_index(3)) = std::numeric_limits<double>::quiet_NaN();
  OnlineSomParams p;
  p.rows = 50;
  p.cols = 100;
  p.missing = Missing::mask;
  OnlineSom<double> som(p);
  som.train(colours, 15000);
  const double cpu = median_thread_cpu_seconds(repeats, [&] { som.train(colours, 15000); });
  std::printf(
      "train double plain 200x3 with 10%% of cells missing (Missing::mask), 50x100, 15000 iterations: "
      "median thread CPU %.4f s\n",
      cpu);
}

void helpers(int repeats) {
  Random rng(1);
  RowMatrix<double> colours(200, 3);
  for (Index i = 0; i < colours.size(); ++i) colours.data()[i] = rng.uniform();
  OnlineSomParams p;
  p.rows = 50;
  p.cols = 100;
  OnlineSom<double> som(p);
  const Lattice<double> lat = som.train(colours, 15000);
  RowMatrix<double> named(8, 3);
  named << 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1;
  const double tp = bench::median_seconds(repeats, [&] { project_on_lattice<double>(named, lat); });
  const double tc = bench::median_seconds(repeats, [&] { lattice_closest_vectors<double>(named, lat); });
  const double ta = bench::median_seconds(repeats, [&] { lattice_activations<double>(named, lat, 8.0); });
  const double tu = bench::median_seconds(repeats, [&] { u_matrix(lat); });
  std::printf(
      "helpers on 8 colours, 50x100 lattice (median): project %.6f s, closest %.6f s, "
      "activations %.6f s, u_matrix %.6f s\n",
      tp, tc, ta, tu);
}

int main(int argc, char** argv) {
  bench::print_machine();
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 9;
  for (bool torus : {false, true}) {
    headline<double>(repeats, torus);
    headline<float>(repeats, torus);
  }
  headline_missing(repeats);
  helpers(repeats);
  return 0;
}
