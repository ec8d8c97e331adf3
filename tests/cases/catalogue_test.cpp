// The catalogue, found by walking the source tree: every folder
// cases/NN_name is a case, the same glob the build uses (cases/catalogue.cmake),
// so there is no list here to forget a case in. For each folder:
//   CaseFolder.HasItsFiles                 README.md in its parts, case.cpp,
//                                          buggy.cpp with // BUG:, fixed.cpp with // FIX:
//   CaseFolder.DescribesItsContract        a built program whose metadata names the
//                                          folder and holds the buggy variant's contract
//   CatalogueCase.BuggyIsCaughtInEachOf20Seeds   the contract held
//   CatalogueCase.FixedIsCleanOver2000Runs
// A failure says what to add; cases/README.md says how. And for the whole
// catalogue: the programs are the folders, and docs/cases.md is the page the
// build generates.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "racelab/verdict.h"
#include "racelab_cli.h"

namespace {

namespace fs = std::filesystem;

using racelab::testing::ChildResult;
using racelab::testing::make_temp_dir;
using racelab::testing::read_file;
using racelab::testing::run_child;
using racelab::testing::run_racelab;
using racelab::testing::summary_of;

const std::string kCasesSource = RACELAB_SOURCE_DIR "/cases";
const std::string kHowTo = " (cases/README.md says how)";

std::string program(const std::string& id) { return RACELAB_BUILD_DIR "/cases/case_" + id; }

// NN_name: two digits, an underscore, a name (the build's glob, [0-9][0-9]_*).
bool is_case_folder_name(const std::string& name) {
  return name.size() > 3 && std::isdigit(static_cast<unsigned char>(name[0])) &&
         std::isdigit(static_cast<unsigned char>(name[1])) && name[2] == '_';
}

// Every folder cases/NN_name in the source tree, sorted. Called while the
// tests are registered: each folder found is a test of its own.
std::vector<std::string> case_folders() {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kCasesSource, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && is_case_folder_name(name)) ids.push_back(name);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

// A test name from a folder name: GoogleTest allows letters, digits and _.
std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

// The program's `--describe`, or nullopt with a failure that says why.
std::optional<nlohmann::json> describe(const std::string& id) {
  const std::string path = program(id);
  if (access(path.c_str(), X_OK) != 0) {
    ADD_FAILURE() << "cases/" << id << " has no program " << path
                  << ": a folder gets one from its case.cpp, buggy.cpp and fixed.cpp; build it "
                     "(cmake --build --preset tsan)"
                  << kHowTo;
    return std::nullopt;
  }
  ChildResult r = run_child({path, "--describe"});
  if (r.exit_code != 0) {
    ADD_FAILURE() << path << " --describe failed (" << r.how_it_ended() << "): " << r.err;
    return std::nullopt;
  }
  try {
    return nlohmann::json::parse(r.out);
  } catch (const nlohmann::json::exception& e) {
    ADD_FAILURE() << path << " --describe printed no JSON (" << e.what() << "):\n" << r.out;
    return std::nullopt;
  }
}

// The buggy variant's contract (harness/include/racelab/case.h).
struct Contract {
  int budget = 0;
  std::vector<std::string> first_failure_shows;  ///< one of them
};

Contract contract_of(const nlohmann::json& described) {
  const nlohmann::json& buggy = described.at("variants").at("buggy");
  return {buggy.value("budget", 0),
          buggy.value("first_failure_shows", std::vector<std::string>{})};
}

bool shows_one_of(const std::vector<std::string>& texts, const std::string& out) {
  return std::any_of(texts.begin(), texts.end(),
                     [&](const std::string& text) { return out.find(text) != std::string::npos; });
}

std::string quoted(const std::vector<std::string>& texts) {
  std::string list;
  for (const std::string& text : texts) list += (list.empty() ? "\"" : " or \"") + text + "\"";
  return list.empty() ? "nothing" : list;
}

// Distinctive: says something of this case, not what every failure line
// shows ("): ", a verdict's name).
bool distinctive(const std::string& text) {
  const auto first = text.find_first_not_of(" :()");
  const std::string core = first == std::string::npos ? "" : text.substr(first, text.find_last_not_of(" :()") + 1 - first);
  return core.size() >= 8 &&
         std::any_of(core.begin(), core.end(), [](unsigned char c) { return std::isalpha(c); }) &&
         !racelab::parse_verdict(core);
}

class CaseFolder : public ::testing::TestWithParam<std::string> {};

TEST_P(CaseFolder, HasItsFiles) {
  const std::string id = GetParam();
  const std::string dir = kCasesSource + "/" + id;
  const struct {
    const char* file;
    const char* what;
  } files[] = {
      {"case.cpp", "the metadata: racelab::define_case(), the buggy variant's contract included"},
      {"buggy.cpp", "the buggy variant's body, `// BUG:` on the lines that make it buggy"},
      {"fixed.cpp", "the fixed variant's body, a minimal diff from buggy.cpp, `// FIX:` on the lines that differ"},
      {"README.md", "the case's lesson, in the parts listed in cases/README.md"},
  };
  for (const auto& [file, what] : files)
    EXPECT_TRUE(fs::is_regular_file(dir + "/" + file))
        << "cases/" << id << " lacks " << file << ": add " << what << kHowTo;

  // The README teaches the case in the same parts, in the same order, with
  // a two-thread timeline and three hints.
  const std::string readme = read_file(dir + "/README.md");
  if (!readme.empty()) {
    std::size_t at = 0;
    std::string after = "the title";
    for (const std::string part : {"\n## The story\n", "\n## The symptom\n",
                                   "\n## The interleaving that breaks it\n", "\n| step ",
                                   "\n## What the detectors say\n", "\n## Hints\n", "\n1. ",
                                   "\n2. ", "\n3. ", "\n## The fix\n"}) {
      const std::string shown = "\"" + part.substr(1, part.find_last_not_of(" \n")) + "\"";
      const std::size_t found = readme.find(part, at);
      EXPECT_TRUE(found != std::string::npos) << "cases/" << id << "/README.md lacks (or misplaces) "
                                          << shown << ": add it after " << after << kHowTo;
      if (found != std::string::npos) at = found;
      after = shown;
    }
  }

  // The variants differ, and the lines that differ are marked.
  if (fs::is_regular_file(dir + "/buggy.cpp"))
    EXPECT_NE(read_file(dir + "/buggy.cpp").find("// BUG:"), std::string::npos)
        << "cases/" << id << "/buggy.cpp has no `// BUG:` comment: add one on the line(s) that make it buggy, saying why";
  if (fs::is_regular_file(dir + "/fixed.cpp"))
    EXPECT_NE(read_file(dir + "/fixed.cpp").find("// FIX:"), std::string::npos)
        << "cases/" << id << "/fixed.cpp has no `// FIX:` comment: add one on the line(s) that differ from buggy.cpp, saying why";
}

TEST_P(CaseFolder, DescribesItsContract) {
  const std::string id = GetParam();
  const std::optional<nlohmann::json> described = describe(id);
  if (!described) return;  // describe() failed the test, saying why
  EXPECT_EQ(described->value("id", ""), id)
      << "cases/" << id << "/case.cpp: make .id the folder's name, \"" << id << "\"";

  const nlohmann::json& variants = described->at("variants");
  const nlohmann::json buggy_expected = variants.at("buggy").at("expected");
  EXPECT_FALSE(buggy_expected.empty())
      << "cases/" << id << "/case.cpp: give .buggy an .expected list: the verdicts its bug shows as";
  EXPECT_EQ(std::count(buggy_expected.begin(), buggy_expected.end(), "clean"), 0)
      << "cases/" << id << "/case.cpp: a buggy variant cannot be expected clean";
  EXPECT_EQ(variants.at("fixed").at("expected"), nlohmann::json::array({"clean"}))
      << "cases/" << id << "/case.cpp: give .fixed .expected = {Verdict::clean}";

  const Contract c = contract_of(*described);
  const std::string run = "build/tsan/racelab run " + id + " --variant buggy --seed 1 --runs 200 --stop-on-first";
  EXPECT_GT(c.budget, 0) << "cases/" << id
                         << "/case.cpp: add .budget to .buggy, the runs per seed within which "
                            "the bug shows in each of seeds 1..20 (try: "
                         << run << ")" << kHowTo;
  const std::string what =
      "texts of at least 8 characters with a letter, one per way the bug shows, that say what "
      "is wrong here (not \"): \"); the report of the first failing run shows one of them in "
      "each seed (see what " + run + " prints)" + kHowTo;
  EXPECT_FALSE(c.first_failure_shows.empty())
      << "cases/" << id << "/case.cpp: add .first_failure_shows = {…} to .buggy: " << what;
  for (const std::string& text : c.first_failure_shows)
    EXPECT_TRUE(distinctive(text)) << "cases/" << id << "/case.cpp: .first_failure_shows has \""
                                   << text << "\": make it " << what;
}

// The contract, through the driver, as `racelab run` judges: a run that
// crashes its worker is a verdict there (`crash`), not the end of the
// campaign.
class CatalogueCase : public ::testing::TestWithParam<std::string> {};

TEST_P(CatalogueCase, BuggyIsCaughtInEachOf20Seeds) {
  const std::string id = GetParam();
  const std::optional<nlohmann::json> described = describe(id);
  if (!described) return;
  const Contract c = contract_of(*described);
  ASSERT_GT(c.budget, 0) << "cases/" << id << " has no contract: see CaseFolder.DescribesItsContract";
  ASSERT_FALSE(c.first_failure_shows.empty())
      << "cases/" << id << " has no contract: see CaseFolder.DescribesItsContract";
  for (int seed = 1; seed <= 20; ++seed) {
    const std::string out = make_temp_dir("racelab-contract-");
    ChildResult r = run_racelab({"run", id, "--variant", "buggy", "--seed", std::to_string(seed),
                                 "--runs", std::to_string(c.budget), "--stop-on-first", "--out", out});
    EXPECT_FALSE(r.timed_out) << id << " seed " << seed;
    // Exit 0: caught with an expected verdict and nothing else.
    EXPECT_EQ(r.exit_code, 0) << id << " seed " << seed << "\n" << r.out << r.err;
    const auto result = summary_of(out).at("results").at(0);
    EXPECT_GE(result.at("failing_runs").get<int>(), 1) << id << " seed " << seed;
    EXPECT_TRUE(shows_one_of(c.first_failure_shows, r.out))
        << id << " seed " << seed << ": the first failure shows none of "
        << quoted(c.first_failure_shows) << "\n"
        << r.out;
  }
}

TEST_P(CatalogueCase, FixedIsCleanOver2000Runs) {
  const std::string id = GetParam();
  ChildResult r = run_child({program(id), "--variant", "fixed", "--runs", "2000"}, {},
                            std::chrono::seconds(300));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("fixed: 2000 runs, 0 failing (clean 2000): as expected"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.err.find("WARNING: ThreadSanitizer"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Cases, CaseFolder, ::testing::ValuesIn(case_folders()), test_name);
INSTANTIATE_TEST_SUITE_P(Cases, CatalogueCase, ::testing::ValuesIn(case_folders()), test_name);

// The catalogue the driver lists is the folders: each folder has its program
// there, and each program a folder (one left from a case removed or renamed
// would still be listed, and be in docs/cases.md).
TEST(Catalogue, ItsProgramsAreTheFolders) {
  const std::vector<std::string> folders = case_folders();
  EXPECT_GE(folders.size(), 24u) << "cases/NN_name folders found in " << kCasesSource;
  ChildResult r = run_child({racelab::testing::kRacelab, "list", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> listed;
  for (const auto& c : nlohmann::json::parse(r.out)) listed.insert(c.at("id").get<std::string>());
  for (const std::string& id : folders)
    EXPECT_TRUE(listed.contains(id)) << "cases/" << id << " has no program that racelab lists: build it (cmake --build --preset tsan)";
  for (const std::string& id : listed)
    EXPECT_TRUE(std::binary_search(folders.begin(), folders.end(), id))
        << program(id) << " has no folder cases/" << id << " (a case removed or renamed): delete the program";
}

// docs/cases.md is the page the build generates from the case programs'
// metadata (cases/CMakeLists.txt): it cannot drift from them.
TEST(Catalogue, DocsCasesMdIsTheGeneratedOne) {
  const std::string generated = RACELAB_BUILD_DIR "/docs/cases.md";
  const std::string page = read_file(generated);
  ASSERT_FALSE(page.empty()) << generated << " is missing: build first (cmake --build --preset tsan)";
  EXPECT_EQ(read_file(RACELAB_SOURCE_DIR "/docs/cases.md"), page)
      << "docs/cases.md is not the generated page; update it: cp " << generated << " "
      << RACELAB_SOURCE_DIR "/docs/cases.md";
}

}  // namespace
