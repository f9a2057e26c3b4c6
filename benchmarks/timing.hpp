#pragma once
// A plain timing harness: median wall time of repeated runs, interleaving when several
// configurations are compared (so a change in the machine's load hits all of them alike), and
// the load average to print next to the figures.
#include <somtile/kernels/isa.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#ifndef SOMTILE_BENCH_ARCH
#define SOMTILE_BENCH_ARCH "unknown"
#endif

namespace bench {

/// What a figure was measured on and built for: the CPU's model and vector extensions, the
/// -march and compiler of this build, and the level somtile's BMU kernel runs at.
inline void print_machine() {
  std::string model = "unknown CPU", flags;
  if (std::FILE* f = std::fopen("/proc/cpuinfo", "r")) {
    char line[4096];
    while (std::fgets(line, sizeof line, f)) {
      const std::string l = line;
      const auto value = [&] {
        std::string v = l.substr(l.find(':') + 2);
        v.pop_back();
        return v;
      };
      if (l.rfind("model name", 0) == 0 && model == "unknown CPU") model = value();
      if ((l.rfind("flags", 0) == 0 || l.rfind("Features", 0) == 0) && flags.empty()) flags = " " + value() + " ";
    }
    std::fclose(f);
  }
  std::string has;
  for (const char* x : {"sse2", "avx2", "fma", "avx512f", "asimd"})
    if (flags.find(std::string(" ") + x + " ") != std::string::npos) has += std::string(has.empty() ? "" : ",") + x;
  const char* compiled =
#if defined(__AVX512F__)
      "AVX-512";
#elif defined(__AVX2__) && defined(__FMA__)
      "AVX2+FMA";
#elif defined(__AVX2__)
      "AVX2";
#elif defined(__ARM_NEON)
      "NEON";
#elif defined(__SSE2__)
      "SSE2";
#else
      "scalar";
#endif
  const char* compiler =
#if defined(__clang__)
      "clang " __clang_version__;
#elif defined(__GNUC__)
      "gcc " __VERSION__;
#else
      "unknown compiler";
#endif
  std::printf("# CPU: %s (%s) | build: -march=%s, compiled for %s, %s | BMU kernel: %s\n", model.c_str(), has.c_str(),
              SOMTILE_BENCH_ARCH, compiled, compiler, somtile::isa_name(somtile::active_isa()));
}

inline double seconds_of(const std::function<void()>& run) {
  const auto t0 = std::chrono::steady_clock::now();
  run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <typename F>
double median_seconds(int repeats, F&& run) {
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) times.push_back(seconds_of(run));
  return median(times);
}

/// Runs every configuration once per round, `repeats` rounds; returns each one's median.
inline std::vector<double> interleaved_medians(int repeats, const std::vector<std::function<void()>>& runs) {
  std::vector<std::vector<double>> times(runs.size());
  for (int r = 0; r < repeats; ++r)
    for (std::size_t k = 0; k < runs.size(); ++k) times[k].push_back(seconds_of(runs[k]));
  std::vector<double> out;
  for (const auto& t : times) out.push_back(median(t));
  return out;
}

/// "load 1.23 0.98 0.75" from /proc/loadavg (empty where there is none).
inline std::string load_average() {
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  if (!f) return "";
  double a = 0, b = 0, c = 0;
  const int got = std::fscanf(f, "%lf %lf %lf", &a, &b, &c);
  std::fclose(f);
  if (got != 3) return "";
  char text[64];
  std::snprintf(text, sizeof text, "load %.2f %.2f %.2f", a, b, c);
  return text;
}

/// Thread counts from "1,2" (0 = all the runtime offers).
inline std::vector<int> thread_list(const char* arg) {
  std::vector<int> out;
  std::string s = arg;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    const std::size_t comma = s.find(',', pos);
    out.push_back(std::stoi(s.substr(pos, comma - pos)));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

}  // namespace bench
