// racelab/wire.h — what racelab's processes say to each other, defined once.
//
// This header defines the three protocols between the driver and the
// programs it starts, each with its encoder and decoder side by side:
//   WorkerArgs      a case program's command line (the driver's worker, or a
//                   person at a terminal): to_args() and add_worker_options()
//   records         a worker's JSON lines on --records-fd: Hello, Begin,
//                   RunRecord, End; encode() and decode_record()
//   PropertyResult  a line of `racelab_properties`: encode() and
//                   decode_property_result()
// Decoders are strict: a missing field, a field of the wrong type or an
// unknown verdict throws std::runtime_error naming it.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "racelab/verdict.h"

namespace racelab {

// ---- worker flags ----

/// The descriptor the driver's workers write their records to.
inline constexpr int kRecordsFd = 3;

// WorkerArgs — what one case program process is asked to do.
struct WorkerArgs {
  Variant variant = Variant::buggy;
  std::optional<std::int64_t> runs;  ///< unset: the variant's own budget
  std::uint64_t seed = 1;            ///< the campaign seed: run i's seed is run_seed(seed, i)
  std::int64_t first_run = 0;
  std::optional<std::uint64_t> run_seed;  ///< run exactly one run with this seed
  Strategy strategy = Strategy::portfolio;
  int pct_depth = 3;
  bool stop_on_first = false;
  std::optional<double> timeout_s;  ///< unset: the program's default
  bool plain = false;               ///< racelab's own checks off
  int records_fd = -1;              ///< >= 0: JSON records to this descriptor, for the driver
  bool operator==(const WorkerArgs&) const = default;
};

// to_args()
//
// The command-line arguments (after the program) that ask for `a`; every
// field that differs from its default is spelled.
inline std::vector<std::string> to_args(const WorkerArgs& a) {
  const WorkerArgs d;
  std::vector<std::string> args = {"--variant", std::string(to_string(a.variant)), "--strategy",
                                   std::string(to_string(a.strategy))};
  auto put = [&](const char* flag, std::string value) {
    args.emplace_back(flag);
    args.push_back(std::move(value));
  };
  if (a.pct_depth != d.pct_depth) put("--pct-depth", std::to_string(a.pct_depth));
  if (a.timeout_s) put("--timeout", fmt::format("{}", *a.timeout_s));
  if (a.seed != d.seed) put("--seed", std::to_string(a.seed));
  if (a.first_run != d.first_run) put("--first-run", std::to_string(a.first_run));
  if (a.runs) put("--runs", std::to_string(*a.runs));
  if (a.run_seed) put("--run-seed", std::to_string(*a.run_seed));
  if (a.records_fd >= 0) put("--records-fd", std::to_string(a.records_fd));
  if (a.stop_on_first) args.emplace_back("--stop-on-first");
  if (a.plain) args.emplace_back("--plain");
  return args;
}

// add_worker_options()
//
// Registers the flags of WorkerArgs on a case program's command line, parsed
// into `a`. The program's other flags (--describe, --spawn-floor) are its own.
inline void add_worker_options(CLI::App& app, WorkerArgs& a) {
  std::vector<std::string> strategies;
  for (const StrategyInfo& s : kStrategies)
    if (s.catalogue) strategies.emplace_back(s.name);
  app.add_option_function<std::string>(
         "--variant", [&a](const std::string& v) { a.variant = *parse_variant(v); }, "buggy or fixed")
      ->check(CLI::IsMember({"buggy", "fixed"}))
      ->default_str(std::string(to_string(a.variant)));
  app.add_option("--runs", a.runs, "How many runs (default: the case's budget for the variant)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40));
  app.add_option("--seed", a.seed, "Campaign seed: run i uses a seed derived from it and i")
      ->capture_default_str();
  app.add_option("--first-run", a.first_run, "Index of the first run (to resume a campaign)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--run-seed", a.run_seed,
                 "Run exactly one run with this run seed (as printed for a failing run)");
  app.add_option_function<std::string>(
         "--strategy", [&a](const std::string& s) { a.strategy = *parse_strategy(s); },
         "How interleave() points perturb: " + strategy_names(true))
      ->check(CLI::IsMember(strategies))
      ->default_str(std::string(to_string(a.strategy)));
  app.add_option("--pct-depth", a.pct_depth, "Strategy pct's bug depth d (d-1 priority change points)")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  app.add_flag("--stop-on-first", a.stop_on_first, "Stop after the first failing run");
  app.add_option("--timeout", a.timeout_s, "Seconds a run may take before it is a hang")
      ->check(CLI::PositiveNumber);
  app.add_flag("--plain", a.plain,
               "Turn racelab's own checks off: a run shows only what the program itself shows "
               "(its invariant check, a crash, a hang) and what a tool running it (TSan, "
               "valgrind) reports. For comparisons: racelab bench");
  app.add_option("--records-fd", a.records_fd,
                 "Stream one JSON record per run to this file descriptor (the driver's pipe)");
}

// ---- worker records ----

/// The first line of a worker: whether ThreadSanitizer's runtime is in its
/// process (the driver's proof that a clean run was watched by it).
struct Hello {
  bool tsan = false;
  bool operator==(const Hello&) const = default;
};

/// Before each run, so the driver knows which run a dying worker was in.
struct Begin {
  std::int64_t index = 0;
  std::uint64_t seed = 0;
  bool operator==(const Begin&) const = default;
};

// RunRecord — one run: how it ended and where its TSan reports are.
struct RunRecord {
  std::int64_t index = 0;
  std::uint64_t seed = 0;
  std::string strategy;  ///< the concrete strategy the run used (never portfolio)
  Verdict verdict = Verdict::clean;
  std::string detail;
  std::int64_t duration_us = 0;
  std::uint64_t tsan_first = 0;  ///< ordinal of the run's first TSan report in its process
  std::uint64_t tsan_count = 0;  ///< TSan reports printed during the run
  std::uint64_t valgrind_errors = 0;  ///< errors valgrind's tool found during the run (0: none, or not under valgrind)
  std::optional<Verdict> tsan_verdict;  ///< the verdict of highest precedence among the run's TSan reports
  /// What happened and where, stable across runs, for the verdict's
  /// signature (e.g. "SIGSEGV in parse() src/parse.cpp"); empty: derived from
  /// `detail` with its run-to-run numbers masked.
  std::string where;
  bool operator==(const RunRecord&) const = default;
};

/// After the last run: how many ran, and TSan's report count then.
struct End {
  std::int64_t runs = 0;
  std::uint64_t tsan_reports = 0;
  bool operator==(const End&) const = default;
};

using WorkerMessage = std::variant<Hello, Begin, RunRecord, End>;

namespace detail {

// Program output and symbol names are not always UTF-8: such bytes become
// U+FFFD rather than failing the write.
inline std::string quoted(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

template <class T>
T field(const nlohmann::json& j, const char* name, const char* what) {
  auto it = j.find(name);
  if (it == j.end()) throw std::runtime_error(fmt::format("{} without \"{}\"", what, name));
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(fmt::format("{} with a malformed \"{}\"", what, name));
  }
}

inline Verdict verdict_field(const nlohmann::json& j, const char* name, const char* what) {
  auto v = parse_verdict(field<std::string>(j, name, what));
  if (!v) throw std::runtime_error(fmt::format("{} with an unknown verdict in \"{}\"", what, name));
  return *v;
}

}  // namespace detail

// encode()
//
// One line each, ending in '\n'. Written with fmt, not through a JSON tree:
// a record per run is the hot path of a worker, also under valgrind's tools.
inline std::string encode(const Hello& h) { return fmt::format(R"({{"type":"hello","tsan":{}}})" "\n", h.tsan); }

inline std::string encode(const Begin& b) {
  return fmt::format(R"({{"type":"begin","index":{},"seed":{}}})" "\n", b.index, b.seed);
}

inline std::string encode(const End& e) {
  return fmt::format(R"({{"type":"end","runs":{},"tsan_reports":{}}})" "\n", e.runs, e.tsan_reports);
}

inline std::string encode(const RunRecord& r) {
  std::string line = fmt::format(
      R"({{"type":"run","index":{},"seed":{},"strategy":{},"verdict":"{}","detail":{},)"
      R"("duration_us":{},"tsan_first":{},"tsan_count":{},"valgrind_errors":{})",
      r.index, r.seed, detail::quoted(r.strategy), to_string(r.verdict), detail::quoted(r.detail),
      r.duration_us, r.tsan_first, r.tsan_count, r.valgrind_errors);
  if (r.tsan_verdict) line += fmt::format(R"(,"tsan_verdict":"{}")", to_string(*r.tsan_verdict));
  if (!r.where.empty()) line += R"(,"where":)" + detail::quoted(r.where);
  return line + "}\n";
}

/// A `{"type": "run", …}` object, as encode(RunRecord) writes it.
inline RunRecord run_record_from_json(const nlohmann::json& j) {
  using detail::field;
  constexpr const char* what = "run record";
  RunRecord r;
  r.index = field<std::int64_t>(j, "index", what);
  r.seed = field<std::uint64_t>(j, "seed", what);
  r.strategy = field<std::string>(j, "strategy", what);
  r.verdict = detail::verdict_field(j, "verdict", what);
  r.detail = field<std::string>(j, "detail", what);
  r.duration_us = field<std::int64_t>(j, "duration_us", what);
  r.tsan_first = field<std::uint64_t>(j, "tsan_first", what);
  r.tsan_count = field<std::uint64_t>(j, "tsan_count", what);
  r.valgrind_errors = field<std::uint64_t>(j, "valgrind_errors", what);
  if (j.contains("tsan_verdict")) r.tsan_verdict = detail::verdict_field(j, "tsan_verdict", what);
  if (j.contains("where")) r.where = field<std::string>(j, "where", what);
  return r;
}

// decode_record()
//
// One line of a worker's records (without its '\n').
inline WorkerMessage decode_record(std::string_view line) {
  using detail::field;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error("a worker record that is not JSON");
  }
  if (!j.is_object()) throw std::runtime_error("a worker record that is not an object");
  const std::string type = field<std::string>(j, "type", "worker record");
  if (type == "hello") return Hello{field<bool>(j, "tsan", "hello record")};
  if (type == "begin")
    return Begin{field<std::int64_t>(j, "index", "begin record"), field<std::uint64_t>(j, "seed", "begin record")};
  if (type == "run") return run_record_from_json(j);
  if (type == "end")
    return End{field<std::int64_t>(j, "runs", "end record"), field<std::uint64_t>(j, "tsan_reports", "end record")};
  throw std::runtime_error(fmt::format("a worker record of unknown type \"{}\"", type));
}

// ---- property results ----

// PropertyResult — one property of the catalogue, searched by RapidCheck in
// `racelab_properties` (a line each).
struct PropertyResult {
  std::string case_id;
  std::string object;
  Variant variant = Variant::buggy;
  std::uint64_t seed = 0;
  int programs = 0;   ///< generated programs searched
  int schedules = 0;  ///< executions per program
  bool failed = false;
  Verdict verdict = Verdict::clean;  ///< of the counterexample
  std::int64_t executions = 0;
  std::string counterexample;  ///< the shrunk program and its timeline
  int most_ops = 0;            ///< operations of the longest program tried
  double seconds = 0;
  bool tsan = false;  ///< ThreadSanitizer's runtime is in the process
  bool operator==(const PropertyResult&) const = default;
};

inline std::string encode(const PropertyResult& p) {
  return fmt::format(
      R"({{"case":{},"object":{},"variant":"{}","seed":{},"programs":{},"schedules":{},"failed":{},)"
      R"("verdict":"{}","executions":{},"counterexample":{},"most_ops":{},"seconds":{},"tsan":{}}})"
      "\n",
      detail::quoted(p.case_id), detail::quoted(p.object), to_string(p.variant), p.seed, p.programs,
      p.schedules, p.failed, to_string(p.verdict), p.executions, detail::quoted(p.counterexample),
      p.most_ops, nlohmann::json(p.seconds).dump(), p.tsan);
}

inline PropertyResult decode_property_result(std::string_view line) {
  using detail::field;
  constexpr const char* what = "property result";
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error("a property result that is not JSON");
  }
  PropertyResult p;
  p.case_id = field<std::string>(j, "case", what);
  p.object = field<std::string>(j, "object", what);
  const auto variant = parse_variant(field<std::string>(j, "variant", what));
  if (!variant) throw std::runtime_error("a property result with an unknown variant");
  p.variant = *variant;
  p.seed = field<std::uint64_t>(j, "seed", what);
  p.programs = field<int>(j, "programs", what);
  p.schedules = field<int>(j, "schedules", what);
  p.failed = field<bool>(j, "failed", what);
  p.verdict = detail::verdict_field(j, "verdict", what);
  p.executions = field<std::int64_t>(j, "executions", what);
  p.counterexample = field<std::string>(j, "counterexample", what);
  p.most_ops = field<int>(j, "most_ops", what);
  p.seconds = field<double>(j, "seconds", what);
  p.tsan = field<bool>(j, "tsan", what);
  return p;
}

}  // namespace racelab
