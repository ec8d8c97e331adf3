// The examples of README.md and docs/: every command line of their `sh` and
// `console` blocks is run, as written, from a scratch directory where
// `build/tsan` is this build and the user's files the examples name
// (my_prog.cpp, my_tests, ci/racelab-baseline.json, …) exist. A `console`
// block's output must be what the command prints, up to what it elides
// ("…"), its numbers and its line breaks. What is not run here is listed in
// kNotRunHere with the reason, so a new example cannot slip by unrun.
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "racelab_cli.h"

namespace {

namespace fs = std::filesystem;
using racelab::testing::ChildResult;
using racelab::testing::make_temp_dir;
using racelab::testing::read_file;
using racelab::testing::run_child;
using racelab::testing::write_file;

struct Example {
  std::string page;     ///< README.md or docs/NAME.md
  std::string command;  ///< one command line, continuations joined, comment cut
  std::string output;   ///< what a console block shows it printing; empty for sh
};

// Lines the test does not run, each for a reason; an entry that matches no
// example fails the test (the list cannot outlive the docs).
struct NotRun {
  const char* start;  ///< a command beginning with this
  const char* why;
};
constexpr NotRun kNotRunHere[] = {
    {"toolchain/bootstrap", "the README's two commands: .ci/run runs the test command on a clean clone"},
    {"cmake ", "building racelab: .ci/run, and tests/install for the installed package"},
    {"ctest ", "racelab's own tests: this is one of them"},
    {"build/tsan/racelab bench", "the benchmarks (minutes): docs/benchmarks.md and docs/programs.md are their output"},
    {"build/tsan/racelab run all", "the whole catalogue (minutes): cases_test runs every case"},
    {"PKG_CONFIG_PATH=/opt/racelab", "an installed racelab: tests/install runs pkg-config on one"},
};

bool not_run(const std::string& command, std::set<std::string>& used) {
  for (const NotRun& n : kNotRunHere)
    if (command.rfind(n.start, 0) == 0) {
      used.insert(n.start);
      return true;
    }
  // A placeholder ("…") stands for what the reader fills in.
  return command.find("…") != std::string::npos;
}

std::vector<std::string> pages() {
  std::vector<std::string> out{"README.md"};
  std::vector<std::string> docs;
  for (const auto& entry : fs::directory_iterator(RACELAB_SOURCE_DIR "/docs"))
    if (entry.path().extension() == ".md") docs.push_back("docs/" + entry.path().filename().string());
  std::sort(docs.begin(), docs.end());
  out.insert(out.end(), docs.begin(), docs.end());
  return out;
}

// A shell line's comment: from a `#` after two spaces (the docs' style) on.
std::string cut_comment(std::string line) {
  const auto hash = line.find("  #");
  if (hash != std::string::npos) line.erase(hash);
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

std::vector<Example> examples() {
  std::vector<Example> out;
  for (const std::string& page : pages()) {
    std::istringstream in(read_file(std::string(RACELAB_SOURCE_DIR "/") + page));
    std::string line, fence;
    bool inside = false;
    std::string pending;  // an sh line continued with a backslash
    for (; std::getline(in, line);) {
      if (line.rfind("```", 0) == 0) {
        inside = !inside;
        fence = inside ? line.substr(3) : "";
        continue;
      }
      if (!inside) continue;
      if (fence == "sh") {
        line = cut_comment(line);
        if (!line.empty() && line.back() == '\\') {
          pending += line.substr(0, line.size() - 1);
          continue;
        }
        line = pending + line;
        pending.clear();
        if (!line.empty()) out.push_back({page, line, ""});
      } else if (fence == "console") {
        if (line.rfind("$ ", 0) == 0)
          out.push_back({page, line.substr(2), ""});
        else if (!line.empty() && !out.empty())
          out.back().output += line + "\n";
      }
    }
  }
  return out;
}

// The pattern a console block's output stands for: "…" elides anything,
// every number is any number, any run of spaces and line breaks is one.
std::regex shown(const std::string& output) {
  static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
  std::string pattern;
  std::string text = output;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  size_t at = 0;
  while (at < text.size()) {
    if (text.compare(at, 3, "…") == 0) {
      pattern += "[\\s\\S]*?";
      at += 3;
    } else if (std::isdigit(static_cast<unsigned char>(text[at]))) {
      while (at < text.size() && (std::isdigit(static_cast<unsigned char>(text[at])) || text[at] == '.')) ++at;
      pattern += "[0-9.]+";
    } else if (std::isspace(static_cast<unsigned char>(text[at]))) {
      while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at]))) ++at;
      pattern += "\\s+";
    } else {
      pattern += std::regex_replace(std::string(1, text[at]), special, "\\$&");
      ++at;
    }
  }
  return std::regex(pattern, std::regex::ECMAScript);
}

// The user's side of the examples: a racy program in C++ and in C, a
// GoogleTest suite with a Pool suite, the baseline the CI examples name.
void stage_user_files(const std::string& dir) {
  fs::create_directories(dir + "/build");
  fs::create_symlink(RACELAB_BUILD_DIR, dir + "/build/tsan");
  const std::string programs = RACELAB_SOURCE_DIR "/tests/programs/unmodified/";
  fs::copy_file(programs + "race_counter_std.cpp", dir + "/my_prog.cpp");
  fs::copy_file(programs + "race_counter_std.cpp", dir + "/prog.cpp");
  fs::copy_file(programs + "race_counter_pthread.c", dir + "/my_prog.c");
  write_file(dir + "/tests.cpp", R"(#include <mutex>
#include <thread>
#include <gtest/gtest.h>
TEST(Pool, Locked) {
  std::mutex m;
  int n = 0;
  std::thread t([&] { std::lock_guard<std::mutex> g(m); ++n; });
  { std::lock_guard<std::mutex> g(m); ++n; }
  t.join();
  EXPECT_EQ(n, 2);
}
TEST(Pool, Racy) {
  int n = 0;
  std::thread t([&] { ++n; });
  ++n;
  t.join();
}
)");
  fs::create_directories(dir + "/ci");
  write_file(dir + "/ci/racelab-baseline.json", R"({"schema": "racelab.baseline", "schema_version": 2, "accepted": []})");
}

TEST(Examples, EveryCommandOfTheDocsRunsAsWritten) {
  if (!RACELAB_TSAN) GTEST_SKIP() << "the examples use build/tsan";
  const std::string dir = make_temp_dir("racelab-examples-");
  stage_user_files(dir);
  // `./my_tests` is what the suite above builds to, as own-code.md builds it.
  const ChildResult tests = run_child(
      {"/bin/sh", "-c", "cd " + dir + " && $(build/tsan/racelab flags --cxx --gtest) tests.cpp -lgtest_main -lgtest -o my_tests"},
      {}, std::chrono::seconds(180));
  ASSERT_EQ(tests.exit_code, 0) << tests.out << tests.err;

  std::set<std::string> used;
  int ran = 0;
  for (const Example& e : examples()) {
    if (not_run(e.command, used)) continue;
    SCOPED_TRACE(e.page + ": " + e.command);
    const ChildResult r = run_child({"/bin/sh", "-c", "cd " + dir + " && " + e.command}, {}, std::chrono::seconds(300));
    ++ran;
    // 0 as expected, 1 findings (the examples' programs are racy); 2 usage
    // or 3 a problem means the example is wrong.
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << "exit " << r.exit_code << "\n" << r.out << r.err;
    if (!e.output.empty())
      EXPECT_TRUE(std::regex_search(r.out, shown(e.output))) << "the page shows\n" << e.output << "it printed\n" << r.out;
  }
  EXPECT_GE(ran, 15);
  for (const NotRun& n : kNotRunHere)
    EXPECT_TRUE(used.count(n.start)) << "no example starts with '" << n.start << "': drop it from kNotRunHere";
}

// The pattern itself: elisions, numbers and line breaks are free, words are not.
TEST(Examples, AConsoleBlockMatchesOnlyWhatItShows) {
  const std::regex p = shown("case: 200 runs, 186 failing (clean 14) — as expected (0.12 s)\n  re-run: /…/case --seed 3\n");
  EXPECT_TRUE(std::regex_search("case: 20 runs, 1 failing (clean 19) — as expected (3.5 s)\n  re-run: /tmp/x/y/case --seed 77\n", p));
  EXPECT_TRUE(std::regex_search("case: 20 runs, 1 failing (clean 19) — as expected\n(3.5 s) re-run: /a/case --seed 7", p));
  EXPECT_FALSE(std::regex_search("case: 20 runs, 1 failing (clean 19) — NOT as expected (3.5 s)\n re-run: /a/case --seed 7", p));
  EXPECT_FALSE(std::regex_search("case: 20 runs, 1 failing (deadlock 19) — as expected (3.5 s) re-run: /a/case --seed 7", p));
}

}  // namespace
