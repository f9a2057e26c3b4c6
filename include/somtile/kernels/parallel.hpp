#pragma once
// The one place somtile talks to OpenMP. Everything parallel is a loop over independent
// tasks whose results land in fixed slots, so output never depends on the thread count.
// Bodies must not throw: callers validate their input before entering a parallel loop.

#include "somtile/core/types.hpp"

#include <algorithm>

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace somtile::detail {

/// Threads to use for a request: 0 means all the runtime offers; without OpenMP, always 1.
inline int resolve_threads(int requested) {
#if defined(_OPENMP)
  return requested > 0 ? requested : omp_get_max_threads();
#else
  (void)requested;
  return 1;
#endif
}

/// Calls body(task) for task = 0 .. n_tasks-1, spread over `threads` threads.
template <typename Body>
void parallel_for(Index n_tasks, int threads, Body&& body) {
#if defined(_OPENMP)
  const int t = n_tasks > 1 ? resolve_threads(threads) : 1;
  // Even a serial run sits in a parallel region whose threads ask for one thread below them:
  // Eigen's products inside the tasks then stay single-threaded instead of starting threads of
  // their own, so n_threads is what runs (the setting is local to the region's tasks).
#pragma omp parallel num_threads(t)
  {
    omp_set_num_threads(1);
#pragma omp for schedule(dynamic, 1)
    for (Index task = 0; task < n_tasks; ++task) body(task);
  }
#else
  (void)threads;
  for (Index task = 0; task < n_tasks; ++task) body(task);
#endif
}

/// Calls body(begin, end) over consecutive chunks of [0, n) of at most `chunk` items.
template <typename Body>
void parallel_for_chunks(Index n, Index chunk, int threads, Body&& body) {
  const Index n_chunks = (n + chunk - 1) / chunk;
  parallel_for(n_chunks, threads, [&](Index c) {
    const Index begin = c * chunk;
    body(begin, std::min(n, begin + chunk));
  });
}

}  // namespace somtile::detail
