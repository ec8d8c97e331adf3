// racelab/barrier.h — a barrier the harness can watch.
//
// This header defines:
//   racelab::barrier   like std::barrier<> (no completion function)
//
// A thread blocked in arrive_and_wait() is known to the watchdog, so a
// barrier that can never fill (a participant count off by one, a thread that
// left early) ends the run as a `hang` naming the waiters, within a fraction
// of a second instead of at the run's time limit.
//
// Memory ordering: as std::barrier: everything a thread did before arriving
// happens before every thread's return from the same phase's wait.
#pragma once

#include <barrier>
#include <cstddef>
#include <source_location>

#include "racelab/detail/runtime.h"
#include "racelab/interleave.h"

namespace racelab {

class barrier {
 public:
  // barrier::barrier(expected)
  //
  // Requires: expected ≥ 0, the threads that must arrive in each phase.
  explicit barrier(std::ptrdiff_t expected) : impl_(expected) {}
  barrier(const barrier&) = delete;
  barrier& operator=(const barrier&) = delete;

  // barrier::arrive_and_wait()
  //
  // Arrives and blocks until all `expected` threads have arrived in this
  // phase.
  // Requires: fewer than `expected` threads have arrived in this phase.
  // Guarantees: while blocked, the thread is a waiter the watchdog names in a
  // `hang`.
  // (`where` is filled in by the compiler: the caller's line, for diagnoses.)
  void arrive_and_wait(std::source_location where = std::source_location::current()) {
    interleave();
    detail::WaitScope waiting(detail::Wait::condition, this, "racelab::barrier",
                              where.file_name(), static_cast<int>(where.line()));
    impl_.arrive_and_wait();
  }

  // barrier::arrive_and_drop()
  //
  // Arrives without waiting, and leaves: later phases expect one thread
  // fewer.
  // Requires: fewer than `expected` threads have arrived in this phase.
  void arrive_and_drop() {
    interleave();
    impl_.arrive_and_drop();
  }

 private:
  std::barrier<> impl_;
};

}  // namespace racelab
