// racelab merge: one summary from the shard summaries of one campaign, or
// from whole summaries of different results.
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "command.h"

namespace racelab::driver {
namespace {

struct MergeArgs {
  std::vector<std::string> inputs;
  Output output{.source_root = RACELAB_SOURCE_DIR};
};

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

// Whole summaries (shard 0 of 1 each) from one build, no result in two of them.
int side_by_side(const std::vector<report::Summary>& parts, const std::vector<std::string>& inputs,
                 const Output& output) {
  std::map<std::string, std::string> owner;  // result -> the file that holds it
  report::Summary merged;
  merged.created = utc_now();
  merged.build = parts.front().build;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    if (shard_of(parts[k], inputs[k]).second != 1)
      throw std::invalid_argument(fmt::format("{} is a shard of a campaign and {} a whole one: they do not merge",
                                              inputs[k], inputs.front()));
    if (parts[k].build.sanitizer != merged.build.sanitizer || parts[k].build.compiler != merged.build.compiler)
      throw std::invalid_argument(fmt::format("{} and {} come from different builds ({} {} vs {} {})", inputs.front(),
                                              inputs[k], merged.build.sanitizer, merged.build.compiler,
                                              parts[k].build.sanitizer, parts[k].build.compiler));
    for (const report::VariantResult& r : parts[k].results) {
      const std::string key = r.case_id + " " + std::string(to_string(r.variant));
      if (auto [it, inserted] = owner.try_emplace(key, inputs[k]); !inserted)
        throw std::invalid_argument(
            fmt::format("the summaries are not shards of one campaign, and whole summaries merge only when they "
                        "hold different results: {} is in both {} and {}",
                        key, it->second, inputs[k]));
      merged.results.push_back(r);
    }
  }
  prepare_output(output);
  for (const report::VariantResult& r : merged.results) std::printf("%s", report::to_console(r).c_str());
  return conclude(merged, output);
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
  // The shards of one campaign merge: the same results (case, variant,
  // strategy, seed) from the same build, shards 0 … n-1 of n once each. Whole
  // summaries of different results (one per test of racelab_discover_tests)
  // are put side by side.
  const std::vector<std::string> keys = result_keys(parts.front());
  const int count = shard_of(parts.front(), inputs.front()).second;
  if (count == 1 && parts.size() > 1) return side_by_side(parts, inputs, output);
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

}  // namespace

Command add_merge_command(CLI::App& app, const Context&) {
  auto a = std::make_shared<MergeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "merge",
      std::string("Combine shard summaries (of `run --shard i/n`, one per shard) into one "
                  "DIR/summary.json and DIR/summary.md, with the totals of one unsharded run; or whole "
                  "summaries of different results (one per test of racelab_discover_tests), side by side.\n"
                  "A missing or unreadable file, one that is not a racelab summary, shards that are "
                  "not of one campaign (a shard missing or given twice, another seed, strategy, run "
                  "count or build), or whole summaries that share a result are usage errors: exit 2, "
                  "nothing written.\n") +
          kExitCodes);
  cmd->add_option("summaries", a->inputs, "summary.json files of the shards")->required();
  add_output_options(cmd, a->output);
  return {cmd, [a] { return merge(a->inputs, a->output); }};
}

}  // namespace racelab::driver
