// `racelab exec`, `racelab report` and `racelab gate` on a program from
// outside the catalogue (tests/programs/exec_target), built with and without
// ThreadSanitizer.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "racelab_cli.h"

namespace {

using racelab::testing::ChildResult;
using racelab::testing::make_temp_dir;
using racelab::testing::read_file;
using racelab::testing::run_racelab;
using racelab::testing::summary_of;

const std::string kTarget = RACELAB_TEST_PROGRAMS_DIR "/exec_target";
const std::string kPlain = RACELAB_TEST_PROGRAMS_DIR "/exec_target_plain";

class Exec : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RACELAB_TSAN) GTEST_SKIP() << "needs the tsan build";
  }
};

TEST_F(Exec, ARacyProgramIsOneFindingWithItsCountAndFailsTheGate) {
  const std::string out = make_temp_dir("racelab-exec-");
  ChildResult r = run_racelab({"exec", "--runs", "20", "--jobs", "2", "--out", out, "--", kTarget, "race"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto result = summary_of(out).at("results").at(0);
  EXPECT_EQ(result.at("variant"), "program");
  EXPECT_EQ(result.at("runs"), 20);
  EXPECT_EQ(result.at("verdicts").at("data_race"), 20);
  ASSERT_EQ(result.at("findings").size(), 1u) << result.dump(2);
  EXPECT_EQ(result.at("findings").at(0).at("kind"), "data-race");
  EXPECT_EQ(result.at("findings").at(0).at("count"), 20);
  // Each run left its TSan log behind.
  EXPECT_TRUE(std::filesystem::exists(out + "/logs/run-19/output.txt"));

  ChildResult g = run_racelab({"gate", out + "/summary.json"});
  EXPECT_EQ(g.exit_code, 1) << g.out << g.err;
  EXPECT_NE(g.out.find("new: exec_target program: data-race ×20"), std::string::npos) << g.out;
  EXPECT_NE(g.out.find("gate: FAILED — 1 new"), std::string::npos) << g.out;

  // Accepted with a reason, the same finding passes.
  const std::string baseline = out + "/baseline.json";
  ChildResult u = run_racelab({"gate", out + "/summary.json", "--baseline", baseline,
                               "--update-baseline", "--reason", "the counter is a statistic"});
  EXPECT_EQ(u.exit_code, 0) << u.out << u.err;
  EXPECT_NE(read_file(baseline).find("\"reason\": \"the counter is a statistic\""), std::string::npos);
  ChildResult again = run_racelab({"gate", out + "/summary.json", "--baseline", baseline});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

TEST_F(Exec, ACleanProgramPassesTheGate) {
  const std::string out = make_temp_dir("racelab-exec-");
  ChildResult r = run_racelab({"exec", "--runs", "10", "--out", out, "--", kTarget, "clean"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(summary_of(out).at("build").at("sanitizer"), "thread");
  ChildResult g = run_racelab({"gate", out + "/summary.json"});
  EXPECT_EQ(g.exit_code, 0) << g.out << g.err;
  EXPECT_NE(g.out.find("gate: PASSED"), std::string::npos) << g.out;
}

TEST_F(Exec, AProgramBuiltWithoutTsanIsNeverClean) {
  const std::string out = make_temp_dir("racelab-exec-");
  ChildResult r = run_racelab({"exec", "--runs", "3", "--out", out, "--", kPlain, "race"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("is not built with -fsanitize=thread"), std::string::npos) << r.out;
  ChildResult g = run_racelab({"gate", out + "/summary.json"});
  EXPECT_EQ(g.exit_code, 3) << g.out << g.err;
  EXPECT_NE(g.out.find("not built with ThreadSanitizer"), std::string::npos) << g.out;
  EXPECT_EQ(g.out.find("PASSED"), std::string::npos) << g.out;
}

TEST_F(Exec, ExitCodesTimeoutsAndMissingProgramsAreVerdictsOrErrors) {
  const std::string out = make_temp_dir("racelab-exec-");
  ChildResult fail = run_racelab({"exec", "--runs", "2", "--out", out, "--", kTarget, "fail"});
  EXPECT_EQ(fail.exit_code, 1);
  EXPECT_NE(fail.out.find("invariant_violated: exited with code 3"), std::string::npos) << fail.out;

  ChildResult hang = run_racelab({"exec", "--runs", "1", "--timeout", "0.5", "--out", out, "--", kTarget, "sleep"});
  EXPECT_EQ(hang.exit_code, 1);
  EXPECT_NE(hang.out.find("hang: did not finish within 0.5 s; killed"), std::string::npos) << hang.out;

  ChildResult missing = run_racelab({"exec", "--out", out, "--", "no-such-program-here"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot run no-such-program-here: not found in PATH"), std::string::npos)
      << missing.err;
}

TEST_F(Exec, ReportSummarisesLogsOfAnyProgram) {
  const std::string out = make_temp_dir("racelab-exec-");
  ChildResult r = run_racelab({"exec", "--runs", "3", "--out", out, "--", kTarget, "race"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  std::vector<std::string> args = {"report", "--name", "counter", "--out", out + "/again"};
  for (int i = 0; i < 3; ++i)
    for (const auto& entry : std::filesystem::directory_iterator(out + "/logs/run-" + std::to_string(i)))
      if (entry.path().filename().string().starts_with("tsan.")) args.push_back(entry.path());
  ChildResult rep = run_racelab(args);
  EXPECT_EQ(rep.exit_code, 1) << rep.out << rep.err;
  const auto result = summary_of(out + "/again").at("results").at(0);
  EXPECT_EQ(result.at("case"), "counter");
  EXPECT_EQ(result.at("runs"), 3);
  ASSERT_EQ(result.at("findings").size(), 1u);
  EXPECT_EQ(result.at("findings").at(0).at("count"), 3);

  ChildResult unreadable = run_racelab({"report", "--out", out + "/none", out + "/no-such.log"});
  EXPECT_EQ(unreadable.exit_code, 2);
  EXPECT_NE(unreadable.err.find("cannot read"), std::string::npos) << unreadable.err;
  EXPECT_FALSE(std::filesystem::exists(out + "/none/summary.json"));
}

// The perturbation's time budget, both ways: under --budget 0 a lock-heavy
// program (tests/bench/lock_heavy.cpp: 800,000 acquisitions) gets only the
// first milliseconds' delays and the rest are refused; without a budget
// none is refused. The result says so either way.
TEST_F(Exec, ThePerturbationSpendsNoMoreThanItsTimeBudget) {
  const std::string program = RACELAB_BUILD_DIR "/bench_programs/lock_heavy_intercept";
  auto perturbation = [&](const char* budget) {
    const std::string out = make_temp_dir("racelab-exec-");
    ChildResult r = run_racelab({"exec", "--runs", "1", "--strategy", "yield", "--budget", budget, "--out", out, "--",
                                 program});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return summary_of(out).at("results").at(0).at("perturbation");
  };
  const auto tight = perturbation("0");
  EXPECT_EQ(tight.at("budget_percent"), 0);
  EXPECT_GT(tight.at("over_budget").get<std::uint64_t>(), 1000u) << tight;
  EXPECT_GT(tight.at("points").get<std::uint64_t>(), 1000000u) << tight;
  // The 2 ms allowance holds a few yields (their time depends on the machine's load).
  EXPECT_LT(tight.at("delays").get<std::uint64_t>(), 1000u) << tight;
  const auto free = perturbation("100000");
  EXPECT_EQ(free.at("over_budget"), 0) << free;
  EXPECT_GT(free.at("delays").get<std::uint64_t>(), 10000u) << free;
}

}  // namespace
