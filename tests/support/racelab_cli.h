// racelab_cli.h — the built racelab driver and the harness's test case
// program, for tests that run them as child processes. Header-only: the
// paths come from the test target's RACELAB_BUILD_DIR.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "child.h"

namespace racelab::testing {

inline const std::string kRacelab = RACELAB_BUILD_DIR "/racelab";
/// Where case_99_verdicts lives: a catalogue of one, apart from cases/.
inline const std::string kTestCases = RACELAB_BUILD_DIR "/test_cases";

// run_racelab() — the driver with `args`, the environment plus `env`.
inline ChildResult run_racelab(std::vector<std::string> args,
                               const std::map<std::string, std::string>& env = {}) {
  args.insert(args.begin(), kRacelab);
  return run_child(args, env, std::chrono::seconds(120));
}

// summary_of() — DIR/summary.json as written by `racelab run` or `merge`.
inline nlohmann::json summary_of(const std::string& out_dir) {
  return nlohmann::json::parse(read_file(out_dir + "/summary.json"));
}

}  // namespace racelab::testing
