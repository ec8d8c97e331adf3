// Judging the model: wait-for cycles, hangs, lock leaks and livelocks as they
// form; ThreadSanitizer's lock-order reports re-judged by the lock-order
// graph's rules.
#include <signal.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "intercept.h"
#include "racelab/runtime_wire.h"

extern "C" {
int __tsan_get_report_data(void* report, const char** description, int* count, int* stack_count,
                           int* mop_count, int* loc_count, int* mutex_count, int* thread_count,
                           int* unique_tid_count, void** sleep_trace, unsigned long trace_size)
    __attribute__((weak));
int __tsan_get_report_mutex(void* report, unsigned long idx, unsigned long* mutex_id, void** addr,
                            int* destroyed, void** trace, unsigned long trace_size) __attribute__((weak));
}

namespace racelab::intercept {

// ---- vector clocks ----

std::uint64_t VectorClock::of(int ordinal) const noexcept {
  auto it = std::lower_bound(entries.begin(), entries.end(), std::pair<int, std::uint64_t>(ordinal, 0));
  return it != entries.end() && it->first == ordinal ? it->second : 0;
}

void VectorClock::set(int ordinal, std::uint64_t epoch) {
  auto it = std::lower_bound(entries.begin(), entries.end(), std::pair<int, std::uint64_t>(ordinal, 0));
  if (it != entries.end() && it->first == ordinal)
    it->second = epoch;
  else
    entries.insert(it, {ordinal, epoch});
}

void VectorClock::join(const VectorClock& other) {
  for (const auto& [ordinal, epoch] : other.entries)
    if (epoch > of(ordinal)) set(ordinal, epoch);
}

namespace {

std::string thread_name(const Thread& t) { return "T" + std::to_string(t.ordinal); }

const Mutex* find_mutex(const void* m) {
  auto it = model().mutexes.find(m);
  return it == model().mutexes.end() ? nullptr : &it->second;
}
const RwLock* find_rwlock(const void* l) {
  auto it = model().rwlocks.find(l);
  return it == model().rwlocks.end() ? nullptr : &it->second;
}

}  // namespace

bool wait_can_end(const Thread& t) {
  switch (t.wait) {
    case Wait::none:
      return true;
    case Wait::mutex: {
      const Mutex* m = find_mutex(t.waiting_on);
      return m == nullptr || m->owner == nullptr || m->owner == &t;
    }
    case Wait::read_lock: {
      const RwLock* l = find_rwlock(t.waiting_on);
      return l == nullptr || l->writer == nullptr;
    }
    case Wait::write_lock: {
      const RwLock* l = find_rwlock(t.waiting_on);
      return l == nullptr || (l->writer == nullptr && l->readers.empty());
    }
    case Wait::condition: {
      auto it = model().conditions.find(t.waiting_on);
      if (it == model().conditions.end() || it->second.pending == 0) return false;
      const Mutex* m = find_mutex(t.wait_mutex);
      return m == nullptr || m->owner == nullptr || m->owner == &t;
    }
    case Wait::join:
      return t.joining == nullptr || t.joining->finished;
    case Wait::semaphore: {
      auto it = model().semaphores.find(t.waiting_on);
      return it == model().semaphores.end() || !it->second.known || it->second.value > 0;
    }
    case Wait::barrier: {
      auto it = model().barriers.find(t.waiting_on);
      return it == model().barriers.end() || it->second.round != t.barrier_round;
    }
    case Wait::once: {
      auto it = model().onces.find(t.waiting_on);
      return it == model().onces.end() || it->second.runner == nullptr;
    }
    case Wait::futex:
      return t.futex_woken;
    case Wait::sleep:
      return false;  // only its deadline ends it
    case Wait::io:  // asked of the kernel, without TSan
      return raw_syscall(SYS_poll, t.io_fds, t.io_count, 0) != 0;
  }
  return true;
}

namespace {

// Whether `t`'s current wait can end without another thread's action.
bool may_run(const Thread& t) { return t.wait == Wait::none || !t.forever || wait_can_end(t); }

// The threads `t` certainly waits for (the edges of the wait-for graph).
Vector<Thread*> blockers(const Thread& t) {
  Vector<Thread*> out;
  if (!t.forever || may_run(t)) return out;
  switch (t.wait) {
    case Wait::mutex:
      if (const Mutex* m = find_mutex(t.waiting_on)) out.push_back(m->owner);
      break;
    case Wait::read_lock:
    case Wait::write_lock:
      if (const RwLock* l = find_rwlock(t.waiting_on)) {
        if (l->writer != nullptr) out.push_back(l->writer);
        if (t.wait == Wait::write_lock) out.insert(out.end(), l->readers.begin(), l->readers.end());
      }
      break;
    case Wait::join:
      out.push_back(t.joining);
      break;
    case Wait::once:
      if (auto it = model().onces.find(t.waiting_on); it != model().onces.end()) out.push_back(it->second.runner);
      break;
    case Wait::condition: {
      // Signalled (every waiter), but the mutex it needs back is held.
      auto it = model().conditions.find(t.waiting_on);
      if (it != model().conditions.end() && it->second.pending >= it->second.waiters)
        if (const Mutex* m = find_mutex(t.wait_mutex); m != nullptr && m->owner != nullptr) out.push_back(m->owner);
      break;
    }
    default:
      break;
  }
  std::erase_if(out, [](const Thread* b) { return b == nullptr || b->finished; });
  return out;
}

bool find_cycle(Thread* at, const Thread* goal, Vector<Thread*>& path, Vector<const Thread*>& seen) {
  for (Thread* next : blockers(*at)) {
    path.push_back(next);
    if (next == goal) return true;
    if (std::find(seen.begin(), seen.end(), next) == seen.end()) {
      seen.push_back(next);
      if (find_cycle(next, goal, path, seen)) return true;
    }
    path.pop_back();
  }
  return false;
}

std::string lock_name(const void* lock) {
  if (const Mutex* m = find_mutex(lock)) return name_of("mutex", m->id, lock);
  if (const RwLock* l = find_rwlock(lock)) return name_of("rwlock", l->id, lock);
  return "a lock";
}

const Site* taken_site(const void* lock) {
  if (const Mutex* m = find_mutex(lock)) return &m->taken;
  if (const RwLock* l = find_rwlock(lock)) return &l->taken;
  return nullptr;
}

// What `t` waits for, in a sentence.
std::string waiting_text(const Thread& t) {
  const std::string who = thread_name(t);
  const std::string at = describe(t.wait_site);
  switch (t.wait) {
    case Wait::mutex:
    case Wait::read_lock:
    case Wait::write_lock: {
      std::string text = who + " waits for " + lock_name(t.waiting_on) +
                         (t.wait == Wait::read_lock ? " (to read)" : t.wait == Wait::write_lock ? " (to write)" : "") +
                         " at " + at;
      const Thread* owner = nullptr;
      if (const Mutex* m = find_mutex(t.waiting_on)) owner = m->owner;
      if (const RwLock* l = find_rwlock(t.waiting_on)) owner = l->writer != nullptr ? l->writer : l->readers.empty() ? nullptr : l->readers.front();
      if (owner != nullptr) {
        text += ", held by " + thread_name(*owner) + " since " + describe(*taken_site(t.waiting_on));
        if (owner->gone_at_fork) text += " (a thread of the parent process: gone in this fork child)";
        else if (owner->finished) text += ", which ended holding it (a lock leak)";
      }
      return text;
    }
    case Wait::condition:
      return who + " waits on " + name_of("condition variable", condition_of(t.waiting_on).id, t.waiting_on) +
             " at " + at + " (with " + lock_name(t.wait_mutex) + "); no thread is left to signal it";
    case Wait::join:
      return who + " joins " + thread_name(*t.joining) + " at " + at;
    case Wait::futex:
      return who + " waits at " + at +
             " on a futex (std::atomic::wait, a std::future, a std::counting_semaphore, std::barrier or "
             "std::latch) that no thread is left to wake";
    case Wait::once: {
      auto it = model().onces.find(t.waiting_on);
      const Thread* runner = it != model().onces.end() ? it->second.runner : nullptr;
      return who + " waits at " + at + " for a one-time initialisation (call_once, a function-local static)" +
             (runner != nullptr ? " that " + thread_name(*runner) + " runs" : "");
    }
    case Wait::semaphore:
      return who + " waits on " + name_of("semaphore", semaphore_of(t.waiting_on).id, t.waiting_on) + " at " + at +
             " (its count is 0)";
    case Wait::barrier: {
      const Barrier& b = barrier_of(t.waiting_on);
      return who + " waits at " + name_of("barrier", b.id, t.waiting_on) + " at " + at + " (" +
             std::to_string(b.arrived) + " of " + std::to_string(b.count) + " threads arrived)";
    }
    case Wait::sleep:
      return who + " sleeps at " + at;
    case Wait::io:
      return who + " waits at " + at + " for a file descriptor to be ready";
    case Wait::none:
      break;
  }
  return who + " runs";
}

std::string joined_sorted(std::set<std::string> parts, const char* separator) {
  std::string text;
  for (const std::string& p : parts) text += (text.empty() ? "" : separator) + p;
  return text;
}

[[noreturn]] void deadlock(const Vector<Thread*>& cycle) {
  std::string detail = "a wait-for cycle of " + std::to_string(cycle.size()) + " thread" +
                       (cycle.size() == 1 ? "" : "s") + ": ";
  std::set<std::string> places;
  for (std::size_t i = 0; i < cycle.size(); ++i) {
    const Thread& t = *cycle[i];
    detail += (i == 0 ? "" : "; ") + waiting_text(t);
    const Site* held = t.wait == Wait::join ? nullptr : taken_site(t.waiting_on);
    places.insert((t.wait == Wait::join ? "a join at " : "waits at ") + place(t.wait_site) +
                  (held != nullptr ? " for a lock taken at " + place(*held) : ""));
  }
  end_process(Verdict::deadlock, "deadlock: " + joined_sorted(places, "; "), detail);
}

// Every live thread waits forever: name the hang for what it is.
[[noreturn]] void hang(const Vector<const Thread*>& live) {
  std::string detail;
  std::set<std::string> leak, condition, semaphore, futex, barrier, lock, join;
  for (const Thread* t : live) {
    detail += (detail.empty() ? "" : "; ") + waiting_text(*t);
    const std::string at = place(t->wait_site);
    switch (t->wait) {
      case Wait::mutex:
      case Wait::read_lock:
      case Wait::write_lock: {
        const Mutex* m = find_mutex(t->waiting_on);
        if (m != nullptr && m->owner != nullptr && m->owner.load()->finished)
          leak.insert("a lock taken at " + place(m->taken) + " by a thread that ended holding it, waited for at " + at);
        else
          lock.insert(at);
        break;
      }
      case Wait::condition: condition.insert(at); break;
      case Wait::semaphore: semaphore.insert(at); break;
      case Wait::futex: futex.insert(at); break;
      case Wait::barrier: barrier.insert(at); break;
      case Wait::join:
      case Wait::once: join.insert(at); break;
      case Wait::sleep:
      case Wait::io:
      case Wait::none: break;
    }
  }
  std::string where;
  if (!leak.empty()) where = "lock leak: " + joined_sorted(leak, "; ");
  else if (!condition.empty()) where = "lost wakeup: a condition variable nobody signals, waited on at " + joined_sorted(condition, ", ");
  else if (!semaphore.empty()) where = "semaphore never posted: waited on at " + joined_sorted(semaphore, ", ");
  else if (!futex.empty())
    where = "a wait of the standard library nobody ends (std::atomic::wait, a future, a semaphore, barrier or "
            "latch): waited on at " + joined_sorted(futex, ", ");
  else if (!barrier.empty()) where = "barrier short of threads: waited at " + joined_sorted(barrier, ", ");
  else if (!lock.empty()) where = "every thread waits for a lock: at " + joined_sorted(lock, ", ");
  else where = "join of a thread that never ends: at " + joined_sorted(join, ", ");
  end_process(Verdict::hang, where, "every thread waits and none can wake another: " + detail);
}

constexpr std::uint64_t kLivelockRetries = 10000;

}  // namespace

// Whether the program handles a signal that can arrive while every thread waits.
bool signals_may_wake() {
  static constexpr int kSignals[] = {SIGALRM, SIGVTALRM, SIGPROF, SIGUSR1, SIGUSR2, SIGCHLD, SIGIO,
                                     SIGHUP,  SIGINT,    SIGTERM, SIGQUIT, SIGPIPE, SIGURG,  SIGWINCH};
  auto handled = [](int signal) {
    struct sigaction current {};
    return sigaction(signal, nullptr, &current) == 0 && (current.sa_flags & SA_SIGINFO ? current.sa_sigaction != nullptr
                                                                                       : current.sa_handler != SIG_DFL &&
                                                                                             current.sa_handler != SIG_IGN);
  };
  for (int signal : kSignals)
    if (handled(signal)) return true;
  for (int signal = SIGRTMIN; signal <= SIGRTMAX; ++signal)
    if (handled(signal)) return true;
  return false;
}

void check_wait(Thread& me) {
  Vector<Thread*> path;
  Vector<const Thread*> seen;
  if (find_cycle(&me, &me, path, seen)) {
    // path ends with `me`; rotate so that the cycle starts with it.
    Vector<Thread*> cycle = {&me};
    cycle.insert(cycle.end(), path.begin(), path.end() - 1);
    deadlock(cycle);
  }
  // A lock whose owner is gone is never released.
  if (me.wait == Wait::mutex)
    if (const Mutex* m = find_mutex(me.waiting_on); m != nullptr && m->owner != nullptr && m->owner.load()->finished)
      end_process(Verdict::hang,
                  "lock leak: a lock taken at " + place(m->taken) + " by a thread that ended holding it, waited for at " +
                      place(me.wait_site),
                  waiting_text(me));
  check_all_waiting();
}

void check_all_waiting() {
  Vector<const Thread*> live;
  for (const Thread* t : model().threads) {
    if (t->finished) continue;
    if (may_run(*t)) return;
    live.push_back(t);
  }
  // A handler of an asynchronous signal may end a wait (sem_post is
  // async-signal-safe; a server waits for SIGTERM): then only the timeout
  // judges, from outside.
  if (!live.empty() && !signals_may_wake()) hang(live);
}

void stuck() {
  Vector<const Thread*> live;
  for (Thread* t : model().threads) {
    if (t->finished) continue;
    Vector<Thread*> path;
    Vector<const Thread*> seen;
    if (find_cycle(t, t, path, seen)) {
      Vector<Thread*> cycle = {t};
      cycle.insert(cycle.end(), path.begin(), path.end() - 1);
      deadlock(cycle);
    }
    live.push_back(t);
  }
  hang(live);
}

// ---- livelock ----

void progress() noexcept {
  model().retries = 0;
  model().retrying_threads.clear();
}

namespace {

// A retry by `me` at `site` (of `lock`, or an explicit scheduling point).
void retry(Thread& me, const void* lock, const Site& site) {
  Model& md = model();
  ++md.retries;
  if (std::find(md.retrying_threads.begin(), md.retrying_threads.end(), me.ordinal) == md.retrying_threads.end())
    md.retrying_threads.push_back(me.ordinal);
  md.retry_sites[me.ordinal] = {site, lock};
  if (md.retries < kLivelockRetries || md.retrying_threads.size() < 2) return;
  std::set<std::string> places;
  std::string detail;
  for (int ordinal : md.retrying_threads) {
    const auto& [at, tried] = md.retry_sites[ordinal];
    places.insert(place(at));
    detail += (detail.empty() ? "" : "; ") + ("T" + std::to_string(ordinal)) +
              (tried != nullptr ? " fails to take " + lock_name(tried) + " at " : " retries at ") + describe(at);
  }
  end_process(Verdict::livelock, "livelock: retried at " + joined_sorted(places, ", "),
              std::to_string(md.retries) + " retries (failed try-locks of a mutex that changed hands since, explicit "
              "scheduling points) in a row, while no try-lock succeeded, no thread ended and none marked progress: " +
                  detail);
}

}  // namespace

void failed_try(Thread& me, const void* m, const Mutex& state, const Site& site) {
  std::uint64_t& last = me.last_failed_generation[m];
  const bool churned = last != 0 && state.generation != last;
  last = state.generation;
  // A lock held all along (a thread polling while another works) is not a livelock.
  if (churned) retry(me, m, site);
}

void interleave_retry(Thread& me, const Site& site) { retry(me, nullptr, site); }

// ---- the lock-order graph ----

namespace {

// The locks `me` holds exclusively besides `from` and `to`: a rwlock held for
// reading is no gate (readers share it).
Vector<Gate> gates_of(const Thread& me, const void* from, const void* to) {
  Vector<Gate> gates;
  for (const void* other : me.held) {
    if (other == from || other == to) continue;
    if (const Mutex* m = find_mutex(other))
      gates.push_back({other, m->id, m->lifetime_known});
    else if (const RwLock* l = find_rwlock(other); l != nullptr && l->writer == &me)
      gates.push_back({other, l->id, l->lifetime_known});
  }
  std::sort(gates.begin(), gates.end());
  gates.erase(std::unique(gates.begin(), gates.end()), gates.end());
  return gates;
}

}  // namespace

void add_edges(Thread& me, const void* to) {
  for (const void* from : me.held) {
    if (from == to) continue;
    Vector<Gate> gates = gates_of(me, from, to);
    Vector<EdgeInstance>& instances = model().edges[from][to];
    const std::uint64_t test = model().test_serial;
    auto it = std::find_if(instances.begin(), instances.end(), [&](const EdgeInstance& e) {
      return e.thread == me.ordinal && e.test == test && e.gates == gates;
    });
    if (it != instances.end()) continue;
    // Past 16 ways, one more stands for every other: by no known thread,
    // under no lock (it proves nothing).
    if (instances.size() >= 16) {
      if (instances.back().thread != -1) instances.push_back({-1, test, {}, me.clock});
      continue;
    }
    instances.push_back({me.ordinal, test, std::move(gates), me.clock});
  }
}

namespace {

// One way of taking a cycle's edge, as judged: by whom, in which test, under
// which locks, from which clock on.
using Event = const EdgeInstance*;

const Thread* thread_at(int ordinal) {
  const auto& threads = model().threads;
  return ordinal >= 0 && static_cast<std::size_t>(ordinal) < threads.size() ? threads[ordinal] : nullptr;
}

// Thread `t` had ended, and was joined, before a thread whose clock is `at`
// went on: the join orders all of `t` before it in every execution.
bool ended_before(const Thread& t, const VectorClock& at) {
  return t.finished && !t.gone_at_fork && at.of(t.ordinal) >= t.clock.of(t.ordinal);
}

// Whether two acquisitions could be waiting at once in some execution of the
// code. Only a join proves they cannot: one thread ended before the other's
// acquisition. One thread taking both orders proves nothing (another caller's
// thread runs the same code), nor do two tests of a test framework (they may
// run in any order, or at once), nor an order through a mutex, a condition
// variable or an atomic (the next change to the code undoes it).
bool may_overlap(Event a, Event b) {
  if (a->thread == b->thread || a->test != b->test) return true;
  const Thread* thread_a = thread_at(a->thread);
  const Thread* thread_b = thread_at(b->thread);
  if (thread_a == nullptr || thread_b == nullptr) return true;
  return !ended_before(*thread_a, b->first) && !ended_before(*thread_b, a->first);
}

// A lock held exclusively by every chosen acquisition: no two threads can be
// inside the cycle at once. Only a lock that was one object throughout: a
// global, or a mutex whose init and destroy racelab saw (a std::mutex on the
// heap or a stack may be several mutexes at one address in turn).
const Gate* common_gate(const std::vector<Event>& chosen) {
  for (const Gate& gate : chosen.front()->gates) {
    if (!std::all_of(chosen.begin(), chosen.end(),
                     [&](Event e) { return std::binary_search(e->gates.begin(), e->gates.end(), gate); }))
      continue;
    if (gate.lifetime_known || !global_name(gate.lock).empty()) return &gate;
  }
  return nullptr;
}

// What proved a choice of acquisitions harmless, for the reason.
struct Proof {
  const Gate* gate = nullptr;  ///< a gate lock
  bool joined = false;         ///< a thread was joined before another's acquisition
};

// Searches for one acquisition per edge, all able to wait at once and under
// no common gate: a deadlock the program can reach. `budget` bounds the
// search; past it, the answer is "can deadlock" (TSan's report stands).
bool can_deadlock(const std::vector<const Vector<EdgeInstance>*>& edges, std::vector<Event>& chosen, Proof& proof,
                  long& budget) {
  if (--budget < 0) return true;
  if (chosen.size() == edges.size()) {
    if (const Gate* gate = common_gate(chosen)) {
      proof.gate = gate;
      return false;
    }
    return true;
  }
  for (const EdgeInstance& way : *edges[chosen.size()]) {
    const Event e = &way;
    if (!std::all_of(chosen.begin(), chosen.end(), [&](Event c) { return may_overlap(c, e); })) {
      proof.joined = true;
      continue;
    }
    chosen.push_back(e);
    if (can_deadlock(edges, chosen, proof, budget)) return true;
    chosen.pop_back();
  }
  return false;
}

// Why no choice can deadlock, in a sentence naming the proof.
std::string why_not(const Proof& proof) {
  std::vector<std::string> parts;
  if (proof.gate != nullptr)
    parts.push_back("every way of taking the cycle's edges held " + lock_name(proof.gate->lock) +
                    " (a gate lock): no two threads can be inside the cycle at once");
  if (proof.joined)
    parts.push_back("a thread that took one order was joined before the thread that took the other went on: "
                    "their acquisitions can never overlap");
  std::string text;
  for (const std::string& p : parts) text += (text.empty() ? "" : "; and ") + p;
  return text.empty() ? "no acquisitions of the cycle's edges could be waiting at once" : text;
}

}  // namespace

}  // namespace racelab::intercept

// ThreadSanitizer asks before it prints a report; true drops it. A
// lock-order inversion the lock-order graph's rules show cannot deadlock is
// dropped, with its reason in the records; every other report is TSan's.
namespace __tsan {
struct ReportDesc;
bool OnReport(const ReportDesc* rep, bool suppressed);
}  // namespace __tsan

namespace racelab::intercept {
namespace {

bool drop_report(const __tsan::ReportDesc* rep, bool suppressed) {
  if (suppressed || !active() || __tsan_get_report_data == nullptr || __tsan_get_report_mutex == nullptr)
    return suppressed;
  void* report = const_cast<__tsan::ReportDesc*>(rep);
  const char* description = nullptr;
  int count = 0, stacks = 0, mops = 0, locs = 0, mutexes = 0, threads = 0, tids = 0;
  void* trace[16];
  if (__tsan_get_report_data(report, &description, &count, &stacks, &mops, &locs, &mutexes, &threads, &tids, trace,
                             std::size(trace)) == 0 ||
      description == nullptr || std::strcmp(description, "lock-order-inversion") != 0 || mutexes < 2)
    return false;
  Vector<const void*> cycle;
  for (int i = 0; i < mutexes; ++i) {
    unsigned long id = 0;
    void* address = nullptr;
    int destroyed = 0;
    // TSan writes the first frame before it checks the size: never a null trace.
    void* frames[16];
    if (__tsan_get_report_mutex(report, static_cast<unsigned long>(i), &id, &address, &destroyed, frames,
                                std::size(frames)) == 0)
      return false;
    cycle.push_back(address);
  }
  ScopedModel scoped;
  std::vector<const Vector<EdgeInstance>*> edges;  // the ways each edge of the cycle was taken
  racelab::ProgramCycle record;
  for (std::size_t i = 0; i < cycle.size(); ++i) {
    record.mutexes.push_back(lock_name(cycle[i]));
    auto from = model().edges.find(cycle[i]);
    const void* to = cycle[(i + 1) % cycle.size()];
    if (from == model().edges.end() || !from->second.contains(to)) {
      // An edge racelab did not see taken by a blocking lock (TSan's own
      // bookkeeping differs, e.g. for a try-lock): TSan's report stands.
      record.reason = "an edge racelab's graph does not have: TSan's report stands";
      write_record(encode(record));
      return false;
    }
    edges.push_back(&from->second.at(to));
  }
  std::vector<Event> chosen;
  Proof proof;
  long budget = 200000;
  record.kept = can_deadlock(edges, chosen, proof, budget);
  record.reason = !record.kept  ? why_not(proof)
                  : budget < 0 ? "too many ways of taking its edges to judge: TSan's report stands"
                               : "its edges can be taken at once by different threads";
  write_record(encode(record));
  return !record.kept;
}

}  // namespace
}  // namespace racelab::intercept

// Counts what TSan goes on to print: a GoogleTest test owns the reports
// printed between its start and end (tests.cpp).
bool __tsan::OnReport(const ReportDesc* rep, bool suppressed) {
  const bool drop = racelab::intercept::drop_report(rep, suppressed);
  if (!drop) racelab::intercept::count_printed_report();
  return drop;
}
