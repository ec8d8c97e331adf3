// `racelab exec` of a GoogleTest program linked with racelab's listener
// (tests/programs/gtest/gtest_suite.cpp): each TEST is its own unit, with its
// own verdict, findings, seed and re-run command; without the runtime the
// program is one unit, as any other.
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "racelab_cli.h"

namespace {

using racelab::testing::ChildResult;
using racelab::testing::make_temp_dir;
using racelab::testing::read_file;
using racelab::testing::run_child;
using racelab::testing::run_racelab;
using racelab::testing::summary_of;

const std::string kSuite = RACELAB_TEST_PROGRAMS_DIR "/gtest_suite";
const std::string kAlone = RACELAB_TEST_PROGRAMS_DIR "/gtest_suite_alone";

class ExecGtest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RACELAB_TSAN) GTEST_SKIP() << "needs the tsan build";
  }
};

const nlohmann::json& result_named(const nlohmann::json& summary, const std::string& name) {
  for (const auto& r : summary.at("results"))
    if (r.at("case") == name) return r;
  throw std::runtime_error("no result " + name + " in " + summary.dump(1));
}

// The seeds of the test_start records in a run's directory.
std::vector<std::uint64_t> test_seeds(const std::string& dir) {
  std::vector<std::uint64_t> seeds;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.path().filename().string().starts_with("racelab.")) continue;
    std::istringstream lines(read_file(entry.path()));
    for (std::string line; std::getline(lines, line);) {
      const auto j = nlohmann::json::parse(line);
      if (j.at("type") == "test_start") seeds.push_back(j.at("seed").get<std::uint64_t>());
    }
  }
  return seeds;
}

TEST_F(ExecGtest, EachTestIsJudgedAloneAndNamedByGoogleTest) {
  const std::string out = make_temp_dir("racelab-gtest-");
  ChildResult r = run_racelab({"exec", "--runs", "3", "--out", out, "--", kSuite});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto summary = summary_of(out);
  // The five tests, and nothing left over for the program itself.
  ASSERT_EQ(summary.at("results").size(), 5u) << summary.dump(1);

  const auto& correct = result_named(summary, "Suite.Correct");
  EXPECT_EQ(correct.at("runs"), 3);
  EXPECT_EQ(correct.at("verdicts").at("clean"), 3);
  EXPECT_TRUE(correct.at("as_expected").get<bool>());

  const auto& racy = result_named(summary, "Suite.Racy");
  EXPECT_EQ(racy.at("runs"), 3);
  EXPECT_EQ(racy.at("verdicts").at("data_race"), 3) << racy.dump(1);
  ASSERT_EQ(racy.at("findings").size(), 1u);
  EXPECT_EQ(racy.at("findings").at(0).at("kind"), "data-race");
  const std::string rerun = racy.at("first_failure").at("command");
  EXPECT_NE(rerun.find("--gtest_filter=Suite.Racy"), std::string::npos) << rerun;
  EXPECT_NE(rerun.find("RACELAB_TEST_SEED=" + std::to_string(racy.at("first_failure").at("seed").get<std::uint64_t>())),
            std::string::npos)
      << rerun;

  const auto& fails = result_named(summary, "Suite.Fails");
  EXPECT_EQ(fails.at("verdicts").at("invariant_violated"), 3);
  EXPECT_NE(fails.at("first_failure").at("detail").get<std::string>().find("gtest_suite.cpp:"), std::string::npos);
  EXPECT_TRUE(fails.at("findings").empty()) << "the race is Suite.Racy's alone";

  // A death test's child dies on purpose: no crash of the run.
  EXPECT_EQ(result_named(summary, "Suite.Dies").at("verdicts"), nlohmann::json({{"clean", 3}}));

  const auto& deadlock = result_named(summary, "Suite.Deadlock");
  EXPECT_EQ(deadlock.at("verdicts").at("deadlock"), 3) << deadlock.dump(1);
  EXPECT_NE(deadlock.at("first_failure").at("detail").get<std::string>().find("first"), std::string::npos);

  // JUnit: a testcase per test; the gate names the failing ones.
  const std::string junit = read_file(out + "/junit.xml");
  EXPECT_NE(junit.find("racelab.Suite.Correct"), std::string::npos);
  EXPECT_NE(junit.find("racelab.Suite.Deadlock"), std::string::npos);
  ChildResult g = run_racelab({"gate", out + "/summary.json"});
  EXPECT_EQ(g.exit_code, 1) << g.out;
  EXPECT_NE(g.out.find("Suite.Racy"), std::string::npos) << g.out;
  EXPECT_NE(g.out.find("Suite.Deadlock"), std::string::npos) << g.out;
  EXPECT_EQ(g.out.find("new: Suite.Correct"), std::string::npos) << g.out;
}

TEST_F(ExecGtest, EachRepetitionHasItsOwnSeedAndTheReRunCommandRunsTheSameOne) {
  const std::string out = make_temp_dir("racelab-gtest-");
  ChildResult r = run_racelab({"exec", "--runs", "1", "--out", out, "--", kSuite, "--gtest_filter=Suite.Correct",
                               "--gtest_repeat=4"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto summary = summary_of(out);
  ASSERT_EQ(summary.at("results").size(), 1u) << summary.dump(1);
  EXPECT_EQ(result_named(summary, "Suite.Correct").at("runs"), 4);
  const std::vector<std::uint64_t> seeds = test_seeds(out + "/logs/run-0");
  ASSERT_EQ(seeds.size(), 4u);
  EXPECT_EQ(std::set<std::uint64_t>(seeds.begin(), seeds.end()).size(), 4u);

  // RACELAB_TEST_SEED puts a test back under the seed it ran with.
  const std::string again = make_temp_dir("racelab-gtest-");
  ChildResult one = run_child({kSuite, "--gtest_filter=Suite.Correct"},
                              {{"RACELAB_TEST_SEED", std::to_string(seeds[2])}, {"RACELAB_RECORDS", again + "/racelab"}});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(test_seeds(again), std::vector<std::uint64_t>{seeds[2]});
}

TEST_F(ExecGtest, AHangOrACrashBelongsToTheTestThatWasRunning) {
  for (const std::string test : {"Suite.DISABLED_Spins", "Suite.DISABLED_Aborts"}) {
    const std::string out = make_temp_dir("racelab-gtest-");
    ChildResult r = run_racelab({"exec", "--runs", "1", "--timeout", "3", "--out", out, "--", kSuite,
                                 "--gtest_also_run_disabled_tests", "--gtest_filter=Suite.Correct:" + test});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto summary = summary_of(out);
    EXPECT_EQ(result_named(summary, "Suite.Correct").at("verdicts"), nlohmann::json({{"clean", 1}})) << summary.dump(1);
    const auto& ended = result_named(summary, test);
    const std::string verdict = test.ends_with("Spins") ? "hang" : "crash";
    EXPECT_EQ(ended.at("verdicts"), nlohmann::json({{verdict, 1}})) << ended.dump(1);
    // Nothing is left over for the program itself.
    EXPECT_EQ(summary.at("results").size(), 2u) << summary.dump(1);
  }
}

TEST_F(ExecGtest, WithoutTheRuntimeTheProgramIsOneUnit) {
  const std::string out = make_temp_dir("racelab-gtest-");
  ChildResult r = run_racelab({"exec", "--runs", "2", "--out", out, "--", kAlone, "--gtest_filter=Suite.Correct:Suite.Racy"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto summary = summary_of(out);
  ASSERT_EQ(summary.at("results").size(), 1u);
  const auto& whole = result_named(summary, "gtest_suite_alone");
  EXPECT_EQ(whole.at("runs"), 2);
  EXPECT_GE(whole.at("verdicts").value("data_race", 0), 1) << whole.dump(1);
}

// A run that tested nothing is never a pass: a filter that matches no test,
// one that matches only disabled tests, a program that dies before its first
// test; with racelab's listener, and without it (GoogleTest's own words).
TEST_F(ExecGtest, ARunThatTestedNothingIsAnInfrastructureErrorTheGateRefuses) {
  struct Case {
    std::string program, filter, says;
    bool abort_first = false;
  };
  for (const Case& c : {Case{kSuite, "NoSuch.*", "none of the program's 11 tests was selected"},
                        Case{kSuite, "Suite.DISABLED_*", "none of the program's 11 tests was selected"},
                        Case{kAlone, "NoSuch.*", "GoogleTest said it ran 0 tests"},
                        Case{kSuite, "Suite.Correct", "before its first test started", true}}) {
    const std::string out = make_temp_dir("racelab-gtest-");
    std::map<std::string, std::string> env;
    if (c.abort_first) env["GTEST_SUITE_ABORT_FIRST"] = "1";
    ChildResult r = run_racelab({"exec", "--runs", "2", "--out", out, "--", c.program, "--gtest_filter=" + c.filter}, env);
    EXPECT_EQ(r.exit_code, 3) << c.filter << r.out << r.err;
    EXPECT_NE(r.out.find("no test ran in any of the 2 runs"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(c.says), std::string::npos) << r.out;
    const auto summary = summary_of(out);
    EXPECT_FALSE(summary.at("ok").get<bool>()) << summary.dump(1);
    ChildResult gate = run_racelab({"gate", out + "/summary.json"});
    EXPECT_NE(gate.exit_code, 0) << gate.out;
    EXPECT_EQ(gate.out.find("PASSED"), std::string::npos) << gate.out;
  }
}

// Two tests take two mutexes in opposite orders, each in a thread it joins:
// the join orders the threads, but the tests may run in any order or at
// once, so TSan's report stands, in the test that closed the cycle.
TEST_F(ExecGtest, ALockOrderAcrossTwoTestsIsKeptWhateverJoinsThem) {
  const std::string out = make_temp_dir("racelab-gtest-");
  ChildResult r = run_racelab({"exec", "--runs", "1", "--out", out, "--", kSuite, "--gtest_also_run_disabled_tests",
                               "--gtest_filter=Suite.DISABLED_OrderOne:Suite.DISABLED_OrderTwo"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto summary = summary_of(out);
  EXPECT_EQ(result_named(summary, "Suite.DISABLED_OrderOne").at("verdicts"), nlohmann::json({{"clean", 1}}));
  EXPECT_EQ(result_named(summary, "Suite.DISABLED_OrderTwo").at("verdicts"),
            nlohmann::json({{"lock_order_inversion", 1}}))
      << summary.dump(1);
}

// A lock-order report dropped while a test ran is that test's note, not the
// program's.
// Under control each test has its own schedule, counted from the test's
// start: the failing test's re-run command runs it alone (the tests before
// it, and their threads, gone) and takes the same steps again.
TEST_F(ExecGtest, AControlledTestsScheduleReplaysWhenTheTestRunsAlone) {
  const std::string out = make_temp_dir("racelab-gtest-controlled-");
  ChildResult r = run_racelab({"exec", "--strategy", "controlled", "--runs", "200", "--stop-on-first", "--out", out, "--",
                               kSuite, "--gtest_also_run_disabled_tests",
                               "--gtest_filter=Suite.Correct:Suite.DISABLED_LostUpdate"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto summary = summary_of(out);
  const auto& lost = result_named(summary, "Suite.DISABLED_LostUpdate");
  ASSERT_GE(lost.at("failing_runs").get<int>(), 1) << lost.at("verdicts");
  const auto& failure = lost.at("first_failure");
  ASSERT_TRUE(failure.contains("controlled")) << failure.dump(1);
  const auto& controlled = failure.at("controlled");
  EXPECT_EQ(controlled.at("not_replayable"), "");
  const std::string schedule = controlled.at("schedule");
  ASSERT_FALSE(schedule.empty());
  const std::string command = failure.at("command");
  EXPECT_NE(command.find("RACELAB_SCHEDULE=" + schedule), std::string::npos) << command;
  EXPECT_NE(command.find("--gtest_filter=Suite.DISABLED_LostUpdate"), std::string::npos) << command;
  // Alone, from another campaign seed: the schedule decides.
  const std::string again = make_temp_dir("racelab-gtest-replay-");
  r = run_racelab({"exec", "--strategy", "controlled", "--runs", "1", "--seed", "77", "--replay", schedule, "--out", again, "--", kSuite,
                   "--gtest_also_run_disabled_tests", "--gtest_filter=Suite.DISABLED_LostUpdate"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto replayed_summary = summary_of(again);
  const auto& replayed = result_named(replayed_summary, "Suite.DISABLED_LostUpdate");
  ASSERT_EQ(replayed.at("failing_runs"), 1) << replayed.at("verdicts");
  EXPECT_EQ(replayed.at("first_failure").at("verdict"), failure.at("verdict"));
  EXPECT_EQ(replayed.at("first_failure").at("controlled").at("trace"), controlled.at("trace"));
  EXPECT_EQ(replayed.at("first_failure").at("controlled").at("not_replayable"), "");
}

TEST_F(ExecGtest, ADroppedReportsNoteBelongsToTheTestItWasPrintedIn) {
  const std::string out = make_temp_dir("racelab-gtest-");
  ChildResult r = run_racelab({"exec", "--runs", "1", "--out", out, "--", kSuite, "--gtest_also_run_disabled_tests",
                               "--gtest_filter=Suite.Correct:Suite.DISABLED_GatedOrders"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto summary = summary_of(out);
  ASSERT_EQ(summary.at("results").size(), 2u) << summary.dump(1);
  const auto& gated = result_named(summary, "Suite.DISABLED_GatedOrders");
  ASSERT_EQ(gated.at("notes").size(), 1u) << gated.dump(1);
  EXPECT_NE(gated.at("notes").at(0).get<std::string>().find("(a gate lock)"), std::string::npos) << gated.dump(1);
  EXPECT_TRUE(result_named(summary, "Suite.Correct").at("notes").empty());
}

}  // namespace
