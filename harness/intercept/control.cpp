// Strategy controlled: the program's threads run one at a time (intercept.h,
// "strategy controlled"). A seeded random walk picks the next thread at each
// scheduling point; the choices made where more than one thread could go are
// the run's schedule, which RACELAB_SCHEDULE replays.
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "intercept.h"
#include "racelab/runtime_wire.h"

extern "C" int RACELAB_TSAN(clock_gettime)(clockid_t, timespec*);

namespace racelab::intercept {

namespace {

// ---- the futex words: raw system calls, which TSan neither sees nor orders ----

void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected, const timespec* timeout = nullptr) {
  raw_syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected, timeout,
              static_cast<std::uint32_t*>(nullptr), 0);
}

// A thread's futex word (Thread::baton): it may run; it waits; nobody
// holds the baton any more, so it should wait in ticks (park()).
constexpr std::uint32_t kNoBaton = 0, kBaton = 1, kLookAgain = 2;

void futex_wake(std::atomic<std::uint32_t>& word) {
  raw_syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, 1,
              static_cast<timespec*>(nullptr), static_cast<std::uint32_t*>(nullptr), 0);
}

// ---- the scheduler's state, under the model's lock ----

constexpr std::uint64_t kTraceStart = 0xcbf29ce484222325ULL;

struct Control {
  bool on = false;
  Thread* running = nullptr;  ///< holds the baton; null while none does (every thread waits or is outside)
  Rng rng;
  std::uint64_t decisions = 0;      ///< every pick, with or without a choice
  std::uint64_t trace = kTraceStart;  ///< FNV-1a over the threads picked (their schedule numbers)
  /// The schedule: the ordinal picked at each decision with a choice, run-length encoded.
  Vector<std::pair<int, std::uint32_t>> schedule;
  /// A schedule to replay, as recorded, and where it stands.
  Vector<std::pair<int, std::uint32_t>> replay;
  std::size_t replay_at = 0;
  std::uint32_t replay_used = 0;
  std::uint64_t choices = 0;  ///< decisions with a choice so far
  std::uint64_t diverged_at = 0;  ///< the choice (1-based) where a replay could not follow; 0: none
  int diverged_wanted = -1;
  /// Why this run is not replayable (a call the scheduler does not model), or null.
  const char* not_replayable = nullptr;
  int not_replayable_thread = -1;
  bool watchdog_started = false;
  bool schedule_cut = false;  ///< a choice found no room: the schedule recorded is not the whole
  // PCT under control (Burckhardt et al. 2010): each thread a distinct
  // random priority of at least d, the highest enabled one runs; at each of
  // d−1 change points (decision numbers in [1, k]) the running thread drops
  // to priority d−1−i, below every other.
  bool pct = false;
  int depth = 3;
  std::uint64_t changes[16] = {};
  std::size_t change_count = 0;
  std::size_t next_change = 0;
  int lowest = 0;  ///< the priority a thread that yields drops to next (below every other)
  // Logical time (intercept.h, logical_time()): each followed clock's real
  // reading when the run began, and the nanoseconds that passed since.
  static constexpr int kClocks = 12;
  std::int64_t base_ns[kClocks] = {};
  bool follows[kClocks] = {};
  std::atomic<std::int64_t> logical{0};
  /// While nobody holds the baton because a thread is outside (or a signal
  /// may come), logical time follows real time: the real time it last did.
  std::int64_t idle_mark = 0;
};

constexpr std::int64_t kStepNs = 1000;  // what a decision, or a clock's reading, costs in logical time

// The calling thread waits in park(): a hook reached from a signal handler
// that interrupted it runs unscheduled.
thread_local bool t_parked = false;

// Busy waits: atomic loads of one address in a row by a thread that was the
// only one able to run at each (no other point between). One address: a
// thread reading through a structure of atomics while the others wait for
// it is making progress.
thread_local std::uint64_t t_solo_loads = 0;
thread_local const volatile void* t_solo_address = nullptr;
constexpr std::uint64_t kSpinLoads = 200'000;

// PCT lets the thread of highest priority run as long as it can: one that
// waits by retrying (a spin on an atomic, a failed try-lock, a sleep) would
// keep the thread it waits for from ever running. Such a thread yields: it
// drops below every other. A spin is this many loads of one address in a
// row.
thread_local std::uint64_t t_spin_loads = 0;
constexpr std::uint64_t kYieldingSpin = 32;


Control& control() {
  static Control* c = new (RtAllocator<Control>().allocate(1)) Control;
  return *c;
}

// The calling thread waits by retrying: under PCT it drops below every other
// (under the model's lock).
void yield_priority(Thread& me) {
  Control& c = control();
  if (c.pct) me.priority.store(--c.lowest, std::memory_order_relaxed);
}

// ---- logical time ----

std::int64_t to_ns(const timespec& t) { return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec; }

timespec from_ns(std::int64_t ns) {
  return timespec{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

// The clock a deadline on `clock` is judged on: itself when followed, else
// CLOCK_REALTIME (pthread_cond_timedwait's).
clockid_t followed(clockid_t clock) {
  return clock >= 0 && clock < Control::kClocks && control().follows[clock] ? clock : CLOCK_REALTIME;
}

// How far logical time must go for `t`'s deadline to come.
std::int64_t deadline_logical(const Thread& t) { return to_ns(t.deadline) - control().base_ns[followed(t.deadline_clock)]; }

bool deadline_passed(const Thread& t) {
  return control().logical.load(std::memory_order_relaxed) >= deadline_logical(t);
}

// Logical time jumps to `t`'s deadline.
void reach_deadline(const Thread& t) {
  std::atomic<std::int64_t>& logical = control().logical;
  const std::int64_t target = deadline_logical(t);
  for (std::int64_t now = logical.load(std::memory_order_relaxed);
       now < target && !logical.compare_exchange_weak(now, target, std::memory_order_relaxed);) {
  }
}

// Nobody holds the baton: logical time follows the real time that passes
// (under the model's lock).
void follow_real_time() {
  Control& c = control();
  const std::int64_t now = to_ns(real_time(CLOCK_MONOTONIC));
  if (c.idle_mark != 0 && now > c.idle_mark) c.logical.fetch_add(now - c.idle_mark, std::memory_order_relaxed);
  c.idle_mark = now;
}

// Room for the schedule's next entries: in a section that may call
// interceptors (a full ScopedModel), before the picks it holds.
void make_room() {
  Vector<std::pair<int, std::uint32_t>>& schedule = control().schedule;
  if (schedule.size() + 8 >= schedule.capacity()) schedule.reserve(schedule.capacity() * 2 + 64);
}

// Whether `t` may be picked.
bool candidate(const Thread& t) {
  return !t.finished && !t.outside && (t.wait == Wait::none || wait_can_end(t) || (t.timed && deadline_passed(t)));
}

// The waiter whose deadline comes first (of those the scheduler runs), or null.
Thread* first_deadline() {
  Thread* first = nullptr;
  for (Thread* t : model().threads)
    if (!t->finished && !t->outside && t->timed && (first == nullptr || deadline_logical(*t) < deadline_logical(*first)))
      first = t;
  return first;
}

// The calling thread `me` waits by retrying (a spin, a failed try-lock) and
// no other thread can run: logical time jumps to the first deadline, as the
// time a real retry loop spins would pass (under the model's lock; calls no
// interceptor).
void hurry(const Thread& me) {
  for (const Thread* t : model().threads)
    if (t != &me && candidate(*t)) return;
  if (const Thread* first = first_deadline()) reach_deadline(*first);
}

// A thread's number in the schedule and the trace: its ordinal counted from
// the running GoogleTest test's first thread, so that a test re-run alone
// (--gtest_filter) replays what it did in the whole suite. 0 is the main
// thread; a thread started before the test (before any, or a background
// worker an earlier test left) is kEarlier + its ordinal.
constexpr int kEarlier = 1'000'000;
int schedule_number(const Thread& t) {
  const int base = model().test_ordinal_base;
  return t.ordinal == 0 ? 0 : t.ordinal > base ? t.ordinal - base : kEarlier + t.ordinal;
}

void note_pick(const Thread& t) {
  Control& c = control();
  ++c.decisions;
  c.logical.fetch_add(kStepNs, std::memory_order_relaxed);
  c.trace = (c.trace ^ static_cast<std::uint64_t>(schedule_number(t))) * 0x100000001b3ULL;
}

void note_choice(int ordinal) {
  Control& c = control();
  ++c.choices;
  if (!c.schedule.empty() && c.schedule.back().first == ordinal && c.schedule.back().second < UINT32_MAX) {
    ++c.schedule.back().second;
    return;
  }
  // Only a push into spare capacity, which calls no interceptor: the
  // schedule grows in full sections (control_point() reserves ahead).
  if (c.schedule.size() == c.schedule.capacity()) {
    c.schedule_cut = true;
    return;
  }
  c.schedule.push_back({ordinal, 1});
}

// The ordinal the replayed schedule names for the next choice, or -1.
int replayed() {
  Control& c = control();
  if (c.replay_at >= c.replay.size() || c.diverged_at != 0) return -1;
  const int ordinal = c.replay[c.replay_at].first;
  if (++c.replay_used == c.replay[c.replay_at].second) {
    ++c.replay_at;
    c.replay_used = 0;
  }
  return ordinal;
}

// Picks the next thread among the candidates but `exclude`, in ordinal
// order: null when there is none.
Thread* pick(const Thread* exclude = nullptr) {
  Control& c = control();
  const auto eligible = [exclude](const Thread& t) { return &t != exclude && candidate(t); };
  std::uint64_t n = 0;
  for (Thread* t : model().threads) n += eligible(*t);
  if (n == 0) return nullptr;
  Thread* chosen = nullptr;
  if (n == 1) {
    for (Thread* t : model().threads)
      if (eligible(*t)) chosen = t;
  } else {
    const int wanted = replayed();
    if (wanted >= 0) {
      for (Thread* t : model().threads)
        if (schedule_number(*t) == wanted && eligible(*t)) chosen = t;
      if (chosen == nullptr) {
        c.diverged_at = c.choices + 1;
        c.diverged_wanted = wanted;
      }
    }
    if (chosen == nullptr && c.pct) {
      for (Thread* t : model().threads)
        if (eligible(*t) && (chosen == nullptr || t->priority.load(std::memory_order_relaxed) >
                                                      chosen->priority.load(std::memory_order_relaxed)))
          chosen = t;
    }
    if (chosen == nullptr) {
      std::uint64_t k = c.rng.between(0, n - 1);
      for (Thread* t : model().threads)
        if (eligible(*t) && k-- == 0) {
          chosen = t;
          break;
        }
    }
    note_choice(schedule_number(*chosen));
  }
  note_pick(*chosen);
  return chosen;
}

// Whether the world outside the program's threads may let a thread go on
// before any deadline: a thread outside the scheduler may come back, one
// waits for a file descriptor, or a signal handler may end a wait.
bool world_may_wake() {
  for (const Thread* t : model().threads)
    if (!t->finished && (t->outside || t->wait == Wait::io)) return true;
  return signals_may_wake();
}

// The thread that goes on when no thread can run now: the waiter whose
// deadline comes first, logical time jumping to it; null when there is
// none, or when the world outside may end a wait first (a thread outside, a
// signal handler): then logical time follows real time until one can run.
Thread* earliest_deadline() {
  Thread* first = first_deadline();
  if (first == nullptr || world_may_wake()) return nullptr;
  reach_deadline(*first);
  note_pick(*first);
  return first;
}

// The next thread: a candidate, else the first deadline's.
Thread* next_or_deadline() {
  Thread* next = pick();
  return next != nullptr ? next : earliest_deadline();
}

// Gives the baton to `next` (null: nobody holds it); `wake`: wakes it now
// (else the caller does, with futex_wake(), once it released the model's lock).
void hand_to(Thread* next, bool wake = true) {
  control().running = next;
  if (next == nullptr) {
    // The parked threads wait without a timeout while a thread holds the
    // baton: bid them look again, to wait in ticks (park()).
    follow_real_time();
    for (Thread* t : model().threads) {
      std::uint32_t none = kNoBaton;
      if (!t->finished && t->baton.compare_exchange_strong(none, kLookAgain, std::memory_order_release))
        futex_wake(t->baton);
    }
    return;
  }
  control().idle_mark = 0;
  next->baton.store(kBaton, std::memory_order_release);
  if (wake) futex_wake(next->baton);
}

// Waits, with the model's lock released, until `me` is given the baton,
// having woken `next` (the thread it handed the baton to, or null) once the
// lock is released: on the one CPU the process has, the woken thread may
// run at once, and would only spin on a held lock. While nobody holds the
// baton, a signal handler that ran meanwhile (on this thread, interrupting
// the wait) may have let a thread go on (a sem_post): then this thread
// picks the next.
void park(Thread& me, ScopedModel& scoped, Thread* next = nullptr) {
  // While nobody holds the baton only a signal can change that, and TSan
  // runs a handler when the thread next enters one of its interceptors: the
  // wait wakes up now and then to enter one.
  bool idle = control().running == nullptr;
  scoped.unlock();
  if (next != nullptr) futex_wake(next->baton);
  t_parked = true;
  for (std::uint32_t word; (word = me.baton.exchange(kNoBaton, std::memory_order_acquire)) != kBaton;) {
    static constexpr timespec kIdleTick{0, 5'000'000};
    if (word == kNoBaton) futex_wait(me.baton, kNoBaton, idle ? &kIdleTick : nullptr);
    if (idle) {
      timespec now;
      RACELAB_TSAN(clock_gettime)(CLOCK_MONOTONIC, &now);
    }
    model().lock.lock();
    if (control().running == nullptr) {
      follow_real_time();
      if (Thread* next = pick()) {
        // Real time, not a step of the program's threads, decided this.
        Control& c = control();
        if (c.not_replayable == nullptr) {
          c.not_replayable = "a wait was ended by the world outside the program's threads (data on a file descriptor, a signal, real time)";
          c.not_replayable_thread = next->ordinal;
        }
        hand_to(next);
      }
    }
    idle = control().running == nullptr;
    model().lock.unlock();
  }
  t_parked = false;
  scoped.relock();
}

// The thread that goes on when `me` cannot: a candidate, else the first
// deadline, else nobody while a thread outside may come back; else nothing
// can ever run again.
Thread* next_when_blocked() {
  if (Thread* next = next_or_deadline()) return next;
  // Nobody holds the baton while a thread outside may come back, or a
  // signal handler may let a thread go on (sem_post is async-signal-safe).
  if (world_may_wake()) return nullptr;
  stuck();
}

// The calling thread joins the schedule: it runs now if nobody does, else
// waits for its turn.
void rejoin(Thread& me, ScopedModel& scoped) {
  me.outside = false;
  if (control().running == &me) return;
  if (control().running == nullptr) {
    control().running = &me;
    me.baton.store(kNoBaton, std::memory_order_relaxed);
    return;
  }
  park(me, scoped);
}

// ---- the watchdog: the last resort for a thread asleep in the kernel in a
// call the scheduler does not model (a read, a future's wait) while it holds
// the baton. Started with libc's pthread_create, unknown to TSan and to the
// hooks: it makes raw system calls only, and never returns. ----

constexpr long kWatchNs = 20'000'000;
constexpr int kStalledRounds = 15;  // 300 ms

// A path under /proc, built without the allocator: "/proc/self/task/" + tid + "/stat".
struct ProcPath {
  char text[96] = {};
  std::size_t size = 0;
  ProcPath& operator<<(const char* part) {
    while (*part != '\0' && size + 1 < sizeof text) text[size++] = *part++;
    text[size] = '\0';
    return *this;
  }
  ProcPath& operator<<(long number) {
    char digits[24];
    int n = 0;
    do digits[n++] = static_cast<char>('0' + number % 10);
    while ((number /= 10) > 0 && n < 23);
    while (n > 0 && size + 1 < sizeof text) text[size++] = digits[--n];
    text[size] = '\0';
    return *this;
  }
};

// The start of file `path`, NUL-terminated, in `buffer`; its length, or -1.
long read_start(const ProcPath& path, char* buffer, std::size_t size) {
  const int fd = static_cast<int>(raw_syscall(SYS_openat, AT_FDCWD, path.text, O_RDONLY | O_CLOEXEC));
  if (fd < 0) return -1;
  const long got = raw_syscall(SYS_read, fd, buffer, size - 1);
  raw_syscall(SYS_close, fd);
  buffer[got > 0 ? got : 0] = '\0';
  return got;
}

// What the link at `path` names ("pipe:[4711]"), in `buffer`; empty when none.
void link_target(const ProcPath& path, char* buffer, std::size_t size) {
  const long got = raw_syscall(SYS_readlinkat, AT_FDCWD, path.text, buffer, size - 1);
  buffer[got > 0 ? got : 0] = '\0';
}

// The kernel's state letter of task `tid` ('R' running, 'S' asleep, 'D' disk).
char task_state(pid_t tid) {
  char buffer[256];
  if (read_start(ProcPath{} << "/proc/self/task/" << tid << "/stat", buffer, sizeof buffer) <= 0) return '?';
  const char* close_paren = std::strrchr(buffer, ')');  // after the command name, which may hold spaces
  return close_paren != nullptr && close_paren[1] == ' ' ? close_paren[2] : '?';
}

// Whether task `tid` is asleep reading from or writing to ThreadSanitizer's
// symbolizer (llvm-symbolizer, a child process on a pipe) while it prints a
// report: TSan's own work, however long it takes, not the program waiting
// for the world. Under the model's lock.
bool talks_to_symbolizer(pid_t tid) {
  char buffer[256];
  if (read_start(ProcPath{} << "/proc/self/task/" << tid << "/syscall", buffer, sizeof buffer) <= 0) return false;
  char* end = nullptr;
  const long number = std::strtol(buffer, &end, 10);
  if ((number != SYS_read && number != SYS_write) || end == nullptr || *end != ' ') return false;
  const long fd = std::strtol(end + 1, nullptr, 16);
  char pipe[64];
  link_target(ProcPath{} << "/proc/self/fd/" << fd, pipe, sizeof pipe);
  if (std::strncmp(pipe, "pipe:", 5) != 0) return false;
  for (const Thread* t : model().threads) {
    if (t->finished || t->tid == 0) continue;
    char children[512];
    if (read_start(ProcPath{} << "/proc/self/task/" << t->tid << "/children", children, sizeof children) <= 0) continue;
    for (char* at = children; *at != '\0';) {
      const long child = std::strtol(at, &end, 10);
      if (end == at) break;
      at = end;
      char name[32];
      read_start(ProcPath{} << "/proc/" << child << "/comm", name, sizeof name);
      if (std::strncmp(name, "llvm-symbolizer", 15) != 0 && std::strncmp(name, "addr2line", 9) != 0) continue;
      for (const char* end_of_pipe : {"/fd/0", "/fd/1"}) {
        char target[64];
        link_target(ProcPath{} << "/proc/" << child << end_of_pipe, target, sizeof target);
        if (std::strcmp(target, pipe) == 0) return true;
      }
    }
  }
  return false;
}

void* watch(void*) {
  Thread* last = nullptr;
  std::uint64_t last_decisions = 0;
  int stalled = 0;
  for (;;) {
    const timespec tick{0, kWatchNs};
    raw_syscall(SYS_nanosleep, &tick, nullptr);
    if (!model().lock.try_lock()) continue;
    Control& c = control();
    Thread* running = c.running;
    if (running == nullptr || running != last || c.decisions != last_decisions) {
      last = running;
      last_decisions = c.decisions;
      stalled = 0;
    } else if (++stalled >= kStalledRounds) {
      const char state = task_state(running->tid);
      if ((state == 'S' || state == 'D') && !talks_to_symbolizer(running->tid)) {
        running->outside = true;
        if (c.not_replayable == nullptr) {
          c.not_replayable = "a thread slept in the kernel, in a call the scheduler does not model, while it held the baton";
          c.not_replayable_thread = running->ordinal;
        }
        hand_to(next_or_deadline());
      }
      stalled = 0;
    }
    model().lock.unlock();
  }
  return nullptr;
}

void start_watchdog() {
  using Create = int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
  auto create = reinterpret_cast<Create>(dlsym(RTLD_NEXT, "pthread_create"));
  if (create == nullptr) return;
  // Every signal blocked in it from its first instruction: TSan's handlers
  // must never run on a thread TSan does not know.
  sigset_t all, before;
  sigfillset(&all);
  raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &before, sizeof(unsigned long));
  pthread_t handle;
  create(&handle, nullptr, watch, nullptr);
  raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, &before, nullptr, sizeof(unsigned long));
}

// "0x12.1x3": ordinal x repeat, '.'-separated (x1 left out).
std::string encode_schedule(const Vector<std::pair<int, std::uint32_t>>& schedule) {
  std::string text;
  for (const auto& [ordinal, repeat] : schedule) {
    if (!text.empty()) text += '.';
    text += std::to_string(ordinal);
    if (repeat > 1) text += 'x' + std::to_string(repeat);
  }
  return text;
}

bool decode_schedule(const char* text, Vector<std::pair<int, std::uint32_t>>& out) {
  const char* p = text;
  while (*p != '\0') {
    char* end = nullptr;
    const unsigned long ordinal = std::strtoul(p, &end, 10);
    if (end == p) return false;
    unsigned long repeat = 1;
    p = end;
    if (*p == 'x') {
      repeat = std::strtoul(p + 1, &end, 10);
      if (end == p + 1 || repeat == 0) return false;
      p = end;
    }
    out.push_back({static_cast<int>(ordinal), static_cast<std::uint32_t>(repeat)});
    if (*p == '.') ++p;
    else if (*p != '\0') return false;
  }
  return true;
}

}  // namespace

bool controlled() noexcept { return control().on; }

// The text of file `path`, NUL-terminated; empty when it cannot be read.
Vector<char> read_whole(const char* path) {
  Vector<char> text;
  const int fd = static_cast<int>(raw_syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC));
  if (fd < 0) return text;
  char buffer[65536];
  for (long got; (got = raw_syscall(SYS_read, fd, buffer, sizeof buffer)) > 0;) text.insert(text.end(), buffer, buffer + got);
  raw_syscall(SYS_close, fd);
  text.push_back('\0');
  return text;
}

void control_init(const char* schedule) {
  Control& c = control();
  c.on = strategy() == Strategy::controlled;
  if (!c.on) return;
  c.rng = Rng(mix(seed(), 0x636f6e74726f6c));
  // "@FILE": the schedule is in FILE (a long one does not fit in the environment).
  Vector<char> from_file;
  if (schedule != nullptr && schedule[0] == '@') {
    from_file = read_whole(schedule + 1);
    if (from_file.empty()) {
      static const char kMissing[] = "racelab: RACELAB_SCHEDULE names a file that cannot be read\n";
      raw_syscall(SYS_write, 2, kMissing, sizeof kMissing - 1);
      raw_syscall(SYS_exit_group, 2);
    }
    while (from_file.size() > 1 && (from_file[from_file.size() - 2] == '\n' || from_file[from_file.size() - 2] == ' ')) {
      from_file.pop_back();
      from_file.back() = '\0';
    }
    schedule = from_file.data();
  }
  if (schedule != nullptr && *schedule != '\0' && !decode_schedule(schedule, c.replay)) {
    static const char kBad[] = "racelab: RACELAB_SCHEDULE is not a schedule (ordinal[xrepeat], '.'-separated)\n";
    raw_syscall(SYS_write, 2, kBad, sizeof kBad - 1);
    raw_syscall(SYS_exit_group, 2);
  }
  c.schedule.reserve(256);
  // The clocks logical time follows: wall and monotonic ones, not CPU time.
  for (clockid_t clock : {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
                          CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM, CLOCK_TAI}) {
    timespec now{};
    if (raw_syscall(SYS_clock_gettime, clock, &now) != 0) continue;
    c.base_ns[clock] = to_ns(now);
    c.follows[clock] = true;
  }
  // Random walk or PCT, per run from its seed: two runs in three walk at
  // random (on the corpus it finds the one-interleaving bugs about twice as
  // often), one in three follows priorities, whose d−1 change points reach
  // bugs of depth d in long runs where a random walk's many switches rarely
  // line up.
  c.pct = mix(seed(), 0x70637477616c6b) % 3 == 2;
  c.depth = std::max(1, std::min(pct_depth(), 16));
  c.change_count = static_cast<std::size_t>(c.depth - 1);
  for (std::size_t i = 0; i < c.change_count; ++i) c.changes[i] = c.rng.between(1, std::max<std::uint64_t>(pct_steps(), 1));
  std::sort(c.changes, c.changes + c.change_count);
  // One CPU for the whole process (its threads inherit it): a hand-over
  // between threads on two CPUs costs ten times one on the same CPU.
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0 && CPU_COUNT(&allowed) > 1) {
    int which = static_cast<int>(getpid() % CPU_COUNT(&allowed));
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
      if (CPU_ISSET(cpu, &allowed) && which-- == 0) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        sched_setaffinity(0, sizeof one, &one);
        break;
      }
  }
}

void control_reseed(std::uint64_t seed) {
  if (!controlled()) return;
  ScopedModel scoped;
  Control& c = control();
  // The test's own schedule, from its first step: the records give each
  // test its schedule, and a replayed one applies to each test anew.
  c.schedule.clear();
  c.schedule_cut = false;
  c.choices = 0;
  c.decisions = 0;
  c.trace = kTraceStart;
  c.replay_at = 0;
  c.replay_used = 0;
  c.diverged_at = 0;
  c.diverged_wanted = -1;
  c.not_replayable = nullptr;
  c.rng = Rng(mix(seed, 0x636f6e74726f6c));
  c.next_change = 0;
  for (std::size_t i = 0; i < c.change_count; ++i) c.changes[i] = c.rng.between(1, std::max<std::uint64_t>(pct_steps(), 1));
  std::sort(c.changes, c.changes + c.change_count);
  for (Thread* t : model().threads)
    if (!t->finished) control_thread_started(*t);
}

void control_yield() noexcept {
  if (!controlled() || t_parked) return;
  Thread* me = current_thread();
  if (me == nullptr) return;
  ScopedModel scoped(ScopedModel::kNoInterceptors);
  yield_priority(*me);
  hurry(*me);
}

void control_thread_started(Thread& t) {
  Control& c = control();
  if (!c.on) return;
  t.priority.store(c.depth + static_cast<int>(c.rng.between(0, 1 << 20)), std::memory_order_relaxed);
}

void control_point(bool load) noexcept {
  if (t_parked) return;
  if (!load) t_solo_loads = t_spin_loads = 0;
  // A section that calls no interceptor (ScopedModel::kNoInterceptors) but
  // when the calling thread is new to the runtime or the schedule needs room.
  Thread* me = current_thread();
  ScopedModel scoped(ScopedModel::kNoInterceptors);
  Control& control_state = control();
  if (me == nullptr || control_state.schedule.size() + 8 >= control_state.schedule.capacity()) {
    scoped.unlock();
    {
      ScopedModel full;
      me = &me_locked();
      make_room();
    }
    scoped.relock();
  }
  if (me->finished) return;  // past its end (thread_local destructors): unscheduled
  if (me->tid == 0) me->tid = static_cast<pid_t>(raw_syscall(SYS_gettid));
  rejoin(*me, scoped);
  Control& c = control();
  if (c.pct && c.next_change < c.change_count && c.decisions >= c.changes[c.next_change]) {
    me->priority.store(c.depth - 1 - static_cast<int>(c.next_change), std::memory_order_relaxed);
    ++c.next_change;
  }
  Thread* next = pick();
  if (next == me || next == nullptr) return;
  hand_to(next, false);
  park(*me, scoped, next);
}

namespace {

// Whether no thread but `me` can run now, nor ever will without it: none
// outside, none with a deadline, no signal handler, every other live
// thread in a wait that has not come.
bool alone_for_ever(const Thread& me) {
  if (signals_may_wake()) return false;
  for (const Thread* t : model().threads) {
    if (t == &me || t->finished) continue;
    if (t->outside || t->timed || t->wait == Wait::none || !t->forever || wait_can_end(*t)) return false;
  }
  return true;
}

}  // namespace

bool shared_mapping(const volatile void* address) {
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  const int fd = static_cast<int>(raw_syscall(SYS_openat, AT_FDCWD, "/proc/self/maps", O_RDONLY | O_CLOEXEC));
  if (fd < 0) return true;  // cannot tell: not a hang
  char buffer[8192];
  std::size_t kept = 0;
  bool shared = false;
  for (bool done = false; !done;) {
    const long got = raw_syscall(SYS_read, fd, buffer + kept, sizeof buffer - 1 - kept);
    if (got <= 0) done = true;
    else kept += static_cast<std::size_t>(got);
    buffer[kept] = '\0';
    char* line = buffer;
    for (char* end; (end = std::strchr(line, '\n')) != nullptr || (done && *line != '\0'); line = end + 1) {
      if (end == nullptr) end = line + std::strlen(line);
      *end = '\0';
      char* dash = nullptr;
      const std::uintptr_t from = std::strtoull(line, &dash, 16);
      char* space = nullptr;
      const std::uintptr_t to = dash != nullptr && *dash == '-' ? std::strtoull(dash + 1, &space, 16) : 0;
      if (at >= from && at < to && space != nullptr && std::strlen(space) > 4) shared = space[4] == 's';
      if (end == buffer + kept) break;
    }
    kept = static_cast<std::size_t>(buffer + kept - line > 0 ? buffer + kept - line : 0);
    std::memmove(buffer, line, kept);
  }
  raw_syscall(SYS_close, fd);
  return shared;
}

bool point_load(const volatile void* address) noexcept {
  if (!controlled()) {
    point();
    return false;
  }
  if (!active() || t_parked) return false;
  Thread* me = current_thread();
  if (me == nullptr || me->finished) {
    control_point(true);
    return false;
  }
  {
    ScopedModel scoped(ScopedModel::kNoInterceptors);
    if (control().running == me && !me->outside) {
      std::uint64_t others = 0;
      for (const Thread* t : model().threads) others += t != me && candidate(*t);
      if (address != t_solo_address) t_spin_loads = 0;
      if (others != 0 || address != t_solo_address) t_solo_loads = 0;
      t_solo_address = address;
      if (others == 0 && ++t_solo_loads >= kSpinLoads && alone_for_ever(*me)) return true;
      if (++t_spin_loads % kYieldingSpin == 0) {
        yield_priority(*me);
        if (others == 0) hurry(*me);
      }
    }
  }
  control_point(true);
  return false;
}

void spin_hang(const Site& site, const volatile void* address) {
  t_solo_loads = 0;
  if (shared_mapping(address)) return;
  ScopedModel scoped;
  Thread& me = me_locked();
  std::string waiting;
  for (const Thread* t : model().threads)
    if (t != &me && !t->finished) waiting += "; T" + std::to_string(t->ordinal) + " waits at " + describe(t->wait_site);
  end_process(Verdict::hang, "busy wait that nothing can end: atomic loads at " + place(site),
              "T" + std::to_string(me.ordinal) + " spins at " + describe(site) + " on atomic loads (" +
                  std::to_string(kSpinLoads) + " in a row) while no other thread can run: nothing can change what "
                  "it reads" + waiting);
}

bool control_wait(ScopedModel& scoped, Thread& me, const timespec* until, clockid_t clock) {
  if (t_parked) return wait_can_end(me);  // in a signal handler: the kernel decides
  make_room();
  if (me.tid == 0) me.tid = static_cast<pid_t>(raw_syscall(SYS_gettid));
  rejoin(me, scoped);
  me.timed = until != nullptr;
  if (until != nullptr) {
    me.deadline = *until;
    me.deadline_clock = clock;
  }
  for (;;) {
    if (wait_can_end(me)) break;
    if (me.timed && deadline_passed(me)) {
      me.timed = false;
      return false;
    }
    Thread* next = next_when_blocked();
    if (next == &me) continue;  // its deadline came: logical time jumped to it
    hand_to(next, false);
    park(me, scoped, next);
  }
  me.timed = false;
  return true;
}

void control_thread_begins(Thread& t) noexcept {
  if (!controlled()) return;
  t.tid = static_cast<pid_t>(raw_syscall(SYS_gettid));
  while (t.baton.exchange(kNoBaton, std::memory_order_acquire) != kBaton) futex_wait(t.baton, kNoBaton);
}

void control_thread_ended(Thread& t) {
  if (!controlled() || control().running != &t) return;
  make_room();
  Thread* next = next_or_deadline();
  if (next == nullptr && !world_may_wake())
    for (const Thread* other : model().threads)
      if (!other->finished) stuck();  // every live thread waits, and none ever can go on
  hand_to(next);
}

void control_leave(const char* why) noexcept {
  if (!controlled() || t_parked) return;
  Thread* me = current_thread();
  if (me == nullptr || me->finished) return;
  ScopedModel scoped;
  rejoin(*me, scoped);
  make_room();
  Control& c = control();
  if (c.not_replayable == nullptr) {
    c.not_replayable = why;
    c.not_replayable_thread = me->ordinal;
  }
  me->outside = true;
  hand_to(next_or_deadline());
}

void control_return() noexcept {
  if (!controlled() || t_parked) return;
  Thread* me = current_thread();
  if (me == nullptr || me->finished) return;
  ScopedModel scoped;
  rejoin(*me, scoped);
}

bool control_sleep(clockid_t clock, const timespec& until, const Site& site) noexcept {
  if (!controlled() || t_parked) return false;
  Thread* me = current_thread();
  if (me == nullptr || me->finished) return false;
  ScopedModel scoped;
  start_wait(*me, Wait::sleep, false, nullptr, site);
  control_wait(scoped, *me, &until, clock);
  end_wait(*me);
  return true;
}

bool control_wait_io(pollfd* fds, unsigned count, int timeout_ms, const Site& site) noexcept {
  if (!controlled() || t_parked) return true;
  Thread* me = current_thread();
  if (me == nullptr || me->finished) return true;
  timespec until{};
  if (timeout_ms >= 0) {
    logical_time(CLOCK_MONOTONIC, until);
    until = plus(until, timespec{timeout_ms / 1000, (timeout_ms % 1000) * 1'000'000L});
  }
  ScopedModel scoped;
  start_wait(*me, Wait::io, false, fds, site);
  me->io_fds = fds;
  me->io_count = count;
  const bool ready = control_wait(scoped, *me, timeout_ms >= 0 ? &until : nullptr, CLOCK_MONOTONIC);
  me->io_fds = nullptr;
  end_wait(*me);
  return ready;
}

bool logical_time(clockid_t clock, timespec& out) noexcept {
  Control& c = control();
  if (!c.on || clock < 0 || clock >= Control::kClocks || !c.follows[clock]) return false;
  out = from_ns(c.base_ns[clock] + c.logical.fetch_add(kStepNs, std::memory_order_relaxed) + kStepNs);
  return true;
}

timespec real_time(clockid_t clock) noexcept {
  timespec now{};
  raw_syscall(SYS_clock_gettime, clock, &now);
  return now;
}

ProgramSchedule control_record() {
  Control& c = control();
  ProgramSchedule record;
  record.schedule = encode_schedule(c.schedule);
  record.decisions = c.decisions;
  record.trace = c.trace & ((1ULL << 53) - 1);  // exact in every JSON reader
  if (c.not_replayable != nullptr)
    record.not_replayable = "T" + std::to_string(c.not_replayable_thread) + ": " + c.not_replayable;
  else if (c.schedule_cut)
    record.not_replayable = "a choice made where the schedule had no room left was not recorded";
  record.walk = c.pct ? "pct" : "random";
  if (c.diverged_at != 0)
    record.diverged = "choice " + std::to_string(c.diverged_at) + " of the schedule names " +
                      (c.diverged_wanted >= kEarlier ? "T" + std::to_string(c.diverged_wanted - kEarlier) + " (started before the test)"
                                                     : "T" + std::to_string(c.diverged_wanted)) +
                      ", which could not run then: the program took another path";
  return record;
}

void control_watch() {
  bool start = false;
  {
    ScopedModel scoped;
    Control& c = control();
    start = c.on && !c.watchdog_started;
    c.watchdog_started = true;
  }
  if (start) start_watchdog();
}

void control_after_fork() {
  control().watchdog_started = false;  // the watchdog is not in the child
}

}  // namespace racelab::intercept
