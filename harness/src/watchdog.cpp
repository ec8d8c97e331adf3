// The watchdog: a harness thread that looks at the active run every 20 ms
// and ends it when it cannot finish — deadlock, livelock or hang — with a
// diagnosis that names each thread, what it waits for and where.
#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "racelab/detail/thread_annotations.h"
#include "runtime.h"

namespace racelab::detail {

namespace {

constexpr auto kPoll = std::chrono::milliseconds(20);
constexpr auto kDeadlockConfirm = std::chrono::milliseconds(100);
constexpr auto kHangConfirm = std::chrono::milliseconds(500);
// Steps without progress() that make a run past its time limit a livelock.
constexpr std::uint64_t kSpinningAtTimeLimit = 1000;

// One thread as the watchdog saw it.
struct Seen {
  const ThreadState* state = nullptr;
  int ordinal = 0;
  std::uint64_t steps = 0;
  std::uint64_t progress = 0;
  Wait wait = Wait::none;
  const void* on = nullptr;
  std::uintptr_t pc = 0;
  const char* file = nullptr;
  int line = 0;
  const char* what = "";
  bool finished = false;
  // The mutex it waits for, read while the run's mutex keeps it alive.
  const ThreadState* lock_owner = nullptr;
  std::uintptr_t lock_pc = 0;
  int lock_id = 0;
  const char* lock_kind = "";
};

struct Snapshot {
  std::vector<Seen> threads;
  std::uint64_t steps = 0;
  std::uint64_t progress = 0;
  const Seen* find(const ThreadState* state) const {
    for (const Seen& s : threads)
      if (s.state == state) return &s;
    return nullptr;
  }
};

// Everything is read under the run's mutex: a Lockable's destructor takes it
// too, so no mutex a thread waits for can vanish while it is looked at.
Snapshot look(ActiveRun& run) {
  Snapshot snap;
  QuietScope quiet;
  ScopedLock lock(run.mutex);
  for (const auto& t : run.threads) {
    Seen s;
    s.state = t.get();
    s.ordinal = t->ordinal;
    s.steps = t->steps.load(std::memory_order_relaxed);
    s.progress = t->progress.load(std::memory_order_relaxed);
    s.wait = t->wait.load(std::memory_order_relaxed);
    s.on = t->waiting_on.load(std::memory_order_relaxed);
    s.pc = t->wait_pc.load(std::memory_order_relaxed);
    s.file = t->wait_file.load(std::memory_order_relaxed);
    s.line = t->wait_line.load(std::memory_order_relaxed);
    s.what = t->wait_what.load(std::memory_order_relaxed);
    s.finished = t->finished.load(std::memory_order_relaxed);
    if (s.wait == Wait::mutex && s.on != nullptr) {
      const auto* waited = static_cast<const Lockable*>(s.on);
      s.lock_owner = waited->owner_state();
      s.lock_pc = waited->acquired_pc();
      s.lock_id = waited->id();
      s.lock_kind = waited->kind();
    }
    snap.steps += s.steps;
    snap.progress += s.progress;
    snap.threads.push_back(s);
  }
  return snap;
}

// The thread `s` waits for: a mutex's owner, or the thread it joins.
const ThreadState* waits_for(const Seen& s) {
  if (s.finished || s.on == nullptr) return nullptr;
  if (s.wait == Wait::mutex) return s.lock_owner;
  if (s.wait == Wait::join) return static_cast<const ThreadState*>(s.on);
  return nullptr;
}

// A cycle of the wait-for graph, as the threads on it (lowest ordinal first).
std::vector<const Seen*> find_cycle(const Snapshot& snap) {
  for (const Seen& start : snap.threads) {
    std::vector<const Seen*> path = {&start};
    for (const Seen* at = &start; path.size() <= snap.threads.size();) {
      const Seen* next = snap.find(waits_for(*at));
      if (next == nullptr) break;
      if (next == &start) {
        std::rotate(path.begin(),
                    std::min_element(path.begin(), path.end(),
                                     [](auto* a, auto* b) { return a->ordinal < b->ordinal; }),
                    path.end());
        return path;
      }
      if (std::find(path.begin(), path.end(), next) != path.end()) break;  // a cycle elsewhere
      path.push_back(next);
      at = next;
    }
  }
  return {};
}

std::string where(const Seen& s) {
  if (s.file != nullptr) {
    std::string_view file = s.file;
#ifdef RACELAB_SOURCE_DIR
    if (file.starts_with(RACELAB_SOURCE_DIR "/")) file.remove_prefix(sizeof(RACELAB_SOURCE_DIR));
#endif
    return fmt::format("{}:{}", file, s.line);
  }
  return site(s.pc);
}

std::string describe(const Seen& s, const Snapshot& snap) {
  if (s.finished) return fmt::format("T{} has finished", s.ordinal);
  switch (s.wait) {
    case Wait::mutex: {
      const Seen* owner = snap.find(s.lock_owner);
      std::string held = owner == nullptr
                             ? std::string("which no thread of the run holds")
                             : fmt::format("held by T{}{} (taken at {})", owner->ordinal,
                                           owner->finished ? ", which has finished" : "",
                                           site(s.lock_pc));
      return fmt::format("T{} waits for {} M{} at {}, {}", s.ordinal, s.lock_kind, s.lock_id,
                         where(s), held);
    }
    case Wait::condition:
      return fmt::format("T{} waits on a {} at {} and nobody can release it", s.ordinal, s.what,
                         where(s));
    case Wait::timed:
      return fmt::format("T{} waits (with a time limit) on a {} at {}", s.ordinal, s.what,
                         where(s));
    case Wait::join: {
      const Seen* joined = snap.find(static_cast<const ThreadState*>(s.on));
      return fmt::format("T{} joins T{} at {}", s.ordinal, joined != nullptr ? joined->ordinal : -1,
                         where(s));
    }
    case Wait::none:
      break;
  }
  return fmt::format("T{} is running ({} steps, {} progress)", s.ordinal, s.steps, s.progress);
}

std::string describe_all(const Snapshot& snap) {
  std::string text;
  for (const Seen& s : snap.threads) text += (text.empty() ? "" : "; ") + describe(s, snap);
  return text;
}

// A thread waiting for a mutex that nobody holds is about to take it (it is
// only not scheduled yet, as under load): it is not blocked.
bool blocked_for_good(const Seen& s) {
  return s.finished || (s.wait == Wait::mutex && s.lock_owner != nullptr) || s.wait == Wait::condition ||
         s.wait == Wait::join;
}

// What the watchdog remembers about the run it is watching.
struct Watch {
  std::uint64_t generation = 0;
  std::vector<int> cycle;  ///< ordinals of the last cycle seen
  std::uint64_t cycle_steps = 0;
  std::chrono::steady_clock::time_point cycle_since;
  std::uint64_t progress = 0;
  std::uint64_t steps_at_progress = 0;
  std::uint64_t blocked_steps = ~0ULL;
  std::chrono::steady_clock::time_point blocked_since;
};

void watch(ActiveRun& run, Watch& w, std::chrono::milliseconds limit, std::uint64_t livelock_steps) {
  const std::uint64_t generation = run.generation.load(std::memory_order_relaxed);
  if (generation != w.generation) {
    w = Watch{};
    w.generation = generation;
  }
  const auto now = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point start;
  {
    QuietScope quiet;
    ScopedLock lock(run.mutex);
    start = run.start;
  }
  const Snapshot snap = look(run);

  // Deadlock: the same cycle, with none of its threads stepping, twice.
  const std::vector<const Seen*> cycle = find_cycle(snap);
  std::vector<int> ordinals;
  std::uint64_t cycle_steps = 0;
  for (const Seen* s : cycle) {
    ordinals.push_back(s->ordinal);
    cycle_steps += s->steps;
  }
  if (!cycle.empty() && ordinals == w.cycle && cycle_steps == w.cycle_steps) {
    if (now - w.cycle_since >= kDeadlockConfirm) {
      std::string text = fmt::format("a cycle of {} threads, each waiting for the next:", cycle.size());
      for (const Seen* s : cycle) text += " " + describe(*s, snap) + ";";
      text.pop_back();
      end_run(Verdict::deadlock, text);
    }
  } else {
    w.cycle = ordinals;
    w.cycle_steps = cycle_steps;
    w.cycle_since = now;
  }

  // Livelock: many steps, no progress.
  auto livelock = [&](const std::string& why) {
    std::string counts;
    for (const Seen& s : snap.threads)
      counts += fmt::format("{}T{} {} steps", counts.empty() ? "" : ", ", s.ordinal, s.steps);
    end_run(Verdict::livelock,
            fmt::format("{} steps without progress() ({}): {}; threads keep trying and none "
                        "gets anything done",
                        snap.steps - w.steps_at_progress, why, counts));
  };
  if (snap.progress != w.progress) {
    w.progress = snap.progress;
    w.steps_at_progress = snap.steps;
  } else if (!g_plain && snap.steps - w.steps_at_progress > livelock_steps) {
    // (A plain run has no step bound: only its time limit shows it stuck.)
    livelock(fmt::format("bound {}", livelock_steps));
  }

  // Hang: every thread blocked with no cycle and nothing moving.
  const bool all_blocked = std::all_of(snap.threads.begin(), snap.threads.end(), blocked_for_good);
  if (all_blocked && cycle.empty() && snap.steps == w.blocked_steps) {
    if (now - w.blocked_since >= kHangConfirm)
      end_run(Verdict::hang, fmt::format("every thread is blocked and none can wake another: {}",
                                         describe_all(snap)));
  } else {
    w.blocked_steps = all_blocked ? snap.steps : ~0ULL;
    w.blocked_since = now;
  }

  if (now - start >= limit) {
    if (snap.steps - w.steps_at_progress >= kSpinningAtTimeLimit)
      livelock(fmt::format("when the time limit of {} ms came", limit.count()));
    end_run(Verdict::hang, fmt::format("the run did not finish within {} ms: {}", limit.count(),
                                       describe_all(snap)));
  }
}

}  // namespace

void start_watchdog(std::chrono::milliseconds limit, std::uint64_t livelock_steps) {
  std::thread([limit, livelock_steps] {
    ActiveRun& run = active_run();
    Watch w;
    for (;;) {
      std::this_thread::sleep_for(kPoll);
      if (run.active.load(std::memory_order_relaxed)) watch(run, w, limit, livelock_steps);
    }
  }).detach();
}

}  // namespace racelab::detail
