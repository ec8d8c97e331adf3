// racelab/mutex.h — drop-in mutexes that know who holds them.
//
// This header defines:
//   racelab::mutex            like std::mutex
//   racelab::recursive_mutex  like std::recursive_mutex
//
// Both keep the standard member names (lock, try_lock, unlock), so
// std::lock_guard, std::scoped_lock and std::unique_lock work on them. On top
// of the standard behaviour each one
//   * tracks its owner, where the owner took it, and who waits for it: the
//     watchdog reads this to explain a hang or a deadlock (a cycle of threads
//     each waiting for a mutex the next one holds);
//   * feeds a lock-order graph kept for the life of the process: taking B
//     while holding A adds the edge A→B, and an edge that closes a cycle is a
//     potential deadlock (`lock_order_inversion`), reported with the sites of
//     every edge even when no run ever hangs. try_lock() adds no edge: it
//     cannot wait, so it cannot deadlock;
//   * calls racelab::interleave() before lock() and try_lock() and after
//     unlock(), so the run's strategy can perturb around lock operations;
//   * turns a mistake that would hang or be undefined into a verdict:
//     re-locking a racelab::mutex the thread already owns ends the run at once
//     with `self_deadlock` and both sites (a std::mutex would simply hang, and
//     TSan says nothing); unlocking one the thread does not own is
//     `mutex_misuse`.
//
// Sites are the callers' source lines (file:line), found from return
// addresses when a diagnosis is written, so the lock path stays cheap.
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
class mutex : public detail::Lockable {
 public:
  mutex() noexcept = default;
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

 private:
  std::mutex m_;
};

// recursive_mutex
//
// As racelab::mutex, but the owner may lock again; it is released when
// unlock() has been called as often as lock() / successful try_lock().
class recursive_mutex : public detail::Lockable {
 public:
  recursive_mutex() noexcept;
  ~recursive_mutex();

  void lock();
  bool try_lock();
  void unlock();

  /// How many times the owner holds it (0 when free). Meaningful to the owner.
  int depth() const noexcept { return depth_.load(std::memory_order_relaxed); }

 private:
  std::recursive_mutex m_;
  std::atomic<int> depth_{0};
};

}  // namespace racelab
