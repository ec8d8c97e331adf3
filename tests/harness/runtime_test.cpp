// The runtime's verdicts, each produced by a scenario of case_99_verdicts run
// as a child process (a deliberate deadlock must never hang the test runner).
#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "child.h"

namespace {

using racelab::testing::ChildResult;
using racelab::testing::run_child;

const std::string kProgram = RACELAB_BUILD_DIR "/test_cases/case_99_verdicts";

// "tests/harness/verdict_case/verdict_case.cpp:N" for the line marked
// `// site:NAME`, as the harness prints sites.
std::string site(const std::string& name) {
  const std::string path = "tests/harness/verdict_case/verdict_case.cpp";
  const std::string text = racelab::testing::read_file(RACELAB_SOURCE_DIR "/" + path);
  const auto at = text.find("// site:" + name);
  EXPECT_NE(at, std::string::npos) << name;
  return path + ":" + std::to_string(1 + std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

ChildResult run_scenario(const std::string& scenario, std::vector<std::string> args) {
  args.insert(args.begin(), kProgram);
  return run_child(args, {{"RACELAB_TEST_SCENARIO", scenario}}, std::chrono::seconds(60));
}

TEST(Runtime, DescribesItselfAsJson) {
  ChildResult r = run_child({kProgram, "--describe"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"id\": \"99_verdicts\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"sanitizer\""), std::string::npos);
  // The run time limit it uses without --timeout, for the driver.
  EXPECT_NE(r.out.find(RACELAB_TSAN ? "\"timeout_s\": 10.0" : "\"timeout_s\": 5.0"), std::string::npos) << r.out;
}

TEST(Runtime, SelfDeadlockEndsTheRunAtOnceWithoutATimeout) {
  // A timeout of 60 s: only the owner check can end this run quickly.
  ChildResult r = run_scenario("self_deadlock", {"--variant", "buggy", "--runs", "3", "--timeout", "60"});
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("run 0 (seed"), std::string::npos) << r.out;
  // Both acquire sites: the second lock and the first.
  EXPECT_NE(r.out.find("self_deadlock: thread T1 locks racelab::mutex M"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("at " + site("inner-lock") + ", but already holds it since " +
                       site("outer-lock")),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("resume with --first-run 1"), std::string::npos) << r.out;
}

TEST(Runtime, RecursiveMutexReentryIsClean) {
  ChildResult r = run_scenario("recursive", {"--variant", "buggy", "--runs", "20"});
  EXPECT_NE(r.out.find("20 runs, 0 failing"), std::string::npos) << r.out << r.err;
}

TEST(Runtime, AWaitNobodyEndsIsAHangWithWhoWaitsOnWhat) {
  // A 60 s limit: the watchdog sees every thread blocked long before.
  ChildResult r = run_scenario("hang", {"--variant", "buggy", "--runs", "1", "--timeout", "60"});
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.out.find("hang: every thread is blocked and none can wake another: "
                       "T0 joins T1 at " + site("join-waiter")),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("T1 waits on a racelab::condition_variable at " + site("cv-wait") +
                       " and nobody can release it"),
            std::string::npos)
      << r.out;
}

TEST(Runtime, ARunPastItsTimeLimitIsAHang) {
  // The busy thread steps without progress, but the livelock bound (20,000
  // steps) is far; a tiny limit ends it first... unless steps are fast.
  ChildResult r = run_scenario("livelock", {"--variant", "buggy", "--runs", "1", "--timeout", "0.001"});
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(r.out.find("hang: the run did not finish within 1 ms") != std::string::npos ||
              r.out.find("livelock:") != std::string::npos)
      << r.out;
}

// The time limit decides by what the threads were doing: still stepping
// without progress is a livelock (whatever the step rate), not stepping a
// hang.
TEST(Runtime, SpinningWhenTheTimeLimitComesIsALivelock) {
  ChildResult spin = run_scenario("slow_spin", {"--variant", "buggy", "--runs", "1", "--timeout", "2"});
  EXPECT_FALSE(spin.timed_out);
  EXPECT_NE(spin.out.find("livelock: "), std::string::npos) << spin.out;
  EXPECT_NE(spin.out.find("steps without progress() (when the time limit of 2000 ms came)"), std::string::npos)
      << spin.out;
  ChildResult sleep = run_scenario("slow_sleep", {"--variant", "buggy", "--runs", "1", "--timeout", "1"});
  EXPECT_FALSE(sleep.timed_out);
  EXPECT_NE(sleep.out.find("hang: the run did not finish within 1000 ms"), std::string::npos) << sleep.out;
}

TEST(Runtime, ALockNeverReleasedIsAHangNamingItsFinishedOwner) {
  ChildResult r = run_scenario("forgotten_unlock", {"--variant", "buggy", "--runs", "1"});
  EXPECT_NE(r.out.find("T2 waits for racelab::mutex M"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("held by T1, which has finished (taken at " + site("forgotten-lock") + ")"),
            std::string::npos)
      << r.out;
}

TEST(Runtime, ADeadlockIsTheCycleWithEverySite) {
  for (const std::string scenario : {"deadlock", "deadlock3"}) {
    ChildResult r = run_scenario(scenario, {"--variant", "buggy", "--runs", "1", "--timeout", "60"});
    EXPECT_FALSE(r.timed_out);
    const std::string threads = scenario == "deadlock" ? "2" : "3";
    EXPECT_NE(r.out.find("deadlock: a cycle of " + threads + " threads, each waiting for the next: "
                         "T1 waits for racelab::mutex M"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("at " + site("second-lock") + ", held by T2 (taken at " +
                         site("first-lock") + ")"),
              std::string::npos)
        << r.out;
  }
}

TEST(Runtime, BothLockOrdersAreAnInversionEvenWithoutAHang) {
  ChildResult r = run_scenario("lock_order", {"--variant", "buggy", "--runs", "3"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // Every run: the harness's own lock-order graph (TSan reports once per process).
  EXPECT_NE(r.out.find("3 runs, 3 failing (lock_order_inversion 3)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("a lock-order cycle of 2 mutexes, a potential deadlock: T3 took M"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("(at " + site("other-b") + ") then M"),
            std::string::npos)
      << r.out;
}

TEST(Runtime, StepsWithoutProgressAreALivelock) {
  ChildResult r = run_scenario("livelock", {"--variant", "buggy", "--runs", "1", "--timeout", "60"});
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.out.find("steps without progress() (bound 20000): T0 0 steps, T1 "), std::string::npos)
      << r.out;
}

TEST(Runtime, EveryStrategyRunsTheFixedVariantClean) {
  for (const std::string strategy : {"none", "yield", "sleep", "pct", "portfolio"}) {
    ChildResult r = run_child({kProgram, "--variant", "fixed", "--strategy", strategy, "--runs", "50"});
    EXPECT_EQ(r.exit_code, 0) << strategy << "\n" << r.out << r.err;
  }
}

TEST(Runtime, PortfolioRecordsTheStrategyEachRunUsed) {
  ChildResult r = run_scenario("invariant", {"--variant", "buggy", "--runs", "20", "--strategy", "portfolio"});
  EXPECT_EQ(r.out.find("--strategy portfolio"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--strategy "), std::string::npos) << r.out;
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
  EXPECT_NE(r.out.find("mutex_misuse: thread T1 unlocks racelab::mutex M"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(", owned by thread T0 (taken at " + site("main-lock") + ")"),
            std::string::npos)
      << r.out << r.err;
}

TEST(Runtime, AnExceptionInADroppedFutureIsLost) {
  ChildResult r = run_scenario("dropped_future", {"--variant", "buggy", "--runs", "5"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("5 runs, 5 failing (exception_lost 5)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("a task threw (std::exception: card declined) and nobody retrieved it"),
            std::string::npos)
      << r.out;
}

TEST(Runtime, FuturesReadWithGetAreClean) {
  ChildResult r = run_scenario("retrieved_futures", {"--variant", "buggy", "--runs", "50"});
  EXPECT_NE(r.out.find("50 runs, 0 failing (clean 50)"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(r.err.find("WARNING: ThreadSanitizer"), std::string::npos) << r.err;
}

TEST(Runtime, UpgradingASharedLockIsASelfDeadlockAtOnce) {
  ChildResult r = run_scenario("shared_upgrade", {"--variant", "buggy", "--runs", "3", "--timeout", "60"});
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("self_deadlock: thread T1 asks for racelab::shared_mutex M"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("exclusively at " + site("shared-upgrade") + " while it holds it shared since " +
                       site("shared-read")),
            std::string::npos)
      << r.out;
}

TEST(Runtime, SharedReadersAndWritersAreClean) {
  ChildResult r = run_scenario("shared_readers", {"--variant", "buggy", "--runs", "200"});
  EXPECT_NE(r.out.find("200 runs, 0 failing (clean 200)"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(r.err.find("WARNING: ThreadSanitizer"), std::string::npos) << r.err;
}

TEST(Runtime, UnlockSharedWithoutTheLockIsMutexMisuse) {
  ChildResult r = run_scenario("shared_misuse", {"--variant", "buggy", "--runs", "2"});
  EXPECT_NE(r.out.find("mutex_misuse: thread T0 calls unlock_shared() on racelab::shared_mutex M"),
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
