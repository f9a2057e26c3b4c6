#pragma once
// A plain timing harness: median wall time of repeated runs, interleaving when several
// configurations are compared (so a change in the machine's load hits all of them alike), and
// the load average to print next to the figures. Also the machine's FMA peak, so that a
// figure in GFLOP/s can be given as a fraction of what the cores could do at most.
#include <somtile/core/detail/parallel.hpp>  // resolve_threads
#include <somtile/kernels/isa.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <cpuid.h>
#endif

#ifndef SOMTILE_BENCH_ARCH
#define SOMTILE_BENCH_ARCH "unknown"
#endif

namespace bench {

/// What the FMA peak is computed from: /proc/cpuinfo, cpufreq and the hypervisor's CPUID leaf.
struct Machine {
  std::string model = "unknown CPU", vendor, flags;  // flags: " sse2 avx2 ... " (spaces around each)
  int family = -1;
  int cores = 1;         // physical cores: distinct (physical id, core id), else logical CPUs
  int logical = 1;       // logical CPUs
  double clock_ghz = 0;  // 0: unknown
  std::string clock_source;
  std::string hypervisor;  // "KVM", ...; empty on bare metal
  bool has(const char* flag) const { return flags.find(std::string(" ") + flag + " ") != std::string::npos; }
};

// FMA units per core: vector FMA pipes, each finishing one FMA of the full vector width per
// cycle. The table (SOMTILE_FMA_UNITS overrides it, e.g. where a part has fewer units):
//   Intel server cores with AVX-512 (Skylake-SP and Cascade Lake Gold 6xxx and Platinum, Ice
//     Lake-SP, Sapphire and Emerald Rapids): 2 x 512 bits (ports 0+1 fused, and 5); at 256 or
//     128 bits also 2 (ports 0 and 1). Xeon Bronze, Silver and Gold 5xxx of Skylake and
//     Cascade Lake have one 512-bit unit: SOMTILE_FMA_UNITS=1 for AVX-512 figures there.
//   Intel client cores with AVX2: 2 x 256 bits.
//   AMD Zen 2 and Zen 3 (family 0x17, 0x19 without AVX-512): 2 x 256 bits. Zen 4 (0x19 with
//     AVX-512): 2 x 256 bits, and AVX-512 is split into two 256-bit halves, so 1 x 512 bits.
//   AMD Zen 5 (family 0x1A), desktop and server: 2 x 512 bits, full-width datapaths (mobile Zen 5
//     has 256-bit datapaths: SOMTILE_FMA_UNITS=1 for AVX-512 there).
//   Anything else: 2, a guess that the printout says is one.
// Without FMA (an SSE2 build: x86-64 baseline), a multiply and an add are two instructions:
// each unit issues one of them per cycle, so it gives `lanes` flops per cycle, not 2 x lanes.
inline int fma_units(const Machine& m, somtile::Isa isa, std::string* source = nullptr) {
  auto say = [&](const char* why) {
    if (source) *source = why;
  };
  if (const char* env = std::getenv("SOMTILE_FMA_UNITS")) {
    const int units = std::atoi(env);
    if (units > 0) {
      say("SOMTILE_FMA_UNITS");
      return units;
    }
  }
  if (m.vendor == "GenuineIntel") {
    say(m.has("avx512f") ? "Intel server core with AVX-512" : "Intel core");
    return 2;
  }
  if (m.vendor == "AuthenticAMD") {
    if (m.family == 0x19 && m.has("avx512f")) {
      say("AMD Zen 4: 2 x 256 bits, AVX-512 in two halves");
      return isa == somtile::Isa::avx512 ? 1 : 2;
    }
    if (m.family == 0x1A) {
      say("AMD Zen 5, 512-bit datapaths");
      return 2;
    }
    if (m.family == 0x17 || m.family == 0x19) {
      say("AMD Zen 2/3");
      return 2;
    }
  }
  say("unknown core, a guess: set SOMTILE_FMA_UNITS");
  return 2;
}

/// The machine, read once.
inline const Machine& machine() {
  static const Machine m = [] {
    Machine r;
    std::set<std::pair<std::string, std::string>> cores;
    std::string physical;
    double mhz = 0;
    int logical = 0;
    if (std::FILE* f = std::fopen("/proc/cpuinfo", "r")) {
      char line[8192];
      while (std::fgets(line, sizeof line, f)) {
        const std::string l = line;
        if (l.find(':') == std::string::npos) continue;
        std::string v = l.substr(l.find(':') + 1);
        while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
        if (!v.empty() && v.front() == ' ') v.erase(0, 1);
        const auto key = [&](const char* k) { return l.rfind(k, 0) == 0; };
        if (key("processor")) ++logical;
        if (key("model name") && r.model == "unknown CPU") r.model = v;
        if (key("vendor_id") && r.vendor.empty()) r.vendor = v;
        if (key("cpu family") && r.family < 0) r.family = std::atoi(v.c_str());
        if ((key("flags") || key("Features")) && r.flags.empty()) r.flags = " " + v + " ";
        if (key("cpu MHz") && mhz == 0) mhz = std::atof(v.c_str());
        if (key("physical id")) physical = v;
        if (key("core id")) cores.insert({physical, v});
      }
      std::fclose(f);
    }
    r.logical = std::max(logical, 1);
    r.cores = cores.empty() ? r.logical : int(cores.size());
    if (std::FILE* f = std::fopen("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "r")) {
      long khz = 0;
      if (std::fscanf(f, "%ld", &khz) == 1 && khz > 0) {
        r.clock_ghz = double(khz) * 1e-6;
        r.clock_source = "cpufreq cpuinfo_max_freq, the highest clock the driver reports";
      }
      std::fclose(f);
    }
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    if (r.has("hypervisor")) {
      unsigned a = 0, b = 0, c = 0, d = 0;
      __cpuid(0x40000000, a, b, c, d);
      char id[13] = {};
      std::memcpy(id, &b, 4);
      std::memcpy(id + 4, &c, 4);
      std::memcpy(id + 8, &d, 4);
      const std::string sig = id;
      r.hypervisor = sig.rfind("KVMKVMKVM", 0) == 0      ? "KVM"
                     : sig == "Microsoft Hv"             ? "Hyper-V"
                     : sig.rfind("VMwareVMware", 0) == 0 ? "VMware"
                     : sig.rfind("XenVMMXenVMM", 0) == 0 ? "Xen"
                                                         : "a hypervisor (" + sig + ")";
    }
#endif
    if (r.clock_ghz == 0 && mhz > 0) {
      r.clock_ghz = mhz * 1e-3;
      r.clock_source = r.hypervisor.empty() ? "/proc/cpuinfo \"cpu MHz\", the clock when read"
                                            : "/proc/cpuinfo \"cpu MHz\" of a " + r.hypervisor +
                                                  " guest: the host's nominal clock, any turbo above it unseen";
    }
    return r;
  }();
  return m;
}

/// Vector lanes of one register at a kernel level, and whether that level has FMA. Isa::baseline
/// is the build's own target below AVX2: SSE2 on x86-64 (no FMA), NEON on AArch64 (FMA).
inline int peak_lanes(somtile::Isa isa, bool double_precision, bool* fma = nullptr) {
  const int bytes = isa == somtile::Isa::avx512 ? 64 : isa == somtile::Isa::avx2 ? 32 : 16;
  bool has_fma = isa != somtile::Isa::baseline;
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
  has_fma = true;
#endif
  if (fma) *fma = has_fma;
  return bytes / (double_precision ? 8 : 4);
}

inline const char* level_name(somtile::Isa isa) {
  if (isa != somtile::Isa::baseline) return somtile::isa_name(isa);
#if defined(__x86_64__) || defined(__i386__)
  return "sse2";
#else
  return "baseline";
#endif
}

/// Cores a run with `threads` threads (0: all the runtime offers) keeps busy: at most the
/// physical cores (hyperthreads share a core's FMA units).
inline int peak_cores(int threads) {
  return std::max(1, std::min(somtile::detail::resolve_threads(threads), machine().cores));
}

/// The FMA peak in GFLOP/s of `threads` threads on kernels of level `isa`: cores x FMA units x
/// lanes x 2 (an FMA is two flops; without FMA a unit does a multiply or an add: 1) x clock.
/// 0 when the clock is unknown. An upper bound: AVX-512 code may run below the clock used.
inline double fma_peak_gflops(int threads, somtile::Isa isa, bool double_precision) {
  bool fma = false;
  const int lanes = peak_lanes(isa, double_precision, &fma);
  return double(peak_cores(threads)) * fma_units(machine(), isa) * lanes * (fma ? 2 : 1) * machine().clock_ghz;
}

/// "    <what>: 150.2 GFLOP/s = 36% of the FMA peak 416.0 GFLOP/s (2 cores x 2 FMA units x 16
/// float lanes x 2 flops x 2.60 GHz, avx512)".
inline void print_peak_fraction(double gflop_per_s, int threads, somtile::Isa isa, bool double_precision,
                                const std::string& what) {
  bool fma = false;
  const int lanes = peak_lanes(isa, double_precision, &fma), cores = peak_cores(threads);
  const double peak = fma_peak_gflops(threads, isa, double_precision);
  if (peak <= 0) {
    std::printf("    %s: %.1f GFLOP/s (FMA peak unknown: no clock found)\n", what.c_str(), gflop_per_s);
    return;
  }
  std::printf(
      "    %s: %.1f GFLOP/s = %.1f%% of the FMA peak %.1f GFLOP/s (%d core%s x %d FMA units x %d %s lanes x %s x %.2f "
      "GHz, %s)\n",
      what.c_str(), gflop_per_s, 100.0 * gflop_per_s / peak, peak, cores, cores > 1 ? "s" : "",
      fma_units(machine(), isa), lanes, double_precision ? "double" : "float", fma ? "2 flops" : "1 flop (no FMA)",
      machine().clock_ghz, level_name(isa));
}

/// For a figure that has no meaningful fraction of the FMA peak: says why instead.
inline void print_no_peak(const std::string& what, const std::string& why) {
  std::printf("    %s: no fraction of the FMA peak: %s\n", what.c_str(), why.c_str());
}

/// What a figure was measured on and built for: the CPU's model and vector extensions, the
/// -march and compiler of this build, and the level somtile's BMU kernel runs at; then the FMA
/// peak the machine implies per core and for all its cores, at each level the CPU has, and
/// where the clock and the FMA unit count came from.
inline void print_machine() {
  const Machine& m = machine();
  std::string has;
  for (const char* x : {"sse2", "avx2", "fma", "avx512f", "asimd"})
    if (m.has(x)) has += std::string(has.empty() ? "" : ",") + x;
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
  std::printf("# CPU: %s (%s) | build: -march=%s, compiled for %s, %s | BMU kernel: %s\n", m.model.c_str(), has.c_str(),
              SOMTILE_BENCH_ARCH, compiled, compiler, somtile::isa_name(somtile::active_isa()));
  if (m.clock_ghz <= 0) {
    std::printf("# FMA peak: unknown (no clock in cpufreq or /proc/cpuinfo)\n");
    return;
  }
  std::string units_source;
  const int units = fma_units(m, somtile::detail::cpu_isa(), &units_source);
  std::printf("# FMA peak: %d core%s (%d logical CPUs%s), clock %.2f GHz from %s; FMA units per core at %s: %d (%s)\n",
              m.cores, m.cores > 1 ? "s" : "", m.logical,
              m.hypervisor.empty() ? "" : (", " + m.hypervisor + " guest").c_str(), m.clock_ghz, m.clock_source.c_str(),
              level_name(somtile::detail::cpu_isa()), units, units_source.c_str());
  std::string levels;
  for (int l = int(somtile::detail::compiled_isa); l <= int(somtile::detail::cpu_isa()); ++l) {  // the kernels' levels
    const auto isa = somtile::Isa(l);
    char text[160];
    std::snprintf(text, sizeof text, "%s%s %.1f float / %.1f double per core, %.1f / %.1f all cores",
                  levels.empty() ? "" : "; ", level_name(isa), fma_peak_gflops(1, isa, false),
                  fma_peak_gflops(1, isa, true), fma_peak_gflops(m.cores, isa, false),
                  fma_peak_gflops(m.cores, isa, true));
    levels += text;
  }
  std::printf("# FMA peak GFLOP/s = cores x FMA units x lanes x 2 x clock: %s\n", levels.c_str());
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
