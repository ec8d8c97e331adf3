// check(): every way a summary contradicts itself or proves nothing.
#include <map>

#include <fmt/format.h>

#include "racelab/report/summary.h"

namespace racelab::report {

std::vector<std::string> check(const Summary& s) {
  std::vector<std::string> errors;
  if (s.results.empty()) errors.push_back("the summary holds no result: nothing ran");
  const bool tsan = s.build.sanitizer == "thread";
  for (std::size_t i = 0; i < s.results.size(); ++i) {
    const VariantResult& r = s.results[i];
    const std::string name = fmt::format("{} {}", r.case_id, to_string(r.variant));
    auto error = [&](const std::string& text) { errors.push_back(name + ": " + text); };
    if (r.runs == 0) error("no run executed");
    std::int64_t total = 0;
    for (const auto& [verdict, n] : r.verdicts) total += n;
    if (total != r.runs)
      error(fmt::format("the verdict counts add up to {} runs, not the {} it says", total, r.runs));
    const std::int64_t clean = r.verdicts.contains(Verdict::clean) ? r.verdicts.at(Verdict::clean) : 0;
    if (r.failing_runs != r.runs - clean)
      error(fmt::format("{} failing runs, but {} of {} runs were not clean", r.failing_runs,
                        r.runs - clean, r.runs));
    if (!r.verdicts_by_strategy.empty()) {
      std::map<Verdict, std::int64_t> sums;
      for (const auto& [strategy, counts] : r.verdicts_by_strategy)
        for (const auto& [verdict, n] : counts) sums[verdict] += n;
      std::erase_if(sums, [](const auto& e) { return e.second == 0; });
      std::map<Verdict, std::int64_t> counted = r.verdicts;
      std::erase_if(counted, [](const auto& e) { return e.second == 0; });
      if (sums != counted) error("the verdicts by strategy do not add up to the verdicts");
    }
    if (r.failing_runs > 0 && !r.first_failure) error("runs failed, but there is no first failure");
    if (r.failing_runs == 0 && r.first_failure) error("a first failure, but no run failed");
    if (r.first_failure) {
      const FirstFailure& f = *r.first_failure;
      if (f.verdict == Verdict::clean || !r.verdicts.contains(f.verdict) || r.verdicts.at(f.verdict) == 0)
        error(fmt::format("the first failure's verdict {} is not among the verdicts", to_string(f.verdict)));
      if (f.detail.empty()) error("the first failure says nothing of what happened");
    }
    const auto races = r.verdicts.contains(Verdict::data_race) ? r.verdicts.at(Verdict::data_race) : 0;
    if (races > 0 && r.findings.empty())
      error(fmt::format("{} runs ended in data_race, but there is no TSan finding", races));
    for (const FindingGroup& g : r.findings) {
      if (g.count < 1) error(fmt::format("a TSan finding counted {} times", g.count));
      if (g.signature != signature(g.example, r.runtime_frames))
        error(fmt::format("the TSan finding {} does not have the signature of its stacks", g.signature));
    }
    std::map<Verdict, std::int64_t> grouped;
    for (const VerdictGroup& g : r.verdict_groups) {
      grouped[g.verdict] += g.count;
      if (g.count < 1 || g.verdict == Verdict::clean)
        error(fmt::format("a verdict group {} of {} runs", to_string(g.verdict), g.count));
      if (g.signature != verdict_signature(g.verdict, r.case_id, g.where))
        error(fmt::format("the verdict group {} does not have the signature of its verdict and place",
                          g.signature));
      if (g.detail.empty()) error(fmt::format("the verdict group {} says nothing of what happened", g.signature));
    }
    for (const auto& [verdict, n] : r.verdicts) {
      if (verdict == Verdict::clean) continue;
      const std::int64_t in_groups = grouped.contains(verdict) ? grouped.at(verdict) : 0;
      if (in_groups != n)
        error(fmt::format("{} runs ended in {}, but its verdict groups count {}", n, to_string(verdict), in_groups));
    }
    for (const auto& [verdict, n] : grouped)
      if (!r.verdicts.contains(verdict))
        error(fmt::format("verdict groups of {}, which no run ended in", to_string(verdict)));
    if (r.verdicts.contains(Verdict::infra_error) && r.verdicts.at(Verdict::infra_error) > 0)
      error(fmt::format("{} runs could not be run (infra_error)", r.verdicts.at(Verdict::infra_error)));
    if (r.shard_count < 1 || r.shard_index >= r.shard_count)
      error(fmt::format("shard {} of {} is not a shard", r.shard_index, r.shard_count));
    if (r.range_to < r.range_from)
      error(fmt::format("the run range [{}, {}) is backwards", r.range_from, r.range_to));
    else if ((r.range_from != 0 || r.range_to != 0) && r.runs > r.range_to - r.range_from)
      error(fmt::format("{} runs in a range of {}", r.runs, r.range_to - r.range_from));
    const Evidence& e = r.evidence;
    if (e.tsan_seen + e.tsan_assumed > e.processes)
      error(fmt::format("TSan seen in {} of {} processes", e.tsan_seen + e.tsan_assumed, e.processes));
    if (tsan && r.runs > 0 && e.processes == 0)
      error("no process is known to have run: nothing proves that ThreadSanitizer ran");
    else if (tsan && e.tsan_seen + e.tsan_assumed < e.processes)
      error(fmt::format("the ThreadSanitizer runtime was not seen in {} of the {} processes that ran",
                        e.processes - e.tsan_seen - e.tsan_assumed, e.processes));
    if (i < s.stated_as_expected.size() && s.stated_as_expected[i] != r.as_expected())
      error(fmt::format("it says as_expected {}, but its counts say {}", s.stated_as_expected[i],
                        r.as_expected()));
  }
  if (s.stated_ok && *s.stated_ok != s.ok())
    errors.push_back(fmt::format("the summary says ok {}, but its results say {}", *s.stated_ok, s.ok()));
  return errors;
}

}  // namespace racelab::report
