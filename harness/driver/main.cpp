// racelab — the driver: lists the catalogue, runs campaigns through worker
// processes, writes the summaries.
//
// Exit codes: 0 everything as expected; 1 an unexpected outcome (a buggy
// variant not caught, a fixed variant flagged); 2 usage; 3 infrastructure
// failure (no case programs, a worker that cannot run, TSan failing).
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "campaign.h"
#include "catalogue.h"
#include "racelab/report/atomic_file.h"
#include "racelab/report/summary.h"

namespace racelab::driver {
namespace {

constexpr int kAsExpected = 0;
constexpr int kUnexpected = 1;
constexpr int kUsage = 2;
constexpr int kInfrastructure = 3;

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string expected_of(const CaseProgram& program, const char* variant) {
  std::string text;
  for (const auto& v : program.describe.at("variants").at(variant).at("expected"))
    text += (text.empty() ? "" : " or ") + v.get<std::string>();
  return text;
}

int list(const std::string& cases_dir, bool as_json) {
  const std::vector<CaseProgram> catalogue = load_catalogue(cases_dir);
  if (as_json) {
    nlohmann::json all = nlohmann::json::array();
    for (const CaseProgram& p : catalogue) all.push_back(p.describe);
    std::printf("%s\n", all.dump(2).c_str());
    return kAsExpected;
  }
  for (const CaseProgram& p : catalogue) {
    std::printf("%-24s %s\n", p.id().c_str(), p.describe.value("title", "").c_str());
    std::printf("%-24s   %s · buggy: %s · fixed: %s\n", "",
                p.describe.value("bug_class", "").c_str(), expected_of(p, "buggy").c_str(),
                expected_of(p, "fixed").c_str());
  }
  return kAsExpected;
}

struct RunArgs {
  std::vector<std::string> cases;
  std::string variant = "both";
  CampaignOptions campaign;
  std::string strategy = "yield";
  std::string out_dir = "racelab-out";
};

int run(const std::string& cases_dir, RunArgs args) {
  const std::vector<CaseProgram> selected = select_cases(load_catalogue(cases_dir), args.cases);
  args.campaign.strategy = *parse_strategy(args.strategy);
  args.campaign.out_dir = args.out_dir;

  report::Summary summary;
  summary.created = utc_now();
  const nlohmann::json& build = selected.front().describe.at("build");
  summary.build = {build.value("sanitizer", "unknown"), build.value("compiler", "unknown")};
  if (summary.build.sanitizer != "thread")
    std::printf("note: the case programs are not built with ThreadSanitizer (%s); only the "
                "harness's own verdicts can catch a bug\n",
                summary.build.sanitizer.c_str());

  std::vector<Variant> variants;
  if (args.variant != "fixed") variants.push_back(Variant::buggy);
  if (args.variant != "buggy") variants.push_back(Variant::fixed);
  for (const CaseProgram& program : selected)
    for (Variant variant : variants) {
      report::VariantResult result = run_variant(program, variant, args.campaign);
      std::printf("%s", report::to_console(result).c_str());
      std::fflush(stdout);
      summary.results.push_back(std::move(result));
    }

  const std::string json_path = args.out_dir + "/summary.json";
  const std::string md_path = args.out_dir + "/summary.md";
  report::write_atomically(json_path, report::to_json(summary).dump(2) + "\n");
  report::write_atomically(md_path, report::to_markdown(summary));
  std::printf("\nsummaries: %s\n           %s\n",
              std::filesystem::absolute(json_path).lexically_normal().c_str(),
              std::filesystem::absolute(md_path).lexically_normal().c_str());

  bool infrastructure = false;
  for (const auto& r : summary.results) infrastructure = infrastructure || !r.problems.empty();
  if (infrastructure) {
    std::printf("racelab: infrastructure problems (see above); nothing here counts as clean\n");
    return kInfrastructure;
  }
  std::printf("%s\n", summary.ok() ? "racelab: everything as expected"
                                   : "racelab: NOT everything as expected");
  return summary.ok() ? kAsExpected : kUnexpected;
}

int driver_main(int argc, char** argv) {
  CLI::App app{"racelab — runs buggy and fixed concurrency cases under a harness and "
               "ThreadSanitizer, and summarises what they show.\n\n"
               "Exit codes: 0 as expected; 1 an unexpected outcome; 2 usage; 3 infrastructure failure.",
               "racelab"};
  app.set_version_flag("--version", RACELAB_VERSION);
  app.require_subcommand(1);
  std::string cases_dir = default_cases_dir();
  app.add_option("--cases", cases_dir, "Directory of the case programs (case_*)")
      ->capture_default_str();

  CLI::App* list_cmd = app.add_subcommand("list", "List the catalogue, from the case programs' own metadata");
  bool list_json = false;
  list_cmd->add_flag("--json", list_json, "Print the metadata as JSON");

  RunArgs args;
  CLI::App* run_cmd = app.add_subcommand(
      "run", "Run cases, print what each variant showed, write DIR/summary.json and DIR/summary.md");
  run_cmd->add_option("cases", args.cases, "Cases to run: ids (01_lost_update), numbers (01), names (lost_update) or all")
      ->default_str("all");
  run_cmd->add_option("--variant", args.variant, "buggy, fixed or both")
      ->check(CLI::IsMember({"buggy", "fixed", "both"}))
      ->capture_default_str();
  run_cmd->add_option("--runs", args.campaign.runs,
                      "Runs per variant (default: each variant's own budget)")
      ->check(CLI::Range(1, 100000000));
  run_cmd->add_option("--seed", args.campaign.seed, "Campaign seed")->capture_default_str();
  run_cmd->add_option("--strategy", args.strategy, "none, yield or sleep")
      ->check(CLI::IsMember({"none", "yield", "sleep"}))
      ->capture_default_str();
  run_cmd->add_option("--timeout", args.campaign.timeout_s,
                      "Seconds one run may take before it is a hang (default: the case program's)")
      ->check(CLI::PositiveNumber);
  run_cmd->add_flag("--stop-on-first", args.campaign.stop_on_first,
                    "Stop each variant at its first failing run");
  run_cmd->add_option("--out", args.out_dir, "Output directory")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsage;
  }

  try {
    if (*list_cmd) return list(cases_dir, list_json);
    return run(cases_dir, std::move(args));
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

int main(int argc, char** argv) { return racelab::driver::driver_main(argc, argv); }
