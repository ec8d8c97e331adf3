// `racelab report` (harness/driver/commands/report.cpp) on logs racelab did not write.
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

// Logs are not always UTF-8 (program output, mangled names): the summaries
// are still written, with U+FFFD for what is not.
TEST(Report, IllFormedUtf8InALogStillGivesSummaries) {
  const std::string out = make_temp_dir("racelab-report-");
  racelab::testing::write_file(out + "/tsan.1",
                               "==================\n"
                               "WARNING: ThreadSanitizer: data race (pid=1)\n"
                               "  Write of size 4 at 0x1 by thread T1:\n"
                               "    #0 bad\xff\xfe() /src/a.cpp:3:5 (a+0x1)\n\n"
                               "  Previous read of size 4 at 0x1 by main thread:\n"
                               "    #0 main /src/a.cpp:9:5 (a+0x2)\n\n"
                               "SUMMARY: ThreadSanitizer: data race /src/a.cpp:3:5 in bad\xff\xfe()\n"
                               "==================\n");
  ChildResult r = run_racelab({"report", "--out", out + "/s", out + "/tsan.1"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string json = read_file(out + "/s/summary.json");
  EXPECT_NE(json.find("bad\xef\xbf\xbd\xef\xbf\xbd()"), std::string::npos) << json;
  EXPECT_TRUE(std::filesystem::exists(out + "/s/results.sarif"));
}

}  // namespace
