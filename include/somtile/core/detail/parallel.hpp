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

/// Number of the calling thread inside a parallel_for body, in [0, resolve_threads(threads))
/// for that loop's `threads`: an index into per-thread scratch that tasks reuse. Results must
/// not depend on it.
inline int thread_slot() {
#if defined(_OPENMP)
  return omp_get_thread_num();
#else
  return 0;
#endif
}

/// Below this many multiply-adds a loop runs on one thread: starting and joining a team costs
/// more than it saves, and far more when the machine is busy and a thread is descheduled.
inline constexpr double min_parallel_work = 1 << 18;

/// Calls body(task) for task = 0 .. n_tasks-1, spread over `threads` threads. `work_per_task`
/// (in multiply-adds) lets small loops stay serial.
template <typename Body>
void parallel_for(Index n_tasks, int threads, Body&& body, double work_per_task = min_parallel_work) {
#if defined(_OPENMP)
  const bool worth_it = n_tasks > 1 && double(n_tasks) * work_per_task >= min_parallel_work;
  const int t = worth_it ? resolve_threads(threads) : 1;
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
  (void)work_per_task;
  for (Index task = 0; task < n_tasks; ++task) body(task);
#endif
}

/// Runs body(thread, threads) once on each thread of a team of `threads` (fewer if the runtime
/// gives fewer; one without OpenMP) that stays together for the whole call, meeting at
/// team_barrier(). For loops of many short steps that each thread can do on its own share of
/// the data; the bodies must split the work by `thread` and `threads` so that results do not
/// depend on them.
template <typename Body>
void parallel_team(int threads, Body&& body) {
#if defined(_OPENMP)
#pragma omp parallel num_threads(resolve_threads(threads))
  {
    omp_set_num_threads(1);  // as in parallel_for: products inside stay on their thread
    body(omp_get_thread_num(), omp_get_num_threads());
  }
#else
  (void)threads;
  body(0, 1);
#endif
}

/// Waits until every thread of the enclosing parallel_team arrives.
inline void team_barrier() {
#if defined(_OPENMP)
#pragma omp barrier
#endif
}

/// Calls body(begin, end) over consecutive chunks of [0, n) of at most `chunk` items.
/// `work_per_item` as above, per item.
template <typename Body>
void parallel_for_chunks(Index n, Index chunk, int threads, Body&& body, double work_per_item = min_parallel_work) {
  const Index n_chunks = (n + chunk - 1) / chunk;
  parallel_for(
      n_chunks, threads,
      [&](Index c) {
        const Index begin = c * chunk;
        body(begin, std::min(n, begin + chunk));
      },
      work_per_item * double(chunk));
}

}  // namespace somtile::detail
