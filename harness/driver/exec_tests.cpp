// `racelab exec` of a test program that says where its tests start and end
// (GoogleTest with racelab's listener): a result per test (exec_judge.h).
#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "exec_judge.h"
#include "process.h"

namespace racelab::driver {

namespace {

// The findings of `log` with ordinals in [from, to).
report::TsanLog findings_between(const report::TsanLog& log, std::uint64_t from, std::uint64_t to) {
  report::TsanLog part;
  for (std::uint64_t i = from; i < to && i < log.findings.size(); ++i) part.findings.push_back(log.findings[i]);
  return part;
}

// The command that runs test `name` alone.
std::string alone(const std::vector<std::string>& command, const std::string& name) {
  std::vector<std::string> words;
  for (const std::string& w : command)
    if (!w.starts_with("--gtest_filter") && !w.starts_with("--gtest_repeat")) words.push_back(w);
  words.push_back("--gtest_filter=" + name);
  return shell_command(words);
}

// The first line of a test's failure: where it failed, the same in every run.
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

std::vector<report::VariantResult> by_test(const std::vector<RunOutcome>& outcomes, const report::VariantResult& meta,
                                           double seconds, const std::vector<std::string>& command, double timeout_s) {
  const bool any = std::any_of(outcomes.begin(), outcomes.end(), [](const RunOutcome& o) { return !o.runtime.tests.empty(); });
  if (!any) return {};
  std::map<std::string, std::vector<RunOutcome>> units;  // a test's runs
  std::vector<std::string> order;  // first seen first
  std::vector<RunOutcome> rest;    // what belongs to no test, a run each
  for (const RunOutcome& o : outcomes) {
    if (!o.started) {  // could not be started: the program's, as judged
      rest.push_back(o);
      continue;
    }
    const report::TsanLog* own = o.own_log >= 0 ? &o.logs[static_cast<std::size_t>(o.own_log)] : nullptr;
    bool in_flight = false;  // the process ended during a test
    std::vector<bool> owned(own != nullptr ? own->findings.size() : 0, false);
    for (const RuntimeRecords::Test& test : o.runtime.tests) {
      const std::string& name = test.start.name;
      auto [unit, inserted] = units.try_emplace(name);
      if (inserted) order.push_back(name);
      RunOutcome t;
      t.started = true;
      t.banner = o.banner;
      t.output = o.output;
      t.runtime.strategy = test.start.strategy;
      t.runtime.schedule = test.schedule;
      t.record.index = static_cast<std::int64_t>(unit->second.size());
      t.record.seed = test.start.seed;
      t.record.strategy = test.start.strategy;
      t.runtime.linked = true;
      t.runtime.verdicts = test.verdicts;
      t.runtime.dropped = test.dropped;
      if (test.end) {  // the test's own figures, as a process's
        const ProgramTestEnd& e = *test.end;
        t.runtime.budget_percent = o.runtime.budget_percent;
        t.runtime.end = ProgramEnd{e.steps, 0, e.delays, e.delay_ns, e.over_budget};
        t.record.duration_us = static_cast<std::int64_t>(e.seconds * 1e6);
      }
      const std::uint64_t to = test.end ? test.end->reports : ~std::uint64_t{0};
      if (own != nullptr) {
        t.logs.push_back(findings_between(*own, test.start.reports, to));
        for (std::uint64_t i = test.start.reports; i < to && i < owned.size(); ++i) owned[i] = true;
      }
      ProcessResult ended;  // a test that ended: as if its own process exited cleanly
      ended.exit_code = 0;
      if (!test.end) {
        in_flight = true;
        ended = o.process;
        ended.leaked.clear();  // the program's, below
        t.runtime.ended = o.runtime.ended;
        if (own != nullptr) {
          t.logs.back().deadly_signal = own->deadly_signal;
          t.logs.back().deadly_stack = own->deadly_stack;
        }
      }
      judge(t, ended, o.output, timeout_s);
      if (test.end && test.end->failed && (t.record.verdict == Verdict::clean ||
                                           outranks(Verdict::invariant_violated, t.record.verdict))) {
        t.record.verdict = Verdict::invariant_violated;
        t.record.where = "test failed at " + first_line(test.end->failure);
        t.record.detail = test.end->failure.empty() ? "the test failed" : test.end->failure;
      }
      if (t.record.verdict != Verdict::clean) t.record.detail += fmt::format(" (logs: {})", logs_of(o));
      unit->second.push_back(std::move(t));
    }
    // What is left is the program's: reports outside every test, other
    // processes, a process left running, how it exited when no test explains it.
    RunOutcome r = o;
    r.runtime.tests.clear();
    if (own != nullptr) {
      report::TsanLog& log = r.logs[static_cast<std::size_t>(o.own_log)];
      log.findings.clear();
      for (std::size_t i = 0; i < owned.size(); ++i)
        if (!owned[i]) log.findings.push_back(own->findings[i]);
      if (in_flight) log.deadly_signal.clear();
    }
    ProcessResult p = o.process;
    const bool a_test_failed = std::any_of(o.runtime.tests.begin(), o.runtime.tests.end(), [](const auto& t) {
      return t.end && t.end->failed;
    });
    if (in_flight) {
      r.runtime.ended.reset();
      p.timed_out = false;
      p.signal = 0;
      p.exit_code = 0;
    } else if (a_test_failed) {
      p.exit_code = 0;  // GoogleTest exits 1 when a test failed
    }
    r.record.verdict = Verdict::clean;
    r.record.where.clear();
    r.record.detail.clear();
    judge(r, p, o.output, timeout_s);
    if (r.record.verdict != Verdict::clean) r.record.detail += fmt::format(" (logs: {})", logs_of(o));
    rest.push_back(std::move(r));
  }
  std::vector<report::VariantResult> results;
  for (const std::string& name : order) {
    std::vector<RunOutcome>& runs = units.at(name);
    report::VariantResult test_meta = meta;
    test_meta.case_id = name;
    test_meta.title = name + " in " + joined(command);
    test_meta.range_to = static_cast<std::int64_t>(runs.size());
    // Its own time: the runs' durations while it ran.
    double own_seconds = 0;
    for (const RunOutcome& run : runs) own_seconds += static_cast<double>(run.record.duration_us) / 1e6;
    report::VariantResult result = collect(std::move(test_meta), runs, own_seconds, "");
    for (std::string& note : dropped_notes(runs)) result.notes.push_back(std::move(note));
    result.perturbation = perturbation_of(runs);
    if (result.first_failure)
      result.first_failure->command = rerun_command(*result.first_failure,
                                                    runs.at(static_cast<std::size_t>(result.first_failure->run)),
                                                    kEnvTestSeed, alone(command, name));
    results.push_back(std::move(result));
  }
  results.push_back(collect(meta, rest, seconds, "TSAN_OPTIONS='second_deadlock_stack=1' " + shell_command(command)));
  return results;
}

}  // namespace racelab::driver
