// racelab/runtime_wire.h — what racelab's runtime for unmodified code
// (harness/intercept) and `racelab exec` say to each other, defined once.
//
// exec configures the runtime through environment variables and reads back
// the JSON lines the runtime appends to `<RACELAB_RECORDS>.<pid>`, one file
// per process: a hello when the runtime starts (the proof that it is
// linked), a verdict for each thing it diagnosed, a cycle for each of
// ThreadSanitizer's lock-order reports it judged, the tests a test framework
// selected, a test start and end around each test it ran, and an end at exit.
// Decoders are strict: a missing field, a field of the wrong type or an
// unknown verdict throws std::runtime_error naming it.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "racelab/verdict.h"

namespace racelab {

// ---- environment ----

/// none | yield | sleep | pct | portfolio (default none: the program runs as built).
inline constexpr const char* kEnvStrategy = "RACELAB_STRATEGY";
/// The run's seed (decimal); a run with the same seed makes the same choices.
inline constexpr const char* kEnvSeed = "RACELAB_SEED";
/// Strategy pct's depth d (d−1 priority change points), 1–16, default 3.
inline constexpr const char* kEnvPctDepth = "RACELAB_PCT_DEPTH";
/// Strategy pct's k: the steps a run is expected to take (change points land in [1, k]).
inline constexpr const char* kEnvPctSteps = "RACELAB_PCT_STEPS";
/// The perturbation's time budget, in percent of the process's time (default kDefaultBudgetPercent).
inline constexpr const char* kEnvBudget = "RACELAB_BUDGET";
/// Where records go: the runtime appends to `<value>.<pid>`. Unset: none (diagnoses go to stderr only).
inline constexpr const char* kEnvRecords = "RACELAB_RECORDS";
/// Strategy controlled: a schedule to replay (ProgramSchedule::schedule).
inline constexpr const char* kEnvSchedule = "RACELAB_SCHEDULE";

/// A GoogleTest test's seed, instead of the one mixed from the run's seed,
/// its name and repetition (racelab/unmodified.h): re-runs one test as it ran.
inline constexpr const char* kEnvTestSeed = "RACELAB_TEST_SEED";

/// The exit code of a process the runtime ended because it could not finish
/// (a deadlock, a hang, a livelock, a self-deadlock).
inline constexpr int kRuntimeEndedExit = 86;

// ---- records ----

/// The runtime started in process `pid` with these settings.
struct ProgramHello {
  std::string runtime;   ///< "racelab <version>"
  std::int64_t pid = 0;
  std::string strategy;  ///< the concrete strategy (never portfolio)
  std::uint64_t seed = 0;
  std::uint64_t budget_percent = 0;  ///< the perturbation's time budget
  bool operator==(const ProgramHello&) const = default;
};

/// A diagnosis. `ended`: the runtime ended the process with it (it could not finish).
struct ProgramVerdict {
  Verdict verdict = Verdict::clean;
  std::string where;   ///< stable across runs (sites, not addresses or thread numbers)
  std::string detail;  ///< every thread, object and site involved
  bool ended = false;
  bool operator==(const ProgramVerdict&) const = default;
};

/// One of ThreadSanitizer's lock-order reports, judged by the runtime's
/// rules: `kept` false means it was dropped (TSan did not print it) for `reason`.
struct ProgramCycle {
  std::vector<std::string> mutexes;  ///< the cycle, as the runtime names them
  bool kept = true;
  std::string reason;
  bool operator==(const ProgramCycle&) const = default;
};

/// The process is exiting normally.
struct ProgramEnd {
  std::uint64_t steps = 0;    ///< scheduling points passed (pct's k for later runs)
  std::uint64_t threads = 0;  ///< threads the program started
  std::uint64_t delays = 0;          ///< delays spent within the time budget
  std::uint64_t delay_ns = 0;        ///< their time, added up over threads
  std::uint64_t over_budget = 0;     ///< delays chosen but refused by the budget
  bool operator==(const ProgramEnd&) const = default;
};

/// A test framework is about to run `selected` of its `total` tests (after
/// its filter, sharding and disabled tests).
struct ProgramTests {
  std::int64_t selected = 0;
  std::int64_t total = 0;
  bool operator==(const ProgramTests&) const = default;
};

/// A test of a test framework started (racelab/unmodified.h); `reports`:
/// TSan reports the process had printed before it.
struct ProgramTestStart {
  std::string name;  ///< "Suite.Name"
  std::int64_t repetition = 0;
  std::string strategy;  ///< the concrete strategy drawn for the test
  std::uint64_t seed = 0;
  std::uint64_t reports = 0;
  bool operator==(const ProgramTestStart&) const = default;
};

/// That test ended; `reports`: TSan reports printed by then. The rest is the
/// test's own: how long it took, and what the perturbation did meanwhile
/// (as ProgramEnd counts it).
struct ProgramTestEnd {
  std::string name;
  std::int64_t repetition = 0;
  bool failed = false;
  std::string failure;  ///< the first failure's text, when failed
  std::uint64_t reports = 0;
  double seconds = 0;
  std::uint64_t steps = 0;
  std::uint64_t delays = 0;
  std::uint64_t delay_ns = 0;
  std::uint64_t over_budget = 0;
  bool operator==(const ProgramTestEnd&) const = default;
};

/// Strategy controlled: the schedule of the run so far, written when the
/// process ends (normally, or at a verdict that ends it) and at each TSan
/// report. The last one of a process is its schedule.
struct ProgramSchedule {
  /// The thread picked at each decision with a choice: "ordinal[xrepeat]",
  /// '.'-separated. RACELAB_SCHEDULE replays it.
  std::string schedule;
  std::uint64_t decisions = 0;  ///< every pick, with a choice or not
  std::uint64_t trace = 0;      ///< a hash of every pick: an exact replay has the same
  std::string not_replayable;   ///< why the run is not replayable, or empty
  std::string diverged;         ///< where a replayed schedule could not be followed, or empty
  std::string walk;             ///< how the run chose: "random" (a random walk) or "pct" (priorities)
  bool operator==(const ProgramSchedule&) const = default;
};

using ProgramMessage = std::variant<ProgramHello, ProgramVerdict, ProgramCycle, ProgramEnd, ProgramTests,
                                    ProgramTestStart, ProgramTestEnd, ProgramSchedule>;

inline std::string encode(const ProgramHello& h) {
  return nlohmann::json{{"type", "hello"}, {"runtime", h.runtime}, {"pid", h.pid}, {"strategy", h.strategy},
                        {"seed", h.seed}, {"budget_percent", h.budget_percent}}
             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

inline std::string encode(const ProgramVerdict& v) {
  return nlohmann::json{{"type", "verdict"}, {"verdict", std::string(to_string(v.verdict))}, {"where", v.where},
                        {"detail", v.detail}, {"ended", v.ended}}
             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

inline std::string encode(const ProgramCycle& c) {
  return nlohmann::json{{"type", "cycle"}, {"mutexes", c.mutexes}, {"kept", c.kept}, {"reason", c.reason}}
             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

inline std::string encode(const ProgramEnd& e) {
  return nlohmann::json{{"type", "end"},         {"steps", e.steps},       {"threads", e.threads},
                        {"delays", e.delays},     {"delay_ns", e.delay_ns}, {"over_budget", e.over_budget}}
             .dump() +
         "\n";
}

inline std::string encode(const ProgramTests& t) {
  return nlohmann::json{{"type", "tests"}, {"selected", t.selected}, {"total", t.total}}.dump() + "\n";
}

inline std::string encode(const ProgramTestStart& t) {
  return nlohmann::json{{"type", "test_start"}, {"name", t.name},         {"repetition", t.repetition},
                        {"strategy", t.strategy}, {"seed", t.seed}, {"reports", t.reports}}
             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

inline std::string encode(const ProgramTestEnd& t) {
  return nlohmann::json{{"type", "test_end"}, {"name", t.name},         {"repetition", t.repetition},
                        {"failed", t.failed},  {"failure", t.failure},   {"reports", t.reports},
                        {"seconds", t.seconds}, {"steps", t.steps},     {"delays", t.delays},
                        {"delay_ns", t.delay_ns}, {"over_budget", t.over_budget}}
             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

inline std::string encode(const ProgramSchedule& s) {
  return nlohmann::json{{"type", "schedule"},   {"schedule", s.schedule},   {"decisions", s.decisions},
                        {"trace", s.trace},       {"not_replayable", s.not_replayable}, {"diverged", s.diverged},
                        {"walk", s.walk}}
             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

namespace detail {

template <class T>
T program_field(const nlohmann::json& j, const char* name) {
  if (!j.contains(name)) throw std::runtime_error(std::string("runtime record without \"") + name + "\"");
  try {
    return j.at(name).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(std::string("runtime record: \"") + name + "\" has the wrong type");
  }
}

}  // namespace detail

inline ProgramMessage decode_program_record(std::string_view line) {
  using detail::program_field;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("runtime record is not JSON: ") + e.what());
  }
  if (!j.is_object()) throw std::runtime_error("runtime record is not a JSON object");
  const auto type = program_field<std::string>(j, "type");
  if (type == "hello")
    return ProgramHello{program_field<std::string>(j, "runtime"), program_field<std::int64_t>(j, "pid"),
                        program_field<std::string>(j, "strategy"), program_field<std::uint64_t>(j, "seed"),
                        program_field<std::uint64_t>(j, "budget_percent")};
  if (type == "verdict") {
    const auto name = program_field<std::string>(j, "verdict");
    const auto verdict = parse_verdict(name);
    if (!verdict) throw std::runtime_error("runtime record: unknown verdict \"" + name + "\"");
    return ProgramVerdict{*verdict, program_field<std::string>(j, "where"), program_field<std::string>(j, "detail"),
                          program_field<bool>(j, "ended")};
  }
  if (type == "cycle")
    return ProgramCycle{program_field<std::vector<std::string>>(j, "mutexes"), program_field<bool>(j, "kept"),
                        program_field<std::string>(j, "reason")};
  if (type == "end")
    return ProgramEnd{program_field<std::uint64_t>(j, "steps"), program_field<std::uint64_t>(j, "threads"),
                      program_field<std::uint64_t>(j, "delays"), program_field<std::uint64_t>(j, "delay_ns"),
                      program_field<std::uint64_t>(j, "over_budget")};
  if (type == "tests")
    return ProgramTests{program_field<std::int64_t>(j, "selected"), program_field<std::int64_t>(j, "total")};
  if (type == "test_start")
    return ProgramTestStart{program_field<std::string>(j, "name"), program_field<std::int64_t>(j, "repetition"),
                            program_field<std::string>(j, "strategy"), program_field<std::uint64_t>(j, "seed"),
                            program_field<std::uint64_t>(j, "reports")};
  if (type == "test_end")
    return ProgramTestEnd{program_field<std::string>(j, "name"),      program_field<std::int64_t>(j, "repetition"),
                          program_field<bool>(j, "failed"),             program_field<std::string>(j, "failure"),
                          program_field<std::uint64_t>(j, "reports"),   program_field<double>(j, "seconds"),
                          program_field<std::uint64_t>(j, "steps"),     program_field<std::uint64_t>(j, "delays"),
                          program_field<std::uint64_t>(j, "delay_ns"), program_field<std::uint64_t>(j, "over_budget")};
  if (type == "schedule")
    return ProgramSchedule{program_field<std::string>(j, "schedule"), program_field<std::uint64_t>(j, "decisions"),
                           program_field<std::uint64_t>(j, "trace"), program_field<std::string>(j, "not_replayable"),
                           program_field<std::string>(j, "diverged"), program_field<std::string>(j, "walk")};
  throw std::runtime_error("runtime record of unknown type \"" + type + "\"");
}

}  // namespace racelab
