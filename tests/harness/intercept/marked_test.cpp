// racelab/unmodified.h's explicit scheduling point and progress mark, in
// plain std:: programs (tests/programs/marked): a retry loop that never
// progresses is a livelock under every strategy, the same loop that ends is
// clean, and a window marked with racelab::interleave() is one the
// strategies act in.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child.h"
#include "racelab_cli.h"

namespace racelab::testing {
namespace {

using nlohmann::json;

json exec(const std::string& program, const std::string& strategy, int runs, bool stop_on_first = false) {
  const std::string dir = make_temp_dir("racelab-marked-");
  std::vector<std::string> args = {"exec", "--strategy", strategy, "--runs", std::to_string(runs), "--jobs", "2",
                                   "--timeout", "20", "--out", dir};
  if (stop_on_first) args.push_back("--stop-on-first");
  args.insert(args.end(), {"--", RACELAB_TEST_PROGRAMS_DIR "/marked/" + program});
  const ChildResult r = run_racelab(args);
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.out << r.err;
  return summary_of(dir).at("results").at(0);
}

TEST(Marked, RetriesWithoutProgressAreALivelockUnderEveryStrategy) {
  for (const char* strategy : {"controlled", "portfolio", "none"}) {
    const json result = exec("polite_diners_forever", strategy, 3);
    EXPECT_EQ(result.at("verdicts"), json({{"livelock", 3}})) << strategy << ": " << result.at("verdicts");
    if (result.at("verdict_groups").empty()) continue;
    const std::string where = result.at("verdict_groups").at(0).at("where");
    EXPECT_EQ(where.find("unmodified.h"), std::string::npos) << where;
    EXPECT_NE(where.find("polite_diners.cpp:"), std::string::npos) << where;
    EXPECT_NE(result.at("first_failure").at("detail").get<std::string>().find("none marked progress"),
              std::string::npos);
  }
}

TEST(Marked, TheSameRetriesThatEndInProgressAreClean) {
  for (const auto& [strategy, runs] : {std::pair{"controlled", 300}, {"portfolio", 50}, {"none", 20}}) {
    const json result = exec("polite_diners", strategy, runs);
    EXPECT_EQ(result.at("failing_runs"), 0) << strategy << ": " << result.at("verdicts");
  }
}

// The window is one explicit point wide: under control the scheduler
// switches there; the update lost is the program's own failure.
TEST(Marked, AnExplicitPointIsAWindowTheSchedulerSwitchesIn) {
  const json result = exec("lost_update_window", "controlled", 50, true);
  ASSERT_GE(result.at("failing_runs").get<int>(), 1) << result.at("verdicts");
  EXPECT_NE(result.at("first_failure").at("detail").get<std::string>().find("an update was lost"), std::string::npos)
      << result.at("first_failure").dump(1);
}

}  // namespace
}  // namespace racelab::testing
