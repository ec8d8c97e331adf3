// racelab/runtime_wire.h — what racelab's runtime for unmodified code
// (harness/intercept) and `racelab exec` say to each other, defined once.
//
// exec configures the runtime through environment variables and reads back
// the JSON lines the runtime appends to `<RACELAB_RECORDS>.<pid>`, one file
// per process: a hello when the runtime starts (the proof that it is
// linked), a verdict for each thing it diagnosed, a cycle for each of
// ThreadSanitizer's lock-order reports it judged, a test start and end
// around each test a test framework ran, and an end at exit.
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
/// Where records go: the runtime appends to `<value>.<pid>`. Unset: none (diagnoses go to stderr only).
inline constexpr const char* kEnvRecords = "RACELAB_RECORDS";

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
  bool operator==(const ProgramEnd&) const = default;
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

/// That test ended; `reports`: TSan reports printed by then.
struct ProgramTestEnd {
  std::string name;
  std::int64_t repetition = 0;
  bool failed = false;
  std::string failure;  ///< the first failure's text, when failed
  std::uint64_t reports = 0;
  bool operator==(const ProgramTestEnd&) const = default;
};

using ProgramMessage =
    std::variant<ProgramHello, ProgramVerdict, ProgramCycle, ProgramEnd, ProgramTestStart, ProgramTestEnd>;

inline std::string encode(const ProgramHello& h) {
  return nlohmann::json{{"type", "hello"}, {"runtime", h.runtime}, {"pid", h.pid}, {"strategy", h.strategy},
                        {"seed", h.seed}}
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
  return nlohmann::json{{"type", "end"}, {"steps", e.steps}, {"threads", e.threads}}.dump() + "\n";
}

inline std::string encode(const ProgramTestStart& t) {
  return nlohmann::json{{"type", "test_start"}, {"name", t.name},         {"repetition", t.repetition},
                        {"strategy", t.strategy}, {"seed", t.seed}, {"reports", t.reports}}
             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

inline std::string encode(const ProgramTestEnd& t) {
  return nlohmann::json{{"type", "test_end"}, {"name", t.name},       {"repetition", t.repetition},
                        {"failed", t.failed},  {"failure", t.failure}, {"reports", t.reports}}
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
                        program_field<std::string>(j, "strategy"), program_field<std::uint64_t>(j, "seed")};
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
  if (type == "end") return ProgramEnd{program_field<std::uint64_t>(j, "steps"), program_field<std::uint64_t>(j, "threads")};
  if (type == "test_start")
    return ProgramTestStart{program_field<std::string>(j, "name"), program_field<std::int64_t>(j, "repetition"),
                            program_field<std::string>(j, "strategy"), program_field<std::uint64_t>(j, "seed"),
                            program_field<std::uint64_t>(j, "reports")};
  if (type == "test_end")
    return ProgramTestEnd{program_field<std::string>(j, "name"), program_field<std::int64_t>(j, "repetition"),
                          program_field<bool>(j, "failed"), program_field<std::string>(j, "failure"),
                          program_field<std::uint64_t>(j, "reports")};
  throw std::runtime_error("runtime record of unknown type \"" + type + "\"");
}

}  // namespace racelab
