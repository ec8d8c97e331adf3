// racelab/detail/runtime.h — internals the public headers' inline code needs.
// Not part of the API: cases use racelab/racelab.h.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "racelab/schedule.h"
#include "racelab/verdict.h"

namespace racelab::detail {

using racelab::Rng;
using racelab::mix;

class Lockable;
struct ThreadState;

// What a thread is blocked in, for the watchdog's diagnosis.
enum class Wait : int {
  none,
  mutex,       ///< lock() of a racelab mutex: `waiting_on` is its Lockable*
  condition,   ///< a wait with no time limit (condition variable, barrier):
               ///< `waiting_on` is the object, `wait_what` names its type
  timed,       ///< a wait with a time limit: not blocked for good
  join,        ///< racelab::thread::join(): `waiting_on` is the joined ThreadState
};

// ThreadState — what the runtime knows about one thread of the current run.
// The atomics are written by their own thread and read (relaxed) by the
// watchdog, so they never add a happens-before edge TSan could see.
struct ThreadState {
  ThreadState() noexcept;  // hides it from valgrind's race checks (valgrind.h)
  ~ThreadState();
  ThreadState(const ThreadState&) = delete;
  ThreadState& operator=(const ThreadState&) = delete;

  int ordinal = -1;  ///< 0 is the body's thread; case threads count from 1 in creation order.
  Rng rng;
  std::atomic<std::uint64_t> steps{0};     ///< interleave() points passed.
  std::atomic<std::uint64_t> progress{0};  ///< progress() calls.
  std::atomic<Wait> wait{Wait::none};
  std::atomic<const void*> waiting_on{nullptr};  ///< see Wait
  std::atomic<std::uintptr_t> wait_pc{0};         ///< where it blocks in a lock (a return address)
  std::atomic<const char*> wait_file{nullptr};    ///< where it blocks otherwise (file, line)
  std::atomic<int> wait_line{0};
  std::atomic<const char*> wait_what{""};         ///< e.g. "racelab::barrier"
  std::atomic<bool> finished{false};
  std::atomic<int> priority{0};    ///< strategy pct
  std::vector<Lockable*> held;     ///< racelab mutexes it holds, in order; owner thread only
};

// Lockable — what racelab::mutex, recursive_mutex and shared_mutex share:
// the owner, the waiters, where the owner took it. Relaxed atomics only.
// A private base of each: the mutexes re-export owner(), held_by_me() and
// waiters() as documented API; the harness reaches the rest through the
// Lockable* a blocked thread publishes (ThreadState::waiting_on, held).
class Lockable {
 public:
  Lockable() noexcept;
  Lockable(const Lockable&) = delete;
  Lockable& operator=(const Lockable&) = delete;

  /// The ordinal of the owning thread in the current run, or -1 when free
  /// (or owned by a thread outside the run).
  int owner() const noexcept;
  /// True when the calling thread owns it.
  bool held_by_me() const noexcept;
  /// Threads blocked in lock() right now.
  int waiters() const noexcept { return waiters_.load(std::memory_order_relaxed); }
  /// A short name for diagnoses: `M<n>`, numbered in creation order per process.
  int id() const noexcept { return id_; }
  /// The owner's state, or null when free (for the watchdog's wait-for graph).
  ThreadState* owner_state() const noexcept { return owner_.load(std::memory_order_relaxed); }
  /// The return address where the owner took it (a site() argument).
  std::uintptr_t acquired_pc() const noexcept { return acquired_pc_.load(std::memory_order_relaxed); }
  /// The type's name in diagnoses, e.g. "racelab::mutex".
  const char* kind() const noexcept { return kind_; }

 protected:
  // Notes `mutex_misuse` when a thread still owns it.
  ~Lockable();
  // The calling thread is about to block in lock() at `pc`.
  void blocking(ThreadState& me, std::uintptr_t pc) noexcept;
  // The calling thread now owns it; `blocking` says whether it waited in
  // lock() (which orders locks) or took it with try_lock() (which does not).
  void acquired(ThreadState& me, std::uintptr_t pc, bool blocking) noexcept;
  // The calling thread gives it up (unlock). When `me` is not the owner the
  // run notes `mutex_misuse` first.
  void released(ThreadState& me) noexcept;
  // Notes `mutex_misuse`: `me` unlocks it without owning it.
  void misused(ThreadState& me) const noexcept;
  // Ends the run as self_deadlock: `me` locks it again at `pc`.
  [[noreturn]] void relocked(ThreadState& me, std::uintptr_t pc) const noexcept;

  std::atomic<ThreadState*> owner_{nullptr};  ///< stored by the owner only
  std::atomic<int> waiters_{0};
  std::atomic<std::uintptr_t> acquired_pc_{0};
  const char* kind_ = "racelab::mutex";

 private:
  int id_;
};

// site() — "file:line" of the call that returned to `pc`, skipping frames in
// the standard library's and racelab's headers (a lock_guard's constructor);
// "0x…" when the build cannot symbolize. Slow: for diagnoses only.
std::string site(std::uintptr_t pc);

// The return address of the calling function, as a site() argument.
#define RACELAB_CALLER_PC() reinterpret_cast<std::uintptr_t>(__builtin_return_address(0))

// The calling thread's state. Threads the harness did not start (a unit
// test's, the driver's) get a thread-local stand-in with ordinal -1.
extern thread_local ThreadState* t_self;
ThreadState& foreign_self() noexcept;
inline ThreadState& self() noexcept { return t_self != nullptr ? *t_self : foreign_self(); }

// True when the run's strategy perturbs; read on every interleave().
extern std::atomic<bool> g_perturbing;

// True when racelab's own checks are off (a case program's --plain, set
// before any run): a run then shows only what the program itself shows (its
// invariant check, a crash, a hang) and what a tool running it reports.
// Threads start without the start gate, a re-lock really blocks, no
// lock-order graph is kept, misuse and lost exceptions go unnoted, an
// exception escaping a thread or a joinable thread destroyed terminates the
// process (as with std::thread), and the watchdog calls whatever cannot
// finish a `hang` (steps without progress count only when the time limit
// comes). For `racelab bench`, which measures other detectors on the same
// programs.
extern bool g_plain;

void perturb(ThreadState& self) noexcept;

// The start gate: threads the body starts wait (spinning, without
// synchronising) until the body first joins or detaches one of them, so that
// they run side by side instead of one after another; thread creation costs
// more than a short thread's whole work, under TSan especially.
void open_start_gate() noexcept;

// Thread lifecycle, called by racelab::thread.
ThreadState* register_thread();

// WaitScope — the calling thread blocks in `wait` on `object` (a condition
// variable, a barrier, a joined ThreadState) named `what`, at file:line, for
// the scope.
class WaitScope {
 public:
  WaitScope(Wait wait, const void* object, const char* what, const char* file, int line) noexcept;
  ~WaitScope();
  WaitScope(const WaitScope&) = delete;
  WaitScope& operator=(const WaitScope&) = delete;

 private:
  ThreadState& self_;
};
void enter_thread(ThreadState* state) noexcept;
void exit_thread() noexcept;
void exception_escaped(std::exception_ptr error) noexcept;
void thread_not_joined() noexcept;

// A verdict that ends the run at once (the run cannot continue, e.g. a thread
// is about to block forever): the run's record is written and the process
// exits. Never returns.
// Outside a run it prints `detail` and aborts.
[[noreturn]] void end_run(Verdict verdict, const std::string& detail) noexcept;

// A verdict that does not end the run (mutex misuse, a leaked thread): kept
// if it is the first thing that went wrong in the run. Outside a run it is
// printed to stderr.
void note(Verdict verdict, const std::string& detail) noexcept;

// QuietScope — harness bookkeeping that TSan must not see: no happens-before
// edges from the harness's own locks (they would hide the races cases exist
// to show) and no race reports on the harness's own data. No-op without TSan.
class QuietScope {
 public:
  QuietScope() noexcept;
  ~QuietScope();
  QuietScope(const QuietScope&) = delete;
  QuietScope& operator=(const QuietScope&) = delete;
};

}  // namespace racelab::detail
