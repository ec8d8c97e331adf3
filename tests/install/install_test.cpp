// `cmake --install`: racelab installed into a prefix, moved elsewhere, then
// found by a project outside racelab (tests/install/project) as a user's
// would find it — find_package(racelab), racelab::intercept,
// racelab_add_stress_test — and by pkg-config.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "racelab_cli.h"

namespace {

namespace fs = std::filesystem;
using racelab::testing::ChildResult;
using racelab::testing::make_temp_dir;
using racelab::testing::read_file;
using racelab::testing::run_child;

constexpr auto kLong = std::chrono::seconds(600);

ChildResult cmake(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {RACELAB_CMAKE};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_child(argv, {}, kLong);
}

// How ctest's output says `test` ended: "passed", "failed" or "not run".
std::string outcome(const std::string& ctest_output, const std::string& test) {
  const std::size_t at = ctest_output.find(test + " ...");
  if (at == std::string::npos) return "not run";
  const std::size_t end = ctest_output.find('\n', at);
  const std::string line = ctest_output.substr(at, end - at);
  return line.find("Passed") != std::string::npos ? "passed" : "failed";
}

class Install : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = make_temp_dir("racelab-install-");
    install_ = cmake({"--install", RACELAB_BUILD_DIR, "--prefix", dir_ + "/first"});
    std::error_code error;
    fs::rename(dir_ + "/first", dir_ + "/moved", error);
  }
  static std::string prefix() { return dir_ + "/moved"; }

  // An outside project configured against the moved prefix, built, and its ctest's result.
  static ChildResult configure_build_and_test(const std::string& source, const std::string& build) {
    const ChildResult configure = cmake({"-S", source, "-B", build, "-G", "Ninja",
                                         "-DCMAKE_CXX_COMPILER=" RACELAB_CXX_COMPILER, "-DCMAKE_PREFIX_PATH=" + prefix()});
    EXPECT_EQ(configure.exit_code, 0) << configure.out << configure.err;
    const ChildResult built = cmake({"--build", build});
    EXPECT_EQ(built.exit_code, 0) << built.out << built.err;
    return run_child({RACELAB_CTEST, "--test-dir", build, "--output-on-failure"}, {}, kLong);
  }

  static inline std::string dir_;
  static inline ChildResult install_;
};

TEST_F(Install, InstallsTheDriverTheRuntimeAndThePackageWithNoPathOfTheBuild) {
  ASSERT_EQ(install_.exit_code, 0) << install_.out << install_.err;
  for (const char* file : {"bin/racelab", "libexec/racelab/racelab-keeper", "lib/libracelab_intercept.a",
                           "lib/cmake/racelab/racelabConfig.cmake", "lib/cmake/racelab/racelabConfigVersion.cmake",
                           "lib/cmake/racelab/racelabStressTest.cmake", "lib/cmake/racelab/racelab_stress_test.cmake",
                           "lib/cmake/racelab/racelab_discover_tests.cmake", "lib/pkgconfig/racelab.pc",
                           "include/racelab/unmodified.h", "share/racelab/racelab_gtest.cpp"})
    EXPECT_TRUE(fs::is_regular_file(prefix() + "/" + file)) << file;
  // Relocatable: no file names the build tree or the prefix it was installed to.
  for (const auto& entry : fs::recursive_directory_iterator(prefix())) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(RACELAB_BUILD_DIR), std::string::npos) << entry.path() << " names the build tree";
    EXPECT_EQ(bytes.find(dir_ + "/first"), std::string::npos) << entry.path() << " names where it was installed";
  }
}

TEST_F(Install, FlagsAndPkgConfigPointIntoTheMovedPrefix) {
  ASSERT_EQ(install_.exit_code, 0) << install_.err;
  const ChildResult flags = run_child({prefix() + "/bin/racelab", "flags"});
  ASSERT_EQ(flags.exit_code, 0) << flags.err;
  EXPECT_NE(flags.out.find(prefix() + "/lib/libracelab_intercept.a"), std::string::npos) << flags.out;
  const ChildResult pc = run_child({"/usr/bin/pkg-config", "--cflags", "--libs", "racelab"},
                                   {{"PKG_CONFIG_PATH", prefix() + "/lib/pkgconfig"}});
  ASSERT_EQ(pc.exit_code, 0) << pc.err;
  EXPECT_NE(pc.out.find("-fsanitize=thread"), std::string::npos) << pc.out;
  EXPECT_NE(pc.out.find("libracelab_intercept.a"), std::string::npos) << pc.out;
  EXPECT_NE(pc.out.find(prefix()), std::string::npos) << pc.out;
  EXPECT_NE(pc.out.find("--wrap=__tsan_atomic32_load"), std::string::npos) << pc.out;
}

TEST_F(Install, AnOutsideProjectsStressTestsFlagTheRacyAndTheDeadlockingProgram) {
  ASSERT_EQ(install_.exit_code, 0) << install_.err;
  const std::string build = dir_ + "/project";
  const ChildResult tests = configure_build_and_test(RACELAB_SOURCE_DIR "/tests/install/project", build);
  EXPECT_NE(tests.exit_code, 0) << tests.out;
  EXPECT_EQ(outcome(tests.out, "racelab.racy"), "failed") << tests.out;
  EXPECT_EQ(outcome(tests.out, "racelab.deadlock"), "failed") << tests.out;
  EXPECT_EQ(outcome(tests.out, "racelab.correct"), "passed") << tests.out;
  // Its race is inside a library racelab instrumented (INSTRUMENT), linked
  // with the plain signature and without a racelab target.
  EXPECT_EQ(outcome(tests.out, "racelab.ledger_race"), "failed") << tests.out;
  auto verdicts = [&](const std::string& program) {
    const std::string out = build + "/racelab/racelab." + program;
    EXPECT_TRUE(fs::is_regular_file(out + "/junit.xml")) << program;
    EXPECT_TRUE(fs::is_regular_file(out + "/results.sarif")) << program;
    return nlohmann::json::parse(read_file(out + "/summary.json")).at("results").at(0).at("verdicts");
  };
  EXPECT_TRUE(verdicts("racy").contains("data_race")) << verdicts("racy");
  EXPECT_TRUE(verdicts("deadlock").contains("deadlock")) << verdicts("deadlock");
  EXPECT_EQ(verdicts("correct"), nlohmann::json({{"clean", 5}}));
  EXPECT_TRUE(verdicts("ledger_race").contains("data_race")) << verdicts("ledger_race");
}

// examples/gtest, a GoogleTest project of its own: a ctest test per
// GoogleTest test (racelab_discover_tests), each judged alone.
TEST_F(Install, TheGoogleTestExampleIsJudgedTestByTest) {
  ASSERT_EQ(install_.exit_code, 0) << install_.err;
  const std::string build = dir_ + "/example";
  const ChildResult tests = configure_build_and_test(RACELAB_SOURCE_DIR "/examples/gtest", build);
  EXPECT_NE(tests.exit_code, 0) << tests.out;
  const std::string racy = "Account.ConcurrentDepositsAllCount";
  const std::string deadlock = "Transfer.BothWaysAtOnce";
  const std::string correct = "Ledger.AppendsFromManyThreads";
  EXPECT_EQ(outcome(tests.out, "racelab." + racy), "failed") << tests.out;
  EXPECT_EQ(outcome(tests.out, "racelab." + deadlock), "failed") << tests.out;
  EXPECT_EQ(outcome(tests.out, "racelab." + correct), "passed") << tests.out;
  // Each test's summary names it as GoogleTest does.
  auto result = [&](const std::string& test) {
    const auto summary = nlohmann::json::parse(read_file(build + "/racelab/bank_tests/" + test + "/summary.json"));
    for (const auto& r : summary.at("results"))
      if (r.at("case") == test) return r;
    ADD_FAILURE() << "no result named " << test << " in " << summary.dump(1);
    return nlohmann::json::object();
  };
  const auto r = result(racy), d = result(deadlock), c = result(correct);
  // The race in most runs (TSan can miss one when a thread ended before the
  // other began), and nothing else in any.
  EXPECT_GE(r.at("verdicts").value("data_race", 0), 5) << r.dump(1);
  EXPECT_EQ(r.at("verdicts").value("data_race", 0) + r.at("verdicts").value("clean", 0), 10) << r.dump(1);
  EXPECT_EQ(d.at("verdicts").value("deadlock", 0) + d.at("verdicts").value("lock_order_inversion", 0), 10) << d.dump(1);
  EXPECT_GE(d.at("verdicts").value("deadlock", 0), 1) << d.dump(1);
  EXPECT_EQ(c.at("verdicts"), nlohmann::json({{"clean", 10}}));
  EXPECT_TRUE(c.at("as_expected").get<bool>());

  // The tests' summaries side by side in one, as the README's CI job uploads them.
  const std::string all = dir_ + "/example-all";
  const ChildResult merged = run_child({prefix() + "/bin/racelab", "merge", "--out", all,
                                        build + "/racelab/bank_tests/" + racy + "/summary.json",
                                        build + "/racelab/bank_tests/" + deadlock + "/summary.json",
                                        build + "/racelab/bank_tests/" + correct + "/summary.json"});
  EXPECT_EQ(merged.exit_code, 1) << merged.out << merged.err;
  std::set<std::string> cases;
  const nlohmann::json summary = nlohmann::json::parse(read_file(all + "/summary.json"));
  for (const auto& one : summary.at("results"))
    cases.insert(one.at("case").get<std::string>());
  EXPECT_EQ(cases, (std::set<std::string>{racy, deadlock, correct}));
  const std::string junit = read_file(all + "/junit.xml");
  for (const std::string& test : {racy, deadlock, correct}) EXPECT_NE(junit.find(test), std::string::npos) << test;
}

TEST_F(Install, ALibraryOfTheProjectWithoutTsanInAStressTestsLinkIsAConfigureErrorNamingIt) {
  ASSERT_EQ(install_.exit_code, 0) << install_.err;
  const ChildResult configure =
      cmake({"-S", RACELAB_SOURCE_DIR "/tests/install/project", "-B", dir_ + "/plain", "-G", "Ninja",
             "-DCMAKE_CXX_COMPILER=" RACELAB_CXX_COMPILER, "-DCMAKE_PREFIX_PATH=" + prefix(),
             "-DADD_UNINSTRUMENTED=ON"});
  EXPECT_NE(configure.exit_code, 0) << configure.out << configure.err;
  // CMake folds long messages: compare with single spaces.
  std::string err = configure.err;
  for (char& c : err)
    if (c == '\n') c = ' ';
  std::string folded;
  for (char c : err)
    if (c != ' ' || folded.empty() || folded.back() != ' ') folded += c;
  EXPECT_NE(folded.find("racelab_add_stress_test(ledger_unseen): ledger_unseen links libraries of this project "
                        "compiled without ThreadSanitizer: ledger_plain (STATIC_LIBRARY)"),
            std::string::npos)
      << configure.err;
  EXPECT_NE(folded.find("pass INSTRUMENT"), std::string::npos) << configure.err;
  // The instrumented library of the same project is not named.
  EXPECT_EQ(folded.find("ledger (STATIC_LIBRARY)"), std::string::npos) << configure.err;
}

}  // namespace
