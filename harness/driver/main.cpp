// racelab — the driver's entry point: registers the commands (one file each
// in commands/), parses the command line and applies the exit policy.
//
// Exit codes: 0 everything as expected; 1 an unexpected outcome (a buggy
// variant not caught, a fixed variant flagged); 2 usage; 3 infrastructure
// failure (no case programs, a worker that cannot run, TSan failing).
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "catalogue.h"
#include "commands/command.h"
#include "process.h"

namespace racelab::driver {
namespace {

constexpr AddCommand kCommands[] = {
    add_list_command,  add_run_command,        add_properties_command, add_flags_command, add_exec_command,
    add_report_command, add_gate_command,      add_merge_command,      add_bench_command, add_help_command,
};

// What `racelab --help` says of each command, one line each; the command's
// own description (its full text, with its exit codes) is the footer of
// `racelab CMD --help` and `racelab help CMD`.
struct Summary {
  const char* command;
  const char* line;
};
constexpr Summary kSummaries[] = {
    {"list", "List the catalogue's cases"},
    {"run", "Run cases, buggy and fixed, under the harness and TSan; write the summaries"},
    {"properties", "Run the catalogue's property-based tests (RapidCheck)"},
    {"flags", "Print the flags that build your program with TSan and racelab's runtime"},
    {"exec", "Run your TSan-built program many times, perturbed, and judge every run"},
    {"report", "Summarise ThreadSanitizer logs of any program"},
    {"gate", "The CI gate: judge a summary against a baseline of accepted findings"},
    {"merge", "Combine shard or per-test summaries into one"},
    {"bench", "Measure racelab against TSan alone, helgrind and DRD"},
    {"help", "A command's full help, the verdicts, the strategies, a topic's docs page"},
};

// Each command: its one line in the list, its full text below its options.
void summarise(CLI::App& app) {
  for (CLI::App* command : app.get_subcommands({}))
    for (const Summary& s : kSummaries)
      if (command->get_name() == s.command) {
        command->footer(command->get_description());
        command->description(s.line);
      }
}

// The first word that is not an option names the command: an unknown one is
// named, with the list, before CLI11 would call it an extra argument.
bool command_is_known(const CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--cases") {
      ++i;
      continue;
    }
    if (word.starts_with("-")) continue;
    std::string names;
    bool known = false;
    for (const CLI::App* command : app.get_subcommands({})) {
      known = known || command->get_name() == word;
      names += (names.empty() ? "" : ", ") + command->get_name();
    }
    if (!known)
      std::fprintf(stderr, "racelab: '%s' is not a command (commands: %s; racelab --help)\n", word.c_str(),
                   names.c_str());
    return known;
  }
  return true;
}

int driver_main(int argc, char** argv) {
  CLI::App app{"racelab — finds data races, deadlocks, hangs and livelocks: in a catalogue of buggy and fixed "
               "cases, and in your own code, under ThreadSanitizer.",
               "racelab"};
  app.footer(std::string(kExitCodes) +
             "\n`racelab help CMD` (or `racelab CMD --help`) for a command's options and full text; `racelab help "
             "verdicts`, `racelab help strategies`; README.md and docs/ for the rest.");
  app.set_version_flag("--version", RACELAB_VERSION);
  app.require_subcommand(1);
  Context context{.cases_dir = default_cases_dir(), .invocation = ""};
  for (int i = 0; i < argc; ++i) context.invocation += (i == 0 ? "" : " ") + shell_quote(argv[i]);
  app.add_option("--cases", context.cases_dir, "Directory of the case programs (case_*)")
      ->capture_default_str();
  std::vector<Command> commands;
  for (AddCommand add : kCommands) commands.push_back(add(app, context));
  summarise(app);

  if (!command_is_known(app, argc, argv)) return kUsage;
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsage;
  }
  try {
    for (const Command& command : commands)
      if (*command.app) return command.run();
    return kUsage;  // not reached: require_subcommand(1)
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "racelab: %s\n", e.what());
    return kUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "racelab: %s\n", e.what());
    return kInfrastructure;
  }
}

}  // namespace
}  // namespace racelab::driver

// racelab's own ThreadSanitizer options (when the driver itself is built
// with it): no second of sleep at exit for the thread guard_processes() keeps.
extern "C" const char* __tsan_default_options() { return "atexit_sleep_ms=0"; }

int main(int argc, char** argv) {
  // Before any thread: racelab owns every process it starts, and a signal
  // to it ends them all.
  racelab::driver::guard_processes();
  const int code = racelab::driver::driver_main(argc, argv);
  std::fflush(stdout);
  racelab::driver::end_descendants(std::chrono::milliseconds(200));
  return code;
}
