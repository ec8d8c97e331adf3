// racelab gate: the CI gate, a summary judged against a baseline.
#include <cstdio>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "command.h"
#include "racelab/report/atomic_file.h"
#include "racelab/report/gate.h"

namespace racelab::driver {
namespace {

struct GateArgs {
  std::string summary = "racelab-out/summary.json";
  std::string baseline;
  bool update = false;
  std::string reason;
};

int gate(const GateArgs& args) {
  // A summary that is missing is a usage error; one that is there but is
  // not a well-formed racelab summary proves nothing (exit 3).
  std::optional<std::string> text;
  try {
    text = read_json_text(args.summary, "summary");
  } catch (const std::runtime_error& e) {
    std::printf("error: %s\ngate: ERROR — nothing can be concluded (fails closed)\n", e.what());
    return kInfrastructure;
  }
  if (!text) throw std::invalid_argument(fmt::format("cannot read the summary {}", args.summary));
  report::Summary summary;
  try {
    summary = report::summary_from_json(nlohmann::json::parse(*text));
  } catch (const std::exception& e) {
    const bool not_json = dynamic_cast<const nlohmann::json::parse_error*>(&e) != nullptr;
    std::printf("error: %s: %s\ngate: ERROR — nothing can be concluded (fails closed)\n", args.summary.c_str(),
                not_json ? "not JSON" : e.what());
    return kInfrastructure;
  }
  report::Baseline baseline;  // none given: nothing is accepted
  if (args.update && args.baseline.empty())
    throw std::invalid_argument("--update-baseline needs --baseline FILE");
  const bool exists = std::filesystem::exists(args.baseline);
  if (!args.baseline.empty() && (exists || !args.update)) {
    if (!exists)
      throw std::invalid_argument(fmt::format(
          "no baseline {} (write one with --update-baseline --reason TEXT)", args.baseline));
    try {
      baseline = report::baseline_from_json(read_json(args.baseline, "baseline"));
    } catch (const std::runtime_error& e) {
      throw std::invalid_argument(fmt::format("{}: {}", args.baseline, e.what()));
    }
  }
  const report::GateResult result = report::gate(summary, baseline);
  if (args.update) {
    if (!result.errors.empty()) {
      std::printf("%s", report::to_console(result).c_str());
      std::printf("racelab: the baseline is not updated from a summary that proves nothing\n");
      return kInfrastructure;
    }
    const report::Baseline updated = report::updated_baseline(summary, baseline, args.reason);
    report::write_atomically(
        args.baseline,
        report::to_json(updated).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    std::printf("baseline: %s, %zu accepted (%zu new)\n", args.baseline.c_str(),
                updated.accepted.size(), updated.accepted.size() - baseline.accepted.size());
    if (!baseline.obsolete.empty())
      std::printf("baseline: %zu obsolete entries of schema version 1 dropped (they accepted a harness "
                  "verdict anywhere in a case)\n",
                  baseline.obsolete.size());
    return kAsExpected;
  }
  std::printf("%s", report::to_console(result).c_str());
  if (!result.errors.empty()) return kInfrastructure;
  return result.passed() ? kAsExpected : kUnexpected;
}

}  // namespace

Command add_gate_command(CLI::App& app, const Context&) {
  auto a = std::make_shared<GateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "gate",
      "The CI gate: judge a summary (of run, exec or report) against a baseline of accepted "
      "findings, each with its reason (schema in reports/include/racelab/report/gate.h). Fails "
      "on a finding or harness verdict the baseline does not accept in a result expected clean, "
      "and on a buggy variant no longer caught.\n"
      "The summary is checked, not trusted: its counts must add up, its ok and as_expected "
      "flags agree with them, and every process carry proof that ThreadSanitizer ran.\n"
      "Exit codes: 0 passed; 1 failed; 2 usage (no such summary, an unreadable or malformed "
      "baseline, a bad option); 3 nothing can be concluded (not a racelab summary, one that "
      "contradicts itself, no run, a crashed worker, TSan missing or not seen): never a pass.");
  cmd->add_option("summary", a->summary, "summary.json to judge")->capture_default_str();
  cmd->add_option("--baseline", a->baseline,
                       "baseline.json of accepted findings (none: nothing is accepted)");
  CLI::Option* update_flag = cmd->add_flag("--update-baseline", a->update,
                     "Write the baseline that accepts what the summary holds (existing entries "
                     "and their reasons are kept) instead of judging");
  cmd->add_option("--reason", a->reason,
                       "With --update-baseline: why the new entries are accepted (required when "
                       "there are new ones)")
      ->needs(update_flag);
  return {cmd, [a] { return gate(*a); }};
}

}  // namespace racelab::driver
