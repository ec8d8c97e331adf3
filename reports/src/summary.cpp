// Folding runs and logs into results: the collector, what "as expected"
// means, and the identities of failing runs.
#include "racelab/report/summary.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include <fmt/format.h>

namespace racelab::report {

namespace {

bool listed(const std::vector<Verdict>& verdicts, Verdict v) {
  return std::find(verdicts.begin(), verdicts.end(), v) != verdicts.end();
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

void sort_groups(VariantResult& r) {
  std::sort(r.findings.begin(), r.findings.end(), [](const auto& a, const auto& b) {
    return a.count != b.count ? a.count > b.count : a.first_run < b.first_run;
  });
  std::sort(r.verdict_groups.begin(), r.verdict_groups.end(), [](const auto& a, const auto& b) {
    return a.count != b.count ? a.count > b.count : a.first_run < b.first_run;
  });
}

std::string verdict_signature(Verdict verdict, const std::string& case_id, const std::string& where) {
  return fmt::format("racelab/{}|{}|{}", to_string(verdict), case_id, where);
}

std::string where_of_detail(const std::string& detail) {
  std::vector<std::string> clauses;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = detail.find("; ", start);
    std::string clause = detail.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::string masked;
    for (std::size_t i = 0; i < clause.size();) {
      if (clause.compare(i, 2, "0x") == 0 && i + 2 < clause.size() && std::isxdigit(static_cast<unsigned char>(clause[i + 2]))) {
        masked += "0x?";
        i += 2;
        while (i < clause.size() && std::isxdigit(static_cast<unsigned char>(clause[i]))) ++i;
      } else if (is_digit(clause[i])) {
        // A line number after "file.ext:" is kept: it says where.
        const bool line_number = i > 0 && clause[i - 1] == ':' && i > 1 && clause[i - 2] != ' ';
        std::size_t j = i;
        while (j < clause.size() && is_digit(clause[j])) ++j;
        masked += line_number ? clause.substr(i, j - i) : "N";
        i = j;
      } else {
        masked += clause[i++];
      }
    }
    clauses.push_back(std::move(masked));
    if (end == std::string::npos) break;
    start = end + 2;
  }
  std::sort(clauses.begin(), clauses.end());
  std::string where;
  for (const std::string& c : clauses) where += (where.empty() ? "" : "; ") + c;
  if (where.size() > 300) where.resize(300);
  return where;
}

bool VariantResult::as_expected() const {
  if (!problems.empty() || runs == 0) return false;
  if (variant != Variant::buggy) return failing_runs == 0 && findings.empty();
  bool caught = false;
  for (const auto& [verdict, n] : verdicts) {
    if (verdict == Verdict::clean || n == 0) continue;
    if (!listed(expected, verdict)) return false;
    caught = true;
  }
  return caught;
}

bool Summary::ok() const {
  return !results.empty() &&
         std::all_of(results.begin(), results.end(), [](const auto& r) { return r.as_expected(); });
}

VariantCollector::VariantCollector(VariantResult result, std::string rerun_prefix)
    : result_(std::move(result)), rerun_prefix_(std::move(rerun_prefix)) {}

void VariantCollector::add_run(const RunRecord& record) {
  ++result_.runs;
  ++result_.verdicts[record.verdict];
  ++result_.verdicts_by_strategy[record.strategy][record.verdict];
  if (record.verdict == Verdict::clean) return;
  ++result_.failing_runs;
  const std::string where = record.where.empty() ? where_of_detail(record.detail) : record.where;
  const std::string sig = verdict_signature(record.verdict, result_.case_id, where);
  auto [at, inserted] = verdict_group_of_.try_emplace(sig, result_.verdict_groups.size());
  if (inserted)
    result_.verdict_groups.push_back(VerdictGroup{.verdict = record.verdict,
                                                  .where = where,
                                                  .signature = sig,
                                                  .detail = record.detail,
                                                  .count = 0,
                                                  .first_run = record.index,
                                                  .first_seed = record.seed});
  VerdictGroup& group = result_.verdict_groups[at->second];
  ++group.count;
  if (record.index < group.first_run) {
    group.first_run = record.index;
    group.first_seed = record.seed;
    group.detail = record.detail;
  }
  if (!result_.first_failure || record.index < result_.first_failure->run)
    result_.first_failure = FirstFailure{
        .run = record.index,
        .seed = record.seed,
        .verdict = record.verdict,
        .detail = record.detail,
        .command = fmt::format("{} --strategy {} --run-seed {}", rerun_prefix_, record.strategy,
                               record.seed),
        .schedule = {},
        .trace = 0,
        .not_replayable = {},
        .walk = {},
    };
}

void VariantCollector::add_log(const TsanLog& log, std::span<const RunRecord> runs,
                               bool cut_short) {
  for (const std::string& fatal : log.fatal_errors)
    add_problem("ThreadSanitizer failed: " + fatal);
  const bool last_truncated = !log.findings.empty() && log.findings.back().truncated;
  for (std::size_t i = 0; i < log.warnings.size(); ++i) {
    const bool expected_cut = cut_short && last_truncated && i + 1 == log.warnings.size();
    if (!expected_cut) add_problem("TSan log: " + log.warnings[i]);
  }
  for (std::size_t n = 0; n < log.findings.size(); ++n) {
    const Finding& finding = log.findings[n];
    // Runs come in order, so their report ranges do too.
    auto after = std::upper_bound(runs.begin(), runs.end(), n,
                                  [](std::size_t k, const RunRecord& r) { return k < r.tsan_first; });
    const RunRecord* owner = nullptr;
    if (after != runs.begin() && n < std::prev(after)->tsan_first + std::prev(after)->tsan_count)
      owner = &*std::prev(after);
    std::string sig = signature(finding, result_.runtime_frames);
    auto [it, inserted] = group_of_.try_emplace(sig, result_.findings.size());
    if (inserted) {
      result_.findings.emplace_back();
      result_.findings.back().signature = sig;
      result_.findings.back().example = finding;
    }
    FindingGroup& group = result_.findings[it->second];
    ++group.reports;
    // Runs come in order: a run is counted once, at its first report of this finding.
    if (owner != nullptr) {
      auto [last, first_time] = last_run_of_.try_emplace(it->second, owner->index);
      if (first_time || last->second != owner->index) ++group.count;
      last->second = owner->index;
    }
    if (owner != nullptr && (!group.first_run || owner->index < *group.first_run)) {
      group.first_run = owner->index;
      group.first_seed = owner->seed;
    }
  }
}

void VariantCollector::add_problem(std::string problem) {
  result_.problems.push_back(std::move(problem));
}

void VariantCollector::add_note(std::string note) { result_.notes.push_back(std::move(note)); }

void VariantCollector::add_process(bool tsan_seen, bool tsan_assumed) {
  ++result_.evidence.processes;
  if (tsan_seen)
    ++result_.evidence.tsan_seen;
  else if (tsan_assumed)
    ++result_.evidence.tsan_assumed;
}

VariantResult VariantCollector::finish(double seconds) {
  VariantResult result = result_;
  result.seconds = seconds;
  // Most frequent first; ties keep the order they were first seen in.
  sort_groups(result);
  return result;
}

Perturbation& Perturbation::operator+=(const Perturbation& other) {
  budget_percent = std::max(budget_percent, other.budget_percent);
  points += other.points;
  delays += other.delays;
  delay_seconds += other.delay_seconds;
  over_budget += other.over_budget;
  return *this;
}

std::string replay_text(const FirstFailure& f) {
  if (f.schedule.empty() && f.trace == 0) return {};
  const std::string walk = f.walk == "pct" ? "priorities (PCT)" : "a random walk";
  if (!f.not_replayable.empty()) return "chose by " + walk + "; not replayable exactly: " + f.not_replayable;
  return fmt::format("chose by {}, and replays exactly: the same steps (trace {:x})", walk, f.trace);
}

std::string to_text(const Perturbation& p) {
  return fmt::format("budget {}% of each run's time: {} delays ({:.3f} s) at {} scheduling points{}", p.budget_percent,
                     p.delays, p.delay_seconds, p.points,
                     p.over_budget > 0 ? fmt::format("; {} refused by the budget", p.over_budget) : "");
}

}  // namespace racelab::report
