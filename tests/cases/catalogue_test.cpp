// The catalogue's contracts (cases 02 on; 01 has its own test): each buggy
// variant is caught with its expected verdict in each of 20 seeds within its
// budget, and each fixed variant is clean over 2,000 runs.
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "racelab_cli.h"

namespace {

using racelab::testing::ChildResult;
using racelab::testing::make_temp_dir;
using racelab::testing::run_child;
using racelab::testing::run_racelab;
using racelab::testing::summary_of;

struct Contract {
  std::string id;
  int budget;                  ///< runs per seed within which the bug must show
  std::string verdict_prefix;  ///< what the driver's report of the first failure says
};

void PrintTo(const Contract& c, std::ostream* os) { *os << c.id; }

std::string program(const std::string& id) { return RACELAB_BUILD_DIR "/cases/case_" + id; }

class CatalogueCase : public ::testing::TestWithParam<Contract> {};

// Through the driver, as `racelab run` judges: a run that crashes its worker
// is a verdict there (`crash`), not the end of the campaign.
TEST_P(CatalogueCase, BuggyIsCaughtInEachOf20Seeds) {
  const Contract& c = GetParam();
  for (int seed = 1; seed <= 20; ++seed) {
    const std::string out = make_temp_dir("racelab-contract-");
    ChildResult r = run_racelab({"run", c.id, "--variant", "buggy", "--seed", std::to_string(seed),
                                 "--runs", std::to_string(c.budget), "--stop-on-first", "--out", out});
    EXPECT_FALSE(r.timed_out) << c.id << " seed " << seed;
    // Exit 0: caught with an expected verdict and nothing else.
    EXPECT_EQ(r.exit_code, 0) << c.id << " seed " << seed << "\n" << r.out << r.err;
    const auto result = summary_of(out).at("results").at(0);
    EXPECT_GE(result.at("failing_runs").get<int>(), 1) << c.id << " seed " << seed;
    EXPECT_NE(r.out.find(c.verdict_prefix), std::string::npos) << c.id << " seed " << seed << "\n"
                                                             << r.out;
  }
}

TEST_P(CatalogueCase, FixedIsCleanOver2000Runs) {
  const Contract& c = GetParam();
  ChildResult r = run_child({program(c.id), "--variant", "fixed", "--runs", "2000"}, {},
                            std::chrono::seconds(300));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("fixed: 2000 runs, 0 failing (clean 2000): as expected"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.err.find("WARNING: ThreadSanitizer"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CatalogueCase,
    ::testing::Values(Contract{"02_double_acquire", 1, "self_deadlock: thread T1 locks racelab::mutex"},
                      Contract{"03_circular_wait", 20, "cycle of 2 "},
                      Contract{"04_livelock", 1, "): livelock: "},
                      Contract{"05_dining_philosophers", 20, "cycle of 5 "},
                      Contract{"06_bank_account", 200, "): "},
                      Contract{"07_seat_booking", 200, "): "},
                      Contract{"08_lazy_init", 200, "): "},
                      Contract{"09_event_flag", 200, "): "},
                      Contract{"10_relaxed_publish", 200, "): "},
                      Contract{"11_forgotten_unlock", 20, "racelab::mutex M1 at cases/11_forgotten_unlock/buggy.cpp:16"},
                      Contract{"12_lost_wakeup", 20, "and nobody can release it"},
                      Contract{"13_thread_leak", 200, "T1 was still running when the run's body returned"},
                      Contract{"14_barrier_count", 20, "waits on a racelab::barrier at cases/14_barrier_count/buggy.cpp:"},
                      Contract{"15_semaphore_limit", 200, "bookings at once, limit 3"},
                      Contract{"16_lock_handoff", 20, "racelab::mutex M"},
                      Contract{"17_detached_lifetime", 200, "): "},
                      Contract{"18_iterator_invalidation", 200, "): "},
                      Contract{"19_message_queue", 50, "): "},
                      Contract{"20_shutdown_race", 200, "): "},
                      Contract{"21_pool_swallowed_exception", 200, "order 7: quantity 'x' is not a number) and nobody retrieved it"},
                      Contract{"22_timer_cancel", 200, "): "},
                      Contract{"23_rw_upgrade", 20, "a shared lock cannot be upgraded"},
                      Contract{"24_aba_stack", 200, "): "}),
    [](const auto& info) { return info.param.id; });

}  // namespace
