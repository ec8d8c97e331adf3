// What `racelab run` and `racelab exec` write, checked by other tools: the
// SARIF by Microsoft's official validator (installed by toolchain/bootstrap
// into toolchain/sarif), the HTML by headless Chromium (Debian's chromium),
// which must load it without a console message. The screenshot is kept in
// <build>/artifacts/summary.png.
#include <filesystem>
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "racelab_cli.h"

namespace {

using racelab::testing::ChildResult;
using racelab::testing::make_temp_dir;
using racelab::testing::read_file;
using racelab::testing::run_child;
using racelab::testing::run_racelab;

const std::string kValidator = RACELAB_SOURCE_DIR "/toolchain/sarif/node_modules/.bin/sarif-multitool";
const std::string kChromium = "/usr/bin/chromium";
const std::string kRacyProgram = RACELAB_TEST_PROGRAMS_DIR "/exec_target";

// Summaries with findings of several kinds: a catalogue run with a race, a
// self-deadlock, a deadlock; and a program outside the catalogue.
const std::string& outputs() {
  static const std::string dir = [] {
    const std::string out = make_temp_dir("racelab-outputs-");
    ChildResult run = run_racelab({"run", "01", "02", "03", "--variant", "both", "--runs", "20",
                                   "--out", out + "/lab"});
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    ChildResult exec = run_racelab(
        {"exec", "--runs", "5", "--out", out + "/exec", "--", kRacyProgram, "race"});
    EXPECT_EQ(exec.exit_code, 1) << exec.out << exec.err;
    return out;
  }();
  return dir;
}

// The validator's error lines ("FILE(line,col): error CODE: …"); it exits 0
// either way.
std::string validation_errors(const std::string& sarif) {
  ChildResult r = run_child({kValidator, "validate", sarif}, {}, std::chrono::seconds(120));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("1 files scanned"), std::string::npos) << r.out << r.err;
  std::string errors;
  static const std::regex error_line(R"(\): error [A-Z]+[0-9]+:)");
  std::size_t start = 0;
  const std::string all = r.out + r.err;
  while (start < all.size()) {
    std::size_t end = all.find('\n', start);
    if (end == std::string::npos) end = all.size();
    const std::string line = all.substr(start, end - start);
    if (std::regex_search(line, error_line)) errors += line + "\n";
    start = end + 1;
  }
  return errors;
}

TEST(Outputs, SarifPassesTheOfficialValidator) {
  ASSERT_TRUE(std::filesystem::exists(kValidator)) << kValidator << " is missing: run toolchain/bootstrap --dev";
  for (const char* summary : {"/lab/results.sarif", "/exec/results.sarif"}) {
    const std::string path = outputs() + summary;
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    EXPECT_EQ(validation_errors(path), "") << path;
  }
  // The validator does find errors: a file without a tool name is one.
  const std::string broken = outputs() + "/broken.sarif";
  std::string text = read_file(outputs() + "/lab/results.sarif");
  text.replace(text.find("\"name\": \"racelab\""), 17, "\"nome\": \"racelab\"");
  racelab::testing::write_file(broken, text);
  EXPECT_NE(validation_errors(broken), "");
}

TEST(Outputs, HtmlLoadsInHeadlessChromiumWithoutConsoleMessages) {
  ASSERT_TRUE(std::filesystem::exists(kChromium)) << kChromium << " is missing: run toolchain/bootstrap --dev";
  const std::string artifacts = RACELAB_BUILD_DIR "/artifacts";
  std::filesystem::create_directories(artifacts);
  for (const char* page : {"/lab/summary.html", "/exec/summary.html"}) {
    const std::string html = outputs() + page;
    const std::string shot = artifacts + (std::string(page).starts_with("/lab") ? "/summary.png" : "/exec-summary.png");
    std::filesystem::remove(shot);
    ChildResult r = run_child({kChromium, "--headless", "--no-sandbox", "--disable-gpu",
                               "--enable-logging=stderr", "--v=0", "--window-size=1280,2400",
                               "--user-data-dir=" + outputs() + "/chromium-profile",
                               "--screenshot=" + shot, "file://" + html},
                              {}, std::chrono::seconds(120));
    EXPECT_FALSE(r.timed_out);
    // Every console message (a script error, a blocked resource, a log) is a
    // line tagged CONSOLE; a page that loads cleanly prints none.
    EXPECT_EQ(r.err.find(":CONSOLE"), std::string::npos) << html << "\n" << r.err;
    EXPECT_TRUE(std::filesystem::exists(shot) && std::filesystem::file_size(shot) > 10'000)
        << shot << "\n" << r.err;
  }
  // The check sees console errors: a page with a broken script has one.
  const std::string broken = outputs() + "/broken.html";
  racelab::testing::write_file(broken, "<!doctype html><title>x</title><script>nope();</script>");
  ChildResult r = run_child({kChromium, "--headless", "--no-sandbox", "--disable-gpu",
                             "--enable-logging=stderr", "--v=0",
                             "--user-data-dir=" + outputs() + "/chromium-profile", "--dump-dom",
                             "file://" + broken},
                            {}, std::chrono::seconds(120));
  EXPECT_NE(r.err.find(":CONSOLE"), std::string::npos) << r.err;
}

}  // namespace
