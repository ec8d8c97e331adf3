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
// Shared acquisitions add no lock-order edges (only exclusive ones do).
//
// Memory ordering: exactly that of the std::shared_mutex underneath.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <utility>
#include <vector>

#include "racelab/detail/runtime.h"

namespace racelab {

class shared_mutex : public detail::Lockable {
 public:
  shared_mutex() noexcept;
  ~shared_mutex();

  // Exclusive (writer) side.
  // Requires: the calling thread holds it in neither mode (else:
  // `self_deadlock`).
  void lock();
  bool try_lock();
  // Requires: the calling thread holds it exclusively (else: `mutex_misuse`).
  void unlock();

  // Shared (reader) side.
  // Requires: the calling thread does not hold it exclusively (else:
  // `self_deadlock`).
  void lock_shared();
  bool try_lock_shared();
  // Requires: the calling thread holds it shared (else: `mutex_misuse`).
  void unlock_shared();

  /// Threads holding it shared right now.
  int readers() const noexcept { return readers_.load(std::memory_order_relaxed); }

 private:
  // The calling thread's read acquisition site, or 0 when it is not a reader.
  std::uintptr_t read_site(const detail::ThreadState& me) const;
  void add_reader(detail::ThreadState& me, std::uintptr_t pc);

  std::shared_mutex m_;
  std::atomic<int> readers_{0};
  mutable std::mutex readers_mutex_;  ///< harness bookkeeping, hidden from TSan
  std::vector<std::pair<const detail::ThreadState*, std::uintptr_t>> reader_sites_;
};

}  // namespace racelab
