// Strategy controlled (harness/intercept/control.cpp) on the corpus of
// tests/programs/unmodified, run by `racelab exec --strategy controlled`:
// every program gets the verdict its header promises, a hang or deadlock is
// named by the runtime at once (never by the timeout), TSan still reports
// every race while the threads take turns, every correct program stays
// clean, and every failing run replays to the same verdict and steps.
#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child.h"
#include "programs.h"
#include "racelab_cli.h"

namespace racelab::driver {
void PrintTo(const ProgramHeader& p, std::ostream* os);
}  // namespace racelab::driver

namespace racelab::testing {
namespace {

using nlohmann::json;
using Program = driver::ProgramHeader;

std::vector<Program> corpus() { return driver::read_program_manifest(RACELAB_TEST_PROGRAMS_DIR "/unmodified"); }

std::string path_of(const Program& p) { return RACELAB_TEST_PROGRAMS_DIR "/unmodified/" + p.name; }

// `racelab exec --strategy controlled` of `p`, `runs` runs from campaign
// seed `seed`, into `dir`; `more` goes before the program.
json exec_controlled(const Program& p, int runs, int seed, const std::string& dir,
                     std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"exec", "--strategy", "controlled", "--runs", std::to_string(runs), "--jobs", "2",
                                   "--seed", std::to_string(seed), "--timeout", std::to_string(p.timeout_s),
                                   "--out", dir};
  args.insert(args.end(), more.begin(), more.end());
  args.insert(args.end(), {"--", path_of(p)});
  const ChildResult r = run_racelab(args);
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.out << r.err;
  return summary_of(dir).at("results").at(0);
}

// A schedule as a summary holds it: the text, or "@FILE" for a long one.
std::string schedule_text(const std::string& schedule) {
  return schedule.starts_with("@") ? read_file(schedule.substr(1)) : schedule;
}

bool expects_any(const Program& p, std::initializer_list<const char*> verdicts) {
  return std::any_of(verdicts.begin(), verdicts.end(), [&](const char* v) { return p.expect.contains(v); });
}

class Controlled : public ::testing::TestWithParam<Program> {};

// The verdict the header promises within its budget; a hang, deadlock or
// livelock named by the runtime, not by the run's timeout.
TEST_P(Controlled, IsJudgedAsItsHeaderSays) {
  const Program& p = GetParam();
  const std::string dir = make_temp_dir("racelab-controlled-");
  const json result =
      exec_controlled(p, p.runs, 1, dir, p.clean() ? std::vector<std::string>{} : std::vector<std::string>{"--stop-on-first"});
  EXPECT_TRUE(result.at("problems").empty()) << result.at("problems");
  const json& verdicts = result.at("verdicts");
  if (p.clean()) {
    EXPECT_EQ(result.at("failing_runs"), 0) << verdicts << "\n" << result.value("first_failure", json{}).dump(1);
    return;
  }
  ASSERT_GE(result.at("failing_runs").get<int>(), 1) << "not caught in " << p.runs << " runs: " << verdicts;
  for (const auto& [verdict, count] : verdicts.items())
    EXPECT_TRUE(verdict == "clean" || p.expect.contains(verdict))
        << count << " run(s) judged " << verdict << "\n" << result.at("verdict_groups").dump(1);
  const json& failure = result.at("first_failure");
  std::string text = failure.at("detail").get<std::string>();
  for (const json& group : result.at("verdict_groups")) text += "\n" + group.value("where", "");
  for (const std::string& words : p.where) EXPECT_NE(text.find(words), std::string::npos) << words << " in:\n" << text;
  if (expects_any(p, {"hang", "deadlock", "livelock", "self_deadlock"}))
    EXPECT_EQ(text.find("did not finish within"), std::string::npos) << "judged by the timeout:\n" << text;
  // The failure carries its schedule and the command replays it.
  ASSERT_TRUE(failure.contains("controlled")) << failure.dump(1);
  EXPECT_NE(failure.at("command").get<std::string>().find("RACELAB_STRATEGY=controlled"), std::string::npos);
}

// The failing run, replayed from its schedule alone (`racelab exec
// --replay`, another campaign seed): the same verdict, the same steps.
TEST_P(Controlled, AFailingRunReplaysToTheSameVerdictAndSteps) {
  const Program& p = GetParam();
  if (p.clean()) GTEST_SKIP() << "a correct program: nothing fails";
  const json first = exec_controlled(p, p.runs, 1, make_temp_dir("racelab-controlled-"), {"--stop-on-first"});
  ASSERT_GE(first.at("failing_runs").get<int>(), 1) << first.at("verdicts");
  const json& failure = first.at("first_failure");
  ASSERT_TRUE(failure.contains("controlled")) << failure.dump(1);
  const json& controlled = failure.at("controlled");
  // Only a wait for the world outside the program's threads costs
  // replayability: a pipe or a timed wait between its own threads does not.
  if (p.name == "hang_fork_holding_lock") {
    EXPECT_NE(controlled.at("not_replayable").get<std::string>().find("a wait for a child process"), std::string::npos)
        << controlled.at("not_replayable");
    return;
  }
  ASSERT_EQ(controlled.at("not_replayable"), "");
  const std::string schedule = controlled.at("schedule");
  if (schedule.empty()) GTEST_SKIP() << "a failure before any choice: nothing to replay";
  for (int time = 0; time < 2; ++time) {
    const json again =
        exec_controlled(p, 1, 1000 + time, make_temp_dir("racelab-replay-"), {"--replay", schedule});
    ASSERT_EQ(again.at("failing_runs"), 1) << again.at("verdicts");
    const json& replayed = again.at("first_failure");
    EXPECT_EQ(replayed.at("verdict"), failure.at("verdict"));
    EXPECT_EQ(replayed.at("controlled").at("trace"), controlled.at("trace")) << "other steps than the original's";
    EXPECT_EQ(schedule_text(replayed.at("controlled").at("schedule")), schedule_text(schedule));
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, Controlled, ::testing::ValuesIn(corpus()),
                         [](const ::testing::TestParamInfo<Program>& info) { return info.param.name; });

// The threads never run at once, yet ThreadSanitizer reports each race of
// the corpus in every run: the hand-over adds no happens-before edge.
TEST(ControlledRaces, TsanReportsEveryRaceInEachOfTwentyRuns) {
  int programs = 0;
  for (const Program& p : corpus()) {
    if (p.expect != std::set<std::string>{"data_race"}) continue;
    ++programs;
    const json result = exec_controlled(p, 20, 1, make_temp_dir("racelab-controlled-race-"));
    EXPECT_EQ(result.at("verdicts").value("data_race", 0), 20) << p.name << ": " << result.at("verdicts");
  }
  EXPECT_GE(programs, 3);
}

// TSan printing a report talks to its symbolizer, a child process, and may
// wait on it longer than the watchdog's bound: that is TSan's work, not a
// call that waits for the world, and the run stays replayable.
TEST(ControlledRaces, ASlowSymbolizerCostsNoReplayability) {
  if (!std::filesystem::exists(RACELAB_LLVM_SYMBOLIZER)) GTEST_SKIP() << "no " << RACELAB_LLVM_SYMBOLIZER;
  // Named as TSan expects it, and slow: half a second before each start.
  const std::string dir = make_temp_dir("racelab-slow-symbolizer-");
  const std::string symbolizer = dir + "/llvm-symbolizer";
  write_file(symbolizer, std::string("#!/bin/sh\nsleep 0.5\nexec ") + RACELAB_LLVM_SYMBOLIZER + " \"$@\"\n");
  std::filesystem::permissions(symbolizer, std::filesystem::perms::owner_all);
  const std::string out = make_temp_dir("racelab-controlled-race-");
  const ChildResult r = run_racelab({"exec", "--strategy", "controlled", "--runs", "4", "--jobs", "2", "--out", out, "--",
                                     RACELAB_TEST_PROGRAMS_DIR "/unmodified/race_counter_std"},
                                    {{"TSAN_OPTIONS", "external_symbolizer_path=" + symbolizer}});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  const json result = summary_of(out).at("results").at(0);
  ASSERT_EQ(result.at("verdicts").value("data_race", 0), 4) << result.at("verdicts");
  EXPECT_EQ(result.at("first_failure").at("controlled").at("not_replayable"), "");
}

// A bug that needs one interleaving is caught under each of 20 seeds within
// its budget (the programs whose header says `strategy: controlled`).
TEST(ControlledRare, EachIsCaughtUnderEverySeed) {
  int programs = 0;
  for (const Program& p : corpus()) {
    if (p.strategy != "controlled" || p.seeds < 20) continue;
    ++programs;
    for (int seed = 1; seed <= p.seeds; ++seed) {
      const json result = exec_controlled(p, p.runs, seed, make_temp_dir("racelab-controlled-seed-"), {"--stop-on-first"});
      EXPECT_GE(result.at("failing_runs").get<int>(), 1)
          << p.name << ", seed " << seed << ": not caught in " << p.runs << " runs: " << result.at("verdicts");
    }
  }
  EXPECT_GE(programs, 3);
}

// Timed waits time out in logical time: a program that waits 65 s on its
// own clock (sleeps, condition_variable::wait_for, try_lock_for, a future's
// wait_for) runs clean within a 5 s limit, its waits each as long as the
// program's clock says; without control the same waits are real and the
// limit ends it.
TEST(ControlledTime, TimedWaitsTakeLogicalTimeNotRealTime) {
  const std::string program = RACELAB_TEST_PROGRAMS_DIR "/controlled/long_waits";
  const auto exec = [&](const char* strategy, int runs, int timeout_s) {
    const std::string dir = make_temp_dir("racelab-controlled-time-");
    const ChildResult r = run_racelab({"exec", "--strategy", strategy, "--runs", std::to_string(runs), "--jobs", "2",
                                       "--timeout", std::to_string(timeout_s), "--out", dir, "--", program});
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.out << r.err;
    return summary_of(dir).at("results").at(0);
  };
  const json controlled = exec("controlled", 10, 5);
  EXPECT_EQ(controlled.at("verdicts"), json({{"clean", 10}})) << controlled.value("first_failure", json{}).dump(1);
  const json real = exec("none", 1, 1);
  EXPECT_EQ(real.at("failing_runs"), 1) << real.at("verdicts");
}

}  // namespace
}  // namespace racelab::testing
