// racelab run: campaigns over the catalogue, through worker processes.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "campaign.h"
#include "catalogue.h"
#include "command.h"

namespace racelab::driver {
namespace {

struct RunArgs {
  std::vector<std::string> cases;
  std::string variant = "both";
  CampaignOptions campaign;
  ScheduleOptions schedule;
  std::string time;
  std::string shard;
  std::string max_log = "16M";
  Output output{.source_root = RACELAB_SOURCE_DIR};
};

int run(const std::string& cases_dir, RunArgs args) {
  if (!args.time.empty()) args.campaign.time_s = parse_duration(args.time);
  std::tie(args.campaign.shard_index, args.campaign.shard_count) = parse_shard(args.shard);
  const std::vector<CaseProgram> selected = load_catalogue(cases_dir, args.cases);
  args.campaign.strategy = args.schedule.resolve();
  args.campaign.seed = args.schedule.seed;
  args.campaign.pct_depth = args.schedule.pct_depth;
  args.campaign.out_dir = args.output.dir;
  args.campaign.max_log = parse_size(args.max_log);
  prepare_output(args.output);

  report::Summary summary;
  summary.created = utc_now();
  const nlohmann::json& build = selected.front().describe.at("build");
  summary.build = {build.value("sanitizer", "unknown"), build.value("compiler", "unknown")};
  if (summary.build.sanitizer != "thread")
    std::printf("note: the case programs are not built with ThreadSanitizer (%s); only the "
                "harness's own verdicts can catch a bug\n",
                summary.build.sanitizer.c_str());
  if (args.campaign.shard_count > 1)
    std::printf("shard %d of %d\n", args.campaign.shard_index, args.campaign.shard_count);

  std::vector<std::pair<CaseProgram, Variant>> work;
  for (const CaseProgram& program : selected) {
    if (args.variant != "fixed") work.emplace_back(program, Variant::buggy);
    if (args.variant != "buggy") work.emplace_back(program, Variant::fixed);
  }

  // On a terminal, one line redrawn in place; elsewhere, only the results.
  const bool terminal = isatty(STDOUT_FILENO) != 0;
  bool progress_shown = false;
  auto clear_progress = [&] {
    if (progress_shown) std::printf("\r\033[K");
    progress_shown = false;
  };
  summary.results = run_campaign(
      work, args.campaign,
      [&](const report::VariantResult& result) {
        clear_progress();
        std::printf("%s", report::to_console(result).c_str());
        std::fflush(stdout);
      },
      [&](const Progress& p) {
        if (!terminal) return;
        std::printf("\r\033[K[%d/%d variants] %lld runs, %.0f runs/s, %lld failing so far, %.0f s",
                    p.variants_done, p.variants, static_cast<long long>(p.runs),
                    p.seconds > 0 ? static_cast<double>(p.runs) / p.seconds : 0.0,
                    static_cast<long long>(p.findings), p.seconds);
        std::fflush(stdout);
        progress_shown = true;
      });
  clear_progress();
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - args.campaign.started).count();
  if (args.campaign.time_s && took > *args.campaign.time_s * 1.1 + 1.0)
    std::printf("note: --time %s was too short for one run of every variant; this took %.1f s\n",
                args.time.c_str(), took);
  return conclude(summary, args.output);
}

}  // namespace

Command add_run_command(CLI::App& app, const Context& context) {
  auto a = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      "run", std::string("Run cases, print what each variant showed, write DIR/summary.json and "
                         "DIR/summary.md.\n") + kExitCodes);
  cmd->add_option("cases", a->cases, "Cases to run: ids (01_lost_update), numbers (01), names (lost_update) or all")
      ->default_str("all");
  cmd->add_option("--variant", a->variant, "buggy, fixed or both")
      ->check(CLI::IsMember({"buggy", "fixed", "both"}))
      ->capture_default_str();
  cmd->add_option("--runs", a->campaign.runs,
                      "Runs per variant (default: each variant's own budget)")
      ->check(CLI::Range(1, 100000000));
  cmd->add_option("--time", a->time,
                      "Wall time for the whole command (20s, 2m, 500ms, plain seconds), shared by "
                      "the selected variants: each runs until its share is spent (the run in "
                      "flight is dropped). With --runs: whichever ends first");
  cmd->add_option("--jobs", a->campaign.jobs,
                      "Worker processes at once: a variant's runs split into contiguous chunks, "
                      "variants side by side; totals as with one job")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--shard", a->shard,
                      "Run shard i of n (0-based) of every variant's run indices; default: "
                      "GTEST_SHARD_INDEX / GTEST_TOTAL_SHARDS when set");
  add_schedule_options(cmd, a->schedule, "How interleave() points perturb", true);
  cmd->add_option("--timeout", a->campaign.timeout_s,
                      "Seconds one run may take before it is a hang (default: the case program's, "
                      "10 under TSan, 5 otherwise)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--stop-on-first", a->campaign.stop_on_first,
                    "Stop each variant at its first failing run");
  cmd->add_option("--max-log", a->max_log,
                      "Keep at most this much of each worker's output and TSan log (16M, 512K, 1G; a "
                      "TSan log cut short is an infrastructure problem)")
      ->capture_default_str();
  add_output_options(cmd, a->output);
  return {cmd, [&context, a] { return run(context.cases_dir, *a); }};
}

}  // namespace racelab::driver
