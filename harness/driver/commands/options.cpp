// Option values (durations, sizes, shards) and the JSON files commands read.
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "command.h"
#include "process.h"

namespace racelab::driver {

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

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
void add_schedule_options(CLI::App* command, ScheduleOptions& options, const std::string& strategy_help,
                          bool catalogue) {
  command->add_option("--seed", options.seed, "Campaign seed: run i uses a seed derived from it and i")
      ->capture_default_str();
  std::vector<std::string> strategies;
  for (const StrategyInfo& s : kStrategies)
    if (s.catalogue || !catalogue) strategies.emplace_back(s.name);
  command->add_option("--strategy", options.strategy, strategy_help + ": " + strategy_names(catalogue))
      ->check(CLI::IsMember(strategies))
      ->capture_default_str();
  options.pct_depth_option =
      command->add_option("--pct-depth", options.pct_depth,
                          catalogue ? "Strategy pct's bug depth d (with --strategy pct or portfolio)"
                                    : "Strategy pct's bug depth d (with --strategy pct, portfolio or controlled)")
          ->check(CLI::Range(1, 16))
          ->capture_default_str();
}

Strategy ScheduleOptions::resolve() const {
  const Strategy s = *parse_strategy(strategy);
  if (pct_depth_option != nullptr && pct_depth_option->count() > 0 && !info(s).uses_pct_depth)
    throw std::invalid_argument(
        fmt::format("--pct-depth does nothing with --strategy {}: give a strategy that uses it", strategy));
  return s;
}

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


namespace {

// The most a summary or baseline file may hold: far more than any campaign
// writes, little enough that a hostile file cannot exhaust memory.
constexpr std::uintmax_t kMaxJsonFile = std::uintmax_t{256} << 20;

}  // namespace

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

}  // namespace racelab::driver
