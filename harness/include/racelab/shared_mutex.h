// racelab/shared_mutex.h — a reader/writer mutex that knows its readers.
//
// This header defines:
//   racelab::shared_mutex   like std::shared_mutex
//
// Standard member names, so std::shared_lock, std::unique_lock and
// std::lock_guard work on it. Like racelab::mutex, its exclusive side tracks
// the owner and the waiters, feeds the lock-order graph, and is an
// interleaving point. Its shared side remembers which threads read and where
// they took it, so that the mistake this mutex invites becomes a verdict:
//
//   * lock() by a thread that holds it shared — "upgrading" a read lock —
//     would wait for every reader to leave, the caller included: it blocks
//     for ever, however many other readers there are. The run ends at once
//     with `self_deadlock` and both sites;
//   * lock_shared() by the thread that holds it exclusively, or lock() twice,
//     ends the same way.
//
// Shared acquisitions add no lock-order edges (only exclusive ones do). For
// clang's -Wthread-safety it is a capability held exclusively or shared.
//
// Memory ordering: exactly that of the std::shared_mutex underneath.
#pragma once

#include <atomic>
#include <cstdint>
#include <shared_mutex>
#include <utility>
#include <vector>

#include "racelab/detail/runtime.h"
#include "racelab/detail/thread_annotations.h"

namespace racelab {

class RACELAB_CAPABILITY("shared_mutex") shared_mutex : private detail::Lockable {
 public:
  shared_mutex() noexcept;

  // shared_mutex::~shared_mutex()
  //
  // Requires: no thread holds it exclusively (else: `mutex_misuse`).
  ~shared_mutex();

  // shared_mutex::lock()
  //
  // Blocks until the calling thread holds the mutex exclusively.
  // Requires: the calling thread holds it in neither mode (else:
  // `self_deadlock`, and the run ends at once).
  void lock() RACELAB_ACQUIRE();

  // shared_mutex::try_lock()
  //
  // Takes it exclusively if no thread holds it and returns true; returns
  // false at once otherwise (also when the caller holds it exclusively).
  bool try_lock() RACELAB_TRY_ACQUIRE(true);

  // shared_mutex::unlock()
  //
  // Gives up exclusive ownership.
  // Requires: the calling thread holds it exclusively (else: `mutex_misuse`,
  // and the unlock still happens).
  void unlock() RACELAB_RELEASE();

  // shared_mutex::lock_shared()
  //
  // Blocks until the calling thread holds the mutex shared.
  // Requires: the calling thread does not hold it exclusively (else:
  // `self_deadlock`, and the run ends at once).
  void lock_shared() RACELAB_ACQUIRE_SHARED();

  // shared_mutex::try_lock_shared()
  //
  // Takes it shared if no writer holds it and returns true; returns false
  // at once otherwise (also when the caller holds it exclusively).
  bool try_lock_shared() RACELAB_TRY_ACQUIRE_SHARED(true);

  // shared_mutex::unlock_shared()
  //
  // Gives up the calling thread's shared hold.
  // Requires: the calling thread holds it shared (else: `mutex_misuse`, and
  // nothing is unlocked, for that would be undefined).
  void unlock_shared() RACELAB_RELEASE_SHARED();

  // shared_mutex::readers()
  //
  // The threads holding it shared right now. A snapshot: no synchronisation.
  int readers() const noexcept { return readers_.load(std::memory_order_relaxed); }

  // shared_mutex::held_by_me(), owner(), waiters()
  //
  // As racelab::mutex's, for the exclusive side; waiters() counts threads
  // blocked in lock() and in lock_shared().
  using detail::Lockable::held_by_me;
  using detail::Lockable::owner;
  using detail::Lockable::waiters;

 private:
  // The calling thread's read acquisition site, or 0 when it is not a reader.
  std::uintptr_t read_site(const detail::ThreadState& me) const;
  void add_reader(detail::ThreadState& me, std::uintptr_t pc);

  std::shared_mutex m_;
  std::atomic<int> readers_{0};
  // The readers and their sites: harness bookkeeping, taken in a QuietScope.
  mutable detail::HarnessMutex readers_mutex_;
  std::vector<std::pair<const detail::ThreadState*, std::uintptr_t>> reader_sites_
      RACELAB_GUARDED_BY(readers_mutex_);
};

}  // namespace racelab
