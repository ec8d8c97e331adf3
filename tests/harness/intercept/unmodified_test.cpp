// Programs written the way users write them (tests/programs/unmodified),
// linked with racelab's runtime for unmodified code and run by `racelab
// exec`: each buggy one is caught within its budget with the verdict and the
// words its header promises, each correct one stays clean.
//
// A program's first comment lines say what to expect:
//   // expect: deadlock|lock_order_inversion   the verdicts allowed (clean: none may fail)
//   // where: abba.cpp                          words the diagnosis must contain (repeatable)
//   // runs: 20                                 the budget (a buggy one stops at its first failing run)
//   // seeds: 20                                caught within the budget under each of seeds 1 … 20
//   // timeout: 3                               seconds per run (default 10)
//   // note: (a gate lock)                      words one of the result's notes must contain
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child.h"
#include "racelab_cli.h"

namespace racelab::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Program {
  std::string name;
  std::string source;
  std::set<std::string> expect;
  std::vector<std::string> where;
  std::vector<std::string> notes;
  int runs = 20;
  int seeds = 1;
  int timeout_s = 10;
};

// GoogleTest prints a failing parameter by its name, not its bytes.
void PrintTo(const Program& p, std::ostream* os) { *os << p.name; }

Program read_program(const fs::path& source) {
  Program p;
  p.name = source.stem().string();
  p.source = source.string();
  std::ifstream in(source);
  for (std::string line; std::getline(in, line) && line.starts_with("//");) {
    const std::string text = line.substr(line.find_first_not_of("/ "));
    const auto colon = text.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = text.substr(0, colon);
    std::string value = text.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    if (key == "expect") {
      std::stringstream alternatives(value);
      for (std::string v; std::getline(alternatives, v, '|');) p.expect.insert(v);
    } else if (key == "where") {
      p.where.push_back(value);
    } else if (key == "note") {
      p.notes.push_back(value);
    } else if (key == "runs") {
      p.runs = std::stoi(value);
    } else if (key == "seeds") {
      p.seeds = std::stoi(value);
    } else if (key == "timeout") {
      p.timeout_s = std::stoi(value);
    }
  }
  return p;
}

std::vector<Program> corpus() {
  std::vector<Program> programs;
  for (const auto& entry : fs::directory_iterator(RACELAB_SOURCE_DIR "/tests/programs/unmodified"))
    if (entry.path().extension() == ".c" || entry.path().extension() == ".cpp")
      programs.push_back(read_program(entry.path()));
  std::sort(programs.begin(), programs.end(), [](const Program& a, const Program& b) { return a.name < b.name; });
  return programs;
}

bool is_clean(const Program& p) { return p.expect == std::set<std::string>{"clean"}; }

// `racelab exec` of the program with campaign seed `seed`, into `dir`.
ChildResult exec(const Program& p, int seed, const std::string& dir) {
  std::vector<std::string> args = {"exec", "--runs", std::to_string(p.runs), "--jobs", "2", "--seed",
                                   std::to_string(seed), "--timeout", std::to_string(p.timeout_s), "--out", dir};
  if (!is_clean(p)) args.emplace_back("--stop-on-first");
  args.insert(args.end(), {"--", RACELAB_TEST_PROGRAMS_DIR "/unmodified/" + p.name});
  return run_racelab(args);
}

class Unmodified : public ::testing::TestWithParam<Program> {};

TEST_P(Unmodified, IsJudgedAsItsHeaderSays) {
  const Program& p = GetParam();
  ASSERT_FALSE(p.expect.empty()) << p.source << " has no `// expect:` line";
  const std::string dir = make_temp_dir("racelab-unmodified-");
  const ChildResult r = exec(p, 1, dir);
  const json result = summary_of(dir).at("results").at(0);
  EXPECT_TRUE(result.at("problems").empty()) << result.at("problems");
  // The runtime ran: no note says it is missing.
  for (const json& note : result.at("notes"))
    EXPECT_EQ(note.get<std::string>().find("not linked"), std::string::npos) << note;
  for (const std::string& words : p.notes)
    EXPECT_TRUE(std::any_of(result.at("notes").begin(), result.at("notes").end(),
                            [&](const json& n) { return n.get<std::string>().find(words) != std::string::npos; }))
        << words << " in none of " << result.at("notes");
  const json& verdicts = result.at("verdicts");
  if (is_clean(p)) {
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(result.at("failing_runs"), 0) << verdicts << "\n" << result.value("first_failure", json{}).dump(1);
    return;
  }
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  ASSERT_GE(result.at("failing_runs").get<int>(), 1) << "not caught in " << p.runs << " runs: " << verdicts;
  for (const auto& [verdict, count] : verdicts.items())
    EXPECT_TRUE(verdict == "clean" || p.expect.contains(verdict))
        << count << " run(s) judged " << verdict << "\n" << result.at("verdict_groups").dump(1);
  std::string text = result.at("first_failure").at("detail").get<std::string>();
  for (const json& group : result.at("verdict_groups")) text += "\n" + group.value("where", "");
  for (const std::string& words : p.where) EXPECT_NE(text.find(words), std::string::npos) << words << " in:\n" << text;
}

INSTANTIATE_TEST_SUITE_P(Corpus, Unmodified, ::testing::ValuesIn(corpus()),
                         [](const ::testing::TestParamInfo<Program>& info) { return info.param.name; });

// A bug that needs a rare interleaving is caught within its budget under
// every seed its header names, not only under seed 1.
class UnmodifiedSeeds : public ::testing::TestWithParam<Program> {};

TEST_P(UnmodifiedSeeds, IsCaughtUnderEverySeed) {
  const Program& p = GetParam();
  for (int seed = 1; seed <= p.seeds; ++seed) {
    const std::string dir = make_temp_dir("racelab-unmodified-seed-");
    exec(p, seed, dir);
    const json result = summary_of(dir).at("results").at(0);
    EXPECT_GE(result.at("failing_runs").get<int>(), 1)
        << "seed " << seed << ": not caught in " << p.runs << " runs: " << result.at("verdicts");
  }
}

std::vector<Program> seeded() {
  std::vector<Program> programs;
  for (const Program& p : corpus())
    if (p.seeds > 1) programs.push_back(p);
  return programs;
}

INSTANTIATE_TEST_SUITE_P(Corpus, UnmodifiedSeeds, ::testing::ValuesIn(seeded()),
                         [](const ::testing::TestParamInfo<Program>& info) { return info.param.name; });

}  // namespace
}  // namespace racelab::testing
