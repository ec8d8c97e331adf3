// `racelab flags` (harness/driver/commands/flags.cpp): the README's three
// lines for a user's program, followed literally — a plain std:: program
// built with the flags it prints, then judged by `racelab exec`.
#include <string>

#include <gtest/gtest.h>

#include "racelab_cli.h"

namespace {

using racelab::testing::ChildResult;
using racelab::testing::make_temp_dir;
using racelab::testing::run_child;
using racelab::testing::run_racelab;
using racelab::testing::summary_of;
using racelab::testing::write_file;

TEST(Flags, BuildAPlainProgramThatExecThenJudges) {
  if (!RACELAB_TSAN) GTEST_SKIP() << "needs the tsan build";
  const ChildResult flags = run_racelab({"flags"});
  ASSERT_EQ(flags.exit_code, 0) << flags.err;
  EXPECT_NE(flags.out.find("-fsanitize=thread"), std::string::npos) << flags.out;
  EXPECT_NE(flags.out.find("libracelab_intercept.a"), std::string::npos) << flags.out;
  EXPECT_EQ(flags.out.find('\n'), flags.out.size() - 1) << "one line: " << flags.out;

  const std::string dir = make_temp_dir("racelab-flags-");
  write_file(dir + "/abba.cpp", R"(#include <mutex>
#include <thread>
#include <unistd.h>
std::mutex a, b;
int main() {
  std::thread t1([] { std::lock_guard x(a); usleep(5000); std::lock_guard y(b); });
  std::thread t2([] { std::lock_guard x(b); usleep(5000); std::lock_guard y(a); });
  t1.join();
  t2.join();
}
)");
  const ChildResult build = run_child(
      {"/bin/sh", "-c", std::string(RACELAB_CXX_COMPILER) + " -std=c++20 $(" + racelab::testing::kRacelab +
                            " flags) -o " + dir + "/abba " + dir + "/abba.cpp"},
      {}, std::chrono::seconds(120));
  ASSERT_EQ(build.exit_code, 0) << build.out << build.err;

  const ChildResult exec = run_racelab({"exec", "--runs", "2", "--out", dir + "/out", "--", dir + "/abba"});
  EXPECT_EQ(exec.exit_code, 1) << exec.out << exec.err;
  const auto result = summary_of(dir + "/out").at("results").at(0);
  // Each run deadlocks, unless on a loaded machine one thread took both
  // mutexes before the other began: then TSan's lock-order report stands.
  const auto& verdicts = result.at("verdicts");
  EXPECT_EQ(verdicts.value("deadlock", 0) + verdicts.value("lock_order_inversion", 0), 2) << verdicts;
  EXPECT_TRUE(result.at("notes").empty()) << result.at("notes");
}

TEST(Flags, CompileAndLinkSplit) {
  const ChildResult compile = run_racelab({"flags", "--compile"});
  const ChildResult link = run_racelab({"flags", "--link"});
  ASSERT_EQ(compile.exit_code, 0);
  ASSERT_EQ(link.exit_code, 0);
  EXPECT_EQ(compile.out.find("--whole-archive"), std::string::npos) << compile.out;
  EXPECT_NE(link.out.find("--whole-archive"), std::string::npos) << link.out;
  EXPECT_NE(link.out.find("-fsanitize=thread"), std::string::npos) << link.out;
}

// Without CMake: `racelab flags --gtest` on the compile line of a GoogleTest
// program, and each TEST is its own result.
TEST(Flags, GtestBuildsAProgramJudgedTestByTest) {
  if (!RACELAB_TSAN) GTEST_SKIP() << "needs the tsan build";
  const std::string dir = make_temp_dir("racelab-flags-");
  const ChildResult build = run_child(
      {"/bin/sh", "-c",
       std::string(RACELAB_CXX_COMPILER) + " -std=c++20 $(" + racelab::testing::kRacelab + " flags --gtest) -o " +
           dir + "/suite " + RACELAB_SOURCE_DIR + "/tests/programs/gtest/gtest_suite.cpp -lgtest_main -lgtest"},
      {}, std::chrono::seconds(180));
  ASSERT_EQ(build.exit_code, 0) << build.out << build.err;
  const ChildResult exec = run_racelab(
      {"exec", "--runs", "2", "--out", dir + "/out", "--", dir + "/suite", "--gtest_filter=Suite.Correct:Suite.Racy"});
  EXPECT_EQ(exec.exit_code, 1) << exec.out << exec.err;
  const auto results = summary_of(dir + "/out").at("results");
  ASSERT_EQ(results.size(), 2u) << results.dump(1);
  EXPECT_EQ(results.at(0).at("case"), "Suite.Correct");
  EXPECT_EQ(results.at(0).at("verdicts"), nlohmann::json({{"clean", 2}}));
  EXPECT_EQ(results.at(1).at("case"), "Suite.Racy");
  EXPECT_EQ(results.at(1).at("verdicts").value("data_race", 0), 2) << results.at(1).dump(1);
}

}  // namespace
