// `racelab properties` (harness/driver/commands/properties.cpp).
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

}  // namespace

namespace {

// `racelab properties`: the catalogue's property campaign through the
// driver, into the summaries.
TEST(Properties, TheCampaignLandsInTheSummaries) {
  const std::string out = make_temp_dir("racelab-properties-");
  ChildResult r = run_racelab({"properties", "19_message_queue", "--programs", "10", "--schedules", "3",
                               "--out", out});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto results = summary_of(out).at("results");
  ASSERT_EQ(results.size(), 2u) << results.dump(2);
  for (const auto& result : results) {
    EXPECT_EQ(result.at("case"), "19_message_queue");
    EXPECT_EQ(result.at("strategy"), "property");
    EXPECT_TRUE(result.at("as_expected").get<bool>()) << result.dump(2);
  }
  const auto& buggy = results.at(0).at("variant") == "buggy" ? results.at(0) : results.at(1);
  EXPECT_EQ(buggy.at("failing_runs"), 1);
  EXPECT_NE(buggy.at("first_failure").at("detail").get<std::string>().find("time | T0"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(out + "/junit.xml"));

  ChildResult none = run_racelab({"properties", "03_circular_wait", "--out", out + "/none"});
  EXPECT_EQ(none.exit_code, 2) << none.out << none.err;
}

}  // namespace
