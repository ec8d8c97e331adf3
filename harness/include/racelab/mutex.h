// racelab/mutex.h — drop-in mutexes that know who holds them.
//
// This header defines:
//   racelab::mutex            like std::mutex
//   racelab::recursive_mutex  like std::recursive_mutex
//
// Both keep the standard member names (lock, try_lock, unlock), so
// std::lock_guard, std::scoped_lock and std::unique_lock work on them. On top
// of the standard behaviour each one
//   * tracks its owner and how many threads wait for it (the watchdog reads
//     this to explain a hang or a deadlock);
//   * calls racelab::interleave() before lock() and try_lock() and after
//     unlock(), so the run's strategy can perturb around lock operations;
//   * turns a mistake that would hang or be undefined into a verdict:
//     re-locking a racelab::mutex the thread already owns ends the run at once
//     with `self_deadlock` (a std::mutex would simply hang, and TSan says
//     nothing); unlocking a mutex the thread does not own is `mutex_misuse`.
//
// Memory ordering: exactly that of the standard mutex underneath. lock() is an
// acquire and unlock() a release on the wrapped std::mutex, and ThreadSanitizer
// sees those; the bookkeeping adds no synchronisation of its own.
#pragma once

#include <atomic>
#include <mutex>

#include "racelab/detail/runtime.h"

namespace racelab {

// mutex
class mutex {
 public:
  mutex() noexcept = default;
  mutex(const mutex&) = delete;
  mutex& operator=(const mutex&) = delete;
  ~mutex();

  // mutex::lock()
  //
  // Blocks until the calling thread owns the mutex.
  // Requires: the calling thread does not own it (else: `self_deadlock`).
  void lock();

  // mutex::try_lock()
  //
  // Takes the mutex if it is free and returns true; returns false at once
  // otherwise (also when the caller already owns it, like std::mutex may).
  bool try_lock();

  // mutex::unlock()
  //
  // Requires: the calling thread owns the mutex (else: `mutex_misuse`, and the
  // unlock still happens, as a plain std::mutex would let it).
  void unlock();

  /// The ordinal of the owning thread in the current run, or -1 when free.
  int owner() const noexcept;
  /// True when the calling thread owns the mutex.
  bool held_by_me() const noexcept;
  /// Threads blocked in lock() right now.
  int waiters() const noexcept { return waiters_.load(std::memory_order_relaxed); }

 private:
  std::mutex m_;
  std::atomic<detail::ThreadState*> owner_{nullptr};
  std::atomic<int> waiters_{0};
};

// recursive_mutex
//
// As racelab::mutex, but the owner may lock again; it is released when
// unlock() has been called as often as lock() / successful try_lock().
class recursive_mutex {
 public:
  recursive_mutex() noexcept = default;
  recursive_mutex(const recursive_mutex&) = delete;
  recursive_mutex& operator=(const recursive_mutex&) = delete;
  ~recursive_mutex();

  void lock();
  bool try_lock();
  void unlock();

  int owner() const noexcept;
  bool held_by_me() const noexcept;
  int waiters() const noexcept { return waiters_.load(std::memory_order_relaxed); }
  /// How many times the owner holds it (0 when free). Meaningful to the owner.
  int depth() const noexcept { return depth_.load(std::memory_order_relaxed); }

 private:
  std::recursive_mutex m_;
  std::atomic<detail::ThreadState*> owner_{nullptr};
  std::atomic<int> waiters_{0};
  std::atomic<int> depth_{0};
};

}  // namespace racelab
