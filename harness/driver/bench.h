// bench.h — racelab measured against the detectors people use today, on the
// same case programs, in one run on one machine (`racelab bench`).
//
// Every detector runs the catalogue's programs through the same campaigns
// (worker processes, seeded runs, the same budgets):
//   stress     the plain build (no sanitizer), no perturbation, racelab's own
//              checks off (--plain): what a loop around the program shows;
//   tsan       the TSan build, no perturbation, racelab's checks off: TSan's
//              reports plus what the program shows;
//   yield, sleep, pct, portfolio
//              the TSan build with racelab's checks and a strategy: the lab;
//   helgrind, drd
//              the plain build under valgrind's tools (--fair-sched=yes, so
//              spinning threads make progress), racelab's checks off.
// With racelab's checks off a run shows its own invariant check, a crash, a
// hang, and what the tool reports; racelab's runtime stays out of the tools'
// way (its bookkeeping is hidden from TSan and from valgrind's tools).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "programs.h"
#include "racelab/verdict.h"

namespace racelab::driver {

struct Detector {
  std::string name;         ///< column heading: stress, tsan, yield, …
  std::string what;         ///< one line for the page
  bool racelab = false;     ///< racelab's own checks on (else --plain)
  bool tsan_build = false;  ///< runs <cases>/ (TSan) rather than <cases>/plain
  Strategy strategy = Strategy::none;
  std::vector<std::string> wrapper;  ///< valgrind and its options, "{log}" as in CampaignOptions
  std::string tool;  ///< "helgrind" or "drd" when under valgrind
};

// The eight detectors, in the order the page shows them.
std::vector<Detector> all_detectors();

struct BenchOptions {
  std::vector<std::string> cases;      ///< as `racelab run` takes them; empty: all
  std::vector<std::string> detectors;  ///< names; empty: all
  int trials = 20;                     ///< per buggy variant and detector, each with its own seeds
  std::int64_t budget = 25;            ///< runs per trial before a buggy variant counts as missed
  std::int64_t fixed_runs = 2000;      ///< runs per fixed variant and detector
  int jobs = 2;
  std::uint64_t seed = 1;  ///< the campaigns' seed
  double timeout_s = 2;    ///< a run's time limit, for every detector
  std::string cases_dir;   ///< the TSan build's case programs; plain ones in cases_dir/plain
  std::string work_dir;    ///< worker logs
  std::string command;     ///< the command line that reproduces the page
  bool quick = false;      ///< only for the page's heading
};

// How one detector did on one buggy variant, over the trials.
struct Detection {
  int trials = 0;
  int caught = 0;        ///< trials with a detection within the budget
  int right_class = 0;   ///< of those, the detection's verdict is one the case expects
  std::vector<std::int64_t> runs_to_first;  ///< per caught seed: runs up to and with the detection
  std::vector<double> seconds_to_first;     ///< per caught seed: time in those runs (see below)
  std::map<Verdict, int> classes;           ///< what the detections said
  int hangs_charged = 0;   ///< detections that were hangs charged with the time limit
  std::vector<std::string> problems;
};

// How one detector did on one fixed variant.
struct FalseAlarms {
  std::int64_t runs = 0;
  std::int64_t flagged = 0;            ///< runs with any report or verdict
  std::map<std::string, int> what;     ///< verdicts, or valgrind's error kinds (distinct errors)
  double seconds = 0;
  std::vector<std::string> problems;
};

struct BenchCase {
  std::string id;
  std::string title;
  std::vector<Verdict> expected;  ///< of the buggy variant
};

struct BenchResult {
  BenchOptions options;
  std::vector<Detector> detectors;
  std::vector<BenchCase> cases;
  std::map<std::string, std::map<std::string, Detection>> buggy;    ///< [case][detector]
  std::map<std::string, std::map<std::string, FalseAlarms>> fixed;  ///< [case][detector]
  std::map<std::string, double> floor;  ///< [detector] spawn+join of two threads per second
  std::map<std::string, double> start_seconds;  ///< [detector] a process's start and exit
  std::string machine;                  ///< CPU, cores, compiler, valgrind
  std::string created;                  ///< UTC, set by the caller
  double seconds = 0;
};

// The verdict a valgrind error kind stands for (helgrind's Race, LockOrder,
// UnlockUnlocked, Misc…; DRD's ConflictingAccess, MutexErr…). `what` is the
// error's text: a helgrind "Misc" re-lock, a DRD "Recursive locking", is a
// self-deadlock.
Verdict verdict_for_valgrind_kind(const std::string& kind, const std::string& what);

// The errors of a valgrind XML log (--xml=yes), in the order they were found:
// kind and text. Tolerates a log cut short by a kill.
std::vector<std::pair<std::string, std::string>> valgrind_errors_in(std::string_view xml);

// valgrind's command line for `tool` ("helgrind" or "drd"): valgrind from
// PATH, fair scheduling (a thread spinning for another does not starve it
// for seconds), the tool's options; with `xml`, errors go to the XML log
// "{log}.valgrind.xml" ({log} replaced by the caller).
std::vector<std::string> valgrind_command(const std::string& tool, bool xml);

// "CPU, N hardware threads; compiler; valgrind-x.y.z" for a page's heading.
std::string machine_description(const std::string& compiler);

// Median and 95th percentile (nearest rank) of a non-empty sample.
double median(std::vector<double> sample);
double percentile95(std::vector<double> sample);

// run_bench()
//
// Runs every selected detector over every selected case: `trials` trials of
// each buggy variant (a trial ends at the first run the detector flags, or
// after `budget` runs; the next starts at the following run, in the same
// worker process unless that one ended), `fixed_runs` runs of each fixed
// variant, and the spawn+join floor and start-up time of each detector's
// process. Every run has its own seed and fresh state, and TSan is told to
// report a race again when it recurs (valgrind counts every recurrence), so
// trials are independent of where worker processes begin. Time to detection
// is the time in the trial's runs; a hang seen by a detector without
// racelab's checks counts as seen when the run's time limit came, as a plain
// test notices it then (racelab's watchdog may recognise it sooner).
// `say` gets one line per phase.
// Throws std::runtime_error when a program or valgrind is missing.
BenchResult run_bench(const BenchOptions& options, const std::function<void(const std::string&)>& say);

// The page (docs/benchmarks.md), its chart (an SVG heat map of the detection
// matrix, linked from the page as `svg_name`) and the raw figures.
std::string bench_markdown(const BenchResult& result, const std::string& svg_name);
std::string bench_svg(const BenchResult& result);
nlohmann::json bench_json(const BenchResult& result);

// ---- racelab bench --programs: programs written the usual way ----
//
// The programs of programs.h (plain std:: and pthread, C and C++), each built
// three ways, under seven detectors:
//   tsan       TSan alone: the TSan build run as it is, TSan's default options;
//   exec       `racelab exec` on the TSan build without racelab's runtime:
//              TSan's reports, the program's own status, at a time-out the
//              threads' states and stacks;
//   none, portfolio, controlled
//              `racelab exec` on the build linked with racelab's runtime, its
//              diagnoses on, strategy none (no perturbation), portfolio or
//              controlled (one thread at a time);
//   helgrind, drd
//              the plain build under valgrind's tools.
// A detection is right when its verdict is one the program's header allows
// and its text holds every `where:` word the header names — "a hang must be
// named for what it is": a time-out that says nothing of a lost wakeup is not
// a diagnosis of one.

struct ProgramDetector {
  enum class Runner { direct, exec, valgrind };
  std::string name;  ///< column heading
  std::string what;  ///< one line for the page
  Runner runner = Runner::direct;
  std::string build;  ///< "" (with racelab's runtime), "tsan" or "plain": the programs' subdirectory
  Strategy strategy = Strategy::none;
  std::string tool;  ///< helgrind or drd
};

std::vector<ProgramDetector> program_detectors();

struct ProgramBenchOptions {
  std::string dir;                     ///< the built programs and their programs.txt
  std::vector<std::string> programs;   ///< names; empty: all
  std::vector<std::string> detectors;  ///< names; empty: all
  int trials = 5;        ///< per buggy program and detector; a trial is at most the header's `runs:`
  int clean_runs = 20;   ///< per correct program and detector
  int jobs = 2;          ///< trials at once (each runs its program one run at a time)
  std::uint64_t seed = 1;  ///< trial t of `racelab exec` uses campaign seed seed + t
  double timeout_s = 2;  ///< a run's time limit: the header's `timeout:`, at most this
  std::string work_dir;
  std::string command;
  bool quick = false;
};

// How one detector did on one program: trials of a buggy one (`said` counts
// the first detections' verdicts; "hang, unnamed" when its words are
// missing), or the runs of a correct one (`said` counts the flagged runs').
struct ProgramScore {
  int trials = 0;
  int caught = 0;
  int right = 0;
  std::int64_t runs = 0;     ///< a correct program's runs
  std::int64_t flagged = 0;  ///< of those, flagged
  std::vector<std::int64_t> runs_to_first;
  std::vector<double> seconds_to_first;
  std::map<std::string, int> said;
  double seconds = 0;  ///< all the time in this program's runs
  std::vector<std::string> problems;
};

struct ProgramBenchResult {
  ProgramBenchOptions options;
  std::vector<ProgramDetector> detectors;
  std::vector<ProgramHeader> programs;
  std::map<std::string, std::map<std::string, ProgramScore>> scores;  ///< [program][detector]
  std::string machine;
  std::string created;
  double seconds = 0;
};

// run_program_bench() — every selected detector on every selected program.
// Throws std::invalid_argument for unknown names or a missing manifest, and
// std::runtime_error when valgrind is needed and missing.
ProgramBenchResult run_program_bench(const ProgramBenchOptions& options,
                                     const std::function<void(const std::string&)>& say);

// The page (docs/programs.md) and the raw figures.
std::string program_bench_markdown(const ProgramBenchResult& result);
nlohmann::json program_bench_json(const ProgramBenchResult& result);

}  // namespace racelab::driver
