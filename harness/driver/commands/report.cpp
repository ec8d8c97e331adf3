// racelab report: the TSan logs of any program, summarised like a campaign.
#include <cstdio>
#include <memory>

#include "command.h"
#include "exec.h"

namespace racelab::driver {
namespace {

constexpr const char* kReportExitCodes =
    "Exit codes: 0 every log clean; 1 a finding or a crash in a log; 2 usage (a log that does not "
    "exist, a bad option, an unusable --out); 3 infrastructure failure: a log that is not the TSan "
    "log of a process (empty, binary, a directory, text without TSan output — unless "
    "--assume-tsan), TSan's own errors, an I/O error: never clean.";

struct ReportArgs {
  std::vector<std::string> logs;
  std::string name = "logs";
  bool assume_tsan = false;
  std::string max_log = "16M";
  Output output{.source_root = "."};
};

int report_command(const ReportArgs& args) {
  const Output& output = args.output;
  const std::uint64_t max_log = parse_size(args.max_log);
  prepare_output(output);
  report::Summary summary;
  summary.created = utc_now();
  // Each log must show that TSan ran in its process (or --assume-tsan says
  // so): the result's evidence counts them.
  summary.build = {"thread", "external"};
  report::VariantResult result;
  try {
    result = report_logs(args.logs, args.name, args.assume_tsan, max_log);
  } catch (const NotALog& e) {
    std::fprintf(stderr, "racelab: %s\n", e.what());
    std::printf("racelab: infrastructure problem; nothing here counts as clean\n");
    return kInfrastructure;
  }
  std::printf("%s", report::to_console(result).c_str());
  summary.results.push_back(std::move(result));
  return conclude(summary, output);
}

}  // namespace

Command add_report_command(CLI::App& app, const Context&) {
  auto a = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      std::string("Summarise ThreadSanitizer logs of any program (one process per file, e.g. "
                  "TSAN_OPTIONS=log_path=… files, or captured stderr): findings deduplicated "
                  "by signature and counted, written like `run`'s summaries. Each log must show "
                  "that TSan ran (its verbosity=1 banner, a report, TSan's own errors); an empty "
                  "file or text without TSan output proves nothing, unless --assume-tsan.\n") +
          kReportExitCodes);
  cmd->add_option("logs", a->logs, "TSan log files")->required();
  cmd->add_option("--name", a->name, "The result's name")->capture_default_str();
  cmd->add_flag("--assume-tsan", a->assume_tsan,
                       "A log without any TSan output is a clean process that ran under TSan "
                       "(say so only when you know it did: e.g. logs written without verbosity=1, "
                       "where a clean process prints nothing). Binary files and directories are "
                       "still refused");
  cmd->add_option("--max-log", a->max_log,
                         "Read at most this much of each log (16M, 512K, 1G; more is an "
                         "infrastructure problem)")
      ->capture_default_str();
  add_output_options(cmd, a->output);
  cmd->add_option("--format", a->output.formats,
                         "What to write: json, md, html, junit, sarif (several: repeat or "
                         "comma-separate)")
      ->delimiter(',')
      ->check(CLI::IsMember(kFormats))
      ->capture_default_str();
  return {cmd, [a] { return report_command(*a); }};
}

}  // namespace racelab::driver
