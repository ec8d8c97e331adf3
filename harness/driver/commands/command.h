// What every racelab command shares: the exit codes, the output directory
// and how summaries are written into it, the parsers of option values.
//
// Each command lives in its own file in this directory, holding its command
// line (options, help) and its handler; main.cpp registers them all.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "racelab/report/summary.h"

namespace racelab::driver {

// ---- exit codes ----

inline constexpr int kAsExpected = 0;
inline constexpr int kUnexpected = 1;
inline constexpr int kUsage = 2;
inline constexpr int kInfrastructure = 3;

inline constexpr const char* kExitCodes =
    "Exit codes: 0 everything as expected; 1 an unexpected outcome (a buggy variant not caught, "
    "a fixed variant flagged); 2 usage; 3 infrastructure failure (nothing here counts as clean).";

// ---- registration ----

// Command — a subcommand registered on the driver's command line, and what
// runs it once the line is parsed. A handler returns the exit code; it throws
// std::invalid_argument for a usage error (exit 2) and any other exception
// for an infrastructure failure (exit 3).
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// Context — what the driver knows before a command runs: its --cases (set
// when the line is parsed, so read it only in a handler) and its own command
// line, quoted for a shell.
struct Context {
  std::string cases_dir;
  std::string invocation;
};

using AddCommand = Command (*)(CLI::App& app, const Context& context);

Command add_list_command(CLI::App& app, const Context& context);
Command add_run_command(CLI::App& app, const Context& context);
Command add_merge_command(CLI::App& app, const Context& context);
Command add_exec_command(CLI::App& app, const Context& context);
Command add_report_command(CLI::App& app, const Context& context);
Command add_properties_command(CLI::App& app, const Context& context);
Command add_bench_command(CLI::App& app, const Context& context);
Command add_gate_command(CLI::App& app, const Context& context);
Command add_flags_command(CLI::App& app, const Context& context);
Command add_help_command(CLI::App& app, const Context& context);

// ---- the output directory ----

// Output — what a command writes into its output directory, each file atomically.
struct Output {
  std::string dir = "racelab-out";
  /// Absolute path that frames in the report are made relative to (SARIF
  /// URIs, HTML paths): the repository the findings are in.
  std::string source_root;
  std::vector<std::string> formats = {"json", "md", "html", "junit", "sarif"};
};

/// The formats a command can write.
extern const std::vector<std::string> kFormats;

/// --out and --source-root.
void add_output_options(CLI::App* command, Output& output);

// prepare_output()
//
// Before a command runs: --out is a directory racelab can write (created if
// need be; else std::invalid_argument, exit 2), and nothing a gate could
// read is left from an earlier command: the summaries it may write are
// removed, and so are racelab's own logs there. Summaries are written again
// only at the end, summary.json last.
void prepare_output(const Output& output);

// conclude()
//
// Writes the summaries (all or none, summary.json last) and says where;
// returns the exit code they mean: 3 with an infrastructure problem in any
// result, else 0 when everything is as expected, else 1.
int conclude(const report::Summary& summary, const Output& output);

// ---- option values and files ----

// ScheduleOptions — --seed, --strategy and --pct-depth, as run and exec take them.
struct ScheduleOptions {
  std::uint64_t seed = 1;
  std::string strategy = "portfolio";
  int pct_depth = 3;
  CLI::Option* pct_depth_option = nullptr;  ///< given: refused unless the strategy uses it

  /// The strategy; std::invalid_argument for a --pct-depth it does not use.
  Strategy resolve() const;
};
/// --seed, --strategy (with `catalogue`, only those the case programs run) and --pct-depth.
void add_schedule_options(CLI::App* command, ScheduleOptions& options, const std::string& strategy_help,
                          bool catalogue);

/// Now, UTC, ISO 8601.
std::string utc_now();

/// "20s", "2m", "500ms", "1h", or plain seconds (--time): positive and finite.
double parse_duration(const std::string& text);

/// "16M", "512K", "1G", or plain bytes (--max-log): positive, at most 1T.
std::uint64_t parse_size(const std::string& text);

/// "--shard i/n", else GTEST_SHARD_INDEX / GTEST_TOTAL_SHARDS (set and not
/// empty), else 0/1; std::invalid_argument unless 0 <= i < n <= 1000000.
std::pair<int, int> parse_shard(const std::string& text);

// read_json_text() / read_json()
//
// A summary's or baseline's text: nullopt when it cannot be read (missing, a
// directory); std::runtime_error when it is larger than 256 MiB, far more
// than any campaign writes. read_json() parses it, with std::invalid_argument
// naming the file (`what`: "summary", "baseline") when it cannot.
std::optional<std::string> read_json_text(const std::string& path, const char* what);
nlohmann::json read_json(const std::string& path, const char* what);

}  // namespace racelab::driver
