// racelab_cli.h — the built racelab driver and the harness's test case
// program, for tests that run them as child processes. Header-only: the
// paths come from the test target's RACELAB_BUILD_DIR.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child.h"

namespace racelab::testing {

inline const std::string kRacelab = RACELAB_BUILD_DIR "/racelab";
/// Where case_99_verdicts lives: a catalogue of one, apart from cases/.
inline const std::string kTestCases = RACELAB_BUILD_DIR "/test_cases";

// run_racelab() — the driver with `args`, the environment plus `env`. It
// runs under a keeper (process.h) like any child: a process racelab left
// running when it ended would be re-parented to that keeper and reported in
// `leaked` — a test failure, whatever the test checks.
inline ChildResult run_racelab(std::vector<std::string> args,
                               const std::map<std::string, std::string>& env = {}) {
  args.insert(args.begin(), kRacelab);
  ChildResult r = run_child(args, env, std::chrono::seconds(120));
  std::string leaked;
  for (const std::string& l : r.leaked) leaked += "\n  " + l;
  EXPECT_TRUE(r.leaked.empty()) << "racelab left processes running:" << leaked;
  return r;
}

// summary_of() — DIR/summary.json as written by `racelab run` or `merge`.
inline nlohmann::json summary_of(const std::string& out_dir) {
  return nlohmann::json::parse(read_file(out_dir + "/summary.json"));
}

}  // namespace racelab::testing
