// racelab --help, racelab help: a screen for a newcomer, the full text a
// command away, and the reference tables generated from the code.
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "racelab/verdict.h"
#include "racelab_cli.h"

namespace {

using racelab::testing::ChildResult;
using racelab::testing::read_file;
using racelab::testing::run_racelab;

int lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

TEST(Help, TheTopLevelHelpFitsAScreenWithALinePerCommand) {
  const ChildResult r = run_racelab({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_LE(lines(r.out), 30) << r.out;
  for (const char* command : {"list", "run", "properties", "flags", "exec", "report", "gate", "merge", "bench", "help"})
    EXPECT_NE(r.out.find(std::string("\n  ") + command + " "), std::string::npos) << command << " in\n" << r.out;
  // The exit-code convention once; no command's own paragraph.
  EXPECT_NE(r.out.find("Exit codes: 0 everything as expected"), std::string::npos);
  EXPECT_EQ(r.out.find("racelab's keeper"), std::string::npos) << r.out;
}

TEST(Help, ACommandsFullTextIsItsHelpAndHelpCmd) {
  const ChildResult flag = run_racelab({"exec", "--help"});
  const ChildResult help = run_racelab({"help", "exec"});
  EXPECT_EQ(flag.exit_code, 0);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_EQ(flag.out, help.out);
  for (const char* words : {"--budget", "racelab's keeper", "Exit codes: 0 every run clean"})
    EXPECT_NE(help.out.find(words), std::string::npos) << words << " in\n" << help.out;
}

TEST(Help, TopicsNameTheirPageAndAnUnknownOneIsAUsageError) {
  const ChildResult ci = run_racelab({"help", "ci"});
  EXPECT_EQ(ci.exit_code, 0);
  EXPECT_NE(ci.out.find("docs/ci.md"), std::string::npos) << ci.out;
  EXPECT_TRUE(std::filesystem::is_regular_file(RACELAB_SOURCE_DIR "/docs/ci.md"));
  const ChildResult unknown = run_racelab({"help", "nonsense"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no help on 'nonsense'"), std::string::npos) << unknown.err;
}

// docs/verdicts.md and docs/strategies.md are what the code's tables make,
// and name every verdict and strategy (they cannot drift from the code).
TEST(Help, DocsPagesAreTheGeneratedOnes) {
  for (const std::string topic : {"verdicts", "strategies"}) {
    const ChildResult r = run_racelab({"help", topic, "--markdown"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_file(RACELAB_BUILD_DIR "/docs/" + topic + ".md"), r.out) << topic;
    EXPECT_EQ(read_file(RACELAB_SOURCE_DIR "/docs/" + topic + ".md"), r.out)
        << "docs/" << topic << ".md is not the generated page: cp " << RACELAB_BUILD_DIR << "/docs/" << topic
        << ".md docs/";
  }
  const std::string verdicts = read_file(RACELAB_SOURCE_DIR "/docs/verdicts.md");
  for (const auto& v : racelab::kVerdicts)
    EXPECT_NE(verdicts.find("| `" + std::string(v.name) + "` |"), std::string::npos) << v.name;
  const std::string strategies = read_file(RACELAB_SOURCE_DIR "/docs/strategies.md");
  for (const auto& s : racelab::kStrategies)
    EXPECT_NE(strategies.find("| `" + std::string(s.name) + "` |"), std::string::npos) << s.name;
}

// docs/driver.md states each command's exit codes as its --help does.
TEST(Help, TheDriverPageStatesEachCommandsExitCodesAsItsHelp) {
  const auto squeeze = [](const std::string& text) {  // every run of white space one space
    std::string out;
    bool space = false;
    for (char c : text) {
      if (std::isspace(static_cast<unsigned char>(c))) {
        space = true;
        continue;
      }
      if (space && !out.empty()) out += ' ';
      space = false;
      out += c;
    }
    return out;
  };
  const std::string page = squeeze(read_file(RACELAB_SOURCE_DIR "/docs/driver.md"));
  for (const char* command : {"list", "run", "merge", "properties", "bench", "exec", "flags", "report", "gate", "help"}) {
    const ChildResult r = run_racelab({command, "--help"});
    ASSERT_EQ(r.exit_code, 0) << command;
    const auto at = r.out.find("Exit codes:");
    ASSERT_NE(at, std::string::npos) << command << " --help states no exit codes";
    const std::string codes = r.out.substr(at, r.out.find('\n', at) - at);
    EXPECT_NE(page.find(squeeze(codes)), std::string::npos) << "docs/driver.md lacks, for " << command << ":\n" << codes;
  }
}

// The docs do not go stale on options: every --option that README.md or a
// docs/ page gives a racelab command (up to a `--` that starts a program's
// own arguments) is one of that command's options.
TEST(Help, EveryOptionTheDocsGiveACommandIsOneOfItsOptions) {
  std::vector<std::string> pages = {RACELAB_SOURCE_DIR "/README.md"};
  for (const auto& entry : std::filesystem::directory_iterator(RACELAB_SOURCE_DIR "/docs"))
    if (entry.path().extension() == ".md") pages.push_back(entry.path());
  std::map<std::string, std::string> help;  // command -> its --help
  const std::regex use(R"(racelab (list|run|properties|flags|exec|report|gate|merge|bench|help)\b([^`|&;]*))");
  const std::regex option(R"((^|[^\w-])(--[a-z][a-z0-9-]*))");
  int checked = 0;
  for (const std::string& page : pages) {
    std::istringstream lines(read_file(page));
    int number = 0;
    for (std::string line; std::getline(lines, line);) {
      ++number;
      for (std::sregex_iterator m(line.begin(), line.end(), use), end; m != end; ++m) {
        const std::string command = (*m)[1];
        std::string rest = (*m)[2];
        rest = rest.substr(0, rest.find(" -- "));
        if (!help.contains(command)) help[command] = run_racelab({command, "--help"}).out;
        for (std::sregex_iterator o(rest.begin(), rest.end(), option); o != end; ++o) {
          ++checked;
          EXPECT_NE(help[command].find((*o)[2].str()), std::string::npos)
              << page << ":" << number << ": racelab " << command << " has no " << (*o)[2] << "\n  " << line;
        }
      }
    }
  }
  EXPECT_GT(checked, 50) << "the docs name racelab's options";
}

}  // namespace
