// merge(): one result from the shard results of one campaign.
#include <algorithm>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "racelab/report/summary.h"

namespace racelab::report {

VariantResult merge(const std::vector<VariantResult>& shards) {
  if (shards.empty()) throw std::invalid_argument("nothing to merge");
  // In run order, so the ranges can be checked to join and the first failure
  // and findings are met lowest run first.
  std::vector<const VariantResult*> parts;
  for (const VariantResult& part : shards) parts.push_back(&part);
  std::sort(parts.begin(), parts.end(), [](const auto* a, const auto* b) {
    return a->shard_index < b->shard_index;
  });
  const VariantResult& first = *parts.front();
  const std::string what = fmt::format("{} {}", first.case_id, to_string(first.variant));
  for (const VariantResult* part : parts) {
    if (part->case_id != first.case_id || part->variant != first.variant ||
        part->strategy != first.strategy || part->seed != first.seed)
      throw std::invalid_argument(fmt::format(
          "{}: the summaries are not shards of one campaign (strategy {} vs {}, seed {} vs {})",
          what, part->strategy, first.strategy, part->seed, first.seed));
    if (part->runtime_frames != first.runtime_frames || part->source != first.source)
      throw std::invalid_argument(
          fmt::format("{}: the summaries are not shards of one campaign (other runtime frames or source)", what));
    if (part->shard_count != first.shard_count)
      throw std::invalid_argument(
          fmt::format("{}: the summaries are not shards of one campaign (shards of {} and of {})",
                      what, first.shard_count, part->shard_count));
  }
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const int index = parts[k]->shard_index;
    if (k > 0 && parts[k - 1]->shard_index == index)
      throw std::invalid_argument(
          fmt::format("{}: shard {} of {} is given twice", what, index, first.shard_count));
    if (index != static_cast<int>(k))
      throw std::invalid_argument(fmt::format("{}: shard {} of {} is missing", what,
                                              static_cast<int>(k), first.shard_count));
  }
  if (static_cast<int>(parts.size()) != first.shard_count)
    throw std::invalid_argument(fmt::format("{}: shard {} of {} is missing", what,
                                            static_cast<int>(parts.size()), first.shard_count));
  const bool ranges_known = std::all_of(parts.begin(), parts.end(), [](const auto* p) {
    return p->range_from != 0 || p->range_to != 0 || p->shard_count == 1;
  });
  for (std::size_t k = 1; ranges_known && k < parts.size(); ++k)
    if (parts[k - 1]->range_to != parts[k]->range_from)
      throw std::invalid_argument(fmt::format(
          "{}: the summaries are not shards of one campaign (run ranges [{}, {}) and [{}, {}) "
          "do not join: different --runs?)",
          what, parts[k - 1]->range_from, parts[k - 1]->range_to, parts[k]->range_from,
          parts[k]->range_to));

  VariantResult merged = first;
  merged.runs = 0;
  merged.failing_runs = 0;
  merged.verdicts.clear();
  merged.verdicts_by_strategy.clear();
  merged.first_failure.reset();
  merged.findings.clear();
  merged.verdict_groups.clear();
  merged.evidence = {};
  merged.problems.clear();
  merged.notes.clear();
  merged.perturbation.reset();
  merged.seconds = 0;
  merged.shard_index = 0;
  merged.shard_count = 1;
  merged.range_from = parts.front()->range_from;
  merged.range_to = parts.back()->range_to;
  std::map<std::string, std::size_t> group_of;
  std::map<std::string, std::size_t> verdict_group_of;
  for (const VariantResult* part : parts) {
    merged.evidence.processes += part->evidence.processes;
    merged.evidence.tsan_seen += part->evidence.tsan_seen;
    merged.evidence.tsan_assumed += part->evidence.tsan_assumed;
    for (const VerdictGroup& g : part->verdict_groups) {
      auto [it, inserted] = verdict_group_of.try_emplace(g.signature, merged.verdict_groups.size());
      if (inserted) {
        merged.verdict_groups.push_back(g);
        continue;
      }
      VerdictGroup& into = merged.verdict_groups[it->second];
      into.count += g.count;
      if (g.first_run < into.first_run) {
        into.first_run = g.first_run;
        into.first_seed = g.first_seed;
        into.detail = g.detail;
      }
    }
    merged.runs += part->runs;
    merged.failing_runs += part->failing_runs;
    for (const auto& [verdict, n] : part->verdicts) merged.verdicts[verdict] += n;
    for (const auto& [strategy, counts] : part->verdicts_by_strategy)
      for (const auto& [verdict, n] : counts) merged.verdicts_by_strategy[strategy][verdict] += n;
    if (part->first_failure &&
        (!merged.first_failure || part->first_failure->run < merged.first_failure->run))
      merged.first_failure = part->first_failure;
    for (const FindingGroup& g : part->findings) {
      auto [it, inserted] = group_of.try_emplace(g.signature, merged.findings.size());
      if (inserted) {
        merged.findings.push_back(g);
        continue;
      }
      FindingGroup& into = merged.findings[it->second];
      into.count += g.count;  // the shards' runs are disjoint
      into.reports += g.reports;
      if (g.first_run && (!into.first_run || *g.first_run < *into.first_run)) {
        into.first_run = g.first_run;
        into.first_seed = g.first_seed;
      }
    }
    merged.problems.insert(merged.problems.end(), part->problems.begin(), part->problems.end());
    merged.notes.insert(merged.notes.end(), part->notes.begin(), part->notes.end());
    merged.seconds += part->seconds;
    if (part->perturbation) {
      if (!merged.perturbation) merged.perturbation = Perturbation{};
      *merged.perturbation += *part->perturbation;
    }
  }
  sort_groups(merged);
  return merged;
}

}  // namespace racelab::report
