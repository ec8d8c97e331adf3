// racelab/interleave.h — interleaving points and progress.
//
// This header defines:
//   racelab::interleave()   a point where another thread may run
//   racelab::progress()     a note that the calling thread did useful work
//
// Cases mark the places where a schedule change matters (between a read and
// the write that depends on it, between a check and the act) with
// interleave(). What a point does is decided by the run's strategy (see
// racelab/verdict.h) from an RNG seeded per run and per thread, so the same
// seed asks for the same perturbations.
#pragma once

#include <atomic>

#include "racelab/detail/runtime.h"

namespace racelab {

// interleave()
//
// Counts a step of the calling thread and, under a perturbing strategy, may
// yield or sleep. Under strategy `none` it is a thread-local increment.
//
// Guarantees: no synchronisation (it never creates a happens-before edge, so
// it cannot hide a race from ThreadSanitizer); outside a run (plain unit
// tests) it never perturbs.
inline void interleave() noexcept {
  detail::ThreadState& self = detail::self();
  self.steps.store(self.steps.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  if (detail::g_perturbing.load(std::memory_order_relaxed)) detail::perturb(self);
}

// progress()
//
// Records that the calling thread completed a unit of useful work (a
// transfer, a message, a meal). The watchdog tells a livelock (many steps,
// no progress) from a slow run by it.
// Guarantees: no synchronisation, as interleave(); it never perturbs.
inline void progress() noexcept {
  detail::ThreadState& self = detail::self();
  self.progress.store(self.progress.load(std::memory_order_relaxed) + 1,
                      std::memory_order_relaxed);
}

}  // namespace racelab
