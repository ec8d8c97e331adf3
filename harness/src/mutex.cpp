// racelab::mutex, recursive_mutex and shared_mutex: each lock operation
// around the standard mutex underneath, with Lockable's bookkeeping
// (locks.cpp). The analysis skips these bodies: they are the locks.
#include "racelab/mutex.h"

#include <fmt/format.h>

#include "racelab/interleave.h"
#include "racelab/shared_mutex.h"

namespace racelab {

// ---- mutex ----

mutex::~mutex() = default;

void mutex::lock() RACELAB_NO_THREAD_SAFETY_ANALYSIS {
  const std::uintptr_t pc = RACELAB_CALLER_PC();
  interleave();
  detail::ThreadState& me = detail::self();
  // Only the owner stores itself into owner_, so this relaxed read is exact
  // for the question "do I own it?".
  if (!detail::g_plain && owner_.load(std::memory_order_relaxed) == &me) relocked(me, pc);
  blocking(me, pc);
  m_.lock();
  acquired(me, pc, /*blocking=*/true);
}

bool mutex::try_lock() RACELAB_NO_THREAD_SAFETY_ANALYSIS {
  const std::uintptr_t pc = RACELAB_CALLER_PC();
  interleave();
  detail::ThreadState& me = detail::self();
  if (owner_.load(std::memory_order_relaxed) == &me) return false;
  if (!m_.try_lock()) return false;
  acquired(me, pc, /*blocking=*/false);
  return true;
}

void mutex::unlock() RACELAB_NO_THREAD_SAFETY_ANALYSIS {
  released(detail::self());
  m_.unlock();
  interleave();
}

// ---- recursive_mutex ----

recursive_mutex::recursive_mutex() noexcept { kind_ = "racelab::recursive_mutex"; }

recursive_mutex::~recursive_mutex() = default;

void recursive_mutex::lock() RACELAB_NO_THREAD_SAFETY_ANALYSIS {
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

bool recursive_mutex::try_lock() RACELAB_NO_THREAD_SAFETY_ANALYSIS {
  const std::uintptr_t pc = RACELAB_CALLER_PC();
  interleave();
  detail::ThreadState& me = detail::self();
  const bool reentry = owner_.load(std::memory_order_relaxed) == &me;
  if (!m_.try_lock()) return false;
  if (!reentry) acquired(me, pc, /*blocking=*/false);
  depth_.store(depth_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  return true;
}

void recursive_mutex::unlock() RACELAB_NO_THREAD_SAFETY_ANALYSIS {
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

// ---- shared_mutex ----

shared_mutex::shared_mutex() noexcept { kind_ = "racelab::shared_mutex"; }

shared_mutex::~shared_mutex() = default;

std::uintptr_t shared_mutex::read_site(const detail::ThreadState& me) const {
  detail::QuietScope quiet;
  detail::ScopedLock lock(readers_mutex_);
  for (const auto& [reader, pc] : reader_sites_)
    if (reader == &me) return pc;
  return 0;
}

void shared_mutex::add_reader(detail::ThreadState& me, std::uintptr_t pc) {
  // Plain runs keep no reader sites: readers_mutex_ would order the readers
  // in valgrind's eyes (QuietScope hides it from TSan only).
  if (!detail::g_plain) {
    detail::QuietScope quiet;
    detail::ScopedLock lock(readers_mutex_);
    reader_sites_.emplace_back(&me, pc);
  }
  readers_.fetch_add(1, std::memory_order_relaxed);
}

void shared_mutex::lock() RACELAB_NO_THREAD_SAFETY_ANALYSIS {
  const std::uintptr_t pc = RACELAB_CALLER_PC();
  interleave();
  detail::ThreadState& me = detail::self();
  if (!detail::g_plain && owner_.load(std::memory_order_relaxed) == &me) relocked(me, pc);
  if (std::uintptr_t read_pc = detail::g_plain ? 0 : read_site(me); read_pc != 0)
    detail::end_run(
        Verdict::self_deadlock,
        fmt::format("thread T{} asks for racelab::shared_mutex M{} exclusively at {} while it "
                    "holds it shared since {}: the write lock waits for every reader to leave, "
                    "this thread included, so it would block forever (a shared lock cannot be "
                    "upgraded; {} reader(s) now)",
                    me.ordinal, id(), detail::site(pc), detail::site(read_pc), readers()));
  blocking(me, pc);
  m_.lock();
  acquired(me, pc, /*blocking=*/true);
}

bool shared_mutex::try_lock() RACELAB_NO_THREAD_SAFETY_ANALYSIS {
  const std::uintptr_t pc = RACELAB_CALLER_PC();
  interleave();
  detail::ThreadState& me = detail::self();
  if (owner_.load(std::memory_order_relaxed) == &me) return false;
  if (!m_.try_lock()) return false;
  acquired(me, pc, /*blocking=*/false);
  return true;
}

void shared_mutex::unlock() RACELAB_NO_THREAD_SAFETY_ANALYSIS {
  released(detail::self());
  m_.unlock();
  interleave();
}

void shared_mutex::lock_shared() RACELAB_NO_THREAD_SAFETY_ANALYSIS {
  const std::uintptr_t pc = RACELAB_CALLER_PC();
  interleave();
  detail::ThreadState& me = detail::self();
  if (!detail::g_plain && owner_.load(std::memory_order_relaxed) == &me)
    detail::end_run(
        Verdict::self_deadlock,
        fmt::format("thread T{} asks for racelab::shared_mutex M{} shared at {} while it holds "
                    "it exclusively since {}; it would block forever",
                    me.ordinal, id(), detail::site(pc),
                    detail::site(acquired_pc_.load(std::memory_order_relaxed))));
  blocking(me, pc);
  m_.lock_shared();
  // A reader is no owner: undo what blocking() marked, without acquired().
  me.wait.store(detail::Wait::none, std::memory_order_relaxed);
  me.waiting_on.store(nullptr, std::memory_order_relaxed);
  waiters_.fetch_sub(1, std::memory_order_relaxed);
  add_reader(me, pc);
}

bool shared_mutex::try_lock_shared() RACELAB_NO_THREAD_SAFETY_ANALYSIS {
  const std::uintptr_t pc = RACELAB_CALLER_PC();
  interleave();
  detail::ThreadState& me = detail::self();
  if (owner_.load(std::memory_order_relaxed) == &me) return false;
  if (!m_.try_lock_shared()) return false;
  add_reader(me, pc);
  return true;
}

void shared_mutex::unlock_shared() RACELAB_NO_THREAD_SAFETY_ANALYSIS {
  detail::ThreadState& me = detail::self();
  bool reader = detail::g_plain;
  if (!detail::g_plain) {
    detail::QuietScope quiet;
    detail::ScopedLock lock(readers_mutex_);
    for (auto it = reader_sites_.begin(); it != reader_sites_.end(); ++it)
      if (it->first == &me) {
        reader_sites_.erase(it);
        reader = true;
        break;
      }
  }
  if (!reader) {
    detail::note(Verdict::mutex_misuse,
                 fmt::format("thread T{} calls unlock_shared() on racelab::shared_mutex M{}, "
                             "which it does not hold shared",
                             me.ordinal, id()));
    return;  // unlocking a std::shared_mutex one does not hold is undefined: skip it
  }
  readers_.fetch_sub(1, std::memory_order_relaxed);
  m_.unlock_shared();
  interleave();
}

}  // namespace racelab
