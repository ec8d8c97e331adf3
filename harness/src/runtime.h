// runtime.h — the run loop's state, shared by the runtime's .cpp files.
// Internal to harness/src.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "racelab/case.h"
#include "racelab/detail/runtime.h"
#include "racelab/detail/thread_annotations.h"
#include "racelab/verdict.h"

namespace racelab {
struct RunRecord;  // racelab/wire.h: what a worker streams to the driver
}  // namespace racelab

namespace racelab {

// RunAccess — the runtime's way into Run's private state.
class RunAccess {
 public:
  static Run make(std::uint64_t seed, std::int64_t index) noexcept { return Run(seed, index); }
  static bool failed(const Run& run) noexcept { return run.failed_; }
  static const std::string& detail(const Run& run) noexcept { return run.detail_; }
};

}  // namespace racelab

namespace racelab::detail {

// Where records go: the driver's pipe (JSON lines) or a person (text).
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void run(const RunRecord& record) = 0;
  /// Called once when a run ended the campaign early (end_run()). Returns
  /// the exit code for _exit(), or exits by itself.
  virtual int ended_early(const RunRecord& record) = 0;
};

// The one run that is active in this process (runs never overlap).
struct ActiveRun {
  std::atomic<bool> active{false};
  std::atomic<std::uint64_t> generation{0};  ///< counts runs, so the watchdog sees a new one
  Strategy strategy = Strategy::none;  ///< the concrete one (never portfolio)
  std::uint64_t seed = 0;
  std::int64_t index = 0;
  std::chrono::steady_clock::time_point start;
  std::uint64_t tsan_first = 0;
  std::uint64_t valgrind_first = 0;  ///< valgrind_errors() when the run began
  std::atomic<int> tsan_verdict{-1};  ///< Verdict of highest precedence among the run's TSan reports, -1 if none.
  std::atomic<int> live_threads{0};   ///< case threads started and not yet finished.
  std::atomic<bool> gate_open{false};  ///< see open_start_gate()

  // Strategies yield and sleep: perturb at one point in `one_in`, drawn per
  // run, so some runs are shaken hard and others lightly (strategy.cpp).
  std::uint64_t one_in = 4;
  // Strategy pct (see strategy.cpp).
  int pct_depth = 3;
  std::uint64_t pct_step_estimate = 200;     ///< k: the steps a run takes, from earlier runs
  std::vector<std::uint64_t> pct_changes;    ///< d−1 step numbers, ascending
  std::atomic<std::size_t> pct_next_change{0};
  std::atomic<std::uint64_t> pct_steps{0};   ///< steps of all threads in this run
  std::atomic<int> pct_top{0};               ///< highest priority among live threads

  HarnessMutex mutex;  ///< always taken inside a QuietScope
  int next_ordinal RACELAB_GUARDED_BY(mutex) = 1;
  std::vector<std::unique_ptr<ThreadState>> threads RACELAB_GUARDED_BY(mutex);  ///< [0] is the body's thread.
  std::optional<Verdict> noted RACELAB_GUARDED_BY(mutex);
  std::string noted_detail RACELAB_GUARDED_BY(mutex);
};

ActiveRun& active_run() noexcept;
RecordSink*& record_sink() noexcept;

// The process-wide count of TSan reports printed so far.
std::uint64_t tsan_reports() noexcept;
/// What tsan_reports() counts (tsan_glue.cpp).
extern std::atomic<std::uint64_t> g_tsan_reports;

using racelab::run_seed;

// execute() — one run of `body` with fresh harness state; returns its record.
RunRecord execute(Body body, Strategy strategy, std::uint64_t seed, std::int64_t index);

// Exits at once with `code`, past ThreadSanitizer's exit handling, which
// would replace the code with 66 after any report. For a person's runs, where
// the exit code is the harness's judgement ("as expected" or not).
[[noreturn]] void exit_with(int code) noexcept;

// "std::exception: <what>" or "an exception of unknown type", for diagnoses.
std::string describe_exception(std::exception_ptr error);

// Starts the watchdog thread, which ends a run that cannot finish:
//   deadlock  a cycle in the wait-for graph (thread → mutex → owner, or
//             thread → joined thread), unchanged for 100 ms;
//   livelock  `livelock_steps` steps of the run's threads without progress(),
//             or the run older than `limit` while its threads took at least
//             1,000 steps since the last progress() (step rates differ a
//             thousandfold between strategies and machine loads; a time limit
//             that comes first does not make spinning a hang);
//   hang      every unfinished thread blocked for 500 ms with no cycle, or the
//             run older than `limit` otherwise.
void start_watchdog(std::chrono::milliseconds limit, std::uint64_t livelock_steps);

// Strategies (strategy.cpp).
using racelab::concrete_strategy;
// Per-run set-up, before the body starts (under the run's mutex).
void strategy_begin_run(ActiveRun& run, ThreadState& body) RACELAB_REQUIRES(run.mutex);
// A thread joined the run (under the run's mutex) or left it.
void strategy_thread_started(ActiveRun& run, ThreadState& thread) RACELAB_REQUIRES(run.mutex);
void strategy_thread_finished(ActiveRun& run) RACELAB_EXCLUDES(run.mutex);
// After the run: learn its length for the next run's change points.
void strategy_end_run(ActiveRun& run, std::uint64_t total_steps);

}  // namespace racelab::detail
