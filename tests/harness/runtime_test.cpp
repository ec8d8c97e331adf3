// The runtime's verdicts, each produced by a scenario of case_99_verdicts run
// as a child process (a deliberate deadlock must never hang the test runner).
#include <string>

#include <gtest/gtest.h>

#include "child.h"

namespace {

using racelab::testing::ChildResult;
using racelab::testing::run_child;

const std::string kProgram = RACELAB_BUILD_DIR "/test_cases/case_99_verdicts";

ChildResult run_scenario(const std::string& scenario, std::vector<std::string> args) {
  args.insert(args.begin(), kProgram);
  return run_child(args, {{"RACELAB_TEST_SCENARIO", scenario}}, std::chrono::seconds(60));
}

TEST(Runtime, DescribesItselfAsJson) {
  ChildResult r = run_child({kProgram, "--describe"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"id\": \"99_verdicts\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"sanitizer\""), std::string::npos);
}

TEST(Runtime, SelfDeadlockEndsTheRunAtOnceWithoutATimeout) {
  // A timeout of 60 s: only the owner check can end this run quickly.
  ChildResult r = run_scenario("self_deadlock", {"--variant", "buggy", "--runs", "3", "--timeout", "60"});
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("run 0 (seed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("self_deadlock: thread T1 locks a racelab::mutex it already owns"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("resume with --first-run 1"), std::string::npos) << r.out;
}

TEST(Runtime, RecursiveMutexReentryIsClean) {
  ChildResult r = run_scenario("recursive", {"--variant", "buggy", "--runs", "20"});
  EXPECT_NE(r.out.find("20 runs, 0 failing"), std::string::npos) << r.out << r.err;
}

TEST(Runtime, WatchdogEndsABlockedRunAsHang) {
  ChildResult r = run_scenario("hang", {"--variant", "buggy", "--runs", "1", "--timeout", "0.3"});
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.out.find("hang: the run did not finish within 300 ms"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("blocked on"), std::string::npos) << r.out;
}

TEST(Runtime, AnExceptionEscapingAThreadIsLostNotFatal) {
  ChildResult r = run_scenario("exception_lost", {"--variant", "buggy", "--runs", "5"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("5 runs, 5 failing (exception_lost 5)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("std::exception: disk full escaped thread T1"), std::string::npos) << r.out;
}

TEST(Runtime, AThreadNeverJoinedIsALeak) {
  ChildResult r = run_scenario("thread_leak", {"--variant", "buggy", "--runs", "5"});
  EXPECT_NE(r.out.find("5 runs, 5 failing (thread_leak 5)"), std::string::npos) << r.out << r.err;
}

TEST(Runtime, UnlockByANonOwnerIsMutexMisuse) {
  ChildResult r = run_scenario("mutex_misuse", {"--variant", "buggy", "--runs", "3"});
  EXPECT_NE(r.out.find("mutex_misuse: thread T1 unlocks a racelab::mutex owned by thread T0"),
            std::string::npos)
      << r.out << r.err;
}

TEST(Runtime, AFailedCheckIsAnInvariantViolation) {
  ChildResult r = run_scenario("invariant", {"--variant", "buggy", "--runs", "4"});
  EXPECT_NE(r.out.find("4 runs, 4 failing (invariant_violated 4)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("this invariant never holds"), std::string::npos);
}

TEST(Runtime, ATsanReportMakesTheRunADataRace) {
  if (!RACELAB_TSAN) GTEST_SKIP() << "needs the tsan build";
  ChildResult r = run_scenario("data_race", {"--variant", "buggy", "--runs", "3"});
  // TSan prints a given race once per process: the first run carries it.
  EXPECT_NE(r.out.find("run 0 (seed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("data_race: ThreadSanitizer reported"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("WARNING: ThreadSanitizer: data race"), std::string::npos);
}

TEST(Runtime, TheFixedVariantIsClean) {
  ChildResult r = run_child({kProgram, "--variant", "fixed"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("fixed: 50 runs, 0 failing (clean 50): as expected"), std::string::npos)
      << r.out;
}

TEST(Runtime, TheSameSeedGivesTheSameRunSeeds) {
  ChildResult a = run_scenario("invariant", {"--variant", "buggy", "--runs", "3", "--seed", "42"});
  ChildResult b = run_scenario("invariant", {"--variant", "buggy", "--runs", "3", "--seed", "42"});
  ChildResult c = run_scenario("invariant", {"--variant", "buggy", "--runs", "3", "--seed", "43"});
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
}

TEST(Runtime, BadArgumentsExitWithUsageError) {
  ChildResult r = run_child({kProgram, "--variant", "sideways"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--variant"), std::string::npos) << r.err;
  EXPECT_EQ(run_child({kProgram, "--runs", "0"}).exit_code, 2);
  EXPECT_EQ(run_child({kProgram, "--no-such-flag"}).exit_code, 2);
}

}  // namespace
