// intercept.h — racelab's runtime for unmodified code: its state and the
// functions its hooks share. Internal to harness/intercept.
//
// A user links libracelab_intercept.a (whole) into a TSan-built program. Its
// strong definitions of pthread_mutex_lock, pthread_cond_wait, sem_wait, …
// take the place of ThreadSanitizer's weak ones; each hook updates racelab's
// model of the program (who owns which mutex, who waits on what, where), may
// perturb the schedule, and calls TSan's own interceptor, so TSan sees every
// call as before. The C++ atomics reach the hooks through `-Wl,--wrap` of
// TSan's __tsan_atomic* entry points (atomic_entry_points.inc).
//
// The runtime itself is built without TSan instrumentation and guards its
// model with a spin lock TSan never sees: nothing here adds a happens-before
// edge between the program's threads, and TSan reports nothing of racelab's
// own bookkeeping. It never calls one of TSan's interceptors while holding
// that lock.
#pragma once

#include <pthread.h>
#include <semaphore.h>
#include <sys/types.h>
#include <poll.h>
#include <time.h>

#include <atomic>
#include <compare>
#include <new>
#include <type_traits>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "racelab/schedule.h"
#include "racelab/verdict.h"

// ThreadSanitizer's interceptors: `___interceptor_<name>` since clang 17,
// `__interceptor_<name>` before (clang 14–16).
#if defined(__clang_major__) && __clang_major__ >= 17
#define RACELAB_TSAN(name) ___interceptor_##name
#else
#define RACELAB_TSAN(name) __interceptor_##name
#endif

extern "C" void* __libc_malloc(std::size_t size);
extern "C" void __libc_free(void* p);

namespace racelab {
struct ProgramSchedule;  // racelab/runtime_wire.h
}

namespace racelab::intercept {

// ---- raw system calls ----

// The kernel directly: the runtime's own calls must reach neither TSan nor
// racelab's own hook of syscall() (futex.cpp). Returns -errno on failure.
template <class... Args>
long raw_syscall(long number, Args... args) noexcept {
  static_assert(sizeof...(Args) <= 6);
  long a[6] = {};
  int i = 0;
  ((a[i++] = [](auto v) {
     if constexpr (std::is_null_pointer_v<decltype(v)>) return 0L;
     else if constexpr (std::is_pointer_v<decltype(v)>) return reinterpret_cast<long>(v);
     else return static_cast<long>(v);
   }(args)),
   ...);
#if defined(__x86_64__)
  long result;
  register long r10 asm("r10") = a[3];
  register long r8 asm("r8") = a[4];
  register long r9 asm("r9") = a[5];
  asm volatile("syscall"
               : "=a"(result)
               : "a"(number), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10), "r"(r8), "r"(r9)
               : "rcx", "r11", "memory");
  return result;
#else
#error "racelab's runtime for unmodified code makes raw system calls on x86-64 only"
#endif
}

// ---- the runtime's memory ----

// The runtime allocates from libc's own heap, never from the program's
// (TSan's): a block the program freed is not handed to racelab's bookkeeping,
// which would hide a use-after-free from TSan and write into the freed block.
template <class T>
struct RtAllocator {
  using value_type = T;
  RtAllocator() = default;
  template <class U>
  RtAllocator(const RtAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    void* p = __libc_malloc(n * sizeof(T));
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t) noexcept { __libc_free(p); }
  template <class U>
  bool operator==(const RtAllocator<U>&) const noexcept { return true; }
};

template <class T>
using Vector = std::vector<T, RtAllocator<T>>;
template <class K, class V>
using Map = std::unordered_map<K, V, std::hash<K>, std::equal_to<K>, RtAllocator<std::pair<const K, V>>>;

// The base of what the runtime creates with new.
struct RtObject {
  static void* operator new(std::size_t size) { return RtAllocator<char>().allocate(size); }
  static void operator delete(void* p) noexcept { __libc_free(p); }
};

// ---- the model's lock ----

// SpinLock — test-and-test-and-set with sched_yield. Uninstrumented, so
// ThreadSanitizer never sees it order anything.
class SpinLock {
 public:
  void lock() noexcept;
  bool try_lock() noexcept { return !locked_.exchange(true, std::memory_order_acquire); }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }
  /// In a fork child, whose other threads (one may have held it) are gone.
  void reset() noexcept { locked_.store(false, std::memory_order_relaxed); }

 private:
  std::atomic<bool> locked_{false};
};

// ---- sites ----

/// Return addresses of a call, innermost first (the hook's caller first).
struct Site {
  static constexpr int kDepth = 8;
  std::uintptr_t pc[kDepth] = {};
};

// Where the hook that calls it was called from. Fast (a frame-pointer walk)
// unless the caller is inside libstdc++ or libc (std::thread's constructor,
// std::condition_variable::wait), whose frames have no frame pointers; then
// an unwind. `frame` is the hook's __builtin_frame_address(0).
Site capture(void* frame) noexcept;
#define RACELAB_SITE() ::racelab::intercept::capture(__builtin_frame_address(0))

// "file.cpp:12 in function()", the first frame outside the standard
// library, libc and racelab; "an unknown site" when none is known.
std::string describe(const Site& site);
inline timespec plus(const timespec& a, const timespec& b) {
  timespec sum{a.tv_sec + b.tv_sec, a.tv_nsec + b.tv_nsec};
  if (sum.tv_nsec >= 1'000'000'000) {
    ++sum.tv_sec;
    sum.tv_nsec -= 1'000'000'000;
  }
  return sum;
}

// "file.cpp:12": the stable part, for a verdict's `where`.
std::string place(const Site& site);

// ---- the model ----

struct Thread;

// What a thread waits for. A wait is `forever` when nothing but another
// thread's action (modelled here) can end it; timed waits, and waits on
// objects shared with other processes, are not.
enum class Wait : std::uint8_t { none, mutex, read_lock, write_lock, condition, join, semaphore, barrier, once, futex, sleep, io };

struct VectorClock {
  // (thread ordinal, epoch), sorted by ordinal. Epochs advance only at thread
  // creation and join: the only order racelab takes as proof that two lock
  // acquisitions cannot overlap, since it holds in every execution of the
  // same program (an order through a mutex or a condition variable is this
  // execution's luck).
  Vector<std::pair<int, std::uint64_t>> entries;
  std::uint64_t of(int ordinal) const noexcept;
  void set(int ordinal, std::uint64_t epoch);
  void join(const VectorClock& other);
};

struct Thread : RtObject {
  int ordinal = 0;  ///< T0 is the main thread; then in creation order
  pthread_t handle{};
  bool finished = false;
  bool gone_at_fork = false;   ///< a thread of the parent process (this is a fork child)

  Wait wait = Wait::none;
  bool forever = false;
  const void* waiting_on = nullptr;  ///< the mutex, rwlock, condition, semaphore or barrier
  const void* wait_mutex = nullptr;  ///< the mutex of a condition wait
  Thread* joining = nullptr;
  bool joined = false;  ///< someone joined it (its pthread_t may be reused)
  bool counted_exit = false;  ///< thread_ended() ran
  std::uint64_t barrier_round = 0;
  Site wait_site;

  Vector<const void*> held;  ///< mutexes and rwlocks it holds, in acquisition order

  VectorClock clock;

  Rng rng;
  std::atomic<int> priority{0};  ///< strategy pct, and controlled runs that follow PCT

  // Livelock: the owner each mutex had at this thread's last failed try.
  Map<const void*, std::uint64_t> last_failed_generation;

  // ---- strategy controlled (control.cpp), under the model's lock ----
  std::atomic<std::uint32_t> baton{0};  ///< a futex word: 1 when it was given the right to run (control.cpp)
  pid_t tid = 0;                        ///< its kernel task, for the watchdog
  /// Runs unscheduled: in a call the scheduler does not model, or handed
  /// over by the watchdog while asleep in the kernel. It is scheduled again
  /// at its next scheduling point.
  bool outside = false;
  bool timed = false;      ///< its wait ends at `deadline` if nothing else ends it
  /// Wait::io: the file descriptors it waits on (the caller's), ready when poll() says so.
  pollfd* io_fds = nullptr;
  unsigned io_count = 0;
  bool futex_woken = false;     ///< its futex wait was woken (Wait::futex)
  std::uint64_t futex_order = 0;  ///< when it began that wait: wakes go first come, first served
  clockid_t deadline_clock = CLOCK_REALTIME;
  timespec deadline{};
};

struct Mutex {
  int id = 0;             ///< M<id>, in order of first sight
  // Written under the model's lock; read without it only by lock()'s fast
  // path (mutex.cpp), whose question "is it free, and not mine?" a stale
  // value answers safely.
  std::atomic<Thread*> owner{nullptr};
  unsigned depth = 0;     ///< recursive locks
  std::uint64_t generation = 0;  ///< acquisitions so far
  /// Initialised with pthread_mutex_init, so that its destroy ends its record
  /// and a new mutex at the address is a new record (std::mutex is neither
  /// initialised nor destroyed: one address may be several mutexes in turn).
  bool lifetime_known = false;
  Site taken;
};

struct RwLock {
  int id = 0;
  bool lifetime_known = false;  ///< as Mutex::lifetime_known
  Thread* writer = nullptr;
  Vector<Thread*> readers;  ///< one entry per read lock held
  Site taken;
};

struct Condition {
  int id = 0;
  int waiters = 0;
  int pending = 0;  ///< signals not yet consumed: up to that many waiters may run
  bool shared = false;  ///< shared with other processes, whose signals are not seen
};

struct Semaphore {
  int id = 0;
  bool known = false;  ///< its value is modelled (sem_init in this process)
  long value = 0;
};

struct Barrier {
  int id = 0;
  unsigned count = 0;
  unsigned arrived = 0;
  std::uint64_t round = 0;
};

// A one-time initialisation (pthread_once, a function-local static's guard),
// as strategy controlled follows it.
struct Once {
  Thread* runner = nullptr;  ///< the thread running it now
  bool done = false;
};

// A lock held, exclusively, while an edge was taken: the lock and its record.
struct Gate {
  const void* lock = nullptr;
  int id = 0;                   ///< the record's id then (a new mutex at the address has another)
  bool lifetime_known = false;  ///< the record is one mutex's, from init to destroy
  auto operator<=>(const Gate& other) const { return std::pair(lock, id) <=> std::pair(other.lock, other.id); }
  bool operator==(const Gate& other) const { return lock == other.lock && id == other.id; }
};

// One way a thread took mutex `to` while holding `from`, in one test.
struct EdgeInstance {
  int thread = 0;              ///< -1: the ways past the 16 kept, by any thread
  std::uint64_t test = 0;      ///< the test framework's test it was taken in (Model::test_serial)
  Vector<Gate> gates;          ///< the other locks held exclusively then, sorted
  /// The thread's clock at its first such acquisition. The only proof judged
  /// is that another thread ended (was joined) before an acquisition, and a
  /// later clock only adds to what ended before: the first acquisition is
  /// the one most able to overlap another.
  VectorClock first;
};

struct Model : RtObject {
  SpinLock lock;
  Vector<Thread*> threads;  ///< every thread seen, by ordinal (never freed)
  Map<const void*, Mutex> mutexes;
  Map<const void*, RwLock> rwlocks;
  Map<const void*, Condition> conditions;
  Map<const void*, Semaphore> semaphores;
  Map<const void*, Barrier> barriers;
  Map<const void*, Once> onces;  ///< strategy controlled only
  std::uint64_t futex_waits = 0;  ///< futex waits begun (strategy controlled)
  int next_id = 1;
  /// Objects first seen on a thread's stack, by id: the return address into
  /// the function whose local each is, and that thread's ordinal.
  Map<int, std::pair<std::uintptr_t, int>> stack_homes;
  /// The ordinal after which the current GoogleTest test's threads count
  /// (their seeds are the test's, whatever ran before it).
  int test_ordinal_base = 0;
  /// Tests a test framework started so far (racelab/unmodified.h): lock-order
  /// edges of different tests are never ordered by a join.
  std::uint64_t test_serial = 0;
  std::atomic<std::uint64_t> mutex_erasures{0};  ///< bumped when a Mutex record goes (its address may be reused)
  // The lock-order graph: from → to → the distinct ways it was taken.
  Map<const void*, Map<const void*, Vector<EdgeInstance>>> edges;
  // Livelock: failed tries in a row (each on a mutex taken and released by
  // another thread since that thread's last failed try on it) with no
  // successful try and no thread ending between.
  std::uint64_t retries = 0;  ///< since the last progress (judge.cpp, livelock)
  Vector<int> retrying_threads;
  Map<int, std::pair<Site, const void*>> retry_sites;  ///< each retrying thread's last retry (its lock, or null)
};

Model& model() noexcept;

// A thread starts (`started`) or ends a wait, under the model's lock. The
// strategies perturb only while another thread is enabled (a yield with no
// other thread of the program to run is a context switch for nothing, and
// crawls on a loaded machine); pct picks its highest priority among enabled threads.
void schedule_wait_changed(bool started);

inline void start_wait(Thread& me, Wait wait, bool forever, const void* on, const Site& site) {
  me.wait = wait;
  me.forever = forever;
  me.waiting_on = on;
  me.wait_site = site;
  schedule_wait_changed(true);
}

inline void end_wait(Thread& me) {
  const bool waited = me.wait != Wait::none;
  me.wait = Wait::none;
  me.forever = false;
  me.waiting_on = nullptr;
  me.wait_mutex = nullptr;
  me.joining = nullptr;
  if (waited) schedule_wait_changed(false);
}

// Drops the last entry of `lock` from what `t` holds.
inline void remove_held(Thread& t, const void* lock) {
  for (auto it = t.held.rbegin(); it != t.held.rend(); ++it)
    if (*it == lock) {
      t.held.erase(std::next(it).base());
      return;
    }
}

// The calling thread's record; registers a thread racelab did not see start.
// Under the model's lock.
Thread& me_locked();

// The calling thread's record when it has one (read without the model's lock
// by the calling thread only), else null.
Thread* current_thread() noexcept;

// Makes `t` the calling thread's record: the first thing a thread the
// runtime started does (threads.cpp).
void adopt_thread(Thread* t);

// ScopedModel — holds the model's lock; hooks called from inside the
// runtime (or re-entered from a signal handler) see `active()` false and go
// straight to TSan.
//
// By default TSan ignores the calling thread's memory accesses meanwhile: the
// model's containers call memmove and memcpy, which TSan intercepts and would
// check. A section that calls no interceptor (no mem* call, no allocation, no
// symbolizing; a lookup, scalar stores, a push into spare capacity) can leave
// that out with kNoInterceptors: TSan records a stack at each ignore (5% of a
// lock-heavy program's time, when every lock and unlock took one).
class ScopedModel {
 public:
  enum Ignore { kMemory, kNoInterceptors };
  explicit ScopedModel(Ignore ignore = kMemory) noexcept;
  ~ScopedModel();
  ScopedModel(const ScopedModel&) = delete;
  ScopedModel& operator=(const ScopedModel&) = delete;
  void unlock() noexcept;  ///< early (before calling into TSan)
  void relock() noexcept;  ///< again, after unlock()

 private:
  bool held_ = true;
  bool ignoring_ = true;
};

// True when this call should be modelled: the runtime is initialised and
// the calling thread is not already inside it.
bool active() noexcept;

Mutex& mutex_of(const void* m);
RwLock& rwlock_of(const void* l);
Condition& condition_of(const void* c);
Semaphore& semaphore_of(const void* s);
Barrier& barrier_of(const void* b);

// The name of the global (or static) variable at `address`; empty when it is
// none (on the heap or a stack).
std::string global_name(const void* address);
// "mutex M3 'accounts_lock'": the id and, for a global, its name.
std::string name_of(const char* what, int id, const void* address);

// The calling thread ends (returns from its start routine or calls
// pthread_exit): notes a lock leak, wakes its joiners, checks for a hang.
void thread_ended(Thread& t);

// ---- judging (judge.cpp) ----

// The calling thread is about to wait forever (its Wait is set): ends the
// process when the wait can never end — a wait-for cycle (deadlock), a mutex
// its owner died holding (a lock leak), every live thread waiting (hang).
// Under the model's lock, which it releases only to end the process.
void check_wait(Thread& me);
// A thread finished: when every remaining thread now waits forever, hang.
void check_all_waiting();
// Whether what `t` waits for has come, as the model sees it (whether or not
// the wait is forever): a free mutex, a pending signal, an ended thread, ….
bool wait_can_end(const Thread& t);
// Whether the program handles a signal that can arrive while every thread
// waits (a handler may end a wait: sem_post is async-signal-safe).
bool signals_may_wake();
// Under control, no thread can run and none will come back: the deadlock
// or hang, named as check_wait names them. Ends the process.
[[noreturn]] void stuck();
// Notes a lock-order edge for each lock `me` holds to `to`, which it is
// about to take with a blocking lock.
void add_edges(Thread& me, const void* to);
// Livelock (racelab/unmodified.h, racelab_progress()): retries by two or
// more threads with no progress between, up to a bound, end the process.
// A failed trylock or timed lock on `m` by `me`: a retry when `m` changed
// hands since `me`'s last failed try of it (polling a lock held all along
// is none).
void failed_try(Thread& me, const void* m, const Mutex& state, const Site& site);
// An explicit scheduling point of `me` (racelab_interleave()): a retry.
void interleave_retry(Thread& me, const Site& site);
// A try-lock got through, a thread finished, or a progress mark: the count starts over.
void progress() noexcept;

// ---- outcomes (runtime.cpp) ----

// Ends the process: the verdict goes to stderr and the records, then _exit.
[[noreturn]] void end_process(Verdict verdict, const std::string& where, const std::string& detail);
// A diagnosis that does not end the process.
void note(Verdict verdict, const std::string& where, const std::string& detail);
// A record line (runtime_wire.h), appended to this process's record file.
void write_record(const std::string& line);
// Under control, the schedule so far (not under the model's lock).
void write_schedule();

// ---- strategy controlled (control.cpp) ----
//
// One thread runs at a time: it holds the baton. At each scheduling point
// a seeded random walk (or a recorded schedule, RACELAB_SCHEDULE) picks the
// next among the enabled threads: not finished, not outside, and either not
// waiting or waiting for something the model says has come (a free mutex, a
// pending signal, a finished thread, …). A thread that would block is never
// let into the kernel: it waits, parked on its own futex word, until it is
// picked. The hand-over is raw futex calls from uninstrumented code, so
// ThreadSanitizer sees no order between the threads the program does not
// make itself.

bool controlled() noexcept;
// The scheduling point of an atomic load of `address`: true when, under
// control, the calling thread has spun on loads of it alone for so long while no other thread
// could run that nothing can ever change what it reads (then spin_hang()).
bool point_load(const volatile void* address) noexcept;
// Whether `address` lies in a mapping shared with other processes (a
// fourth permission letter 's' in /proc/self/maps); true when it cannot tell.
bool shared_mapping(const volatile void* address);
// Ends the process: a busy wait at `site` on the atomic at `address` that no
// thread can end, unless the address is memory shared with another process.
void spin_hang(const Site& site, const volatile void* address);
// A scheduling point under control: the calling thread may be parked while
// others run. Not under the model's lock. `load`: an atomic load's
// (point_load()), which does not end a busy wait.
void control_point(bool load = false) noexcept;
// The calling thread (under the model's lock, its Wait set and judged by
// check_wait) cannot go on until its wait can end: others run meanwhile.
// False when its deadline (`until` on `clock`; null: none) came first.
bool control_wait(ScopedModel& scoped, Thread& me, const timespec* until, clockid_t clock);
// A new thread's place in the schedule (its PCT priority), under the model's lock.
void control_thread_started(Thread& t);
// A thread the runtime started waits for its first turn (threads.cpp).
void control_thread_begins(Thread& t) noexcept;
// `t` finished (under the model's lock): the next thread runs.
void control_thread_ended(Thread& t);
// Around a call the scheduler does not model and that may block in the
// kernel: the baton goes to another thread meanwhile, and the run is no
// longer replayable (`why` says which call).
void control_leave(const char* why) noexcept;
void control_return() noexcept;
// The calling thread waits by retrying (a failed try-lock): under PCT it
// drops below every other thread, so that the one it waits for runs.
void control_yield() noexcept;
// A wait until one of `fds` is ready (a read, an accept, a poll) or,
// `timeout_ms` ≥ 0, logical time has passed that: in the model, the others
// running meanwhile, so that a write by one of the program's threads ends
// it at that step. When no thread can run it waits for the world outside in
// real time, and the run is then no longer replayable. False when it timed
// out; true at once when not under control.
bool control_wait_io(pollfd* fds, unsigned count, int timeout_ms, const Site& site) noexcept;
// A sleep until `until` on `clock`, in logical time: the others run
// meanwhile; it ends when logical time reaches `until` (at once when no
// other thread can run). False when the caller should sleep for real (not
// under control, or in a signal handler).
bool control_sleep(clockid_t clock, const timespec& until, const Site& site) noexcept;
// Under control the program's clocks read logical time (control.cpp): the
// clock's reading when the run began, plus 1 µs for each scheduling decision
// and each reading since, plus the waits' deadlines it jumped to when no
// thread could run. A timed wait thus times out at the same step in every
// replay, at once. False (and `out` untouched) for a clock it does not
// follow (a CPU-time clock) or when not under control.
bool logical_time(clockid_t clock, timespec& out) noexcept;
// The real time on `clock` (CLOCK_MONOTONIC for the runtime's own budgets).
timespec real_time(clockid_t clock) noexcept;
void control_init(const char* schedule);
void control_reseed(std::uint64_t seed);  ///< a GoogleTest test starts
// The schedule so far, for the records (under the model's lock).
ProgramSchedule control_record();
// Starts the watchdog (control.cpp) with the program's second thread. Not
// under the model's lock.
void control_watch();
void control_after_fork();  ///< in a fork child, under the model's lock

// ---- scheduling (schedule.cpp) ----

// A scheduling point: the strategy may delay the calling thread here.
void point() noexcept;
void schedule_thread_started(Thread& thread);  ///< under the model's lock
void schedule_thread_finished();               ///< under the model's lock
std::uint64_t steps() noexcept;

// The start gate: under a perturbing strategy, threads a thread creates wait
// at their start (at most 2 ms, spinning without synchronising) until it
// waits for something (a join, a condition, a semaphore, a barrier), so that
// they run side by side rather than one after the other: creating a thread
// costs more than a short thread's whole work, under TSan especially.
void gate_close() noexcept;  ///< a thread is being created
void gate_open() noexcept;   ///< its creator waits
void gate_wait() noexcept;   ///< a new thread, before its start routine
Strategy strategy() noexcept;
int pct_depth() noexcept;             ///< RACELAB_PCT_DEPTH: d
std::uint64_t pct_steps() noexcept;   ///< RACELAB_PCT_STEPS: k, the steps a run is expected to take
std::uint64_t seed() noexcept;          ///< the current one (a GoogleTest test's, while one runs)
std::uint64_t process_seed() noexcept;  ///< RACELAB_SEED, as the process started
void schedule_init(const char* strategy, const char* seed, const char* depth, const char* steps, const char* budget);
// What the time budget allowed so far (racelab/runtime_wire.h's ProgramEnd).
struct Perturbation {
  std::uint64_t budget_percent = 0;
  std::uint64_t delays = 0;    ///< delays spent
  std::uint64_t delay_ns = 0;  ///< their time, added up over threads
  std::uint64_t over_budget = 0;  ///< delays the strategy chose that the budget refused
};
Perturbation perturbation() noexcept;
// A decimal number from the environment; `fallback` when unset, empty or not one.
std::uint64_t parse_u64(const char* text, std::uint64_t fallback);
// A GoogleTest test starts with its own seed: the concrete strategy, pct's
// change points and step count are chosen again from it.
void schedule_reseed(std::uint64_t seed);

// ---- GoogleTest tests (tests.cpp) ----

// TSan reports printed in this process so far (judge.cpp counts them).
std::uint64_t reports_printed() noexcept;
void count_printed_report() noexcept;

}  // namespace racelab::intercept
