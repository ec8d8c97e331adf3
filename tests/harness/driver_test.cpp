// The racelab driver, run as a child process: its command line, its worker
// management (crashes, hangs, resumes) and the summaries it writes.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "racelab_cli.h"

namespace {

using racelab::testing::ChildResult;
using racelab::testing::make_temp_dir;
using racelab::testing::read_file;
using racelab::testing::run_child;

using racelab::testing::kRacelab;
using racelab::testing::kTestCases;
using racelab::testing::summary_of;

ChildResult racelab(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  return racelab::testing::run_racelab(std::move(args), env);
}


TEST(Driver, HelpExistsForEveryCommand) {
  for (auto args : std::vector<std::vector<std::string>>{{"--help"}, {"run", "--help"}, {"list", "--help"}, {"bench", "--help"}}) {
    ChildResult r = racelab(args);
    EXPECT_EQ(r.exit_code, 0) << args[0];
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
  }
  EXPECT_NE(racelab({"--help"}).out.find("Exit codes"), std::string::npos);
}

TEST(Driver, BadArgumentsAreUsageErrors) {
  ChildResult no_command = racelab({});
  EXPECT_EQ(no_command.exit_code, 2);
  ChildResult unknown_command = racelab({"frobnicate"});
  EXPECT_EQ(unknown_command.exit_code, 2);
  ChildResult bad_runs = racelab({"run", "--runs", "-5"});
  EXPECT_EQ(bad_runs.exit_code, 2);
  EXPECT_NE(bad_runs.err.find("--runs"), std::string::npos) << bad_runs.err;
  ChildResult bad_strategy = racelab({"run", "--strategy", "telepathy"});
  EXPECT_EQ(bad_strategy.exit_code, 2);
  ChildResult unknown_case = racelab({"run", "no_such_case"});
  EXPECT_EQ(unknown_case.exit_code, 2);
  EXPECT_NE(unknown_case.err.find("unknown case 'no_such_case' (known: 01_lost_update"),
            std::string::npos)
      << unknown_case.err;
}

TEST(Driver, MissingCaseProgramsAreAnInfrastructureError) {
  const std::string empty = make_temp_dir("racelab-empty-");
  ChildResult r = racelab({"--cases", empty, "list"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("no case programs"), std::string::npos) << r.err;
}

TEST(Driver, ListsTheCatalogueFromTheProgramsMetadata) {
  ChildResult r = racelab({"list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("01_lost_update"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("buggy: invariant_violated or data_race · fixed: clean"), std::string::npos)
      << r.out;
  ChildResult json = racelab({"list", "--json"});
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(json.out).at(0).at("id"), "01_lost_update");
}

TEST(Driver, AWorkerThatCrashesIsReplacedAtTheNextRun) {
  const std::string out = make_temp_dir("racelab-crash-");
  ChildResult r = racelab({"--cases", kTestCases, "run", "99", "--variant", "buggy", "--runs", "4",
                           "--out", out},
                          {{"RACELAB_TEST_SCENARIO", "crash"}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const nlohmann::json result = summary_of(out).at("results").at(0);
  EXPECT_EQ(result.at("runs"), 4);
  EXPECT_EQ(result.at("verdicts").at("crash"), 1);
  EXPECT_EQ(result.at("verdicts").at("clean"), 3);
  EXPECT_EQ(result.at("first_failure").at("run"), 1);
  EXPECT_NE(result.at("first_failure").at("detail").get<std::string>().find("SIGABRT"),
            std::string::npos);
}

TEST(Driver, AWorkerThatExitsMidRunIsAnInfrastructureErrorNeverClean) {
  const std::string out = make_temp_dir("racelab-exit-");
  ChildResult r = racelab({"--cases", kTestCases, "run", "99", "--variant", "buggy", "--runs", "3",
                           "--out", out},
                          {{"RACELAB_TEST_SCENARIO", "exit"}});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const nlohmann::json result = summary_of(out).at("results").at(0);
  EXPECT_EQ(result.at("verdicts").at("infra_error"), 1);
  EXPECT_EQ(result.at("runs"), 3);
  EXPECT_FALSE(result.at("as_expected").get<bool>());
  EXPECT_NE(result.at("first_failure").at("detail").get<std::string>().find("exit 7"), std::string::npos);
}

TEST(Driver, ACampaignWithAHangingCaseStillReportsTheOthers) {
  // A catalogue of two: case 01 and the harness's test case, hanging.
  const std::string cases = make_temp_dir("racelab-two-");
  std::filesystem::create_symlink(RACELAB_BUILD_DIR "/cases/case_01_lost_update",
                                  cases + "/case_01_lost_update");
  std::filesystem::create_symlink(kTestCases + "/case_99_verdicts", cases + "/case_99_verdicts");
  const std::string out = make_temp_dir("racelab-two-out-");
  ChildResult r = racelab({"--cases", cases, "run", "all", "--variant", "buggy", "--runs", "3",
                           "--out", out},
                          {{"RACELAB_TEST_SCENARIO", "hang"}});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const nlohmann::json results = summary_of(out).at("results");
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results.at(0).at("case"), "01_lost_update");
  EXPECT_TRUE(results.at(0).at("as_expected").get<bool>());
  EXPECT_EQ(results.at(1).at("case"), "99_verdicts");
  EXPECT_EQ(results.at(1).at("verdicts").at("hang"), 3);
}

TEST(Driver, ACampaignOfHangsFinishesAndLeavesNoProcessBehind) {
  const std::string out = make_temp_dir("racelab-hang-");
  ChildResult r = racelab({"--cases", kTestCases, "run", "99_verdicts", "--variant", "buggy",
                           "--runs", "3", "--timeout", "0.3", "--seed", "987654", "--out", out},
                          {{"RACELAB_TEST_SCENARIO", "hang"}});
  ASSERT_FALSE(r.timed_out);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const nlohmann::json result = summary_of(out).at("results").at(0);
  EXPECT_EQ(result.at("runs"), 3);
  EXPECT_EQ(result.at("verdicts").at("hang"), 3);
  EXPECT_EQ(racelab::testing::processes_with({"case_99_verdicts", "--seed 987654"}), 0);
}

TEST(Driver, ASelfDeadlockPerRunStillCompletesTheCampaign) {
  const std::string out = make_temp_dir("racelab-self-");
  ChildResult r = racelab({"--cases", kTestCases, "run", "verdicts", "--variant", "buggy",
                           "--runs", "3", "--out", out},
                          {{"RACELAB_TEST_SCENARIO", "self_deadlock"}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const nlohmann::json result = summary_of(out).at("results").at(0);
  EXPECT_EQ(result.at("verdicts").at("self_deadlock"), 3);
  EXPECT_TRUE(result.at("as_expected").get<bool>());
}

TEST(Driver, ABuggyVariantNotCaughtIsUnexpected) {
  // The "clean" scenario as the buggy variant: nothing is caught, which is
  // what exit code 1 is for.
  const std::string out = make_temp_dir("racelab-unexpected-");
  ChildResult r = racelab({"--cases", kTestCases, "run", "99", "--variant", "buggy", "--runs", "2",
                           "--out", out},
                          {{"RACELAB_TEST_SCENARIO", "clean"}});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("NOT as expected"), std::string::npos) << r.out;
  EXPECT_FALSE(summary_of(out).at("ok").get<bool>());
}

}  // namespace
