// Lockable's bookkeeping, the process-wide lock-order graph, and sites.
#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "lock_graph.h"
#include "racelab/detail/thread_annotations.h"
#include "runtime.h"
#include "valgrind.h"

extern "C" void __sanitizer_symbolize_pc(void* pc, const char* fmt, char* out_buf,
                                         std::size_t out_buf_size) __attribute__((weak));

namespace racelab::detail {

// ---- sites ----

std::string site(std::uintptr_t pc) {
  if (pc == 0) return "an unknown site";
  // A return address points after the call; the call itself is one byte back.
  void* call = reinterpret_cast<void*>(pc - 1);
  if (__sanitizer_symbolize_pc == nullptr) return fmt::format("{}", call);
  char buffer[4096] = {};
  __sanitizer_symbolize_pc(call, "%s:%l", buffer, sizeof buffer - 1);
  // One NUL-terminated string per frame, innermost (inlined) first; an empty
  // string ends the list.
  std::string fallback;
  for (const char* frame = buffer; *frame != '\0' && frame < buffer + sizeof buffer;
       frame += std::strlen(frame) + 1) {
    std::string_view text(frame);
    if (fallback.empty()) fallback = text;
    if (text.find("/include/c++/") != std::string_view::npos ||
        text.find("include/racelab/") != std::string_view::npos || text.starts_with("??"))
      continue;
#ifdef RACELAB_SOURCE_DIR
    if (text.starts_with(RACELAB_SOURCE_DIR "/")) text.remove_prefix(sizeof(RACELAB_SOURCE_DIR));
#endif
    return std::string(text);
  }
  return fallback.empty() ? fmt::format("{}", call) : fallback;
}

namespace {

std::atomic<int> g_next_lock_id{1};

std::string name(const Lockable& lock) { return fmt::format("{} M{}", lock.kind(), lock.id()); }

LockGraph& lock_graph() {
  static LockGraph* graph = new LockGraph;  // outlives every static mutex
  return *graph;
}

std::string describe_cycle(const std::vector<LockGraph::Edge>& cycle) {
  std::string text = fmt::format("a lock-order cycle of {} mutexes, a potential deadlock:", cycle.size());
  for (const auto& e : cycle)
    text += fmt::format(" T{} took M{} (at {}) then M{} (at {});", e.thread, e.from_id,
                        site(e.from_pc), e.to_id, site(e.to_pc));
  text.pop_back();
  return text;
}

}  // namespace

// ---- Lockable ----

Lockable::Lockable() noexcept : id_(g_next_lock_id.fetch_add(1, std::memory_order_relaxed)) {
  valgrind_ignore(&owner_, sizeof owner_);
  valgrind_ignore(&waiters_, sizeof waiters_);
  valgrind_ignore(&acquired_pc_, sizeof acquired_pc_);
}

Lockable::~Lockable() {
  if (ThreadState* owner = owner_.load(std::memory_order_relaxed))
    note(Verdict::mutex_misuse, fmt::format("{} was destroyed while thread T{} held it (taken at {})",
                                            name(*this), owner->ordinal,
                                            site(acquired_pc_.load(std::memory_order_relaxed))));
  QuietScope quiet;
  // The watchdog reads a waited-for mutex under the run's mutex; taking it
  // here keeps this one alive until the watchdog is done with it.
  ScopedLock lock(active_run().mutex);
  lock_graph().forget(this);
  valgrind_unignore(&owner_, sizeof owner_);
  valgrind_unignore(&waiters_, sizeof waiters_);
  valgrind_unignore(&acquired_pc_, sizeof acquired_pc_);
}

int Lockable::owner() const noexcept {
  ThreadState* owner = owner_.load(std::memory_order_relaxed);
  return owner != nullptr ? owner->ordinal : -1;
}

bool Lockable::held_by_me() const noexcept {
  return owner_.load(std::memory_order_relaxed) == &self();
}

void Lockable::blocking(ThreadState& me, std::uintptr_t pc) noexcept {
  waiters_.fetch_add(1, std::memory_order_relaxed);
  me.wait_pc.store(pc, std::memory_order_relaxed);
  me.waiting_on.store(this, std::memory_order_relaxed);
  me.wait.store(Wait::mutex, std::memory_order_relaxed);
}

void Lockable::acquired(ThreadState& me, std::uintptr_t pc, bool blocking) noexcept {
  if (blocking) {
    me.wait.store(Wait::none, std::memory_order_relaxed);
    me.waiting_on.store(nullptr, std::memory_order_relaxed);
    waiters_.fetch_sub(1, std::memory_order_relaxed);
  }
  owner_.store(&me, std::memory_order_relaxed);
  acquired_pc_.store(pc, std::memory_order_relaxed);
  if (blocking && !me.held.empty() && !g_plain) {
    std::vector<LockGraph::Edge> cycle;
    {
      QuietScope quiet;
      for (Lockable* held : me.held) {
        if (held == this) continue;  // a stale entry after an unlock by another thread
        LockGraph::Edge edge{held->acquired_pc(), pc, me.ordinal, held->id(), id()};
        cycle = lock_graph().add(held, this, edge);
        if (!cycle.empty()) break;
      }
    }
    if (!cycle.empty()) note(Verdict::lock_order_inversion, describe_cycle(cycle));
  }
  me.held.push_back(this);
}

void Lockable::released(ThreadState& me) noexcept {
  if (owner_.load(std::memory_order_relaxed) != &me) misused(me);
  owner_.store(nullptr, std::memory_order_relaxed);
  auto it = std::find(me.held.rbegin(), me.held.rend(), this);
  if (it != me.held.rend()) me.held.erase(std::next(it).base());
}

void Lockable::misused(ThreadState& me) const noexcept {
  ThreadState* owner = owner_.load(std::memory_order_relaxed);
  note(Verdict::mutex_misuse,
       owner == nullptr
           ? fmt::format("thread T{} unlocks {}, which is not locked", me.ordinal, name(*this))
           : fmt::format("thread T{} unlocks {}, owned by thread T{} (taken at {})", me.ordinal,
                         name(*this), owner->ordinal,
                         site(acquired_pc_.load(std::memory_order_relaxed))));
}

[[noreturn]] void Lockable::relocked(ThreadState& me, std::uintptr_t pc) const noexcept {
  end_run(Verdict::self_deadlock,
          fmt::format("thread T{} locks {} at {}, but already holds it since {}; a non-recursive "
                      "mutex would block it forever",
                      me.ordinal, name(*this), site(pc),
                      site(acquired_pc_.load(std::memory_order_relaxed))));
}

}  // namespace racelab::detail
