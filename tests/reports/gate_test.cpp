// The CI gate: a summary judged against a baseline of accepted findings.
#include <string>

#include <gtest/gtest.h>

#include "racelab/report/gate.h"

namespace {

using namespace racelab;
using namespace racelab::report;

FindingGroup finding(const std::string& signature, std::int64_t count) {
  FindingGroup g;
  g.signature = signature;
  g.example.kind = "data-race";
  g.example.stacks = {{"Write of size 4 at 0x1 by thread T1",
                       {{0, "Counter::add()", "/src/counter.cpp", 12, 3, "prog"}}}};
  g.count = count;
  return g;
}

VariantResult result(Variant variant, std::int64_t runs, std::map<Verdict, std::int64_t> verdicts,
                     std::vector<Verdict> expected = {Verdict::clean}) {
  VariantResult r;
  r.case_id = "counter";
  r.variant = variant;
  r.expected = std::move(expected);
  r.runs = runs;
  r.verdicts = std::move(verdicts);
  for (const auto& [v, n] : r.verdicts)
    if (v != Verdict::clean) r.failing_runs += n;
  return r;
}

Summary summary_of(std::vector<VariantResult> results, std::string sanitizer = "thread") {
  Summary s;
  s.build.sanitizer = std::move(sanitizer);
  s.results = std::move(results);
  return s;
}

Baseline accepting(const std::string& signature) {
  return {{{signature, "data-race", "Counter::add()", "a statistics counter; issue 12"}}};
}

TEST(Gate, ANewFindingFailsAndAnAcceptedOnePasses) {
  VariantResult r = result(Variant::program, 20, {{Verdict::data_race, 20}});
  r.findings = {finding("data-race|Counter::add()@counter.cpp", 20)};
  const Summary s = summary_of({r});

  const GateResult fresh = gate(s, Baseline{});
  EXPECT_FALSE(fresh.passed());
  ASSERT_EQ(fresh.fresh.size(), 1u);
  EXPECT_EQ(fresh.fresh[0].count, 20);
  EXPECT_EQ(fresh.fresh[0].where, "Counter::add() /src/counter.cpp");

  const GateResult accepted = gate(s, accepting("data-race|Counter::add()@counter.cpp"));
  EXPECT_TRUE(accepted.passed()) << to_console(accepted);
  ASSERT_EQ(accepted.accepted.size(), 1u);
  EXPECT_EQ(accepted.accepted[0].reason, "a statistics counter; issue 12");
}

TEST(Gate, AHarnessVerdictInAResultExpectedCleanIsAnItemToo) {
  VariantResult r = result(Variant::fixed, 100, {{Verdict::clean, 99}, {Verdict::hang, 1}});
  r.first_failure = FirstFailure{7, 42, Verdict::hang, "T1 waits on a condition_variable", ""};
  const GateResult g = gate(summary_of({r}), Baseline{});
  ASSERT_EQ(g.fresh.size(), 1u);
  EXPECT_EQ(g.fresh[0].signature, "racelab/hang|counter");
  EXPECT_EQ(g.fresh[0].where, "T1 waits on a condition_variable");
  EXPECT_TRUE(gate(summary_of({r}), accepting("racelab/hang|counter")).passed());
}

TEST(Gate, ABuggyVariantsFindingsAreExpectedButItMustStillBeCaught) {
  VariantResult caught = result(Variant::buggy, 200, {{Verdict::data_race, 3}, {Verdict::clean, 197}},
                                {Verdict::data_race});
  caught.findings = {finding("data-race|x", 3)};
  EXPECT_TRUE(gate(summary_of({caught}), Baseline{}).passed());

  VariantResult missed = result(Variant::buggy, 200, {{Verdict::clean, 200}}, {Verdict::data_race});
  const GateResult g = gate(summary_of({missed}), Baseline{});
  EXPECT_FALSE(g.passed());
  ASSERT_EQ(g.missed.size(), 1u);
  EXPECT_EQ(g.missed[0], "counter buggy: not caught as expected");
}

TEST(Gate, FailsClosed) {
  const VariantResult clean = result(Variant::program, 20, {{Verdict::clean, 20}});
  EXPECT_TRUE(gate(summary_of({clean}), Baseline{}).passed());

  // Not built with TSan.
  GateResult g = gate(summary_of({clean}, "none"), Baseline{});
  EXPECT_FALSE(g.passed());
  ASSERT_EQ(g.errors.size(), 1u);
  EXPECT_NE(g.errors[0].find("not built with ThreadSanitizer"), std::string::npos);
  // Nothing ran.
  EXPECT_FALSE(gate(summary_of({}), Baseline{}).passed());
  EXPECT_FALSE(gate(summary_of({result(Variant::program, 0, {})}), Baseline{}).passed());
  // A worker crashed (an infrastructure problem).
  VariantResult broken = clean;
  broken.problems = {"a worker died: killed by SIGKILL"};
  g = gate(summary_of({broken}), Baseline{});
  EXPECT_FALSE(g.passed());
  EXPECT_NE(to_console(g).find("fails closed"), std::string::npos);
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
  VariantResult r = result(Variant::program, 20, {{Verdict::data_race, 20}});
  r.findings = {finding("data-race|new", 20)};
  const Summary s = summary_of({r});
  EXPECT_THROW(updated_baseline(s, Baseline{}, ""), std::invalid_argument);
  const Baseline updated = updated_baseline(s, accepting("data-race|old"), "triaged in review");
  ASSERT_EQ(updated.accepted.size(), 2u);
  EXPECT_EQ(updated.accepted[0].signature, "data-race|old");
  EXPECT_EQ(updated.accepted[1].signature, "data-race|new");
  EXPECT_EQ(updated.accepted[1].reason, "triaged in review");
  EXPECT_TRUE(gate(s, updated).passed());
  // Nothing new: no reason needed.
  EXPECT_NO_THROW(updated_baseline(s, updated, ""));
}

}  // namespace
