// The CI gate: a summary judged against a baseline of accepted findings.
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "racelab/report/gate.h"

namespace {

using namespace racelab;
using namespace racelab::report;

// A race in Counter::add(); its signature is what signature() makes of it.
FindingGroup finding(std::int64_t count, const std::string& function = "Counter::add()") {
  FindingGroup g;
  g.example.kind = "data-race";
  g.example.stacks = {{"Write of size 4 at 0x1 by thread T1", {{0, function, "/src/counter.cpp", 12, 3, "prog"}}}};
  g.signature = signature(g.example);
  g.count = count;
  return g;
}

const std::string kRace = "data-race|Counter::add()@counter.cpp";

// A result as a campaign folds it: one record per run (the failing ones
// with `detail`), in one process where TSan was seen.
VariantResult result(Variant variant, const std::map<Verdict, std::int64_t>& verdicts,
                     std::vector<Verdict> expected = {Verdict::clean},
                     const std::string& detail = "data race /src/counter.cpp:12:3 in Counter::add()") {
  VariantResult meta;
  meta.case_id = "counter";
  meta.variant = variant;
  meta.expected = std::move(expected);
  VariantCollector collector(meta, "prog");
  collector.add_process(true);
  std::int64_t index = 0;
  for (const auto& [v, n] : verdicts)
    for (std::int64_t i = 0; i < n; ++i) {
      RunRecord run;
      run.index = index++;
      run.seed = 7;
      run.strategy = "none";
      run.verdict = v;
      run.detail = v == Verdict::clean ? "" : detail;
      collector.add_run(run);
    }
  return collector.finish(1.0);
}

Summary summary_of(std::vector<VariantResult> results, std::string sanitizer = "thread") {
  Summary s;
  s.build.sanitizer = std::move(sanitizer);
  s.results = std::move(results);
  return s;
}

Baseline accepting(const std::string& signature) {
  return {.accepted = {{signature, "data-race", "Counter::add()", "a statistics counter; issue 12"}}, .obsolete = {}};
}

TEST(Gate, ANewFindingFailsAndAnAcceptedOnePasses) {
  VariantResult r = result(Variant::program, {{Verdict::data_race, 20}});
  r.findings = {finding(20)};
  ASSERT_EQ(r.findings[0].signature, kRace);
  const Summary s = summary_of({r});

  const GateResult fresh = gate(s, Baseline{});
  EXPECT_FALSE(fresh.passed());
  EXPECT_TRUE(fresh.errors.empty()) << to_console(fresh);
  ASSERT_EQ(fresh.fresh.size(), 1u);
  EXPECT_EQ(fresh.fresh[0].count, 20);
  EXPECT_EQ(fresh.fresh[0].where, "Counter::add() /src/counter.cpp");

  const GateResult accepted = gate(s, accepting(kRace));
  EXPECT_TRUE(accepted.passed()) << to_console(accepted);
  ASSERT_EQ(accepted.accepted.size(), 1u);
  EXPECT_EQ(accepted.accepted[0].reason, "a statistics counter; issue 12");
}

TEST(Gate, AHarnessVerdictInAResultExpectedCleanIsAnItemByWhatAndWhere) {
  const VariantResult r = result(Variant::fixed, {{Verdict::clean, 99}, {Verdict::hang, 1}}, {Verdict::clean},
                                 "T1 waits on a condition_variable at queue.cpp:40 for 10000 ms");
  const GateResult g = gate(summary_of({r}), Baseline{});
  EXPECT_TRUE(g.errors.empty()) << to_console(g);
  ASSERT_EQ(g.fresh.size(), 1u);
  // Run-to-run numbers are masked; the line number stays: it says where.
  EXPECT_EQ(g.fresh[0].signature, "racelab/hang|counter|TN waits on a condition_variable at queue.cpp:40 for N ms");
  EXPECT_TRUE(gate(summary_of({r}), accepting(g.fresh[0].signature)).passed());
  // The coarse signature of schema version 1 accepts nothing any more.
  EXPECT_FALSE(gate(summary_of({r}), accepting("racelab/hang|counter")).passed());
  // Another hang of the same case is another item.
  const VariantResult other = result(Variant::fixed, {{Verdict::clean, 99}, {Verdict::hang, 1}}, {Verdict::clean},
                                     "T1 waits on a condition_variable at queue.cpp:77 for 10000 ms");
  EXPECT_FALSE(gate(summary_of({other}), accepting(g.fresh[0].signature)).passed());
}

// Whoever decided it — TSan's report or racelab's own judging — a verdict
// that failed a run of a result expected clean fails the gate; a verdict
// TSan decided is then the item of its report, when the report is there.
TEST(Gate, EveryVerdictThatFailedARunFailsTheGateWhoeverDecidedIt) {
  for (const VerdictInfo& v : kVerdicts) {
    if (v.verdict == Verdict::clean) continue;
    const VariantResult alone = result(Variant::fixed, {{Verdict::clean, 9}, {v.verdict, 1}}, {Verdict::clean},
                                       "racelab saw it at counter.cpp:12");
    const GateResult g = gate(summary_of({alone}), Baseline{});
    EXPECT_FALSE(g.passed()) << to_string(v.verdict) << ":\n" << to_console(g);
    ASSERT_EQ(g.fresh.size(), 1u) << to_string(v.verdict);
    EXPECT_EQ(g.fresh[0].kind, fmt::format("racelab/{}", to_string(v.verdict)));
  }
  // TSan's data race, with its report: the report is the item, once.
  VariantResult reported = result(Variant::fixed, {{Verdict::clean, 9}, {Verdict::data_race, 1}});
  reported.findings = {finding(1)};
  const GateResult g = gate(summary_of({reported}), Baseline{});
  ASSERT_EQ(g.fresh.size(), 1u) << to_console(g);
  EXPECT_EQ(g.fresh[0].signature, kRace);
  EXPECT_TRUE(gate(summary_of({reported}), accepting(kRace)).passed());
}

TEST(Gate, ABuggyVariantsFindingsAreExpectedButItMustStillBeCaught) {
  VariantResult caught = result(Variant::buggy, {{Verdict::data_race, 3}, {Verdict::clean, 197}}, {Verdict::data_race});
  caught.findings = {finding(3)};
  const GateResult passed = gate(summary_of({caught}), Baseline{});
  EXPECT_TRUE(passed.passed()) << to_console(passed);

  VariantResult missed = result(Variant::buggy, {{Verdict::clean, 200}}, {Verdict::data_race});
  const GateResult g = gate(summary_of({missed}), Baseline{});
  EXPECT_FALSE(g.passed());
  ASSERT_EQ(g.missed.size(), 1u);
  EXPECT_EQ(g.missed[0], "counter buggy: not caught as expected");
}

TEST(Gate, FailsClosed) {
  const VariantResult clean = result(Variant::program, {{Verdict::clean, 20}});
  EXPECT_TRUE(gate(summary_of({clean}), Baseline{}).passed());

  // Not built with TSan.
  GateResult g = gate(summary_of({clean}, "none"), Baseline{});
  EXPECT_FALSE(g.passed());
  ASSERT_EQ(g.errors.size(), 1u);
  EXPECT_NE(g.errors[0].find("not built with ThreadSanitizer"), std::string::npos);
  // Nothing ran.
  EXPECT_FALSE(gate(summary_of({}), Baseline{}).passed());
  EXPECT_FALSE(gate(summary_of({result(Variant::program, {})}), Baseline{}).passed());
  // A worker crashed (an infrastructure problem).
  VariantResult broken = clean;
  broken.problems = {"a worker died: killed by SIGKILL"};
  g = gate(summary_of({broken}), Baseline{});
  EXPECT_FALSE(g.passed());
  EXPECT_NE(to_console(g).find("fails closed"), std::string::npos);
  // TSan not seen in one of the processes.
  VariantResult unproven = clean;
  unproven.evidence.processes = 2;
  g = gate(summary_of({unproven}), Baseline{});
  EXPECT_FALSE(g.passed());
  EXPECT_NE(to_console(g).find("not seen in 1 of the 2 processes"), std::string::npos) << to_console(g);
}

// check(): each way a summary can contradict itself, one at a time.
TEST(Check, EveryContradictionIsNamed) {
  VariantResult race = result(Variant::program, {{Verdict::data_race, 5}, {Verdict::clean, 15}});
  race.findings = {finding(5)};
  ASSERT_TRUE(check(summary_of({race})).empty());
  const auto named = [](VariantResult r, const std::string& text) {
    const std::vector<std::string> errors = check(summary_of({std::move(r)}));
    std::string all;
    for (const auto& e : errors) all += e + "\n";
    return all.find(text) != std::string::npos ? ::testing::AssertionSuccess()
                                               : ::testing::AssertionFailure() << "not named: " << text << "\n" << all;
  };
  VariantResult r = race;
  r.findings.clear();
  EXPECT_TRUE(named(r, "5 runs ended in data_race, but there is no TSan finding"));
  r = race;
  r.runs = 21;
  EXPECT_TRUE(named(r, "the verdict counts add up to 20 runs, not the 21"));
  r = race;
  r.verdicts.clear();
  EXPECT_TRUE(named(r, "the verdict counts add up to 0 runs"));
  r = race;
  r.failing_runs = 0;
  EXPECT_TRUE(named(r, "0 failing runs, but 5 of 20 runs were not clean"));
  r = race;
  r.first_failure.reset();
  EXPECT_TRUE(named(r, "no first failure"));
  r = race;
  r.first_failure->detail.clear();
  EXPECT_TRUE(named(r, "says nothing of what happened"));
  r = race;
  r.verdict_groups.clear();
  EXPECT_TRUE(named(r, "but its verdict groups count 0"));
  r = race;
  r.verdict_groups[0].signature = "racelab/data_race|counter|elsewhere";
  EXPECT_TRUE(named(r, "does not have the signature of its verdict and place"));
  r = race;
  r.findings[0].signature = "data-race|accepted@elsewhere.cpp";
  EXPECT_TRUE(named(r, "does not have the signature of its stacks"));
  r = race;
  r.verdicts_by_strategy["none"][Verdict::clean] = 3;
  EXPECT_TRUE(named(r, "the verdicts by strategy do not add up"));
  r = race;
  r.evidence.tsan_seen = 0;
  EXPECT_TRUE(named(r, "was not seen in 1 of the 1 processes"));
  r = race;
  r.shard_index = 3;
  EXPECT_TRUE(named(r, "shard 3 of 1 is not a shard"));
  Summary lying = summary_of({race});
  lying.stated_ok = true;
  lying.stated_as_expected = {true};
  std::string all;
  for (const auto& e : check(lying)) all += e + "\n";
  EXPECT_NE(all.find("it says as_expected true, but its counts say false"), std::string::npos) << all;
  EXPECT_NE(all.find("the summary says ok true, but its results say false"), std::string::npos) << all;
}

TEST(Baseline, SchemaVersionOneLoadsAndItsHarnessEntriesAreObsolete) {
  nlohmann::json old = to_json(accepting(kRace));
  old["schema_version"] = 1;
  old["accepted"].push_back({{"signature", "racelab/crash|counter"}, {"kind", "racelab/crash"}, {"reason", "flaky"}});
  const Baseline b = baseline_from_json(old);
  ASSERT_EQ(b.accepted.size(), 1u);
  ASSERT_EQ(b.obsolete.size(), 1u);
  VariantResult crash = result(Variant::program, {{Verdict::crash, 1}}, {Verdict::clean}, "SIGSEGV in parse() a.cpp");
  const GateResult g = gate(summary_of({crash}), b);
  EXPECT_FALSE(g.passed());
  EXPECT_NE(to_console(g).find("obsolete baseline entry: racelab/crash|counter"), std::string::npos) << to_console(g);
  EXPECT_EQ(to_json(updated_baseline(summary_of({crash}), b, "triaged")).at("schema_version"), 2);
}

TEST(Baseline, RoundTripsAndRejectsWhatIsMalformed) {
  const Baseline b = accepting("data-race|x");
  const Baseline back = baseline_from_json(to_json(b));
  ASSERT_EQ(back.accepted.size(), 1u);
  EXPECT_EQ(back.accepted[0].signature, "data-race|x");
  EXPECT_EQ(back.accepted[0].reason, "a statistics counter; issue 12");

  nlohmann::json j = to_json(b);
  j["accepted"][0]["reason"] = "";
  EXPECT_THROW(baseline_from_json(j), std::runtime_error);  // every entry says why
  j = to_json(b);
  j["accepted"].push_back(j["accepted"][0]);
  EXPECT_THROW(baseline_from_json(j), std::runtime_error);  // listed twice
  EXPECT_THROW(baseline_from_json({{"schema", "racelab.summary"}}), std::runtime_error);
  EXPECT_THROW(baseline_from_json(nlohmann::json::array()), std::runtime_error);
}

TEST(Baseline, UpdateAddsNewItemsWithTheirReasonAndKeepsTheOld) {
  VariantResult r = result(Variant::program, {{Verdict::data_race, 20}});
  r.findings = {finding(20)};
  const Summary s = summary_of({r});
  EXPECT_THROW(updated_baseline(s, Baseline{}, ""), std::invalid_argument);
  const Baseline updated = updated_baseline(s, accepting("data-race|old"), "triaged in review");
  ASSERT_EQ(updated.accepted.size(), 2u);
  EXPECT_EQ(updated.accepted[0].signature, "data-race|old");
  EXPECT_EQ(updated.accepted[1].signature, kRace);
  EXPECT_EQ(updated.accepted[1].reason, "triaged in review");
  EXPECT_TRUE(gate(s, updated).passed());
  // Nothing new: no reason needed.
  EXPECT_NO_THROW(updated_baseline(s, updated, ""));
}

}  // namespace
