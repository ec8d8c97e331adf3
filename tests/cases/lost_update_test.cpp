// Case 01, deeper than the contract every case has (catalogue_test.cpp): the
// program on its own with the yield strategy alone catches the bug in every
// one of 20 seeds within 200 runs and is clean fixed over 2,000; and the
// driver's acceptance: both variants as expected, a TSan race in the case's
// source, a re-run command that reproduces the failure.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child.h"

namespace {

using racelab::testing::ChildResult;
using racelab::testing::make_temp_dir;
using racelab::testing::read_file;
using racelab::testing::run_child;

const std::string kProgram = RACELAB_BUILD_DIR "/cases/case_01_lost_update";
const std::string kRacelab = RACELAB_BUILD_DIR "/racelab";

TEST(LostUpdate, BuggyIsCaughtInEachOf20SeedsWithin200Runs) {
  for (int seed = 1; seed <= 20; ++seed) {
    ChildResult r = run_child({kProgram, "--variant", "buggy", "--strategy", "yield", "--seed",
                               std::to_string(seed), "--runs", "200", "--stop-on-first"});
    // Exit 0: caught with an expected verdict (invariant_violated or data_race).
    EXPECT_EQ(r.exit_code, 0) << "seed " << seed << "\n" << r.out;
    EXPECT_NE(r.out.find(", 1 failing ("), std::string::npos) << "seed " << seed << "\n" << r.out;
  }
}

TEST(LostUpdate, FixedIsCleanOver2000Runs) {
  ChildResult r = run_child({kProgram, "--variant", "fixed", "--strategy", "yield", "--runs", "2000"},
                            {}, std::chrono::seconds(300));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("fixed: 2000 runs, 0 failing (clean 2000): as expected"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.err.find("ThreadSanitizer"), std::string::npos) << r.err;
}

TEST(LostUpdate, DriverShowsBuggyCaughtAndFixedCleanWithAReproducibleFailure) {
  const std::string out = make_temp_dir("racelab-01-");
  ChildResult r = run_child({kRacelab, "run", "01_lost_update", "--variant", "both", "--runs", "300",
                             "--out", out},
                            {}, std::chrono::seconds(300));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(out + "/summary.json"), std::string::npos) << r.out;

  const nlohmann::json summary = nlohmann::json::parse(read_file(out + "/summary.json"));
  EXPECT_EQ(summary.at("schema"), "racelab.summary");
  EXPECT_TRUE(summary.at("ok").get<bool>());
  ASSERT_EQ(summary.at("results").size(), 2u);
  const nlohmann::json& buggy = summary.at("results").at(0);
  const nlohmann::json& fixed = summary.at("results").at(1);

  EXPECT_EQ(buggy.at("variant"), "buggy");
  EXPECT_TRUE(buggy.at("as_expected").get<bool>());
  EXPECT_GT(buggy.at("failing_runs").get<int>(), 0);
  EXPECT_GT(buggy.at("verdicts").value("invariant_violated", 0), 0);
  // A TSan data race whose top frames are in the case's own source.
  bool race_in_case_source = !RACELAB_TSAN;  // other builds find it by the invariant alone
  for (const auto& finding : buggy.at("findings")) {
    if (finding.at("kind") != "data-race") continue;
    EXPECT_NE(finding.at("first_run"), nullptr);
    for (const auto& frame : finding.at("top_frames"))
      race_in_case_source = race_in_case_source ||
                            frame.get<std::string>().find("cases/01_lost_update/buggy.cpp") != std::string::npos;
  }
  EXPECT_TRUE(race_in_case_source) << buggy.at("findings").dump(2);

  EXPECT_EQ(fixed.at("variant"), "fixed");
  EXPECT_TRUE(fixed.at("as_expected").get<bool>());
  EXPECT_EQ(fixed.at("runs"), 300);
  EXPECT_EQ(fixed.at("failing_runs"), 0);
  EXPECT_TRUE(fixed.at("findings").empty());
  EXPECT_EQ(fixed.at("first_failure"), nullptr);

  // The printed command re-runs the first failing run, and it fails again.
  const std::string command = buggy.at("first_failure").at("command");
  EXPECT_NE(r.out.find(command), std::string::npos);
  ChildResult again = run_child({"/bin/sh", "-c", command});
  EXPECT_NE(again.out.find("1 runs, 1 failing"), std::string::npos) << command << "\n" << again.out;

  const std::string md = read_file(out + "/summary.md");
  EXPECT_NE(md.find("| 01_lost_update | buggy |"), std::string::npos) << md;
}

}  // namespace
