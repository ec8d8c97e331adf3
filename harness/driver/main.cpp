// racelab — the driver: lists the catalogue, runs campaigns through worker
// processes, merges shard summaries, writes the summaries.
//
// Exit codes: 0 everything as expected; 1 an unexpected outcome (a buggy
// variant not caught, a fixed variant flagged); 2 usage; 3 infrastructure
// failure (no case programs, a worker that cannot run, TSan failing).
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "bench.h"
#include "campaign.h"
#include "catalogue.h"
#include "exec.h"
#include "process.h"
#include "racelab/report/atomic_file.h"
#include "racelab/report/gate.h"
#include "racelab/report/render.h"
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
constexpr const char* kExecExitCodes =
    "Exit codes: 0 every run clean, with ThreadSanitizer seen in each; 1 a finding, or a run that "
    "hung, crashed, failed its own check or leaked a process; 2 usage (no such program, a bad "
    "option, an unusable --out); 3 infrastructure failure (not built with -fsanitize=thread, a run "
    "that could not be started, a log cut at --max-log, an I/O error): never clean. Interrupted "
    "(SIGINT, SIGTERM, SIGHUP): 128 + the signal, every process it started ended, no summary.";
constexpr const char* kReportExitCodes =
    "Exit codes: 0 every log clean; 1 a finding or a crash in a log; 2 usage (a log that does not "
    "exist, a bad option, an unusable --out); 3 infrastructure failure: a log that is not the TSan "
    "log of a process (empty, binary, a directory, text without TSan output — unless "
    "--assume-tsan), TSan's own errors, an I/O error: never clean.";
constexpr const char* kListExitCodes = "Exit codes: 0 listed; 2 usage; 3 no case programs could be read.";

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
  if (it == kUnits.end() || !std::isfinite(value))
    throw std::invalid_argument(fmt::format("--time: '{}' is not a duration (e.g. 20s, 2m, 500ms)", text));
  if (value == 0) throw std::invalid_argument(fmt::format("--time: '{}' is zero: give a positive duration", text));
  if (value < 0) throw std::invalid_argument(fmt::format("--time: '{}' is negative: give a positive duration", text));
  return value * it->second;
}

// "16M", "512K", "1G", or plain bytes (--max-log).
std::uint64_t parse_size(const std::string& text) {
  std::size_t used = 0;
  unsigned long long value = 0;
  try {
    if (!text.empty() && text.front() == '-') throw std::invalid_argument("negative");
    value = std::stoull(text, &used);
  } catch (const std::exception&) {
    throw std::invalid_argument(fmt::format("--max-log: '{}' is not a size (e.g. 16M, 512K, 1G)", text));
  }
  static const std::map<std::string, unsigned> kShift = {{"", 0}, {"K", 10}, {"M", 20}, {"G", 30}};
  auto it = kShift.find(text.substr(used));
  if (it == kShift.end())
    throw std::invalid_argument(fmt::format("--max-log: '{}' is not a size (e.g. 16M, 512K, 1G)", text));
  if (value == 0) throw std::invalid_argument("--max-log: zero keeps nothing; give a size (e.g. 16M)");
  if (value > (std::uint64_t{1} << 40) >> it->second)
    throw std::invalid_argument(fmt::format("--max-log: '{}' is more than 1T", text));
  return static_cast<std::uint64_t>(value) << it->second;
}

// "--shard i/n", else GTEST_SHARD_INDEX / GTEST_TOTAL_SHARDS (set and not
// empty), else 0/1.
std::pair<int, int> parse_shard(const std::string& text) {
  std::string index_text;
  std::string count_text;
  if (!text.empty()) {
    const auto slash = text.find('/');
    if (slash == std::string::npos)
      throw std::invalid_argument(fmt::format("--shard: '{}' is not i/n", text));
    index_text = text.substr(0, slash);
    count_text = text.substr(slash + 1);
  } else if (const char* total = std::getenv("GTEST_TOTAL_SHARDS"); total && *total) {
    const char* index = std::getenv("GTEST_SHARD_INDEX");
    if (index == nullptr || *index == '\0')
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
  // n is bounded so that a shard's bounds (run count × n) stay exact.
  if (count < 1 || count > 1'000'000 || index < 0 || index >= count)
    throw std::invalid_argument(
        fmt::format("shard '{}/{}': want i/n with 0 <= i < n <= 1000000", index_text, count_text));
  return {index, count};
}

// The catalogue as the Markdown of docs/cases.md (the build writes it to
// <build>/docs/cases.md; a test keeps the checked-in page equal).
std::string catalogue_markdown(const std::vector<CaseProgram>& catalogue) {
  std::string md =
      "# The case catalogue\n\n"
      "Generated by the build (`build/tsan/docs/cases.md`, which `racelab list --markdown` "
      "writes from the case programs' own metadata); a test fails when this page and the "
      "generated one differ. Each buggy variant is caught within its budget (runs per seed) "
      "in each of 20 seeds, its first failure showing one of the texts given. Read the cases in "
      "order: each folder's README.md teaches its bug.\n\n"
      "| case | title | bug class | threads | buggy is caught as | within (runs) | its first failure shows | fixed |\n"
      "|---|---|---|---:|---|---:|---|---|\n";
  for (const CaseProgram& p : catalogue) {
    const nlohmann::json& buggy = p.describe.at("variants").at("buggy");
    std::string shows;
    for (const auto& text : buggy.value("first_failure_shows", nlohmann::json::array())) {
      std::string cell = text.get<std::string>();
      for (std::size_t at = 0; (at = cell.find('|', at)) != std::string::npos; at += 2) cell.insert(at, "\\");
      shows += (shows.empty() ? "`" : " or `") + cell + "`";
    }
    md += fmt::format("| [{0}](../cases/{0}/README.md) | {1} | {2} | {3} | {4} | {5} | {6} | {7} |\n",
                      p.id(), p.describe.value("title", ""), p.describe.value("bug_class", ""),
                      p.describe.value("threads", 0), expected_of(p, "buggy"),
                      buggy.value("budget", 0), shows, expected_of(p, "fixed"));
  }
  return md;
}

int list(const std::string& cases_dir, bool as_json, bool as_markdown) {
  const std::vector<CaseProgram> catalogue = load_catalogue(cases_dir);
  if (as_markdown) {
    std::printf("%s", catalogue_markdown(catalogue).c_str());
    return kAsExpected;
  }
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

// What a command writes into its output directory, each file atomically.
struct Output {
  std::string dir = "racelab-out";
  /// Absolute path that frames in the report are made relative to (SARIF
  /// URIs, HTML paths): the repository the findings are in.
  std::string source_root;
  std::vector<std::string> formats = {"json", "md", "html", "junit", "sarif"};
};

const std::vector<std::string> kFormats = {"json", "md", "html", "junit", "sarif"};
// The file of each format, in the order they are written: summary.json last,
// so that a command cut short leaves no summary.json (the gate reads that one).
const std::vector<std::pair<std::string, std::string>> kSummaryFiles = {
    {"md", "summary.md"}, {"html", "summary.html"}, {"junit", "junit.xml"}, {"sarif", "results.sarif"},
    {"json", "summary.json"}};

// Names racelab gives the logs in DIR/logs: exec's run-N directories and a
// campaign's CASE.VARIANT.sI.cJ.wK.* files.
bool racelab_log_name(const std::string& name) {
  static const std::regex kRun("run-[0-9]+");
  static const std::regex kWorker(R"(.+\.s[0-9]+\.c[0-9]+\.w[0-9]+\..+)");
  return std::regex_match(name, kRun) || std::regex_match(name, kWorker);
}

// prepare_output()
//
// Before a command runs: --out is a directory racelab can write (created if
// need be; else std::invalid_argument, exit 2), and nothing a gate could
// read is left from an earlier command: the summaries it may write are
// removed, and so are racelab's own logs there. Summaries are written again
// only at the end, summary.json last.
void prepare_output(const Output& output) {
  namespace fs = std::filesystem;
  const fs::path dir(output.dir);
  std::error_code error;
  if (output.dir.empty()) throw std::invalid_argument("--out: an empty path");
  if (fs::exists(dir, error) && !fs::is_directory(dir, error))
    throw std::invalid_argument(fmt::format("--out {}: exists and is not a directory", output.dir));
  fs::create_directories(dir, error);
  if (error)
    throw std::invalid_argument(fmt::format("--out {}: cannot create it: {}", output.dir, error.message()));
  if (access(output.dir.c_str(), W_OK | X_OK) != 0)
    throw std::invalid_argument(fmt::format("--out {}: not writable: {}", output.dir, std::strerror(errno)));
  for (const auto& [format, file] : kSummaryFiles) {
    fs::remove(dir / file, error);
    if (error)
      throw std::runtime_error(fmt::format("cannot remove the old {}: {}", (dir / file).string(), error.message()));
  }
  if (fs::is_directory(dir / "logs", error))
    for (const auto& entry : fs::directory_iterator(dir / "logs", error))
      if (racelab_log_name(entry.path().filename().string())) fs::remove_all(entry.path(), error);
}

// Writes the summaries and says where; returns the exit code they mean.
int conclude(const report::Summary& summary, const Output& output) {
  report::RenderOptions options;
  options.source_root =
      output.source_root.empty() ? "" : std::filesystem::absolute(output.source_root).lexically_normal().string();
  if (options.source_root.size() > 1 && options.source_root.ends_with('/')) options.source_root.pop_back();
  options.tool_version = RACELAB_VERSION;
  const std::map<std::string, std::function<std::string()>> renderers = {
      // Program output and symbol names are not always UTF-8: such bytes
      // become U+FFFD rather than failing the write.
      {"json", [&] { return report::to_json(summary).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"; }},
      {"md", [&] { return report::to_markdown(summary); }},
      {"html", [&] { return report::to_html(summary, options); }},
      {"junit", [&] { return report::to_junit(summary); }},
      {"sarif", [&] { return report::to_sarif(summary, options).dump(2) + "\n"; }},
  };
  std::string written;
  std::vector<std::string> paths;
  for (const auto& [format, file] : kSummaryFiles) {
    if (std::find(output.formats.begin(), output.formats.end(), format) == output.formats.end())
      continue;
    const auto& render = renderers.at(format);
    const std::string path = output.dir + "/" + file;
    try {
      report::write_atomically(path, render());
    } catch (...) {
      // All or nothing: the files already written go too.
      for (const std::string& done : paths) std::filesystem::remove(done);
      throw;
    }
    paths.push_back(path);
    written += fmt::format("{}{}\n", written.empty() ? "\nsummaries: " : "           ",
                           std::filesystem::absolute(path).lexically_normal().string());
  }
  std::printf("%s", written.c_str());
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
  std::string max_log = "16M";
  Output output{.source_root = RACELAB_SOURCE_DIR};
};

int run(const std::string& cases_dir, RunArgs args) {
  if (!args.time.empty()) args.campaign.time_s = parse_duration(args.time);
  std::tie(args.campaign.shard_index, args.campaign.shard_count) = parse_shard(args.shard);
  const std::vector<CaseProgram> selected = load_catalogue(cases_dir, args.cases);
  args.campaign.strategy = *parse_strategy(args.strategy);
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

// Reads a JSON file; std::invalid_argument naming the file when it cannot.
// The most a summary or baseline file may hold: far more than any campaign
// writes, little enough that a hostile file cannot exhaust memory.
constexpr std::uintmax_t kMaxJsonFile = std::uintmax_t{256} << 20;

// A JSON file's text, at most kMaxJsonFile bytes; nullopt when it cannot be
// read (missing, a directory); std::runtime_error when it is larger.
std::optional<std::string> read_json_text(const std::string& path, const char* what) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) return std::nullopt;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (!error && size > kMaxJsonFile)
    throw std::runtime_error(fmt::format("{} {} is {} bytes: too large to be a racelab {}", what, path, size, what));
  return read_text(path);
}

nlohmann::json read_json(const std::string& path, const char* what) {
  std::optional<std::string> text;
  try {
    text = read_json_text(path, what);
  } catch (const std::runtime_error& e) {
    throw std::invalid_argument(e.what());
  }
  if (!text) throw std::invalid_argument(fmt::format("cannot read {} {}", what, path));
  try {
    return nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception&) {
    throw std::invalid_argument(fmt::format("{} {} is not JSON", what, path));
  }
}

// A summary's shard: every result of it is shard i of n; else
// std::invalid_argument naming the file.
std::pair<int, int> shard_of(const report::Summary& part, const std::string& path) {
  if (part.results.empty()) throw std::invalid_argument(fmt::format("{} holds no result", path));
  const auto& first = part.results.front();
  for (const auto& r : part.results)
    if (r.shard_index != first.shard_index || r.shard_count != first.shard_count)
      throw std::invalid_argument(fmt::format("{} is not one shard: it holds shard {} of {} and shard {} of {}",
                                              path, first.shard_index, first.shard_count, r.shard_index,
                                              r.shard_count));
  return {first.shard_index, first.shard_count};
}

// What identifies a campaign's results: case, variant, strategy and seed.
std::vector<std::string> result_keys(const report::Summary& part) {
  std::vector<std::string> keys;
  for (const auto& r : part.results)
    keys.push_back(fmt::format("{} {} (strategy {}, seed {})", r.case_id, to_string(r.variant), r.strategy, r.seed));
  std::sort(keys.begin(), keys.end());
  return keys;
}

int merge(const std::vector<std::string>& inputs, const Output& output) {
  std::vector<report::Summary> parts;
  for (const std::string& path : inputs) {
    const nlohmann::json j = read_json(path, "summary");
    try {
      parts.push_back(report::summary_from_json(j));
    } catch (const std::runtime_error& e) {
      throw std::invalid_argument(fmt::format("{}: {}", path, e.what()));
    }
    if (const auto errors = report::check(parts.back()); !errors.empty())
      throw std::invalid_argument(fmt::format("{} contradicts itself: {}", path, errors.front()));
  }
  // Only the shards of one campaign merge: the same results (case, variant,
  // strategy, seed) from the same build, shards 0 … n-1 of n once each.
  const std::vector<std::string> keys = result_keys(parts.front());
  const int count = shard_of(parts.front(), inputs.front()).second;
  if (count == 1 && parts.size() > 1)
    throw std::invalid_argument(fmt::format(
        "the summaries are not shards of one campaign: {} is a whole campaign (shard 0 of 1), not a shard", inputs.front()));
  std::vector<std::string> by_shard(static_cast<std::size_t>(count));
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const auto [index, n] = shard_of(parts[k], inputs[k]);
    if (result_keys(parts[k]) != keys)
      throw std::invalid_argument(fmt::format(
          "the summaries are not shards of one campaign: {} and {} hold different results (cases, "
          "variants, strategies or seeds)",
          inputs.front(), inputs[k]));
    if (parts[k].build.sanitizer != parts[0].build.sanitizer || parts[k].build.compiler != parts[0].build.compiler)
      throw std::invalid_argument(fmt::format(
          "the summaries are not shards of one campaign: {} and {} come from different builds ({} {} vs {} {})",
          inputs.front(), inputs[k], parts[0].build.sanitizer, parts[0].build.compiler, parts[k].build.sanitizer,
          parts[k].build.compiler));
    if (n != count)
      throw std::invalid_argument(fmt::format(
          "the summaries are not shards of one campaign: {} is a shard of {}, {} of {}", inputs.front(), count,
          inputs[k], n));
    std::string& slot = by_shard[static_cast<std::size_t>(index)];
    if (!slot.empty())
      throw std::invalid_argument(
          fmt::format("shard {} of {} is given twice: {} and {}", index, count, slot, inputs[k]));
    slot = inputs[k];
  }
  for (std::size_t index = 0; index < by_shard.size(); ++index)
    if (by_shard[index].empty())
      throw std::invalid_argument(fmt::format("shard {} of {} is missing", index, count));
  // Group the results by case × variant, in the order first seen.
  std::vector<std::pair<std::string, std::vector<report::VariantResult>>> groups;
  for (const report::Summary& part : parts)
    for (const report::VariantResult& r : part.results) {
      const std::string key = r.case_id + "/" + std::string(to_string(r.variant));
      auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == key; });
      if (it == groups.end()) it = groups.insert(groups.end(), {key, {}});
      it->second.push_back(r);
    }
  // Everything is checked before anything is printed or written.
  report::Summary merged;
  merged.created = utc_now();
  merged.build = parts.front().build;
  for (const auto& [key, shards] : groups) merged.results.push_back(report::merge(shards));
  prepare_output(output);
  for (const report::VariantResult& r : merged.results)
    std::printf("%s", report::to_console(r).c_str());
  return conclude(merged, output);
}

struct ExecArgs {
  ExecOptions exec;
  std::string max_log = "16M";
  Output output{.source_root = "."};
};

int exec(ExecArgs args) {
  args.exec.out_dir = args.output.dir;
  args.exec.max_log = parse_size(args.max_log);
  // The old summaries go first: a command that fails, even on usage, leaves
  // none for a gate to pass.
  prepare_output(args.output);
  find_program(args.exec.command.at(0));
  report::Summary summary;
  summary.created = utc_now();
  const bool terminal = isatty(STDOUT_FILENO) != 0;
  report::VariantResult result = exec_runs(args.exec, summary.build.sanitizer, [&](std::int64_t done) {
    if (!terminal) return;
    std::printf("\r\033[K%lld of %lld runs", static_cast<long long>(done),
                static_cast<long long>(args.exec.runs));
    std::fflush(stdout);
  });
  if (terminal) std::printf("\r\033[K");
  summary.build.compiler = "external";
  std::printf("%s", report::to_console(result).c_str());
  summary.results.push_back(std::move(result));
  return conclude(summary, args.output);
}

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

struct PropertyArgs {
  std::vector<std::string> cases;
  std::string variant = "both";
  std::uint64_t seed = 1;
  int programs = 0;
  int schedules = 0;
  Output output{.source_root = RACELAB_SOURCE_DIR};
};

// The catalogue's property campaign (cases/properties): racelab_properties,
// beside the case programs' directory, searches each property with
// RapidCheck; each becomes a result: its executions are the runs, a
// counterexample the first failure.
int properties(const std::string& cases_dir, const PropertyArgs& args) {
  const std::string program =
      (std::filesystem::path(cases_dir).parent_path() / "racelab_properties").string();
  if (!std::filesystem::exists(program))
    throw std::runtime_error(fmt::format("no property program {} (build first: cmake --build --preset tsan)", program));
  std::vector<std::string> argv = {program, "--seed", std::to_string(args.seed), "--variant", args.variant};
  if (args.programs > 0) argv.insert(argv.end(), {"--programs", std::to_string(args.programs)});
  if (args.schedules > 0) argv.insert(argv.end(), {"--schedules", std::to_string(args.schedules)});
  for (const std::string& c : args.cases) argv.push_back(c);
  prepare_output(args.output);
  const ProcessResult p = run_captured(argv, std::chrono::hours(2));

  report::Summary summary;
  summary.created = utc_now();
  summary.build = {RACELAB_TSAN_BUILD ? "thread" : "none", "racelab"};
  std::size_t start = 0;
  while (start < p.out.size()) {
    std::size_t end = p.out.find('\n', start);
    if (end == std::string::npos) end = p.out.size();
    const std::string line = p.out.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    const nlohmann::json j = nlohmann::json::parse(line);
    report::VariantResult meta;
    meta.case_id = j.at("case");
    meta.title = "property of " + j.at("object").get<std::string>() + ": every history linearizable";
    meta.bug_class = "property (RapidCheck)";
    meta.variant = *parse_variant(j.at("variant").get<std::string>());
    meta.strategy = "property";
    meta.seed = j.at("seed");
    meta.expected = meta.variant == Variant::buggy
                        ? std::vector<Verdict>{Verdict::invariant_violated, Verdict::data_race, Verdict::crash,
                                               Verdict::hang, Verdict::livelock, Verdict::deadlock,
                                               Verdict::self_deadlock}
                        : std::vector<Verdict>{Verdict::clean};
    // Its executions are the runs (each a fork of the property program: one
    // process, which says whether TSan's runtime is in it); a counterexample
    // is the failing one.
    report::VariantCollector collector(meta, "");
    collector.add_process(j.at("tsan").get<bool>());
    const std::int64_t held = j.at("executions");
    report::RunRecord run;
    run.seed = meta.seed;
    run.strategy = "property";
    for (run.index = 0; run.index < held; ++run.index) collector.add_run(run);
    if (j.at("failed").get<bool>()) {
      run.verdict = *parse_verdict(j.at("verdict").get<std::string>());
      run.detail = j.at("counterexample").get<std::string>();
      // The shrunk program names the failure; the timeline's steps vary.
      run.where = run.detail.substr(0, run.detail.find('\n'));
      collector.add_run(run);
    }
    report::VariantResult r = collector.finish(j.at("seconds"));
    if (r.first_failure)
      r.first_failure->command =
          fmt::format("{} {} --variant {} --seed {}", program, r.case_id, to_string(r.variant), r.seed);
    r.range_to = r.runs;
    std::printf("%s", report::to_console(r).c_str());
    summary.results.push_back(std::move(r));
  }
  if (p.timed_out || p.signal != 0 || p.exit_code != 0) {
    report::VariantResult broken;
    broken.case_id = "properties";
    broken.variant = Variant::program;
    broken.problems.push_back(fmt::format("{} ended badly ({}): {}", program, p.how_it_ended(),
                                          p.err.substr(0, 500)));
    summary.results.push_back(std::move(broken));
  }
  if (summary.results.empty()) throw std::invalid_argument("no property matches the cases given");
  return conclude(summary, args.output);
}

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

struct BenchArgs {
  BenchOptions options;
  bool quick = false;
  std::optional<int> seeds;
  std::optional<std::int64_t> budget;
  std::optional<std::int64_t> fixed_runs;
  std::string out = "docs";
};

// racelab bench: the page, its chart and the raw figures, written whole.
int bench(const std::string& cases_dir, BenchArgs args, const std::string& command) {
  BenchOptions& o = args.options;
  o.cases_dir = cases_dir;
  o.quick = args.quick;
  o.seeds = args.seeds.value_or(args.quick ? 3 : 20);
  o.budget = args.budget.value_or(args.quick ? 20 : 25);
  o.fixed_runs = args.fixed_runs.value_or(args.quick ? 50 : 2000);
  o.command = command;
  std::string work = (std::filesystem::temp_directory_path() / "racelab-bench-XXXXXX").string();
  if (mkdtemp(work.data()) == nullptr) throw std::runtime_error("cannot create a work directory");
  o.work_dir = work;
  BenchResult result;
  try {
    result = run_bench(o, [](const std::string& line) {
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    });
  } catch (...) {
    std::filesystem::remove_all(work);
    throw;
  }
  std::filesystem::remove_all(work);
  result.created = utc_now();
  const std::string md = args.out + "/benchmarks.md";
  const std::string svg = args.out + "/benchmarks.svg";
  const std::string json = args.out + "/benchmarks.json";
  report::write_atomically(svg, bench_svg(result));
  report::write_atomically(json, bench_json(result).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  report::write_atomically(md, bench_markdown(result, "benchmarks.svg"));
  std::printf("bench: %s\n       %s\n       %s\n", md.c_str(), svg.c_str(), json.c_str());
  std::size_t problems = 0;
  for (const auto& [id, by_detector] : result.buggy)
    for (const auto& [name, d] : by_detector) problems += d.problems.size();
  for (const auto& [id, by_detector] : result.fixed)
    for (const auto& [name, f] : by_detector) problems += f.problems.size();
  if (problems > 0) {
    std::printf("racelab: %zu infrastructure problem(s) during the benchmark (counted in the page)\n", problems);
    return kInfrastructure;
  }
  return kAsExpected;
}

void add_output_options(CLI::App* command, Output& output) {
  command->add_option("--out", output.dir,
                      "Output directory: summary.json, summary.md, summary.html, junit.xml, "
                      "results.sarif")
      ->capture_default_str();
  command->add_option("--source-root", output.source_root,
                      "The repository the code lives in: SARIF and HTML name files relative to it")
      ->capture_default_str();
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

  CLI::App* list_cmd = app.add_subcommand(
      "list", std::string("List the catalogue, from the case programs' own metadata.\n") + kListExitCodes);
  bool list_json = false;
  bool list_markdown = false;
  list_cmd->add_flag("--json", list_json, "Print the metadata as JSON");
  list_cmd->add_flag("--markdown", list_markdown, "Print the catalogue as docs/cases.md");

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
                      "Wall time for the whole command (20s, 2m, 500ms, plain seconds), shared by "
                      "the selected variants: each runs until its share is spent (the run in "
                      "flight is dropped). With --runs: whichever ends first");
  run_cmd->add_option("--jobs", args.campaign.jobs,
                      "Worker processes at once: a variant's runs split into contiguous chunks, "
                      "variants side by side; totals as with one job")
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
  CLI::Option* pct_depth =
      run_cmd->add_option("--pct-depth", args.campaign.pct_depth, "Strategy pct's bug depth d (with --strategy pct or portfolio)")
          ->check(CLI::Range(1, 16))
          ->capture_default_str();
  run_cmd->add_option("--timeout", args.campaign.timeout_s,
                      "Seconds one run may take before it is a hang (default: the case program's, "
                      "10 under TSan, 5 otherwise)")
      ->check(CLI::PositiveNumber);
  run_cmd->add_flag("--stop-on-first", args.campaign.stop_on_first,
                    "Stop each variant at its first failing run");
  run_cmd->add_option("--max-log", args.max_log,
                      "Keep at most this much of each worker's output and TSan log (16M, 512K, 1G; a "
                      "TSan log cut short is an infrastructure problem)")
      ->capture_default_str();
  add_output_options(run_cmd, args.output);

  std::vector<std::string> merge_inputs;
  Output merge_output{.source_root = RACELAB_SOURCE_DIR};
  CLI::App* merge_cmd = app.add_subcommand(
      "merge",
      std::string("Combine shard summaries (of `run --shard i/n`, one per shard) into one "
                  "DIR/summary.json and DIR/summary.md, with the totals of one unsharded run.\n"
                  "A missing or unreadable file, one that is not a racelab summary, or summaries "
                  "that are not the shards of one campaign (a shard missing or given twice, "
                  "another seed, strategy, run count or build) are usage errors: exit 2, nothing "
                  "written.\n") +
          kExitCodes);
  merge_cmd->add_option("summaries", merge_inputs, "summary.json files of the shards")->required();
  add_output_options(merge_cmd, merge_output);

  ExecArgs exec_args;
  CLI::App* exec_cmd = app.add_subcommand(
      "exec",
      std::string("Run any TSan-built program repeatedly (`racelab exec --runs 20 -- ./prog "
                  "args`), a TSan log per process in DIR/logs/run-i/, and summarise its "
                  "findings as one result expected clean. Each run lives under racelab's keeper: "
                  "a process it leaves running (a child, a setsid() daemon) is a finding, and is "
                  "killed. A program not built with -fsanitize=thread, or one that cannot run, is "
                  "never clean.\n") +
          kExecExitCodes);
  exec_cmd->add_option("--runs", exec_args.exec.runs, "How many times to run it")
      ->check(CLI::Range(1, 100000000))
      ->capture_default_str();
  exec_cmd->add_option("--jobs", exec_args.exec.jobs, "Runs at once")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  exec_cmd->add_option("--timeout", exec_args.exec.timeout_s,
                       "Seconds one run may take; past it the run is a hang and is killed")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  exec_cmd->add_option("--name", exec_args.exec.name, "The result's name (default: the program's file name)");
  exec_cmd->add_option("--max-log", exec_args.max_log,
                       "Keep at most this much of each run's output (the rest is dropped, and the file "
                       "says so) and read at most this much of each TSan log (more is an "
                       "infrastructure problem): 16M, 512K, 1G")
      ->capture_default_str();
  add_output_options(exec_cmd, exec_args.output);
  exec_cmd->add_option("command", exec_args.exec.command, "The program and its arguments, after --")
      ->required();

  ReportArgs report_args;
  CLI::App* report_cmd = app.add_subcommand(
      "report",
      std::string("Summarise ThreadSanitizer logs of any program (one process per file, e.g. "
                  "TSAN_OPTIONS=log_path=… files, or captured stderr): findings deduplicated "
                  "by signature and counted, written like `run`'s summaries. Each log must show "
                  "that TSan ran (its verbosity=1 banner, a report, TSan's own errors); an empty "
                  "file or text without TSan output proves nothing, unless --assume-tsan.\n") +
          kReportExitCodes);
  report_cmd->add_option("logs", report_args.logs, "TSan log files")->required();
  report_cmd->add_option("--name", report_args.name, "The result's name")->capture_default_str();
  report_cmd->add_flag("--assume-tsan", report_args.assume_tsan,
                       "A log without any TSan output is a clean process that ran under TSan "
                       "(say so only when you know it did: e.g. logs written without verbosity=1, "
                       "where a clean process prints nothing). Binary files and directories are "
                       "still refused");
  report_cmd->add_option("--max-log", report_args.max_log,
                         "Read at most this much of each log (16M, 512K, 1G; more is an "
                         "infrastructure problem)")
      ->capture_default_str();
  add_output_options(report_cmd, report_args.output);
  report_cmd->add_option("--format", report_args.output.formats,
                         "What to write: json, md, html, junit, sarif (several: repeat or "
                         "comma-separate)")
      ->delimiter(',')
      ->check(CLI::IsMember(kFormats))
      ->capture_default_str();

  PropertyArgs property_args;
  CLI::App* properties_cmd = app.add_subcommand(
      "properties",
      std::string("Run the catalogue's property-based tests (cases/properties, RapidCheck): "
                  "generated programs on each case's objects, every history checked for "
                  "linearizability; a buggy object's property must fail (with a shrunk "
                  "counterexample), a fixed one's hold. Summaries as `run` writes them.\n") +
          kExitCodes);
  properties_cmd->add_option("cases", property_args.cases, "Case ids (default: every case with a property)");
  properties_cmd->add_option("--variant", property_args.variant, "buggy, fixed or both")
      ->check(CLI::IsMember({"buggy", "fixed", "both"}))
      ->capture_default_str();
  properties_cmd->add_option("--seed", property_args.seed, "RapidCheck seed")->capture_default_str();
  properties_cmd->add_option("--programs", property_args.programs,
                             "Generated programs per property (default: its own budget)")
      ->check(CLI::Range(1, 100000));
  properties_cmd->add_option("--schedules", property_args.schedules,
                             "Executions of each program (default: its own budget)")
      ->check(CLI::Range(1, 1000));
  add_output_options(properties_cmd, property_args.output);

  BenchArgs bench_args;
  CLI::App* bench_cmd = app.add_subcommand(
      "bench",
      "Measure racelab against a plain stress run, TSan alone, helgrind and DRD on the "
      "catalogue (needs the TSan build's case programs and their plain twins in <cases>/plain, "
      "and valgrind): detection per buggy case (trials caught, verdict class, runs and time to "
      "the first detection), false alarms per fixed case, cost. Writes DIR/benchmarks.md, "
      "DIR/benchmarks.svg and DIR/benchmarks.json. About 13 minutes on 2 cores; --quick about "
      "1.5.\nExit codes: 0 measured; 2 usage; 3 a worker or tool failed (the page counts it).");
  bench_cmd->add_option("cases", bench_args.options.cases, "Cases (default: all)");
  bench_cmd->add_flag("--quick", bench_args.quick,
                      "3 trials of at most 20 runs per buggy variant, 50 runs per fixed one "
                      "(default: 20 trials of at most 25 runs, 2,000 runs)");
  bench_cmd->add_option("--detectors", bench_args.options.detectors,
                        "Only these: stress, tsan, yield, sleep, pct, portfolio, helgrind, drd")
      ->delimiter(',');
  bench_cmd->add_option("--seeds", bench_args.seeds, "Trials (each with its own seeds) per buggy variant and detector")
      ->check(CLI::Range(1, 1000));
  bench_cmd->add_option("--budget", bench_args.budget, "Runs per seed before a buggy variant counts as missed")
      ->check(CLI::Range(1, 1000000));
  bench_cmd->add_option("--fixed-runs", bench_args.fixed_runs, "Runs per fixed variant and detector")
      ->check(CLI::Range(1, 10000000));
  bench_cmd->add_option("--jobs", bench_args.options.jobs, "Worker processes at once")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  bench_cmd->add_option("--seed", bench_args.options.seed, "Campaign seed: run i of a variant uses a seed derived from it and i")
      ->capture_default_str();
  bench_cmd->add_option("--timeout", bench_args.options.timeout_s,
                        "A run's time limit in seconds, for every detector (a plain run is seen to hang then)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  bench_cmd->add_option("--out", bench_args.out, "Where the page, chart and JSON go")->capture_default_str();

  GateArgs gate_args;
  CLI::App* gate_cmd = app.add_subcommand(
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
  gate_cmd->add_option("summary", gate_args.summary, "summary.json to judge")->capture_default_str();
  gate_cmd->add_option("--baseline", gate_args.baseline,
                       "baseline.json of accepted findings (none: nothing is accepted)");
  CLI::Option* update_flag = gate_cmd->add_flag("--update-baseline", gate_args.update,
                     "Write the baseline that accepts what the summary holds (existing entries "
                     "and their reasons are kept) instead of judging");
  gate_cmd->add_option("--reason", gate_args.reason,
                       "With --update-baseline: why the new entries are accepted (required when "
                       "there are new ones)")
      ->needs(update_flag);

  // The first word that is not an option names the command.
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
    if (!known) {
      std::fprintf(stderr, "racelab: '%s' is not a command (commands: %s; racelab --help)\n", word.c_str(),
                   names.c_str());
      return kUsage;
    }
    break;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsage;
  }

  try {
    if (*list_cmd) return list(cases_dir, list_json, list_markdown);
    if (*merge_cmd) return merge(merge_inputs, merge_output);
    if (*exec_cmd) return exec(std::move(exec_args));
    if (*run_cmd && pct_depth->count() > 0 && args.strategy != "pct" && args.strategy != "portfolio")
      throw std::invalid_argument(fmt::format(
          "--pct-depth does nothing with --strategy {}: give --strategy pct or portfolio", args.strategy));
    if (*report_cmd) return report_command(report_args);
    if (*gate_cmd) return gate(gate_args);
    if (*properties_cmd) return properties(cases_dir, property_args);
    if (*bench_cmd) {
      std::string command;
      for (int i = 0; i < argc; ++i) command += (i == 0 ? "" : " ") + shell_quote(argv[i]);
      return bench(cases_dir, std::move(bench_args), command);
    }
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
