// exec.h — any program, run repeatedly under ThreadSanitizer's options, its
// logs collected into one result (`racelab exec`), and logs from anywhere
// read into one (`racelab report`).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "racelab/report/summary.h"

namespace racelab::driver {

struct ExecOptions {
  std::vector<std::string> command;  ///< argv; argv[0] is looked up in PATH
  std::int64_t runs = 20;
  int jobs = 1;            ///< runs at once
  double timeout_s = 60;   ///< per run; past it the run is a `hang` and is killed
  std::string out_dir;     ///< run i's TSan logs and output go to out_dir/logs/run-i/
  std::string name;        ///< the result's name; default: argv[0]'s file name
};

// find_program()
//
// `name` itself when it contains a '/', else the first executable `name` on
// PATH. Throws std::invalid_argument when there is none.
std::string find_program(const std::string& name);

// exec_runs()
//
// Runs the command `runs` times, up to `jobs` at once, each with
// TSAN_OPTIONS = the user's, then racelab's: a log file per process in the
// run's directory, `second_deadlock_stack=1`, `verbosity=1` (TSan's start-up
// banner proves the runtime ran), `atexit_sleep_ms=0`. Each run's verdict:
// `hang` past the timeout, `crash` on a signal (or TSan's report of one), the
// kind of its first TSan finding, `invariant_violated` when it exits non-zero
// without a TSan report (the program's own check failed), else `clean`.
//
// Fails closed: a run whose processes printed no TSan banner (a binary built
// without -fsanitize=thread), a log that cannot be read or that holds TSan's
// own fatal errors is a problem of the result; `sanitizer` is set to
// "thread" only when every run had the banner. `on_run` is called as runs
// finish (for a progress line), from the calling thread.
report::VariantResult exec_runs(const ExecOptions& options, std::string& sanitizer,
                                const std::function<void(std::int64_t done)>& on_run);

// report_logs()
//
// TSan logs of any program, one process each, as the runs of one result
// named `name`: run i is log i, its verdict the kind of its first finding
// (`crash` for a deadly signal). Throws std::invalid_argument when a log
// cannot be read.
report::VariantResult report_logs(const std::vector<std::string>& logs, const std::string& name);

}  // namespace racelab::driver
