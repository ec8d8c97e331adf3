// racelab — the driver: lists the catalogue, runs campaigns through worker
// processes, merges shard summaries, writes the summaries.
//
// Exit codes: 0 everything as expected; 1 an unexpected outcome (a buggy
// variant not caught, a fixed variant flagged); 2 usage; 3 infrastructure
// failure (no case programs, a worker that cannot run, TSan failing).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
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

constexpr const char* kExitCodes =
    "Exit codes: 0 everything as expected; 1 an unexpected outcome (a buggy variant not caught, "
    "a fixed variant flagged); 2 usage; 3 infrastructure failure (nothing here counts as clean).";

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

// "20s", "2m", "500ms", "1h", or plain seconds.
double parse_duration(const std::string& text) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    throw std::invalid_argument(fmt::format("--time: '{}' is not a duration (e.g. 20s, 2m, 500ms)", text));
  }
  const std::string unit = text.substr(used);
  static const std::map<std::string, double> kUnits = {
      {"", 1}, {"s", 1}, {"ms", 0.001}, {"m", 60}, {"min", 60}, {"h", 3600}};
  auto it = kUnits.find(unit);
  if (it == kUnits.end() || value <= 0)
    throw std::invalid_argument(fmt::format("--time: '{}' is not a duration (e.g. 20s, 2m, 500ms)", text));
  return value * it->second;
}

// "--shard i/n", else GTEST_SHARD_INDEX / GTEST_TOTAL_SHARDS, else 0/1.
std::pair<int, int> parse_shard(const std::string& text) {
  std::string index_text;
  std::string count_text;
  if (!text.empty()) {
    const auto slash = text.find('/');
    if (slash == std::string::npos)
      throw std::invalid_argument(fmt::format("--shard: '{}' is not i/n", text));
    index_text = text.substr(0, slash);
    count_text = text.substr(slash + 1);
  } else if (const char* total = std::getenv("GTEST_TOTAL_SHARDS")) {
    const char* index = std::getenv("GTEST_SHARD_INDEX");
    if (index == nullptr)
      throw std::invalid_argument("GTEST_TOTAL_SHARDS is set but GTEST_SHARD_INDEX is not");
    index_text = index;
    count_text = total;
  } else {
    return {0, 1};
  }
  int index = -1;
  int count = 0;
  try {
    std::size_t a = 0;
    std::size_t b = 0;
    index = std::stoi(index_text, &a);
    count = std::stoi(count_text, &b);
    if (a != index_text.size() || b != count_text.size()) count = 0;
  } catch (const std::exception&) {
    count = 0;
  }
  if (count < 1 || index < 0 || index >= count)
    throw std::invalid_argument(
        fmt::format("shard '{}/{}': want i/n with 0 <= i < n", index_text, count_text));
  return {index, count};
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

// Writes the summaries and says where; returns the exit code they mean.
int conclude(const report::Summary& summary, const std::string& out_dir) {
  const std::string json_path = out_dir + "/summary.json";
  const std::string md_path = out_dir + "/summary.md";
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

struct RunArgs {
  std::vector<std::string> cases;
  std::string variant = "both";
  CampaignOptions campaign;
  std::string strategy = "portfolio";
  std::string time;
  std::string shard;
  std::string out_dir = "racelab-out";
};

int run(const std::string& cases_dir, RunArgs args) {
  if (!args.time.empty()) args.campaign.time_s = parse_duration(args.time);
  std::tie(args.campaign.shard_index, args.campaign.shard_count) = parse_shard(args.shard);
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
  return conclude(summary, args.out_dir);
}

int merge(const std::vector<std::string>& inputs, const std::string& out_dir) {
  std::vector<report::Summary> parts;
  for (const std::string& path : inputs) {
    std::ifstream in(path);
    if (!in) throw std::invalid_argument(fmt::format("cannot read {}", path));
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception&) {
      throw std::invalid_argument(fmt::format("{} is not JSON", path));
    }
    try {
      parts.push_back(report::summary_from_json(j));
    } catch (const std::runtime_error& e) {
      throw std::invalid_argument(fmt::format("{}: {}", path, e.what()));
    }
  }
  // Group the results by case × variant, in the order first seen.
  std::vector<std::pair<std::string, std::vector<report::VariantResult>>> groups;
  for (const report::Summary& part : parts)
    for (const report::VariantResult& r : part.results) {
      const std::string key = r.case_id + "/" + std::string(to_string(r.variant));
      auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == key; });
      if (it == groups.end()) it = groups.insert(groups.end(), {key, {}});
      it->second.push_back(r);
    }
  report::Summary merged;
  merged.created = utc_now();
  merged.build = parts.front().build;
  for (const auto& [key, shards] : groups) {
    merged.results.push_back(report::merge(shards));
    std::printf("%s", report::to_console(merged.results.back()).c_str());
  }
  return conclude(merged, out_dir);
}

int driver_main(int argc, char** argv) {
  CLI::App app{std::string("racelab — runs buggy and fixed concurrency cases under a harness and "
                           "ThreadSanitizer, and summarises what they show.\n\n") +
                   kExitCodes,
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
      "run", std::string("Run cases, print what each variant showed, write DIR/summary.json and "
                         "DIR/summary.md.\n") + kExitCodes);
  run_cmd->add_option("cases", args.cases, "Cases to run: ids (01_lost_update), numbers (01), names (lost_update) or all")
      ->default_str("all");
  run_cmd->add_option("--variant", args.variant, "buggy, fixed or both")
      ->check(CLI::IsMember({"buggy", "fixed", "both"}))
      ->capture_default_str();
  run_cmd->add_option("--runs", args.campaign.runs,
                      "Runs per variant (default: each variant's own budget)")
      ->check(CLI::Range(1, 100000000));
  run_cmd->add_option("--time", args.time,
                      "Wall time for the whole campaign (20s, 2m, 500ms): runs go on until it is spent");
  run_cmd->add_option("--jobs", args.campaign.jobs, "Worker processes at once")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  run_cmd->add_option("--shard", args.shard,
                      "Run shard i of n (0-based) of every variant's run indices; default: "
                      "GTEST_SHARD_INDEX / GTEST_TOTAL_SHARDS when set");
  run_cmd->add_option("--seed", args.campaign.seed, "Campaign seed: run i uses a seed derived from it and i")
      ->capture_default_str();
  std::vector<std::string> strategies;
  for (Strategy s : kAllStrategies) strategies.emplace_back(to_string(s));
  run_cmd->add_option("--strategy", args.strategy, "none, yield, sleep, pct or portfolio")
      ->check(CLI::IsMember(strategies))
      ->capture_default_str();
  run_cmd->add_option("--pct-depth", args.campaign.pct_depth, "Strategy pct's bug depth d")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  run_cmd->add_option("--timeout", args.campaign.timeout_s,
                      "Seconds one run may take before it is a hang (default: the case program's, "
                      "10 under TSan, 5 otherwise)")
      ->check(CLI::PositiveNumber);
  run_cmd->add_flag("--stop-on-first", args.campaign.stop_on_first,
                    "Stop each variant at its first failing run");
  run_cmd->add_option("--out", args.out_dir, "Output directory")->capture_default_str();

  std::vector<std::string> merge_inputs;
  std::string merge_out = "racelab-out";
  CLI::App* merge_cmd = app.add_subcommand(
      "merge", std::string("Combine shard summaries into one DIR/summary.json and DIR/summary.md.\n") +
                   kExitCodes);
  merge_cmd->add_option("summaries", merge_inputs, "summary.json files of the shards")->required();
  merge_cmd->add_option("--out", merge_out, "Output directory")->capture_default_str();

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
    if (*merge_cmd) return merge(merge_inputs, merge_out);
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
