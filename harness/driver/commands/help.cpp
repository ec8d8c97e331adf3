// racelab help [TOPIC] [--markdown]: a command's full help, the reference
// tables the code defines (verdicts, strategies), or where a topic is
// documented. docs/verdicts.md and docs/strategies.md are its --markdown
// output (the build writes them; a test keeps the checked-in pages equal).
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "command.h"
#include "racelab/schedule.h"
#include "racelab/verdict.h"

namespace racelab::driver {
namespace {

// The docs/ pages a topic names.
struct Page {
  const char* topic;
  const char* path;
  const char* holds;
};
constexpr Page kPages[] = {
    {"install", "docs/install.md", "what toolchain/bootstrap installs, its two profiles, building racelab"},
    {"catalogue", "docs/catalogue.md", "the catalogue of cases: reading order, running them, the harness"},
    {"own-code", "docs/own-code.md", "your own code: racelab flags, exec, CMake, GoogleTest judged per test"},
    {"ci", "docs/ci.md", "the CI gate: baselines, SARIF and JUnit, a GitHub Actions job"},
    {"driver", "docs/driver.md", "every racelab command, its options and exit codes"},
    {"suite", "docs/suite.md", "racelab against TSan alone on a whole test suite, with injected bugs"},
    {"internals", "docs/internals.md", "the tree, the runtimes, what racelab relies on in TSan"},
};

constexpr const char* kGenerated =
    "Generated from vocabulary/include/racelab/verdict.h by `racelab help {} --markdown`; a test keeps "
    "this page equal to it.";

std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string verdicts(bool markdown) {
  std::string text;
  if (markdown) {
    text = "# Verdicts\n\n" + fmt::format(fmt::runtime(kGenerated), "verdicts") +
           "\n\nEvery run ends in exactly one verdict, and any findings of ThreadSanitizer beside it. When "
           "several verdicts apply to one run, the one of lowest precedence wins. A case declares the "
           "verdicts each variant must end in; a program of `racelab exec` and every test of a GoogleTest "
           "program is expected `clean`. `infra_error` is never clean, and a gate never passes it.\n\n"
           "| verdict | what it means | who decides it in the catalogue | who decides it in your own code | "
           "precedence |\n|---|---|---|---|---|\n";
    for (const VerdictInfo& v : kVerdicts)
      text += fmt::format("| `{}` | {} | {} | {} | {} |\n", v.name, cell(v.meaning), cell(v.catalogue),
                          cell(v.own_code), v.precedence);
    return text;
  }
  for (const VerdictInfo& v : kVerdicts)
    text += fmt::format("{:<21} {}\n{:<21}   catalogue: {}\n{:<21}   your code: {}\n", v.name, v.meaning, "",
                        v.catalogue, "", v.own_code);
  return text;
}

std::string strategies(bool markdown) {
  const std::string budget = fmt::format(
      "In a program linked with racelab's runtime for unmodified code, the delays have a time budget: they "
      "are spent only while they took less than {}% of the process's time (`racelab exec --budget`, "
      "RACELAB_BUDGET).",
      kDefaultBudgetPercent);
  std::string text;
  if (markdown) {
    text = "# Strategies\n\n" + fmt::format(fmt::runtime(kGenerated), "strategies") +
           "\n\nHow a run perturbs the schedule at its scheduling points (the catalogue's interleave() "
           "points and lock operations; every synchronisation call and atomic operation of a program "
           "linked with the runtime for unmodified code). Each is seeded: a run's strategy and seed make "
           "the same choices again, and every failure prints the command that re-runs it. " +
           budget + "\n\n| strategy | what it does | takes --pct-depth | the catalogue runs it |\n|---|---|---|---|\n";
    for (const StrategyInfo& s : kStrategies)
      text += fmt::format("| `{}` | {} | {} | {} |\n", s.name, cell(s.meaning), s.uses_pct_depth ? "yes" : "no",
                          s.catalogue ? "yes" : "no: `racelab exec` only");
    return text;
  }
  for (const StrategyInfo& s : kStrategies) text += fmt::format("{:<10} {}\n", s.name, s.meaning);
  return text + "\n" + budget + "\n";
}

int help(CLI::App& app, const std::string& topic, bool markdown) {
  if (topic.empty()) {
    std::printf("%s", app.help().c_str());
    return kAsExpected;
  }
  if (topic == "verdicts" || topic == "strategies") {
    std::printf("%s", (topic == "verdicts" ? verdicts(markdown) : strategies(markdown)).c_str());
    return kAsExpected;
  }
  if (markdown) throw std::invalid_argument("--markdown prints the verdicts or the strategies");
  for (const CLI::App* command : app.get_subcommands({}))
    if (command->get_name() == topic) {
      std::printf("%s", command->help(app.get_name()).c_str());
      return kAsExpected;
    }
  for (const Page& page : kPages)
    if (topic == page.topic) {
      std::printf("%s: %s\n", page.path, page.holds);
      return kAsExpected;
    }
  std::string topics = "verdicts, strategies";
  for (const Page& page : kPages) topics += std::string(", ") + page.topic;
  throw std::invalid_argument(fmt::format("no help on '{}': name a command (racelab --help lists them) or a topic: {}",
                                          topic, topics));
}

}  // namespace

Command add_help_command(CLI::App& app, const Context&) {
  CLI::App* cmd = app.add_subcommand(
      "help",
      "Show a command's full help (racelab help exec), the verdicts or the strategies as the code defines "
      "them (racelab help verdicts; --markdown writes docs/verdicts.md and docs/strategies.md), or which "
      "docs/ page covers a topic (install, catalogue, own-code, ci, driver, suite, internals).\n"
      "Exit codes: 0 shown; 2 usage (no such command or topic).");
  auto topic = std::make_shared<std::string>();
  auto markdown = std::make_shared<bool>(false);
  cmd->add_option("topic", *topic, "A command or a topic");
  cmd->add_flag("--markdown", *markdown, "The verdicts or strategies as their docs/ page");
  return {cmd, [&app, topic, markdown] { return help(app, *topic, *markdown); }};
}

}  // namespace racelab::driver
