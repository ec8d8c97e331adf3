// racelab/semaphore.h — a counting semaphore the harness can watch.
//
// This header defines:
//   racelab::counting_semaphore<Max>   like std::counting_semaphore<Max>
//
// Built on racelab::mutex and racelab::condition_variable, so a thread blocked
// in acquire() is known to the watchdog (a `hang` names it) and every
// operation is an interleaving point. (libstdc++'s std::counting_semaphore
// can also miss a wakeup under contention: GCC bugs 98033 and 104928.)
//
// Memory ordering: release() happens before the acquire() that takes its slot.
#pragma once

#include <cstddef>
#include <source_location>

#include "racelab/condition_variable.h"
#include "racelab/detail/thread_annotations.h"
#include "racelab/mutex.h"

namespace racelab {

template <std::ptrdiff_t Max = 1 << 30>
class counting_semaphore {
 public:
  // counting_semaphore::counting_semaphore(desired)
  //
  // Requires: 0 ≤ desired ≤ Max, the slots free at the start.
  explicit counting_semaphore(std::ptrdiff_t desired) : count_(desired) {}
  counting_semaphore(const counting_semaphore&) = delete;
  counting_semaphore& operator=(const counting_semaphore&) = delete;

  // counting_semaphore::acquire()
  //
  // Blocks until a slot is free, then takes it.
  // (`where` is filled in by the compiler: the caller's line, for diagnoses.)
  void acquire(std::source_location where = std::source_location::current())
      RACELAB_EXCLUDES(mutex_) {
    detail::UniqueLock lock(mutex_);
    while (count_ == 0) freed_.wait(lock.waitable(), where);
    --count_;
  }

  // counting_semaphore::try_acquire()
  //
  // Takes a slot and returns true if one is free; returns false at once
  // otherwise.
  bool try_acquire() RACELAB_EXCLUDES(mutex_) {
    detail::ScopedLock lock(mutex_);
    if (count_ == 0) return false;
    --count_;
    return true;
  }

  // counting_semaphore::release()
  //
  // Frees `update` slots and wakes the threads waiting for one.
  // Requires: update ≥ 0, and the count stays ≤ Max.
  void release(std::ptrdiff_t update = 1) RACELAB_EXCLUDES(mutex_) {
    {
      detail::ScopedLock lock(mutex_);
      count_ += update;
    }
    freed_.notify_all();
  }

  // counting_semaphore::max()
  //
  // The largest count the semaphore holds: Max.
  static constexpr std::ptrdiff_t max() noexcept { return Max; }

 private:
  mutex mutex_;
  condition_variable freed_;
  std::ptrdiff_t count_ RACELAB_GUARDED_BY(mutex_);
};

}  // namespace racelab
