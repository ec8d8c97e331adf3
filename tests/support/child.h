// child.h — run a program as a child process from a test and see how it ended.
//
// Tests of programs that must race, crash or hang never run that code in the
// test process: they start it as a child with a time limit, so a deliberate
// deadlock can never hang the test runner. The process handling is the
// driver's own (harness/driver/process.h).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

#include "process.h"

namespace racelab::testing {

/// exit_code (or -1), signal (or 0), timed_out, out, err.
using ChildResult = racelab::driver::ProcessResult;

// run_child()
//
// Runs argv[0] (a path) with argv, the current environment plus `env`
// (overriding), and no standard input. Waits at most `limit`; on time-out the
// child's whole process group is killed. Never leaves a zombie.
// GoogleTest's sharding variables of a sharded test run do not reach the
// child (racelab honours them) unless `env` sets them; empty counts as unset.
inline ChildResult run_child(const std::vector<std::string>& argv,
                             std::map<std::string, std::string> env = {},
                             std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  env.try_emplace("GTEST_TOTAL_SHARDS", "");
  env.try_emplace("GTEST_SHARD_INDEX", "");
  return racelab::driver::run_captured(argv, limit, env);
}

// processes_with() — how many processes have a command line that contains
// every one of `needles` (read from /proc: no ps needed).
int processes_with(const std::vector<std::string>& needles);

// descendants_of() — every live process below `root` (its children, their
// children, …), `root` itself excluded, in pid order; read from the ppid of
// /proc/PID/stat. Zombies are not live and are left out (a process whose
// main thread exited while other threads run is kept). A process that has
// left the tree (re-parented to init or a subreaper outside it) is not
// found: see no_leftovers.h for a test process that is a subreaper.
std::vector<pid_t> descendants_of(pid_t root);

// read_file() — a whole file as text ("" when it cannot be read).
std::string read_file(const std::string& path);

// write_file() — replaces a file's contents (test fixtures).
void write_file(const std::string& path, const std::string& text);

// make_temp_dir() — a fresh directory under $TMPDIR (or /tmp), removed with
// everything in it when the test program ends.
std::string make_temp_dir(const std::string& prefix);

}  // namespace racelab::testing
