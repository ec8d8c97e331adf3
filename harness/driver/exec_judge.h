// exec_judge.h — one run of `racelab exec` judged: how its process ended,
// its TSan logs, the records of racelab's runtime for unmodified code and its
// output, as one verdict with its place. Internal to harness/driver.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "process.h"
#include "racelab/report/summary.h"
#include "racelab/report/tsan.h"
#include "racelab/runtime_wire.h"

namespace racelab::driver {

// What racelab's runtime for unmodified code said in one run's processes.
struct RuntimeRecords {
  bool linked = false;         ///< the run's own process said hello
  std::string strategy;        ///< the concrete strategy it used
  std::uint64_t budget_percent = 0;  ///< the perturbation's time budget it used
  std::vector<ProgramVerdict> verdicts;
  std::optional<ProgramVerdict> ended;  ///< the own process was ended with it
  std::vector<ProgramCycle> dropped;    ///< TSan lock-order reports judged unable to deadlock
  std::uint64_t steps = 0;
  std::optional<ProgramEnd> end;  ///< the own process exited normally, with these figures
  std::optional<ProgramSchedule> schedule;  ///< strategy controlled: the own process's schedule
  /// The tests a test framework selected in the run's own process, when it said.
  std::optional<ProgramTests> selected;
  /// The tests a test framework ran in the run's own process (racelab/unmodified.h), in order.
  struct Test {
    ProgramTestStart start;
    std::optional<ProgramTestEnd> end;     ///< none: the process ended during it
    std::vector<ProgramVerdict> verdicts;  ///< diagnosed during it (and not in `verdicts`)
    std::vector<ProgramCycle> dropped;     ///< TSan lock-order reports dropped during it
    std::optional<ProgramSchedule> schedule;  ///< its own, under strategy controlled
  };
  std::vector<Test> tests;
};

// One finished run: its record (before report ordinals are known) and logs.
struct RunOutcome {
  RuntimeRecords runtime;
  RunRecord record;
  std::vector<report::TsanLog> logs;
  std::vector<std::string> problems;
  bool started = false;  ///< a process ran (it may still have failed)
  bool banner = false;   ///< TSan's banner in the log of the run's own process
  std::uint64_t dropped = 0;  ///< output bytes past --max-log (0: none)
  ProcessResult process;      ///< how the run's own process ended
  std::string output;         ///< the path of its output
  int own_log = -1;           ///< the index in `logs` of the own process's TSan log (-1: none)
};

// What the runtime's perturbation did in these runs: the own processes'
// figures (a run that ended otherwise has none); unset when none had any.
std::optional<report::Perturbation> perturbation_of(const std::vector<RunOutcome>& outcomes);

// The notes that say which of TSan's lock-order reports the runtime dropped
// in these runs, and why (each once).
std::vector<std::string> dropped_notes(const std::vector<RunOutcome>& outcomes);

// The words joined by single spaces.
std::string joined(const std::vector<std::string>& words);

// collect()
//
// Folds the runs, in index order, into one result with `meta`'s metadata;
// `rerun` is the command that runs the program again.
report::VariantResult collect(report::VariantResult meta, std::vector<RunOutcome>& outcomes, double seconds,
                              const std::string& rerun, bool assume_tsan = false);

// by_test()
//
// When the program's own processes said where tests started and ended
// (GoogleTest with racelab's listener): a result per test, named by the
// test ("Suite.Name"), its runs each time the test ran, in run order; and a
// result named `meta.case_id` for what belongs to no test (reports before
// the first test or at exit, child processes, a process left running, a
// problem), when there is any. Empty when no run reported a test. Each
// test's first failure comes with the command that re-runs that test alone,
// with its strategy and seed (`command` with --gtest_filter). A test's
// `seconds` are its own time in its runs; `seconds` is the program's result's.
std::vector<report::VariantResult> by_test(const std::vector<RunOutcome>& outcomes, const report::VariantResult& meta,
                                           double seconds, const std::vector<std::string>& command, double timeout_s);

// read_runtime_records()
//
// Reads the runtime's records of every process of run `run` (racelab.<pid>
// in `dir`; `own` is the run's own process). A record that cannot be read is
// a problem of the run.
void read_runtime_records(RunOutcome& o, const std::string& dir, pid_t own, std::int64_t run);

// judge()
//
// Sets o.record's verdict, where and detail from how the process ended (`p`),
// o.logs, o.runtime and the output in `output_path`; see exec_runs() in
// exec.h for the order in which they count.
void judge(RunOutcome& o, const ProcessResult& p, const std::string& output_path, double timeout_s);

// The directory of a run's logs and output.
std::string logs_of(const RunOutcome& o);

// The command that re-runs `failed`'s failure `f` (`command`: the program's,
// with what selects the failing test): with the strategy and seed it ran
// under, and under control its schedule (`f` gets the schedule too; a long
// one goes to a file in the run's logs, which `f` names as "@FILE").
std::string rerun_command(report::FirstFailure& f, const RunOutcome& failed, const std::string& seed_variable,
                          const std::string& command);

// judge_log()
//
// Sets r's verdict from one TSan log alone (`racelab report`): `crash` at
// TSan's report of a deadly signal, else its decisive finding's verdict.
void judge_log(RunRecord& r, const report::TsanLog& log);

}  // namespace racelab::driver
