#include "racelab/mutex.h"

#include <fmt/format.h>

#include "racelab/interleave.h"

namespace racelab {

namespace {

int ordinal_of(const detail::ThreadState* state) noexcept {
  return state != nullptr ? state->ordinal : -1;
}

// Blocks in `m.lock()` with the calling thread marked as waiting on `self`,
// so the watchdog can say who waits for what.
template <class Mutex>
void blocking_lock(Mutex& m, const void* self, std::atomic<int>& waiters) {
  detail::ThreadState& me = detail::self();
  waiters.fetch_add(1, std::memory_order_relaxed);
  me.waiting_on.store(self, std::memory_order_relaxed);
  m.lock();
  me.waiting_on.store(nullptr, std::memory_order_relaxed);
  waiters.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace

// ---- mutex ----

mutex::~mutex() {
  if (owner_.load(std::memory_order_relaxed) != nullptr)
    detail::note(Verdict::mutex_misuse,
                 fmt::format("a racelab::mutex was destroyed while thread T{} held it",
                             ordinal_of(owner_.load(std::memory_order_relaxed))));
}

void mutex::lock() {
  interleave();
  detail::ThreadState& me = detail::self();
  // Only the owner stores itself into owner_, so this relaxed read is exact
  // for the question "do I own it?".
  if (owner_.load(std::memory_order_relaxed) == &me)
    detail::end_run(Verdict::self_deadlock,
                    fmt::format("thread T{} locks a racelab::mutex it already owns; a "
                                "non-recursive mutex would block it forever",
                                me.ordinal));
  blocking_lock(m_, this, waiters_);
  owner_.store(&me, std::memory_order_relaxed);
}

bool mutex::try_lock() {
  interleave();
  detail::ThreadState& me = detail::self();
  if (owner_.load(std::memory_order_relaxed) == &me) return false;
  if (!m_.try_lock()) return false;
  owner_.store(&me, std::memory_order_relaxed);
  return true;
}

void mutex::unlock() {
  detail::ThreadState& me = detail::self();
  detail::ThreadState* owner = owner_.load(std::memory_order_relaxed);
  if (owner != &me)
    detail::note(Verdict::mutex_misuse,
                 owner == nullptr
                     ? fmt::format("thread T{} unlocks a racelab::mutex that is not locked",
                                   me.ordinal)
                     : fmt::format("thread T{} unlocks a racelab::mutex owned by thread T{}",
                                   me.ordinal, owner->ordinal));
  owner_.store(nullptr, std::memory_order_relaxed);
  m_.unlock();
  interleave();
}

int mutex::owner() const noexcept { return ordinal_of(owner_.load(std::memory_order_relaxed)); }

bool mutex::held_by_me() const noexcept {
  return owner_.load(std::memory_order_relaxed) == &detail::self();
}

// ---- recursive_mutex ----

recursive_mutex::~recursive_mutex() {
  if (owner_.load(std::memory_order_relaxed) != nullptr)
    detail::note(Verdict::mutex_misuse,
                 fmt::format("a racelab::recursive_mutex was destroyed while thread T{} held it",
                             ordinal_of(owner_.load(std::memory_order_relaxed))));
}

void recursive_mutex::lock() {
  interleave();
  detail::ThreadState& me = detail::self();
  if (owner_.load(std::memory_order_relaxed) == &me) {
    m_.lock();  // re-entry: never blocks
  } else {
    blocking_lock(m_, this, waiters_);
    owner_.store(&me, std::memory_order_relaxed);
  }
  depth_.store(depth_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

bool recursive_mutex::try_lock() {
  interleave();
  detail::ThreadState& me = detail::self();
  if (!m_.try_lock()) return false;
  owner_.store(&me, std::memory_order_relaxed);
  depth_.store(depth_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  return true;
}

void recursive_mutex::unlock() {
  detail::ThreadState& me = detail::self();
  detail::ThreadState* owner = owner_.load(std::memory_order_relaxed);
  if (owner != &me) {
    detail::note(Verdict::mutex_misuse,
                 fmt::format("thread T{} unlocks a racelab::recursive_mutex it does not own",
                             me.ordinal));
    return;  // unlocking a std::recursive_mutex one does not own is undefined
  }
  int depth = depth_.load(std::memory_order_relaxed) - 1;
  depth_.store(depth, std::memory_order_relaxed);
  if (depth == 0) owner_.store(nullptr, std::memory_order_relaxed);
  m_.unlock();
  interleave();
}

int recursive_mutex::owner() const noexcept {
  return ordinal_of(owner_.load(std::memory_order_relaxed));
}

bool recursive_mutex::held_by_me() const noexcept {
  return owner_.load(std::memory_order_relaxed) == &detail::self();
}

}  // namespace racelab
