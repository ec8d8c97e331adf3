// Aggregation (runs and TSan findings into a VariantResult), the judgement
// as_expected() and the renderings.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "child.h"
#include "racelab/report/summary.h"

namespace {

using namespace racelab;
using namespace racelab::report;
using racelab::testing::make_temp_dir;
using racelab::testing::read_file;
using racelab::testing::run_child;

RunRecord run(std::int64_t index, Verdict verdict, std::uint64_t first = 0, std::uint64_t count = 0) {
  RunRecord r;
  r.index = index;
  r.seed = 1000 + static_cast<std::uint64_t>(index);
  r.strategy = "yield";
  r.verdict = verdict;
  r.detail = verdict == Verdict::clean ? "" : "something went wrong";
  r.tsan_first = first;
  r.tsan_count = count;
  return r;
}

VariantResult header(Variant variant, std::vector<Verdict> expected) {
  VariantResult h;
  h.case_id = "01_lost_update";
  h.variant = variant;
  h.expected = std::move(expected);
  h.strategy = "yield";
  h.seed = 1;
  return h;
}

// A real log of one race, as TSan printed it.
std::string race_log() {
  const std::string dir = make_temp_dir("racelab-summary-");
  auto r = run_child({RACELAB_TEST_PROGRAMS_DIR "/tsan_report_kinds", "heap-race"},
                     {{"TSAN_OPTIONS", "log_path=" + dir + "/log"}});
  return read_file(dir + "/log." + std::to_string(r.pid));
}

TEST(VariantCollector, CountsVerdictsAndKeepsTheFirstFailure) {
  VariantCollector c(header(Variant::buggy, {Verdict::invariant_violated}), "case --variant buggy");
  c.add_run(run(0, Verdict::clean));
  c.add_run(run(2, Verdict::invariant_violated));
  c.add_run(run(1, Verdict::invariant_violated));
  const VariantResult r = c.finish(1.5);
  EXPECT_EQ(r.runs, 3);
  EXPECT_EQ(r.failing_runs, 2);
  EXPECT_EQ(r.verdicts.at(Verdict::invariant_violated), 2);
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->run, 1);
  EXPECT_EQ(r.first_failure->command, "case --variant buggy --strategy yield --run-seed 1001");
  EXPECT_TRUE(r.as_expected());
}

TEST(VariantCollector, AttributesEachFindingToItsRunByOrdinal) {
  if (!RACELAB_TSAN) GTEST_SKIP() << "needs the tsan build";
  const std::string one = race_log();
  // Four reports of one race: one in run 3, two in run 5, one at exit.
  const TsanLog log = parse_tsan_log(one + one + one + one);
  ASSERT_EQ(log.findings.size(), 4u);
  std::vector<RunRecord> runs = {run(3, Verdict::data_race, 0, 1), run(4, Verdict::clean, 1, 0),
                                 run(5, Verdict::data_race, 1, 2)};
  VariantCollector c(header(Variant::fixed, {Verdict::clean}), "case");
  for (const auto& r : runs) c.add_run(r);
  c.add_log(log, runs);
  const VariantResult r = c.finish(0);
  ASSERT_EQ(r.findings.size(), 1u);
  // Its count is the runs that showed it (3 and 5); its reports are all four.
  EXPECT_EQ(r.findings[0].count, 2);
  EXPECT_EQ(r.findings[0].reports, 4);
  EXPECT_EQ(r.findings[0].first_run, 3);
  EXPECT_EQ(r.findings[0].first_seed, 1003u);
  EXPECT_FALSE(r.as_expected());

  // Printed at exit, after every run: no run owns it, and it still counts as a report.
  VariantCollector at_exit(header(Variant::fixed, {Verdict::clean}), "case");
  std::vector<RunRecord> clean = {run(0, Verdict::clean, 0, 0)};
  at_exit.add_run(clean[0]);
  at_exit.add_log(parse_tsan_log(one), clean);
  const VariantResult e = at_exit.finish(0);
  ASSERT_EQ(e.findings.size(), 1u);
  EXPECT_FALSE(e.findings[0].first_run);
  EXPECT_FALSE(e.as_expected()) << "a fixed variant with a finding is never as expected";
}

TEST(VariantResult, AsExpectedFailsClosed) {
  VariantResult nothing = header(Variant::fixed, {Verdict::clean});
  EXPECT_FALSE(nothing.as_expected()) << "no run executed is not clean";

  VariantCollector fixed(header(Variant::fixed, {Verdict::clean}), "case");
  fixed.add_run(run(0, Verdict::clean));
  EXPECT_TRUE(fixed.finish(0).as_expected());
  fixed.add_problem("the worker crashed");
  EXPECT_FALSE(fixed.finish(0).as_expected());

  VariantCollector uncaught(header(Variant::buggy, {Verdict::deadlock}), "case");
  uncaught.add_run(run(0, Verdict::clean));
  EXPECT_FALSE(uncaught.finish(0).as_expected());

  VariantCollector wrong_class(header(Variant::buggy, {Verdict::deadlock}), "case");
  wrong_class.add_run(run(0, Verdict::deadlock));
  wrong_class.add_run(run(1, Verdict::crash));
  EXPECT_FALSE(wrong_class.finish(0).as_expected());

  VariantCollector infra(header(Variant::buggy, {Verdict::infra_error}), "case");
  infra.add_run(run(0, Verdict::infra_error));
  infra.add_problem("worker could not start");
  EXPECT_FALSE(infra.finish(0).as_expected());
}

TEST(Summary, RendersJsonAndMarkdown) {
  VariantCollector c(header(Variant::buggy, {Verdict::invariant_violated, Verdict::data_race}),
                     "case --variant buggy");
  c.add_run(run(0, Verdict::invariant_violated));
  Summary s;
  s.created = "2026-11-24T00:00:00Z";
  s.build = {"thread", "clang 19.1.7"};
  s.results.push_back(c.finish(0.25));
  const nlohmann::json j = to_json(s);
  EXPECT_EQ(j.at("schema"), "racelab.summary");
  EXPECT_EQ(j.at("schema_version"), 4);
  EXPECT_TRUE(j.at("ok").get<bool>());
  const auto& r = j.at("results").at(0);
  for (const char* key : {"case", "variant", "runs", "failing_runs", "verdicts", "expected",
                          "as_expected", "first_failure", "findings", "verdict_groups", "evidence"})
    EXPECT_TRUE(r.contains(key)) << key;
  EXPECT_EQ(r.at("expected"), nlohmann::json({"invariant_violated", "data_race"}));
  EXPECT_EQ(r.at("first_failure").at("seed"), 1000);
  EXPECT_EQ(r.at("first_failure").at("command"), "case --variant buggy --strategy yield --run-seed 1000");

  const std::string md = to_markdown(s);
  EXPECT_NE(md.find("| 01_lost_update | buggy | 1 | 1 | invariant_violated 1 |"), std::string::npos) << md;
  EXPECT_NE(md.find("case --variant buggy --strategy yield --run-seed 1000"), std::string::npos);
  EXPECT_NE(to_console(s.results[0]).find("as expected"), std::string::npos);
  EXPECT_FALSE(Summary{}.ok()) << "an empty summary is not a pass";
}

}  // namespace

namespace {

TEST(VariantCollector, ATruncatedLastReportIsAProblemUnlessTheWorkerEndedItself) {
  if (!RACELAB_TSAN) GTEST_SKIP() << "needs the tsan build";
  const std::string full = race_log();
  const TsanLog cut = parse_tsan_log(full + full.substr(0, full.find("Location is")));
  ASSERT_EQ(cut.findings.size(), 2u);
  std::vector<RunRecord> runs = {run(0, Verdict::data_race, 0, 2)};

  VariantCollector died(header(Variant::buggy, {Verdict::data_race}), "case");
  died.add_run(runs[0]);
  died.add_log(cut, runs);
  EXPECT_EQ(died.finish(0).problems.size(), 1u);

  VariantCollector ended(header(Variant::buggy, {Verdict::data_race}), "case");
  ended.add_run(runs[0]);
  ended.add_log(cut, runs, /*cut_short=*/true);
  const VariantResult r = ended.finish(0);
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(r.findings.at(0).count, 1);
  EXPECT_EQ(r.findings.at(0).reports, 2) << "the partial report still counts";
}

}  // namespace
