// racelab exec: any TSan-built program, run repeatedly under racelab's keeper.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "command.h"
#include "exec.h"
#include "process.h"

namespace racelab::driver {
namespace {

constexpr const char* kExecExitCodes =
    "Exit codes: 0 every run clean, with ThreadSanitizer seen in each; 1 a finding, or a run that "
    "hung, crashed, failed its own check or leaked a process; 2 usage (no such program, a bad "
    "option, an unusable --out); 3 infrastructure failure (not built with -fsanitize=thread, a run "
    "that could not be started, a test program that ran no test, a log cut at --max-log, an I/O error): "
    "never clean. Interrupted "
    "(SIGINT, SIGTERM, SIGHUP): 128 + the signal, every process it started ended, no summary.";

struct ExecArgs {
  ExecOptions exec;
  ScheduleOptions schedule;
  std::string max_log = "16M";
  Output output{.source_root = "."};
};

int exec(ExecArgs args) {
  args.exec.out_dir = args.output.dir;
  args.exec.max_log = parse_size(args.max_log);
  args.exec.strategy = args.schedule.resolve();
  if (!args.exec.replay.empty()) {
    if (args.schedule.strategy != "portfolio" && args.exec.strategy != Strategy::controlled)
      throw std::invalid_argument("--replay replays a schedule of strategy controlled: give no other --strategy");
    if (args.exec.replay.starts_with("@")) {
      const std::filesystem::path file = args.exec.replay.substr(1);
      std::error_code error;
      if (!std::filesystem::is_regular_file(file, error))
        throw std::invalid_argument("--replay: no schedule file " + file.string());
      args.exec.replay = "@" + std::filesystem::absolute(file).string();
    } else if (args.exec.replay.find_first_not_of("0123456789x.") != std::string::npos) {
      throw std::invalid_argument("--replay: '" + args.exec.replay +
                                  "' is not a schedule (ordinal[xrepeat], '.'-separated) nor @FILE");
    }
    args.exec.strategy = Strategy::controlled;
  }
  args.exec.seed = args.schedule.seed;
  args.exec.pct_depth = args.schedule.pct_depth;
  // The old summaries go first: a command that fails, even on usage, leaves
  // none for a gate to pass.
  prepare_output(args.output);
  find_program(args.exec.command.at(0));
  report::Summary summary;
  summary.created = utc_now();
  const bool terminal = isatty(STDOUT_FILENO) != 0;
  args.exec.progress = terminal;
  std::vector<report::VariantResult> results =
      exec_runs(args.exec, summary.build.sanitizer, [&](std::int64_t done, const std::string& testing) {
        if (!terminal) return;
        // One line: what fits beside the count (a long test name is cut).
        std::printf("\r\033[K%lld of %lld runs%s%.70s", static_cast<long long>(done),
                    static_cast<long long>(args.exec.runs), testing.empty() ? "" : ", testing ", testing.c_str());
        std::fflush(stdout);
      });
  if (terminal) std::printf("\r\033[K");
  summary.build.compiler = "external";
  for (report::VariantResult& result : results) {
    std::printf("%s", report::to_console(result).c_str());
    summary.results.push_back(std::move(result));
  }
  return conclude(summary, args.output);
}

}  // namespace

Command add_exec_command(CLI::App& app, const Context&) {
  auto a = std::make_shared<ExecArgs>();
  CLI::App* cmd = app.add_subcommand(
      "exec",
      std::string("Run any TSan-built program repeatedly (`racelab exec --runs 20 -- ./prog "
                  "args`), a TSan log per process in DIR/logs/run-i/, and summarise its "
                  "findings as one result expected clean. Each run lives under racelab's keeper: "
                  "a process it leaves running (a child, a setsid() daemon) is a finding, and is "
                  "killed. A program not built with -fsanitize=thread, or one that cannot run, is "
                  "never clean. A GoogleTest program linked with racelab::gtest (`racelab flags --gtest`) "
                  "is judged test by test: a result per TEST.\n") +
          kExecExitCodes);
  cmd->add_option("--runs", a->exec.runs, "How many times to run it")
      ->check(CLI::Range(1, 100000000))
      ->capture_default_str();
  cmd->add_option("--jobs", a->exec.jobs, "Runs at once")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--timeout", a->exec.timeout_s,
                       "Seconds one run may take; past it the run is a hang and is killed")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--name", a->exec.name, "The result's name (default: the program's file name)");
  cmd->add_flag("--stop-on-first", a->exec.stop_on_first,
                "Start no run after one failed (the summary counts the runs done)");
  add_schedule_options(cmd, a->schedule,
                       "How the scheduling points of a program linked with racelab's runtime perturb "
                       "(`racelab flags`)",
                       false);
  cmd->add_option("--replay", a->exec.replay,
                  "Strategy controlled: every run takes this schedule (a failure's RACELAB_SCHEDULE, or @FILE), "
                  "the same steps again; implies --strategy controlled");
  cmd->add_option("--budget", a->exec.budget_percent,
                  "The perturbation's time budget, in percent of each run's time: its delays are spent only "
                  "while they took less (a whole test suite stays affordable); 0 perturbs only a run's first "
                  "milliseconds")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  cmd->add_option("--max-log", a->max_log,
                       "Keep at most this much of each run's output (the rest is dropped, and the file "
                       "says so) and read at most this much of each TSan log (more is an "
                       "infrastructure problem): 16M, 512K, 1G")
      ->capture_default_str();
  add_output_options(cmd, a->output);
  cmd->add_option("command", a->exec.command, "The program and its arguments, after --")
      ->required();
  return {cmd, [a] { return exec(*a); }};
}

}  // namespace racelab::driver
