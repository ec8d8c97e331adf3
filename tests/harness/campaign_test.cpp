// Campaigns through the driver: parallel jobs, shards and merge, time
// budgets, the progress line. The driver runs as a child process.
#include <chrono>
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

// (run_child() keeps this test program's own sharding variables from the
// driver.)
ChildResult racelab(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  return racelab::testing::run_racelab(std::move(args), env);
}

nlohmann::json result_of(const std::string& out_dir, std::size_t i = 0) {
  return summary_of(out_dir).at("results").at(i);
}

// The totals that must not depend on how a campaign was split.
void expect_same_totals(const nlohmann::json& a, const nlohmann::json& b) {
  EXPECT_EQ(a.at("runs"), b.at("runs"));
  EXPECT_EQ(a.at("failing_runs"), b.at("failing_runs"));
  EXPECT_EQ(a.at("verdicts"), b.at("verdicts"));
  EXPECT_EQ(a.at("first_failure").is_null(), b.at("first_failure").is_null());
  if (!a.at("first_failure").is_null()) {
    EXPECT_EQ(a.at("first_failure").at("run"), b.at("first_failure").at("run"));
    EXPECT_EQ(a.at("first_failure").at("seed"), b.at("first_failure").at("seed"));
  }
}

TEST(Campaign, TwoJobsGiveTheSameTotalsAsOne) {
  for (const std::string scenario : {"crash", "invariant"}) {
    const std::string one = make_temp_dir("racelab-jobs1-");
    const std::string two = make_temp_dir("racelab-jobs2-");
    const std::vector<std::string> common = {"--cases", kTestCases, "run", "99", "--variant",
                                             "buggy", "--runs", "9", "--seed", "5"};
    auto args_one = common;
    args_one.insert(args_one.end(), {"--jobs", "1", "--out", one});
    auto args_two = common;
    args_two.insert(args_two.end(), {"--jobs", "2", "--out", two});
    ChildResult r1 = racelab(args_one, {{"RACELAB_TEST_SCENARIO", scenario}});
    ChildResult r2 = racelab(args_two, {{"RACELAB_TEST_SCENARIO", scenario}});
    ASSERT_EQ(r1.exit_code, 0) << scenario << r1.out << r1.err;
    ASSERT_EQ(r2.exit_code, 0) << scenario << r2.out << r2.err;
    expect_same_totals(result_of(one), result_of(two));
    EXPECT_EQ(result_of(two).at("runs"), 9);
  }
  // A fixed case of the catalogue: clean either way.
  const std::string one = make_temp_dir("racelab-jobs1-fixed-");
  const std::string two = make_temp_dir("racelab-jobs2-fixed-");
  ChildResult r1 = racelab({"run", "01", "--variant", "fixed", "--runs", "60", "--seed", "5",
                            "--jobs", "1", "--out", one});
  ChildResult r2 = racelab({"run", "01", "--variant", "fixed", "--runs", "60", "--seed", "5",
                            "--jobs", "2", "--out", two});
  ASSERT_EQ(r1.exit_code, 0) << r1.out << r1.err;
  ASSERT_EQ(r2.exit_code, 0) << r2.out << r2.err;
  expect_same_totals(result_of(one), result_of(two));
  EXPECT_EQ(result_of(two).at("verdicts"), nlohmann::json({{"clean", 60}}));
}

TEST(Campaign, StopOnFirstWithTwoJobsKeepsTheLowestFailure) {
  // Chunks [0, 4) and [4, 9): the crash is run 1, in the first chunk; the
  // second chunk, past it, is stopped.
  const std::string out = make_temp_dir("racelab-jobs-first-");
  ChildResult r = racelab({"--cases", kTestCases, "run", "99", "--variant", "buggy", "--runs", "9",
                           "--seed", "5", "--jobs", "2", "--stop-on-first", "--out", out},
                          {{"RACELAB_TEST_SCENARIO", "crash"}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(result_of(out).at("first_failure").at("run"), 1);
  EXPECT_EQ(result_of(out).at("failing_runs"), 1);
}

TEST(Campaign, ShardsMergedEqualOneUnshardedRun) {
  const std::string whole = make_temp_dir("racelab-whole-");
  const std::string first = make_temp_dir("racelab-shard0-");
  const std::string second = make_temp_dir("racelab-shard1-");
  const std::string merged = make_temp_dir("racelab-merged-");
  const std::map<std::string, std::string> crash = {{"RACELAB_TEST_SCENARIO", "crash"}};
  const std::vector<std::string> common = {"--cases", kTestCases, "run", "99", "--variant", "both",
                                           "--runs", "8", "--seed", "3"};
  // A shard judges only its own runs: the crash (run 1) is in shard 0, so
  // shard 1's buggy variant is "not caught" there (exit 1); the merge decides.
  auto args = common;
  args.insert(args.end(), {"--out", whole});
  ASSERT_EQ(racelab(args, crash).exit_code, 0);
  args = common;
  args.insert(args.end(), {"--shard", "0/2", "--out", first});
  ASSERT_EQ(racelab(args, crash).exit_code, 0);
  // The second shard from GoogleTest's sharding variables, as a CI matrix sets them.
  auto env = crash;
  env["GTEST_TOTAL_SHARDS"] = "2";
  env["GTEST_SHARD_INDEX"] = "1";
  args = common;
  args.insert(args.end(), {"--out", second});
  ChildResult shard1 = racelab(args, env);
  ASSERT_EQ(shard1.exit_code, 1) << shard1.out;
  EXPECT_NE(shard1.out.find("shard 1 of 2"), std::string::npos);
  EXPECT_EQ(result_of(first).at("runs"), 4);
  EXPECT_EQ(result_of(second).at("shard").at("index"), 1);

  ChildResult m = racelab({"merge", first + "/summary.json", second + "/summary.json", "--out", merged});
  ASSERT_EQ(m.exit_code, 0) << m.out << m.err;
  for (std::size_t i = 0; i < 2; ++i) expect_same_totals(result_of(whole, i), result_of(merged, i));
  EXPECT_EQ(result_of(merged).at("verdicts").at("crash"), 1);
  EXPECT_EQ(result_of(merged, 1).at("runs"), 8);
  EXPECT_EQ(result_of(merged).at("shard"),
            nlohmann::json({{"index", 0}, {"count", 1}, {"from", 0}, {"to", 8}}));

  // A shard given twice, or one missing, is not the whole campaign.
  const std::string bad = make_temp_dir("racelab-merged-bad-");
  ChildResult twice = racelab({"merge", first + "/summary.json", first + "/summary.json", "--out", bad});
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("shard 0 of 2 is given twice"), std::string::npos) << twice.err;
  ChildResult missing = racelab({"merge", second + "/summary.json", "--out", bad});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("shard 0 of 2 is missing"), std::string::npos) << missing.err;
  EXPECT_TRUE(missing.out.empty()) << missing.out;
  EXPECT_FALSE(std::filesystem::exists(bad + "/summary.json"));
}

TEST(Campaign, MergeRefusesWhatIsNotOneCampaign) {
  const std::string out = make_temp_dir("racelab-merge-bad-");
  ChildResult missing = racelab({"merge", out + "/nothing.json", "--out", out});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot read"), std::string::npos) << missing.err;

  const std::string other = out + "/other.json";
  std::ofstream(other) << R"({"hello": "world"})";
  ChildResult not_summary = racelab({"merge", other, "--out", out});
  EXPECT_EQ(not_summary.exit_code, 2);
  EXPECT_NE(not_summary.err.find("not a racelab summary"), std::string::npos) << not_summary.err;

  const std::string a = make_temp_dir("racelab-seed1-");
  const std::string b = make_temp_dir("racelab-seed2-");
  ASSERT_EQ(racelab({"--cases", kTestCases, "run", "99", "--variant", "fixed", "--runs", "3",
                     "--seed", "1", "--out", a})
                .exit_code,
            0);
  ASSERT_EQ(racelab({"--cases", kTestCases, "run", "99", "--variant", "fixed", "--runs", "3",
                     "--seed", "2", "--out", b})
                .exit_code,
            0);
  ChildResult seeds = racelab({"merge", a + "/summary.json", b + "/summary.json", "--out", out});
  EXPECT_EQ(seeds.exit_code, 2);
  EXPECT_NE(seeds.err.find("not shards of one campaign"), std::string::npos) << seeds.err;
  EXPECT_FALSE(std::filesystem::exists(out + "/summary.json"));
}

TEST(Campaign, ATimeBudgetEndsTheCampaignOnTime) {
  // Two jobs on one variant: two open-ended chunks side by side.
  const std::string out = make_temp_dir("racelab-time-");
  const auto start = std::chrono::steady_clock::now();
  ChildResult r = racelab({"run", "01", "--variant", "fixed", "--time", "2s", "--jobs", "2", "--out", out});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_GT(seconds, 1.5);
  EXPECT_LT(seconds, 10.0);
  // Runs until the time is up, not a fixed number (how many depends on the
  // machine's load: speed lives in the benchmarks).
  EXPECT_GT(result_of(out).at("runs").get<int>(), 10);
  EXPECT_EQ(result_of(out).at("failing_runs"), 0) << "a run cut off by the budget is not a failure";
}

TEST(Campaign, ATimeBudgetOverTheCatalogueJudgesEveryVariant) {
  const std::string out = make_temp_dir("racelab-time-all-");
  const auto start = std::chrono::steady_clock::now();
  ChildResult r = racelab({"run", "all", "--time", "2s", "--jobs", "2", "--out", out});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Some buggy variant may not be caught in so few runs (1); nothing else.
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.out << r.err;
  EXPECT_GT(seconds, 1.5);
  EXPECT_LT(seconds, 10.0);
  const nlohmann::json results = summary_of(out).at("results");
  EXPECT_GE(results.size(), 2u);
  for (const auto& result : results) {
    EXPECT_GT(result.at("runs").get<int>(), 0) << result.at("case") << " " << result.at("variant");
    EXPECT_TRUE(result.at("problems").empty()) << result.at("problems");
    if (result.at("variant") == "fixed") EXPECT_EQ(result.at("failing_runs"), 0) << result.at("case");
  }
}

TEST(Campaign, ParallelHangsFinishAndLeaveNoProcess) {
  const std::string out = make_temp_dir("racelab-jobs-hang-");
  ChildResult r = racelab({"--cases", kTestCases, "run", "99", "--variant", "buggy", "--runs", "4",
                           "--jobs", "2", "--timeout", "0.3", "--seed", "424242", "--out", out},
                          {{"RACELAB_TEST_SCENARIO", "hang"}});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(result_of(out).at("verdicts").at("hang"), 4);
  EXPECT_EQ(racelab::testing::processes_with({"case_99_verdicts", "--seed 424242"}), 0);
}

TEST(Campaign, BadBudgetsAndShardsAreUsageErrors) {
  EXPECT_EQ(racelab({"run", "--time", "soon"}).exit_code, 2);
  EXPECT_EQ(racelab({"run", "--shard", "2/2"}).exit_code, 2);
  EXPECT_EQ(racelab({"run", "--shard", "x"}).exit_code, 2);
  EXPECT_EQ(racelab({"run", "--jobs", "0"}).exit_code, 2);
  EXPECT_EQ(racelab({"run"}, {{"GTEST_TOTAL_SHARDS", "2"}}).exit_code, 2);
}

TEST(Campaign, AProgressLineOnATerminal) {
  const std::string out = make_temp_dir("racelab-tty-");
  // `script` gives the driver a pseudo-terminal.
  ChildResult r = run_child({"/usr/bin/script", "-qec",
                             kRacelab + " run 01 --variant fixed --time 1s --out " + out, "/dev/null"},
                            {},
                            std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\r\033[K[0/1 variants] "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" runs/s, 0 failing so far"), std::string::npos) << r.out;
  // The line is cleared before a result is printed: the result starts a line.
  EXPECT_NE(r.out.find("\r\033[K01_lost_update fixed: "), std::string::npos) << r.out;
  // Not a terminal: plain lines only.
  ChildResult plain = racelab({"run", "01", "--variant", "fixed", "--time", "1s", "--out", out});
  EXPECT_EQ(plain.out.find('\r'), std::string::npos);
}

// A worker that falls silent (its own watchdog stuck too) is killed and its
// run is run again in a fresh worker: a stall of the worker is not the case's
// hang. (About 11 s: the driver waits 3 × the run time limit + 10 s.)
TEST(Campaign, ASilentWorkerIsReplacedAndItsRunRunAgain) {
  const std::string out = make_temp_dir("racelab-silent-");
  ChildResult r = racelab({"--cases", kTestCases, "run", "99", "--variant", "buggy", "--runs", "3",
                           "--timeout", "0.2", "--out", out},
                          {{"RACELAB_TEST_SCENARIO", "freeze_once"}, {"RACELAB_TEST_MARKER", out + "/froze"}});
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(std::filesystem::exists(out + "/froze")) << "the scenario did not freeze";
  const auto result = result_of(out);
  EXPECT_EQ(result.at("runs"), 3) << result.dump(2);
  EXPECT_EQ(result.at("verdicts"), nlohmann::json({{"clean", 3}})) << result.dump(2);
  EXPECT_TRUE(result.at("problems").empty()) << result.dump(2);
}

}  // namespace
