// `racelab bench` and what it stands on: case programs' --plain mode (racelab's
// own checks off), the plain twins in <build>/cases/plain, valgrind's errors
// counted per run with racelab's bookkeeping hidden from helgrind and DRD, and
// the page it writes.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "bench.h"
#include "racelab_cli.h"

namespace {

using racelab::Verdict;
using racelab::testing::ChildResult;
using racelab::testing::make_temp_dir;
using racelab::testing::read_file;
using racelab::testing::run_child;
using racelab::testing::run_racelab;

const std::string kCases = RACELAB_BUILD_DIR "/cases";
const std::string kPlainCases = RACELAB_BUILD_DIR "/cases/plain";

std::vector<std::string> under(const std::string& tool, std::vector<std::string> argv) {
  std::vector<std::string> vg = {"/usr/bin/valgrind", "--tool=" + tool, "-q", "--fair-sched=yes",
                                 "--error-exitcode=99"};
  argv.insert(argv.begin(), vg.begin(), vg.end());
  return argv;
}

// ---- --plain: what a run shows without racelab's checks ----

TEST(Plain, ARelockBlocksForRealAndIsOnlySeenToHang) {
  ChildResult checked = run_child({kCases + "/case_02_double_acquire", "--variant", "buggy", "--runs", "1"});
  EXPECT_NE(checked.out.find("self_deadlock"), std::string::npos) << checked.out;

  ChildResult plain =
      run_child({kCases + "/case_02_double_acquire", "--variant", "buggy", "--runs", "1", "--plain"});
  EXPECT_EQ(plain.out.find("self_deadlock"), std::string::npos) << plain.out;
  EXPECT_NE(plain.out.find("hang 1"), std::string::npos) << plain.out;
  // The thread really waits in the lock it holds: the watchdog's wait-for
  // graph shows it waiting for itself.
  EXPECT_NE(plain.out.find("racelab's diagnosis; with its checks off"), std::string::npos) << plain.out;
}

// The tally line a case program prints last: "buggy: N runs, K failing (…)".
std::string tally(const std::string& out) {
  const std::size_t at = out.rfind("buggy: ");
  return at == std::string::npos ? "" : out.substr(at, out.find('\n', at) - at);
}

TEST(Plain, NoLockOrderGraphNoDeadlockNamesNoLeakVerdicts) {
  // The plain build has no TSan: what names the circular wait is racelab's
  // lock-order graph and watchdog, or nothing.
  const std::vector<std::string> circular = {kPlainCases + "/case_03_circular_wait", "--variant",
                                             "buggy", "--runs", "20", "--strategy", "yield"};
  const std::string checked = tally(run_child(circular).out);
  EXPECT_TRUE(checked.find("deadlock") != std::string::npos ||
              checked.find("lock_order_inversion") != std::string::npos)
      << checked;
  std::vector<std::string> plain_circular = circular;
  plain_circular.push_back("--plain");
  const std::string plain = tally(run_child(plain_circular).out);
  // (A run that cannot finish ends the process: the tally may be short.)
  EXPECT_TRUE(plain.find("hang") != std::string::npos || plain.find("(clean 20)") != std::string::npos) << plain;
  EXPECT_EQ(plain.find("deadlock"), std::string::npos) << plain;
  EXPECT_EQ(plain.find("lock_order_inversion"), std::string::npos) << plain;

  const std::vector<std::string> leak = {kPlainCases + "/case_13_thread_leak", "--variant", "buggy", "--runs", "5"};
  // (A flusher that a loaded machine lets finish before its run ends leaks
  // nothing: the count may fall short of 5.)
  const std::string leaked = tally(run_child(leak).out);
  EXPECT_NE(leaked.find("thread_leak "), std::string::npos) << leaked;
  EXPECT_EQ(leaked.find("NOT as expected"), std::string::npos) << leaked;
  std::vector<std::string> plain_leak = leak;
  plain_leak.push_back("--plain");
  EXPECT_NE(tally(run_child(plain_leak).out).find("(clean 5)"), std::string::npos);
}

TEST(Plain, CaseProgramsMeasureTheirSpawnFloor) {
  ChildResult r = run_child({kPlainCases + "/case_01_lost_update", "--spawn-floor", "0.2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(nlohmann::json::parse(r.out).at("spawn_join_per_s").get<double>(), 10.0) << r.out;
}

// ---- valgrind: errors per run; racelab's own bookkeeping is not the case's ----

TEST(Valgrind, HelgrindAndDrdSeeNothingInRacelabsOwnBookkeeping) {
  // Fixed variants whose runs go through every part of the runtime the
  // watchdog reads (threads, racelab::mutex owners and waiters, condition
  // variables): no error at all, over 20 runs each.
  for (const std::string tool : {"helgrind", "drd"})
    for (const std::string c : {"case_01_lost_update", "case_06_bank_account", "case_19_message_queue"}) {
      ChildResult r = run_child(
          under(tool, {kPlainCases + "/" + c, "--variant", "fixed", "--runs", "20", "--plain", "--strategy", "none"}),
          {}, std::chrono::seconds(120));
      EXPECT_EQ(r.exit_code, 0) << tool << " " << c << "\n" << r.out << r.err.substr(0, 4000);
      EXPECT_NE(r.out.find("clean 20"), std::string::npos) << tool << " " << c << "\n" << r.out;
    }
}

TEST(Valgrind, ARaceHelgrindReportsFlagsTheRunItHappenedIn) {
  ChildResult r = run_child(under("helgrind", {kPlainCases + "/case_01_lost_update", "--variant", "buggy",
                                               "--runs", "5", "--plain", "--strategy", "none"}),
                            {}, std::chrono::seconds(120));
  EXPECT_EQ(r.exit_code, 99) << r.out << r.err.substr(0, 2000);
  // Every run races again, and each is flagged (valgrind counts repeats it
  // does not print again).
  EXPECT_NE(r.out.find("data_race 5"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("valgrind reported"), std::string::npos) << r.out;
}

TEST(Valgrind, ErrorKindsAreReadFromItsXmlLogInOrderEvenCutShort) {
  const std::string dir = make_temp_dir("racelab-vg-");
  const std::string xml = dir + "/log.xml";
  ChildResult r = run_child({"/usr/bin/valgrind", "--tool=helgrind", "-q", "--xml=yes", "--xml-file=" + xml,
                             RACELAB_TEST_PROGRAMS_DIR "/exec_target_plain", "race"},
                            {}, std::chrono::seconds(120));
  const std::string text = read_file(xml);
  const auto errors = racelab::driver::valgrind_errors_in(text);
  ASSERT_FALSE(errors.empty()) << text.substr(0, 2000);
  EXPECT_EQ(errors.front().first, "Race");
  EXPECT_NE(errors.front().second.find("data race"), std::string::npos) << errors.front().second;
  // A worker killed mid-log leaves the last error open.
  const std::size_t cut = text.rfind("</error>");
  ASSERT_NE(cut, std::string::npos);
  const auto cut_errors = racelab::driver::valgrind_errors_in(text.substr(0, cut));
  EXPECT_EQ(cut_errors.size(), errors.size());
  EXPECT_TRUE(racelab::driver::valgrind_errors_in("").empty());
  EXPECT_TRUE(racelab::driver::valgrind_errors_in("<error><kind>Ra").empty());
}

TEST(Valgrind, KindsMapToVerdicts) {
  using racelab::driver::verdict_for_valgrind_kind;
  EXPECT_EQ(verdict_for_valgrind_kind("Race", "Possible data race"), Verdict::data_race);
  EXPECT_EQ(verdict_for_valgrind_kind("ConflictingAccess", "Conflicting store"), Verdict::data_race);
  EXPECT_EQ(verdict_for_valgrind_kind("LockOrder", "lock order violated"), Verdict::lock_order_inversion);
  EXPECT_EQ(verdict_for_valgrind_kind("MutexErr", "Recursive locking not allowed: mutex 0x1"),
            Verdict::self_deadlock);
  EXPECT_EQ(verdict_for_valgrind_kind("Misc", "Attempt to re-lock a non-recursive lock I already hold"),
            Verdict::self_deadlock);
  EXPECT_EQ(verdict_for_valgrind_kind("UnlockUnlocked", "unlocked a not-locked lock"), Verdict::mutex_misuse);
  EXPECT_EQ(verdict_for_valgrind_kind("Misc", "Exiting thread still holds 1 lock"), Verdict::mutex_misuse);
}

TEST(Bench, MedianAndNearestRankPercentile) {
  using racelab::driver::median;
  using racelab::driver::percentile95;
  EXPECT_EQ(median({3}), 3);
  EXPECT_EQ(median({4, 1, 3}), 3);
  EXPECT_EQ(median({1, 2, 3, 10}), 2.5);
  EXPECT_EQ(percentile95({7}), 7);
  std::vector<double> twenty;
  for (int i = 1; i <= 20; ++i) twenty.push_back(i);
  EXPECT_EQ(percentile95(twenty), 19);  // rank ceil(0.95 × 20) = 19
  twenty.push_back(100);
  EXPECT_EQ(percentile95(twenty), 20);  // rank ceil(0.95 × 21) = 20
}

// ---- the whole command, small: two cases, every detector ----

TEST(Bench, MeasuresEveryDetectorAndWritesThePage) {
  const std::string out = make_temp_dir("racelab-bench-");
  ChildResult r = run_racelab({"bench", "01", "02", "03", "--seeds", "2", "--budget", "20", "--fixed-runs", "30",
                               "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const nlohmann::json j = nlohmann::json::parse(read_file(out + "/benchmarks.json"));
  ASSERT_EQ(j.at("detectors").size(), 8u);
  ASSERT_EQ(j.at("cases").size(), 3u);
  const nlohmann::json& lost_update = j.at("cases").at(0);
  const nlohmann::json& double_acquire = j.at("cases").at(1);
  ASSERT_EQ(double_acquire.at("id"), "02_double_acquire");

  // racelab names the self-deadlock in every seed, at once; a plain stress
  // run and TSan alone only see a hang (TSan says nothing about a re-lock).
  for (const char* racelab : {"yield", "pct", "portfolio"}) {
    const nlohmann::json& d = double_acquire.at("buggy").at(racelab);
    EXPECT_EQ(d.at("caught"), 2) << racelab;
    EXPECT_EQ(d.at("right_class"), 2) << racelab;
  }
  for (const char* blind : {"stress", "tsan"}) {
    const nlohmann::json& d = double_acquire.at("buggy").at(blind);
    EXPECT_EQ(d.at("right_class"), 0) << blind << d.dump();
    EXPECT_EQ(d.at("classes").value("hang", 0), d.at("caught").get<int>()) << blind << d.dump();
  }
  // DRD reports the recursive lock before the thread blocks.
  EXPECT_EQ(double_acquire.at("buggy").at("drd").at("right_class"), 2) << double_acquire.dump();
  // Helgrind and TSan see the lost update's race in every seed, at run 1.
  for (const char* racy : {"tsan", "helgrind", "portfolio"}) {
    const nlohmann::json& d = lost_update.at("buggy").at(racy);
    EXPECT_EQ(d.at("right_class"), 2) << racy << d.dump();
    EXPECT_EQ(d.at("runs_to_first"), nlohmann::json::array({1, 1})) << racy << d.dump();
  }
  // Exactly the trials asked for, however many records a worker had
  // written before it was stopped (helgrind flags every run of 03, and a
  // worker is stopped only after the driver read its pipe).
  for (const nlohmann::json& c : j.at("cases"))
    for (const auto& [name, buggy] : c.at("buggy").items()) {
      EXPECT_EQ(buggy.at("seeds"), 2) << c.at("id") << " " << name;
      EXPECT_LE(buggy.at("caught").get<int>(), 2) << c.at("id") << " " << name;
    }
  // Fixed variants: nobody cries wolf, except helgrind on 03, whose
  // std::scoped_lock takes the second mutex with try_lock in either order:
  // helgrind calls that a lock-order violation, in every run.
  for (const nlohmann::json& c : j.at("cases"))
    for (const auto& [name, fixed] : c.at("fixed").items()) {
      EXPECT_EQ(fixed.at("runs"), 30) << c.at("id") << " " << name;
      const bool helgrind_on_03 = c.at("id") == "03_circular_wait" && name == "helgrind";
      EXPECT_EQ(fixed.at("flagged"), helgrind_on_03 ? 30 : 0) << c.at("id") << " " << name << fixed.dump();
      if (helgrind_on_03) EXPECT_TRUE(fixed.at("what").contains("LockOrder")) << fixed.dump();
    }
  for (const nlohmann::json& d : j.at("detectors")) EXPECT_GT(d.at("floor_spawn_join_per_s").get<double>(), 0);

  const std::string md = read_file(out + "/benchmarks.md");
  EXPECT_NE(md.find("| 02_double_acquire | **wins** | **wins** |"), std::string::npos) << md;
  EXPECT_NE(md.find("## False alarms: fixed variants"), std::string::npos);
  EXPECT_NE(md.find("## Cost"), std::string::npos);
  EXPECT_NE(md.find("racelab bench 01 02 03 --seeds 2"), std::string::npos) << "the reproducing command";
  const std::string svg = read_file(out + "/benchmarks.svg");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  // One cell per case and detector, a background and five legend keys.
  std::size_t rects = 0;
  for (std::size_t at = 0; (at = svg.find("<rect", at)) != std::string::npos; ++at) ++rects;
  EXPECT_EQ(rects, 3u * 8u + 1u + 5u);
}

TEST(Bench, BadInputIsAUsageErrorAndWritesNothing) {
  const std::string out = make_temp_dir("racelab-bench-");
  ChildResult r = run_racelab({"bench", "01", "--detectors", "stress,nosuch", "--out", out});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("unknown detector 'nosuch'"), std::string::npos) << r.err;
  ChildResult unknown_case = run_racelab({"bench", "99_nothing", "--out", out});
  EXPECT_EQ(unknown_case.exit_code, 2) << unknown_case.out << unknown_case.err;
  EXPECT_FALSE(std::filesystem::exists(out + "/benchmarks.md"));
}

// ---- --programs: programs written the usual way ----

TEST(Bench, ProgramsAreMeasuredUnderEveryDetectorAndNamedStrictly) {
  const std::string out = make_temp_dir("racelab-bench-programs-");
  ChildResult r = run_racelab({"bench", "--programs", RACELAB_TEST_PROGRAMS_DIR "/unmodified", "hang_lost_wakeup_cv",
                               "race_counter_std", "ok_gate_locked_cycle", "--trials", "2", "--fixed-runs", "3",
                               "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const nlohmann::json j = nlohmann::json::parse(read_file(out + "/programs.json"));
  ASSERT_EQ(j.at("detectors").size(), 7u);
  ASSERT_EQ(j.at("programs").size(), 3u);
  const nlohmann::json& wakeup = j.at("programs").at(0);
  const nlohmann::json& gate = j.at("programs").at(1);
  const nlohmann::json& race = j.at("programs").at(2);
  ASSERT_EQ(race.at("name"), "race_counter_std");
  ASSERT_EQ(wakeup.at("name"), "hang_lost_wakeup_cv");
  // Only racelab's runtime says what the program waits on, and says it before
  // the time limit; without it the run is a time-out that names nothing.
  for (const char* named : {"none", "portfolio", "controlled"}) {
    const nlohmann::json& d = wakeup.at("buggy").at(named);
    EXPECT_EQ(d.at("right"), 2) << named << d.dump();
    for (const nlohmann::json& s : d.at("seconds_to_first")) EXPECT_LT(s.get<double>(), 2.0) << named << d.dump();
  }
  for (const char* blind : {"tsan", "exec", "helgrind", "drd"}) {
    const nlohmann::json& d = wakeup.at("buggy").at(blind);
    EXPECT_EQ(d.at("right"), 0) << blind << d.dump();
    EXPECT_EQ(d.at("said").value("hang, unnamed", 0), 2) << blind << d.dump();
  }
  // Every detector sees the lost update's race, at the first run.
  for (const auto& [name, d] : race.at("buggy").items()) {
    EXPECT_EQ(d.at("right"), 2) << name << d.dump();
    EXPECT_EQ(d.at("runs_to_first"), nlohmann::json::array({1, 1})) << name << d.dump();
  }
  // A cycle under a gate lock: TSan and helgrind cry wolf in every run,
  // racelab's runtime re-judges TSan's report and drops it.
  for (const char* wolf : {"tsan", "exec", "helgrind"}) {
    const nlohmann::json& c = gate.at("correct").at(wolf);
    EXPECT_EQ(c.at("flagged"), 3) << wolf << c.dump();
    EXPECT_EQ(c.at("said").value("lock_order_inversion", 0), 3) << wolf << c.dump();
  }
  for (const char* quiet : {"none", "portfolio", "controlled"}) {
    const nlohmann::json& c = gate.at("correct").at(quiet);
    EXPECT_EQ(c.at("runs"), 3) << quiet;
    EXPECT_EQ(c.at("flagged"), 0) << quiet << c.dump();
  }
  const std::string md = read_file(out + "/programs.md");
  EXPECT_NE(md.find("| none | 2 of 2 | 0 | 0 | 0 | 0 of 1 |"), std::string::npos) << md;
  EXPECT_NE(md.find("hang, unnamed ×2"), std::string::npos) << md;
  EXPECT_NE(md.find("## Correct programs: false alarms"), std::string::npos) << md;
}

TEST(Bench, ProgramsBadInputIsAUsageErrorAndWritesNothing) {
  const std::string out = make_temp_dir("racelab-bench-programs-");
  ChildResult unknown = run_racelab({"bench", "--programs", RACELAB_TEST_PROGRAMS_DIR "/unmodified", "no_such_program",
                                     "--out", out});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.out << unknown.err;
  EXPECT_NE(unknown.err.find("no program 'no_such_program'"), std::string::npos) << unknown.err;
  ChildResult detector = run_racelab({"bench", "--programs", RACELAB_TEST_PROGRAMS_DIR "/unmodified",
                                      "--detectors", "stress", "--out", out});
  EXPECT_EQ(detector.exit_code, 2) << detector.out << detector.err;
  EXPECT_NE(detector.err.find("unknown detector 'stress'"), std::string::npos) << detector.err;
  ChildResult nowhere = run_racelab({"bench", "--programs", out, "--out", out});
  EXPECT_EQ(nowhere.exit_code, 2) << nowhere.out << nowhere.err;
  EXPECT_NE(nowhere.err.find("no programs.txt"), std::string::npos) << nowhere.err;
  EXPECT_FALSE(std::filesystem::exists(out + "/programs.md"));
  EXPECT_FALSE(std::filesystem::exists(out + "/programs.json"));
}

}  // namespace
