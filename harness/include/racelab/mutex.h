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
// Both are capabilities for clang's -Wthread-safety: lock() acquires,
// unlock() releases, try_lock() acquires when it returns true.
//
// Memory ordering: exactly that of the standard mutex underneath. lock() is an
// acquire and unlock() a release on the wrapped std::mutex, and ThreadSanitizer
// sees those; the bookkeeping adds no synchronisation of its own.
#pragma once

#include <atomic>
#include <mutex>

#include "racelab/detail/runtime.h"
#include "racelab/detail/thread_annotations.h"

namespace racelab {

// mutex
class RACELAB_CAPABILITY("mutex") mutex : private detail::Lockable {
 public:
  mutex() noexcept = default;

  // mutex::~mutex()
  //
  // Requires: no thread owns it (else: `mutex_misuse`, naming the owner).
  ~mutex();

  // mutex::lock()
  //
  // Blocks until the calling thread owns the mutex.
  // Requires: the calling thread does not own it (else: `self_deadlock`, and
  // the run ends at once).
  void lock() RACELAB_ACQUIRE();

  // mutex::try_lock()
  //
  // Takes the mutex if it is free and returns true; returns false at once
  // otherwise (also when the caller already owns it, like std::mutex may).
  bool try_lock() RACELAB_TRY_ACQUIRE(true);

  // mutex::unlock()
  //
  // Requires: the calling thread owns the mutex (else: `mutex_misuse`, and the
  // unlock still happens, as a plain std::mutex would let it).
  void unlock() RACELAB_RELEASE();

  // mutex::held_by_me()
  //
  // Whether the calling thread owns the mutex. For assertions in code that
  // needs the lock held (as absl::Mutex::AssertHeld()) and for tests.
  // Guarantees: exact for the caller, whatever other threads do (only the
  // owner marks itself the owner); no synchronisation.
  using detail::Lockable::held_by_me;

  // mutex::owner()
  //
  // The ordinal of the owning thread in the current run (0 the body's
  // thread, 1, 2, … its racelab::threads), or -1 when the mutex is free or
  // held by a thread outside the run. A snapshot: another thread's answer
  // may be stale by the time it returns.
  using detail::Lockable::owner;

  // mutex::waiters()
  //
  // The threads blocked in lock() right now. A snapshot, as owner().
  using detail::Lockable::waiters;

 private:
  std::mutex m_;
};

// recursive_mutex
//
// As racelab::mutex, but the owner may lock again; it is released when
// unlock() has been called as often as lock() / successful try_lock().
// (-Wthread-safety counts no re-entry: it warns about a second lock of it
// in the same function.)
class RACELAB_CAPABILITY("mutex") recursive_mutex : private detail::Lockable {
 public:
  recursive_mutex() noexcept;

  // recursive_mutex::~recursive_mutex()
  //
  // Requires: no thread owns it (else: `mutex_misuse`, naming the owner).
  ~recursive_mutex();

  // recursive_mutex::lock()
  //
  // Blocks until the calling thread owns the mutex; at once when it already
  // does (one level deeper, adding no lock-order edge).
  void lock() RACELAB_ACQUIRE();

  // recursive_mutex::try_lock()
  //
  // As lock(), but returns false at once instead of blocking.
  bool try_lock() RACELAB_TRY_ACQUIRE(true);

  // recursive_mutex::unlock()
  //
  // Gives up one level; the mutex is free when the last one goes.
  // Requires: the calling thread owns it (else: `mutex_misuse`, and nothing
  // is unlocked, for that would be undefined).
  void unlock() RACELAB_RELEASE();

  // recursive_mutex::depth()
  //
  // How many levels the owner holds (0 when free). Exact for the owner; a
  // snapshot for any other thread.
  int depth() const noexcept { return depth_.load(std::memory_order_relaxed); }

  // recursive_mutex::held_by_me(), owner(), waiters()
  //
  // As racelab::mutex's.
  using detail::Lockable::held_by_me;
  using detail::Lockable::owner;
  using detail::Lockable::waiters;

 private:
  std::recursive_mutex m_;
  std::atomic<int> depth_{0};
};

}  // namespace racelab
