// racelab/semaphore.h — a counting semaphore the harness can watch.
//
// This header defines:
//   racelab::counting_semaphore<Max>   like std::counting_semaphore<Max>
//
// Built on racelab::mutex and racelab::condition_variable, so a thread blocked
// in acquire() is known to the watchdog (a `hang` names it) and every
// operation is an interleaving point. It is also the dependable choice here:
// libstdc++'s std::counting_semaphore can miss a wakeup under contention and
// sleep for ever although a slot is free (GCC bugs 98033 and 104928); with
// Debian 12's libstdc++ 12, case 15_semaphore_limit's fixed variant written
// with it hung twice in about 1,660 runs.
//
// Memory ordering: release() happens before the acquire() that takes its slot.
#pragma once

#include <cstddef>
#include <mutex>
#include <source_location>

#include "racelab/condition_variable.h"
#include "racelab/mutex.h"

namespace racelab {

template <std::ptrdiff_t Max = 1 << 30>
class counting_semaphore {
 public:
  /// `desired`: the slots free at the start, 0 ≤ desired ≤ Max.
  explicit counting_semaphore(std::ptrdiff_t desired) : count_(desired) {}
  counting_semaphore(const counting_semaphore&) = delete;
  counting_semaphore& operator=(const counting_semaphore&) = delete;

  /// Blocks until a slot is free, then takes it.
  void acquire(std::source_location where = std::source_location::current()) {
    std::unique_lock lock(mutex_);
    freed_.wait(lock, [&] { return count_ > 0; }, where);
    --count_;
  }

  /// Takes a slot if one is free; never blocks.
  bool try_acquire() {
    std::lock_guard lock(mutex_);
    if (count_ == 0) return false;
    --count_;
    return true;
  }

  /// Frees `update` slots. Requires: the count stays ≤ Max.
  void release(std::ptrdiff_t update = 1) {
    {
      std::lock_guard lock(mutex_);
      count_ += update;
    }
    freed_.notify_all();
  }

  static constexpr std::ptrdiff_t max() noexcept { return Max; }

 private:
  mutex mutex_;
  condition_variable freed_;
  std::ptrdiff_t count_;  ///< guarded by mutex_
};

}  // namespace racelab
