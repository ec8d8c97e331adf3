// no_leftovers.h — no test may leave a process behind.
//
// racelab runs programs that fork, daemonize and hang on purpose; whatever
// they leave running must be found and reported, not left to pile up on the
// machine. The test process makes itself a child subreaper
// (prctl(PR_SET_CHILD_SUBREAPER)): an orphan anywhere below it, even one
// that called setsid() or double-forked, is re-parented to the test process
// instead of init, so descendants_of(getpid()) still finds it.
//
// In a test file:
//   static const bool no_leftovers = (racelab::testing::register_no_process_left_behind(), true);
// and, per test, EXPECT_THAT(racelab::testing::leftovers_now(), ::testing::IsEmpty()).
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace racelab::testing {

// NoProcessLeftBehind — a GoogleTest global environment.
//   SetUp()     makes the test process a child subreaper.
//   TearDown()  waits up to 2 s (polling every 20 ms, reaping zombies) for
//               the test process to have no descendant left; any that remain
//               are a test failure (ADD_FAILURE, one line per process: pid
//               and command line), then killed with SIGKILL and reaped.
class NoProcessLeftBehind : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;
};

// Adds one NoProcessLeftBehind to GoogleTest's global environments (once,
// however often it is called). Call it before RUN_ALL_TESTS(), e.g. from a
// static initializer.
void register_no_process_left_behind();

// The test process's live descendants now, one "pid 1234: /path/prog arg…"
// each (empty: none). Reaps nothing, kills nothing.
std::vector<std::string> leftovers_now();

}  // namespace racelab::testing
