#include "racelab/mutex.h"

#include "racelab/interleave.h"

namespace racelab {

// ---- mutex ----

mutex::~mutex() = default;

void mutex::lock() {
  const std::uintptr_t pc = RACELAB_CALLER_PC();
  interleave();
  detail::ThreadState& me = detail::self();
  // Only the owner stores itself into owner_, so this relaxed read is exact
  // for the question "do I own it?".
  if (owner_.load(std::memory_order_relaxed) == &me) relocked(me, pc);
  blocking(me, pc);
  m_.lock();
  acquired(me, pc, /*blocking=*/true);
}

bool mutex::try_lock() {
  const std::uintptr_t pc = RACELAB_CALLER_PC();
  interleave();
  detail::ThreadState& me = detail::self();
  if (owner_.load(std::memory_order_relaxed) == &me) return false;
  if (!m_.try_lock()) return false;
  acquired(me, pc, /*blocking=*/false);
  return true;
}

void mutex::unlock() {
  released(detail::self());
  m_.unlock();
  interleave();
}

// ---- recursive_mutex ----

recursive_mutex::recursive_mutex() noexcept { kind_ = "racelab::recursive_mutex"; }

recursive_mutex::~recursive_mutex() = default;

void recursive_mutex::lock() {
  const std::uintptr_t pc = RACELAB_CALLER_PC();
  interleave();
  detail::ThreadState& me = detail::self();
  if (owner_.load(std::memory_order_relaxed) == &me) {
    m_.lock();  // re-entry: never blocks, orders nothing new
  } else {
    blocking(me, pc);
    m_.lock();
    acquired(me, pc, /*blocking=*/true);
  }
  depth_.store(depth_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

bool recursive_mutex::try_lock() {
  const std::uintptr_t pc = RACELAB_CALLER_PC();
  interleave();
  detail::ThreadState& me = detail::self();
  const bool reentry = owner_.load(std::memory_order_relaxed) == &me;
  if (!m_.try_lock()) return false;
  if (!reentry) acquired(me, pc, /*blocking=*/false);
  depth_.store(depth_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  return true;
}

void recursive_mutex::unlock() {
  detail::ThreadState& me = detail::self();
  if (owner_.load(std::memory_order_relaxed) != &me) {
    misused(me);  // unlocking a std::recursive_mutex one does not own is undefined: skip it
    return;
  }
  const int depth = depth_.load(std::memory_order_relaxed) - 1;
  depth_.store(depth, std::memory_order_relaxed);
  if (depth == 0) released(me);
  m_.unlock();
  interleave();
}

}  // namespace racelab
