// racelab/detail/runtime.h — internals the public headers' inline code needs.
// Not part of the API: cases use racelab/racelab.h.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <string>

#include "racelab/verdict.h"

namespace racelab::detail {

// Rng — splitmix64: tiny, fast, and good enough to pick schedules.
class Rng {
 public:
  constexpr explicit Rng(std::uint64_t seed = 0) noexcept : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// True with probability 1/n.
  bool one_in(std::uint64_t n) noexcept { return next() % n == 0; }
  /// Uniform in [lo, hi].
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) noexcept {
    return lo + next() % (hi - lo + 1);
  }

 private:
  std::uint64_t state_;
};

// mix() — a well-spread 64-bit value from two inputs (seed derivation).
std::uint64_t mix(std::uint64_t a, std::uint64_t b) noexcept;

// ThreadState — what the runtime knows about one thread of the current run.
// Counters are written only by their own thread and read (relaxed) by the
// watchdog, so they never add a happens-before edge TSan could see.
struct ThreadState {
  int ordinal = -1;  ///< 0 is the body's thread; case threads count from 1 in creation order.
  Rng rng;
  std::atomic<std::uint64_t> steps{0};     ///< interleave() points passed.
  std::atomic<std::uint64_t> progress{0};  ///< progress() calls.
  std::atomic<const void*> waiting_on{nullptr};  ///< the primitive it blocks on, if any.
};

// The calling thread's state. Threads the harness did not start (a unit
// test's, the driver's) get a thread-local stand-in with ordinal -1.
extern thread_local ThreadState* t_self;
ThreadState& foreign_self() noexcept;
inline ThreadState& self() noexcept { return t_self != nullptr ? *t_self : foreign_self(); }

// True when the run's strategy perturbs; read on every interleave().
extern std::atomic<bool> g_perturbing;

void perturb(ThreadState& self) noexcept;

// The start gate: threads the body starts wait (spinning, without
// synchronising) until the body first joins or detaches one of them, so that
// they run side by side instead of one after another; thread creation costs
// more than a short thread's whole work, under TSan especially.
void open_start_gate() noexcept;

// Thread lifecycle, called by racelab::thread.
ThreadState* register_thread();
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
