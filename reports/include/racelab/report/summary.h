// racelab/report/summary.h — what a campaign found, and how it is written.
//
// This header defines:
//   FindingGroup      the TSan findings of one signature, counted
//   VerdictGroup      the failing runs of one verdict signature, counted
//   Evidence          what proves the runs ran under ThreadSanitizer
//   VariantResult     one case × variant of a campaign
//   Summary           a whole campaign
//   VariantCollector  builds a VariantResult from records and TSan logs
//   check()           every inconsistency of a summary (what the gate refuses)
//   to_json(), to_markdown(), to_console()   the renderings
//
// summary.json (schema "racelab.summary", version 4; summaries of older
// versions are refused with a message to re-run):
//   {
//     "schema": "racelab.summary", "schema_version": 4,
//     "created": "2026-11-24T03:00:00Z",
//     "build": {"sanitizer": "thread", "compiler": "clang 19.1.7"},
//     "ok": true,                       // every result as expected
//     "results": [{
//       "case": "01_lost_update", "title": …, "bug_class": …,
//       "variant": "buggy", "strategy": "portfolio", "seed": 1,
//                                       // variant: buggy | fixed | program (racelab
//                                       // exec/report: expected clean); strategy:
//                                       // property for `racelab properties`
//       "shard": {"index": 0, "count": 1, "from": 0, "to": 200},
//                                       // shard i of n (0-based) of the campaign's
//                                       // run indices; it was given [from, to).
//                                       // With --time, runs stop when the time is
//                                       // spent: "to" is then a bound, "runs" the
//                                       // count. A merged result: 0 of 1, the union.
//       "expected": ["invariant_violated", "data_race"],
//       "source": "cases/01_lost_update/buggy.cpp",   // "" for a program
//       "runtime_frames": {"functions": ["racelab::mutex::", …], "files": ["/harness/src/", …]},
//                                       // frames that are racelab's, not the program's
//       "runs": 200, "failing_runs": 200,
//       "verdicts": {"invariant_violated": 200},
//       "verdicts_by_strategy": {"yield": {"invariant_violated": 80}, "pct": {…}, …},
//                                       // the same, by the concrete strategy each run
//                                       // used (a portfolio's runs name theirs);
//                                       // optional: older summaries lack it
//       "as_expected": true,
//       "first_failure": {"run": 0, "seed": …, "verdict": …, "detail": …, "command": …} | null,
//       "findings": [{"kind": "data-race", "signature": …, "count": 2,
//                     "reports": 3,     // count: the runs that showed it; reports: TSan's
//                     "first_run": 0, "first_seed": …, "top_frames": [...],
//                     "summary": …, "stacks": [{"title": …, "frames": [...]}]}],
//       "verdict_groups": [{"verdict": "crash", "where": "SIGSEGV in f() a.cpp",
//                     "signature": "racelab/crash|prog|SIGSEGV in f() a.cpp",
//                     "count": 3, "first_run": 0, "first_seed": …, "detail": …}],
//                                       // every failing run, grouped by what happened
//                                       // and where (see verdict_signature())
//       "evidence": {"processes": 20, "tsan_seen": 20, "tsan_assumed": 0},
//                                       // the processes that ran the runs, and of
//                                       // them those where the TSan runtime was seen
//                                       // (its banner, or racelab's runtime saying so)
//                                       // or taken on the caller's word (report
//                                       // --assume-tsan)
//       "perturbation": {"budget_percent": 10, "points": 51234, "delays": 812,
//                        "delay_seconds": 0.04, "over_budget": 17} | null
//                                       // (optional) racelab's runtime, within its time budget
//       "notes": [],                    // what was cut or left out (output past --max-log)
//       "problems": [],                 // infrastructure trouble: never "clean"
//       "seconds": 1.9
//     }]
//   }
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "racelab/report/tsan.h"
#include "racelab/verdict.h"
#include "racelab/wire.h"

namespace racelab::report {

// FindingGroup — every finding of one signature.
struct FindingGroup {
  std::string signature;
  Finding example;  ///< the first one seen
  std::int64_t count = 0;    ///< runs that showed it (reports printed outside any run count none)
  std::int64_t reports = 0;  ///< TSan reports of it, over all runs
  std::optional<std::int64_t> first_run;    ///< unset when no run printed it (e.g. at exit)
  std::optional<std::uint64_t> first_seed;
};

// VerdictGroup — every failing run with one verdict signature.
struct VerdictGroup {
  Verdict verdict = Verdict::clean;
  std::string where;      ///< what happened and where (RunRecord::where, or the masked detail)
  std::string signature;  ///< verdict_signature(verdict, case, where)
  std::string detail;     ///< the first run's detail
  std::int64_t count = 0;
  std::int64_t first_run = 0;
  std::uint64_t first_seed = 0;
};

// Evidence — the processes a result's runs ran in, and the proof that
// ThreadSanitizer ran in each: a clean result means something only when
// processes >= 1 and tsan_seen + tsan_assumed == processes.
struct Evidence {
  std::int64_t processes = 0;
  std::int64_t tsan_seen = 0;     ///< TSan's banner in its log, or racelab's runtime said so
  std::int64_t tsan_assumed = 0;  ///< a log without TSan output, taken as clean on the caller's word
};

// Perturbation — what the schedule perturbation of racelab's runtime for
// unmodified code did in a result's runs, within its time budget.
struct Perturbation {
  std::uint64_t budget_percent = 0;  ///< delays may take this share of a run's time
  std::uint64_t points = 0;          ///< scheduling points passed
  std::uint64_t delays = 0;          ///< delays spent
  double delay_seconds = 0;          ///< their time, added up over threads and runs
  std::uint64_t over_budget = 0;     ///< delays the strategy chose that the budget refused
  bool operator==(const Perturbation&) const = default;
  Perturbation& operator+=(const Perturbation& other);  ///< more runs (the budget: the larger)
};

// "budget 10% of each run's time: 812 delays (0.040 s) at 51234 scheduling
// points; 17 refused by the budget", for the renderers.
std::string to_text(const Perturbation& p);

struct FirstFailure {
  std::int64_t run = 0;
  std::uint64_t seed = 0;
  Verdict verdict = Verdict::clean;
  std::string detail;
  std::string command;  ///< re-runs exactly this run
  /// Strategy controlled: the run's schedule (what RACELAB_SCHEDULE replays;
  /// empty under another strategy), the hash of its steps (a replay that
  /// takes the same steps has the same), and why it cannot be replayed
  /// exactly (empty: it can).
  std::string schedule;
  std::uint64_t trace = 0;
  std::string not_replayable;
  std::string walk;  ///< how it chose: "random" or "pct"
};

/// "replays exactly: trace 9a3f…, 4,210 steps" or "not replayable exactly: …";
/// empty for a run of another strategy than controlled.
std::string replay_text(const FirstFailure& f);

// VariantResult — one case × variant of a campaign.
struct VariantResult {
  std::string case_id;
  std::string title;
  std::string bug_class;
  Variant variant = Variant::buggy;
  std::string strategy;
  std::uint64_t seed = 0;  ///< the campaign seed
  int shard_index = 0;     ///< this result covers shard i of n of the run indices
  int shard_count = 1;     ///< (a merged result: shard 0 of 1)
  std::int64_t range_from = 0;  ///< the run indices [from, to) this result was given
  std::int64_t range_to = 0;    ///< (0, 0: unknown, e.g. read from an older summary)
  std::vector<Verdict> expected;
  /// The variant's source file, relative to the source root ("cases/01_lost_update/buggy.cpp");
  /// "" when there is none to point at (a program of `racelab exec`).
  std::string source;
  /// The frames of racelab's runtime in the program: not the program's own
  /// (user_frames()); the signatures of `findings` are made with it.
  FrameFilter runtime_frames;
  std::int64_t runs = 0;
  std::int64_t failing_runs = 0;
  std::map<Verdict, std::int64_t> verdicts;
  /// The verdicts again, by the strategy each run used (RunRecord::strategy):
  /// a portfolio campaign's runs each name the one they drew. Empty when read
  /// from a summary written before it existed.
  std::map<std::string, std::map<Verdict, std::int64_t>> verdicts_by_strategy;
  std::optional<FirstFailure> first_failure;
  std::vector<FindingGroup> findings;  ///< most frequent first
  std::vector<VerdictGroup> verdict_groups;  ///< every failing run, by signature; most frequent first
  Evidence evidence;
  /// Runs of a program linked with racelab's runtime: what its perturbation did.
  std::optional<Perturbation> perturbation;
  std::vector<std::string> notes;      ///< what was cut or left out (program output past --max-log)
  std::vector<std::string> problems;   ///< infrastructure trouble, one line each
  double seconds = 0;

  // VariantResult::as_expected()
  //
  // Fails closed: with a problem, or no run at all, it is never as expected.
  // A buggy variant is as expected when some run ended in an expected verdict
  // and no failing run ended in another. A fixed variant (or a program from
  // `racelab exec` / `report`) is as expected when
  // every run was clean and TSan found nothing, not even at process exit.
  bool as_expected() const;
};

struct BuildInfo {
  std::string sanitizer;  ///< `thread`, `address` or `none`
  std::string compiler;
};

struct Summary {
  std::string created;  ///< UTC, ISO 8601
  BuildInfo build;
  std::vector<VariantResult> results;
  /// What a summary read from a file said of itself (`ok`, and each result's
  /// `as_expected`, in order): check() compares them with what it recomputes.
  std::optional<bool> stated_ok;
  std::vector<bool> stated_as_expected;
  bool ok() const;  ///< every result as expected, and there is at least one
};

// VariantCollector — folds runs and TSan logs into a VariantResult.
class VariantCollector {
 public:
  /// `result` carries the metadata (case, variant, expected, strategy, seed);
  /// `rerun_prefix` is the command that, followed by ` --strategy NAME
  /// --run-seed S` (the run's own strategy and seed), re-runs one run.
  VariantCollector(VariantResult result, std::string rerun_prefix);

  void add_run(const RunRecord& record);

  // VariantCollector::add_log()
  //
  // The TSan log of one worker process and the runs that process executed:
  // the n-th finding of the log belongs to the run whose
  // [tsan_first, tsan_first + tsan_count) holds n; findings past the last run
  // (printed at exit: a thread leak) belong to no run. Fatal errors and
  // parser warnings become problems — except a truncated last report when
  // `cut_short` says the process ended itself mid-run (a run-ending verdict
  // stops every thread, one of which may have been printing).
  void add_log(const TsanLog& log, std::span<const RunRecord> runs, bool cut_short = false);

  void add_problem(std::string problem);
  void add_note(std::string note);

  /// One process that ran (some of) the runs; `tsan_seen`: the TSan runtime
  /// was seen in it; `tsan_assumed`: taken on the caller's word.
  void add_process(bool tsan_seen, bool tsan_assumed = false);

  /// The result so far; findings sorted most frequent first.
  VariantResult finish(double seconds);

 private:
  VariantResult result_;
  std::string rerun_prefix_;
  std::map<std::string, std::size_t> group_of_;  ///< signature -> index in findings
  std::map<std::size_t, std::int64_t> last_run_of_;  ///< finding index -> the last run counted in it
  std::map<std::string, std::size_t> verdict_group_of_;  ///< signature -> index in verdict_groups
};

// sort_groups()
//
// A result's findings and verdict groups, most frequent first; ties keep the
// order of their first run.
void sort_groups(VariantResult& result);

// verdict_signature()
//
// The identity of a failing run's harness verdict across runs:
// "racelab/<verdict>|<case>|<where>". `where` names what happened and where
// (the signal or assertion and the crashing frame, the kind of hang and the
// waiting threads' frames, the sites of a deadlock), so accepting one crash
// in a baseline never accepts a different one.
std::string verdict_signature(Verdict verdict, const std::string& case_id, const std::string& where);

// where_of_detail()
//
// A detail with what changes from run to run masked: numbers (but not line
// numbers after "file:"), hex addresses, thread and mutex numbers; clauses
// separated by "; " sorted (a cycle reads the same from any thread); at most
// 300 characters.
std::string where_of_detail(const std::string& detail);

// check()
//
// Every way `summary` contradicts itself or proves nothing, one line each
// (empty: consistent). Per result: runs >= 1; the verdict counts add up to
// the runs and the failing runs to the non-clean ones (by strategy too); a
// first failure exactly when a run failed, with a detail; a data race only
// with a TSan finding; verdict groups that add up to the verdict counts, with
// signatures that are what they say; TSan finding signatures that match their
// stacks; a shard inside its split; no infra_error run; as_expected and the
// summary's ok as recomputed (`stated_*`: what the file said, if read from
// one); and, for a ThreadSanitizer build, the TSan runtime seen (or assumed)
// in every process.
std::vector<std::string> check(const Summary& summary);

nlohmann::json to_json(const Summary& summary);
nlohmann::json to_json(const VariantResult& result);

// summary_from_json() — reads what to_json() wrote, strictly: every field
// of its schema present with its type, counts non-negative integers, no
// field the schema does not have. Throws std::runtime_error naming what is
// missing or malformed.
Summary summary_from_json(const nlohmann::json& summary);

// merge() — one result from the shards of one case × variant: runs, failing
// runs, verdicts and verdicts by strategy added up, findings merged by signature (counts added, the
// lowest first run kept), the first failure the one with the lowest run
// index, problems concatenated, seconds added; the result is shard 0 of 1
// over the union of the ranges. Requires the following of `shards`:
//   - one case × variant, strategy and campaign seed;
//   - every shard of one split, once each: i of n for each i < n;
//   - known ranges that join: one shard's "to" is the next one's "from".
// Throws std::invalid_argument naming what does not fit.
VariantResult merge(const std::vector<VariantResult>& shards);
std::string to_markdown(const Summary& summary);
/// A few lines for a terminal: counts, the first failure and how to re-run it, findings.
std::string to_console(const VariantResult& result);

}  // namespace racelab::report
