// exec.h — any program, run repeatedly under ThreadSanitizer's options, its
// logs collected into one result (`racelab exec`), and logs from anywhere
// read into one (`racelab report`).
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "process.h"
#include "racelab/report/summary.h"
#include "racelab/schedule.h"
#include "racelab/verdict.h"

namespace racelab::driver {

/// Input that is not the TSan log of a process (empty, binary, a directory,
/// text without TSan output): an infrastructure failure, not a usage error.
struct NotALog : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ExecOptions {
  std::vector<std::string> command;  ///< argv; argv[0] is looked up in PATH
  std::int64_t runs = 20;
  int jobs = 1;            ///< runs at once
  double timeout_s = 60;   ///< per run; past it the run is a `hang` and is killed
  std::string out_dir;     ///< run i's TSan logs and output go to out_dir/logs/run-i/
  std::string name;        ///< the result's name; default: argv[0]'s file name
  std::uint64_t max_log = kDefaultMaxLog;  ///< per run: output kept, and TSan log read
  // For racelab's runtime for unmodified code, when the program links it:
  Strategy strategy = Strategy::portfolio;  ///< how its scheduling points perturb
  std::uint64_t seed = 1;                   ///< run i's seed is run_seed(seed, i)
  int pct_depth = 3;
  std::uint64_t budget_percent = kDefaultBudgetPercent;  ///< the perturbation's share of a run's time
  /// Strategy controlled: the schedule every run replays (RACELAB_SCHEDULE); empty: none.
  std::string replay;
  bool stop_on_first = false;  ///< no run starts after one failed (the summary counts the runs done)
  bool progress = false;       ///< say what runs in flight are testing (a terminal is watching)
};

// find_program()
//
// `name` itself when it contains a '/', else the first executable `name` on
// PATH. Throws std::invalid_argument when there is none.
std::string find_program(const std::string& name);

// exec_runs()
//
// Runs the command `runs` times, up to `jobs` at once, each under
// racelab-keeper (process.h) with TSAN_OPTIONS = the user's, then racelab's:
// a log file per process in the run's directory, `second_deadlock_stack=1`,
// `verbosity=1` (TSan's start-up banner proves the runtime ran),
// `atexit_sleep_ms=0`, `handle_abort=1` (abort() and failed assertions get
// TSan's stack of the crashing thread), `exitcode=0` (the exit status stays
// the program's own; TSan's findings are read from its logs). Output goes to
// the run's output.txt, at most `max_log` bytes of it.
//
// A program linked with racelab's runtime for unmodified code
// (harness/intercept, `racelab flags`) gets the strategy and run i's seed
// through the environment (racelab/runtime_wire.h) and writes its records
// to the run's directory; its diagnoses join the run's verdict.
//
// Each run's verdict: `hang` past the timeout (busy or blocked), the verdict
// the runtime ended the process with (deadlock, hang, self_deadlock,
// livelock), `crash` on a signal (or TSan's report of one: where names the
// signal, an assertion or uncaught exception the output shows, and the
// crashing thread's top user frame); else, of highest precedence, its TSan
// findings, the runtime's other diagnoses and `invariant_violated` when it
// exits non-zero (the program's own check failed); `process_leak` when a
// process it started was still alive when it ended, else `clean`.
//
// Fails closed: a run whose own process printed no TSan banner (a binary
// built without -fsanitize=thread; a wrapper that writes no TSan log of its
// own counts by the logs of the processes it starts), a program that cannot
// be started, a log
// that cannot be read, is cut at `max_log` or holds TSan's own fatal errors
// is a problem of the result; `sanitizer` is set to "thread" only when every
// run had the banner. `on_run(done, testing)` is called as runs finish, and
// with `options.progress` every quarter second with what a run in flight is
// testing ("Suite.Name (57 of 211)" for a test program linked with the
// runtime; else empty): one call at a time, for a progress line.
//
// One result, named `name`; or, for a test program whose own processes said
// where each test ran (GoogleTest with racelab's listener, racelab/unmodified.h),
// a result per test, named by the test, and the program's own result after
// them when anything belongs to no test (by_test() in exec_judge.h).
std::vector<report::VariantResult> exec_runs(const ExecOptions& options, std::string& sanitizer,
                                const std::function<void(std::int64_t done, const std::string& testing)>& on_run);

// report_logs()
//
// TSan logs of any program, one process each, as the runs of one result
// named `name`: run i is log i, its verdict the kind of its first finding
// (`crash` for a deadly signal). A log is proof that TSan ran in its process
// when it holds TSan output (the banner, a report, TSan's own errors); one
// without — an empty file, a clean process logged without verbosity=1 — is
// counted as a clean TSan process only with `assume_tsan`. Throws
// std::invalid_argument when a log does not exist or cannot be read, and
// NotALog for a directory, a binary file, or (without `assume_tsan`) a log
// without TSan output. At most `max_log` bytes of a log are read (more is a
// problem).
report::VariantResult report_logs(const std::vector<std::string>& logs, const std::string& name,
                                  bool assume_tsan, std::uint64_t max_log);

}  // namespace racelab::driver
