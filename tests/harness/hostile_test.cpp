// Hostile inputs: racelab as a CI engineer who was once burned by a green
// build that tested nothing would attack it. Each test builds or writes its
// hostile input, runs the real racelab binary, and checks the exit code, the
// message, and that nothing a gate could pass was left behind. The test
// process is a child subreaper: a process racelab let escape would be
// re-parented here, and the environment below fails the test for it.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "no_leftovers.h"
#include "racelab_cli.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using racelab::testing::ChildResult;
using racelab::testing::kRacelab;
using racelab::testing::kTestCases;
using racelab::testing::leftovers_now;
using racelab::testing::make_temp_dir;
using racelab::testing::read_file;
using racelab::testing::run_racelab;
using racelab::testing::summary_of;
using racelab::testing::write_file;

const bool kNoLeftovers = (racelab::testing::register_no_process_left_behind(), true);

const std::string kHostile = RACELAB_TEST_PROGRAMS_DIR "/hostile_target";
const std::string kHostileC = RACELAB_TEST_PROGRAMS_DIR "/hostile_c";

// The processes left now, one per line ("" when none).
std::string leftovers() {
  std::string text;
  for (const std::string& l : leftovers_now()) text += l + "\n";
  return text;
}

// This test's descendants running `program` (argv[0] exactly: not racelab
// or its keeper, whose command lines name it too; not other tests' either).
int running(const std::string& program) {
  int n = 0;
  for (pid_t pid : racelab::testing::descendants_of(getpid())) {
    const std::string cmdline = read_file("/proc/" + std::to_string(pid) + "/cmdline");
    n += cmdline.substr(0, cmdline.find('\0')) == program ? 1 : 0;
  }
  return n;
}

class Hostile : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RACELAB_TSAN) GTEST_SKIP() << "needs the tsan build";
  }
  void TearDown() override { EXPECT_EQ(leftovers(), ""); }
};

// The gate on DIR/summary.json (which may not exist).
ChildResult gate(const std::string& dir) { return run_racelab({"gate", dir + "/summary.json"}); }

::testing::AssertionResult gate_refuses(const std::string& dir) {
  const ChildResult g = gate(dir);
  if (g.exit_code == 0 || g.out.find("PASSED") != std::string::npos)
    return ::testing::AssertionFailure() << "the gate passed " << dir << ":\n" << g.out << g.err;
  return ::testing::AssertionSuccess();
}

// A summary of a clean program: what the hand edits below start from.
json clean_summary(const std::string& dir) {
  const ChildResult r = run_racelab({"exec", "--runs", "3", "--out", dir, "--", kHostile, "clean"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(gate(dir).exit_code, 0);
  return summary_of(dir);
}

// ---- report: input that proves nothing ------------------------------------

TEST_F(Hostile, ReportOnInputThatIsNoTsanLogIsAnInfrastructureFailure) {
  const std::string dir = make_temp_dir("racelab-hostile-");
  write_file(dir + "/empty.log", "");
  write_file(dir + "/text.log", "hello\nall tests passed\n");
  fs::create_directories(dir + "/a-directory");
  struct Input {
    std::string path;
    std::string says;
  };
  for (const Input& input : {Input{dir + "/empty.log", "is empty: no ThreadSanitizer output"},
                             Input{"/bin/ls", "is a binary file, not a TSan log"},
                             Input{dir + "/a-directory", "is a directory, not a TSan log"},
                             Input{dir + "/text.log", "holds no ThreadSanitizer output"}}) {
    const std::string out = make_temp_dir("racelab-hostile-out-");
    const ChildResult r = run_racelab({"report", "--out", out, input.path});
    EXPECT_EQ(r.exit_code, 3) << input.path << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(input.says), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out + "/summary.json")) << input.path;
    EXPECT_TRUE(gate_refuses(out));
  }
  // Said explicitly, an empty log is a clean TSan process (and the summary says it was assumed).
  const std::string out = make_temp_dir("racelab-hostile-out-");
  ChildResult r = run_racelab({"report", "--assume-tsan", "--out", out, dir + "/empty.log"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(summary_of(out).at("results").at(0).at("evidence"),
            json({{"processes", 1}, {"tsan_seen", 0}, {"tsan_assumed", 1}}));
  EXPECT_EQ(gate(out).exit_code, 0);
  // Binary input stays refused, whatever the caller says.
  r = run_racelab({"report", "--assume-tsan", "--out", out, "/bin/ls"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(fs::exists(out + "/summary.json"));
  // A log that does not exist is a usage error.
  r = run_racelab({"report", "--out", out, dir + "/no-such.log"});
  EXPECT_EQ(r.exit_code, 2);
}

// ---- gate: recomputes, never trusts ---------------------------------------

TEST_F(Hostile, TheGateRefusesASummaryThatContradictsItself) {
  const std::string dir = make_temp_dir("racelab-hostile-");
  const json clean = clean_summary(dir);
  struct Edit {
    std::string what;
    std::function<void(json&)> edit;
    std::string says;
  };
  const std::vector<Edit> edits = {
      {"a data race with no finding", [](json& s) { s["results"][0]["verdicts"] = {{"data_race", 3}}; },
       "3 runs ended in data_race, but there is no TSan finding"},
      {"negative runs", [](json& s) { s["results"][0]["runs"] = -1; }, "\"runs\" is not a non-negative integer"},
      {"runs with no verdicts", [](json& s) { s["results"][0]["verdicts"] = json::object(); },
       "the verdict counts add up to 0 runs, not the 3"},
      {"ok false", [](json& s) { s["ok"] = false; }, "the summary says ok false, but its results say true"},
      {"as_expected false", [](json& s) { s["results"][0]["as_expected"] = false; },
       "it says as_expected false, but its counts say true"},
      {"runs not an integer", [](json& s) { s["results"][0]["runs"] = 2.5; }, "\"runs\" is not a non-negative integer"},
      {"runs as text", [](json& s) { s["results"][0]["runs"] = "3"; }, "\"runs\" is not a non-negative integer"},
      {"an unknown schema version", [](json& s) { s["schema_version"] = 99; }, "schema version 99"},
      {"schema version 1", [](json& s) { s["schema_version"] = 1; }, "carries no evidence that TSan ran"},
      {"a field the schema does not have", [](json& s) { s["results"][0]["passed"] = true; },
       "a field the schema does not have: \"passed\""},
      {"TSan not seen", [](json& s) { s["results"][0]["evidence"]["tsan_seen"] = 0; },
       "ThreadSanitizer runtime was not seen in 3 of the 3 processes"},
      {"no evidence", [](json& s) { s["results"][0].erase("evidence"); }, "has no \"evidence\""},
      {"no process", [](json& s) { s["results"][0]["evidence"] = {{"processes", 0}, {"tsan_seen", 0}, {"tsan_assumed", 0}}; },
       "nothing proves that ThreadSanitizer ran"},
      {"no run", [](json& s) {
         s["results"][0]["runs"] = 0;
         s["results"][0]["verdicts"] = json::object();
       },
       "no run executed"},
      {"no result", [](json& s) { s["results"] = json::array(); }, "the summary holds no result"},
      {"a failure hidden by a verdict group count",
       [](json& s) {
         s["results"][0]["verdicts"] = {{"clean", 2}, {"crash", 1}};
         s["results"][0]["failing_runs"] = 1;
       },
       "no first failure"},
  };
  for (const Edit& e : edits) {
    json edited = clean;
    e.edit(edited);
    write_file(dir + "/summary.json", edited.dump(2));
    const ChildResult g = gate(dir);
    EXPECT_EQ(g.exit_code, 3) << e.what << "\n" << g.out << g.err;
    EXPECT_NE(g.out.find(e.says), std::string::npos) << e.what << "\n" << g.out;
    EXPECT_EQ(g.out.find("PASSED"), std::string::npos) << e.what;
  }
  // Not JSON at all, or binary: nothing can be concluded. No file: usage.
  write_file(dir + "/summary.json", "{\"schema\": \"racelab.summary\", ");
  EXPECT_EQ(gate(dir).exit_code, 3);
  fs::copy_file("/bin/ls", dir + "/summary.json", fs::copy_options::overwrite_existing);
  EXPECT_EQ(gate(dir).exit_code, 3);
  // A file far larger than any summary is not read into memory.
  fs::resize_file(dir + "/summary.json", std::uintmax_t{300} << 20);
  ChildResult huge = gate(dir);
  EXPECT_EQ(huge.exit_code, 3);
  EXPECT_NE(huge.out.find("too large to be a racelab summary"), std::string::npos) << huge.out;
  fs::remove(dir + "/summary.json");
  EXPECT_EQ(gate(dir).exit_code, 2);
  fs::create_directories(dir + "/summary.json");
  EXPECT_EQ(gate(dir).exit_code, 2);
}

// ---- no stale output --------------------------------------------------------

TEST_F(Hostile, AFailedOrKilledCommandLeavesNoSummaryToPass) {
  const std::string dir = make_temp_dir("racelab-hostile-");
  clean_summary(dir);
  // The program is missing: a usage error, and the old summaries are gone.
  ChildResult r = run_racelab({"exec", "--out", dir, "--", dir + "/no-such-program"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  for (const char* file : {"summary.json", "summary.md", "summary.html", "junit.xml", "results.sarif"})
    EXPECT_FALSE(fs::exists(dir + "/" + file)) << file;
  EXPECT_TRUE(gate_refuses(dir));

  // Killed while it runs: every process it started ends, nothing is written.
  clean_summary(dir);
  for (int signal : {SIGTERM, SIGINT, SIGHUP}) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      execl(kRacelab.c_str(), kRacelab.c_str(), "exec", "--runs", "4", "--jobs", "2", "--timeout", "60", "--out",
            dir.c_str(), "--", kHostile.c_str(), "spin", static_cast<char*>(nullptr));
      _exit(127);
    }
    // Until both programs spin (their TSan logs exist), at most 20 s.
    for (int i = 0; i < 400 && running(kHostile) < 2; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(running(kHostile), 2);
    kill(pid, signal);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 128 + signal);
    EXPECT_EQ(running(kHostile), 0) << "signal " << signal;
    EXPECT_FALSE(fs::exists(dir + "/summary.json"));
    EXPECT_TRUE(gate_refuses(dir));
  }
}

// ---- signatures that mean something -----------------------------------------

// The verdict groups of one exec of `mode`.
json groups_of(const std::string& mode, const std::string& dir) {
  const ChildResult r = run_racelab({"exec", "--runs", "1", "--timeout", "2", "--out", dir, "--", kHostile, mode});
  EXPECT_EQ(r.exit_code, 1) << mode << "\n" << r.out << r.err;
  return summary_of(dir).at("results").at(0).at("verdict_groups");
}

TEST_F(Hostile, AcceptingOneCrashNeverAcceptsAnother) {
  const std::string dir = make_temp_dir("racelab-hostile-");
  struct Expect {
    std::string mode;
    std::string verdict;
    std::string where;
  };
  const std::vector<Expect> kinds = {
      {"segv", "crash", "SIGSEGV in hostile_segv_here() hostile_target.cpp"},
      {"segv-other", "crash", "SIGSEGV in hostile_segv_elsewhere() hostile_target.cpp"},
      {"abort", "crash", "SIGABRT in hostile_abort_here() hostile_target.cpp"},
      {"assert", "crash", "SIGABRT: assertion `value == 42' failed in hostile_check_value(int) hostile_target.cpp"},
      {"throw", "crash", "SIGABRT: uncaught std::runtime_error in main hostile_target.cpp"},
      {"throw-logic", "crash", "SIGABRT: uncaught std::logic_error in main hostile_target.cpp"},
      {"sigterm-self", "crash", "SIGTERM"},
      {"spin", "hang",
       "busy in (anonymous namespace)::spin() hostile_target.cpp:215:11; (anonymous namespace)::spin()::$_0 "
       "hostile_target.cpp:212:18"},
      {"block", "hang",
       "blocked in (anonymous namespace)::block() hostile_target.cpp:227:10; (anonymous namespace)::block()::$_0 "
       "hostile_target.cpp:225:8"},
  };
  std::set<std::string> signatures;
  for (const Expect& k : kinds) {
    const std::string out = dir + "/" + k.mode;
    const json groups = groups_of(k.mode, out);
    ASSERT_EQ(groups.size(), 1u) << k.mode << groups.dump(2);
    EXPECT_EQ(groups[0].at("verdict"), k.verdict) << k.mode;
    EXPECT_EQ(groups[0].at("where"), k.where) << k.mode;
    EXPECT_TRUE(signatures.insert(groups[0].at("signature")).second) << k.mode;
  }
  // A baseline that accepts the first SIGSEGV passes it, and only it.
  const std::string baseline = dir + "/baseline.json";
  ChildResult u = run_racelab({"gate", dir + "/segv/summary.json", "--baseline", baseline, "--update-baseline",
                               "--reason", "a known crash in a test fixture"});
  ASSERT_EQ(u.exit_code, 0) << u.out << u.err;
  EXPECT_EQ(run_racelab({"gate", dir + "/segv/summary.json", "--baseline", baseline}).exit_code, 0);
  for (const char* other : {"segv-other", "abort", "assert", "throw"}) {
    const ChildResult g = run_racelab({"gate", dir + "/" + other + "/summary.json", "--baseline", baseline});
    EXPECT_EQ(g.exit_code, 1) << other << "\n" << g.out;
    EXPECT_NE(g.out.find("new: hostile_target program: racelab/crash"), std::string::npos) << g.out;
  }
}

// ---- nothing outlives racelab ------------------------------------------------

TEST_F(Hostile, AProcessThatOutlivesItsRunIsALeakAndIsKilled) {
  const std::string dir = make_temp_dir("racelab-hostile-");
  struct Leak {
    std::string program;
    std::string mode;
    int processes;
  };
  for (const Leak& l : {Leak{kHostile, "escape-setsid", 1}, Leak{kHostile, "escape-double-fork", 1},
                        Leak{kHostile, "orphan-brief", 1}, Leak{kHostile, "fork-bomb-lite", 5},
                        Leak{kHostileC, "escape-setsid", 1}}) {
    const std::string out = dir + "/" + l.mode + fs::path(l.program).filename().string();
    const ChildResult r = run_racelab({"exec", "--runs", "2", "--out", out, "--", l.program, l.mode});
    EXPECT_EQ(r.exit_code, 1) << l.mode << "\n" << r.out << r.err;
    const json result = summary_of(out).at("results").at(0);
    EXPECT_EQ(result.at("verdicts"), json({{"process_leak", 2}})) << l.mode << result.dump(2);
    EXPECT_NE(result.at("first_failure").at("detail").get<std::string>().find(
                  std::to_string(l.processes) + " process"),
              std::string::npos)
        << result.at("first_failure").dump();
    EXPECT_TRUE(gate_refuses(out)) << l.mode;
    EXPECT_EQ(leftovers(), "") << l.mode;
  }
  // A program that waits for its child is not a leak.
  const ChildResult ok = run_racelab({"exec", "--runs", "3", "--out", dir + "/wait", "--", kHostile, "spawn-and-wait"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
}

TEST_F(Hostile, ATimedOutRunEndsItsWholeTree) {
  // Two threads deadlocked in C: the time-out ends the program, its keeper, everything.
  const std::string dir = make_temp_dir("racelab-hostile-");
  const ChildResult r = run_racelab({"exec", "--runs", "1", "--timeout", "1", "--out", dir, "--", kHostileC, "deadlock"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(summary_of(dir).at("results").at(0).at("verdict_groups").at(0).at("where"),
            "blocked in first_then_second hostile_c.c:51:3; second_then_first hostile_c.c:61:3; two_threads "
            "hostile_c.c:73:3");
  EXPECT_EQ(running(kHostileC), 0);
}

// ---- bounded memory and disk --------------------------------------------------

TEST_F(Hostile, OutputIsCappedAndTheSummarySaysSo) {
  const std::string dir = make_temp_dir("racelab-hostile-");
  const ChildResult r =
      run_racelab({"exec", "--runs", "1", "--max-log", "1M", "--out", dir, "--", kHostile, "flood", "8"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto size = fs::file_size(dir + "/logs/run-0/output.txt");
  EXPECT_GE(size, std::uintmax_t{1} << 20);
  EXPECT_LT(size, (std::uintmax_t{1} << 20) + 4096);
  EXPECT_NE(read_file(dir + "/logs/run-0/output.txt").find("more bytes of output were dropped"), std::string::npos);
  // The cut, and that hostile_target is not linked with racelab's runtime.
  const json notes = summary_of(dir).at("results").at(0).at("notes");
  ASSERT_EQ(notes.size(), 2u) << notes;
  EXPECT_NE(notes[0].get<std::string>().find("not linked with racelab's runtime"), std::string::npos) << notes;
  EXPECT_NE(notes[1].get<std::string>().find("cut at --max-log 1048576 bytes"), std::string::npos) << notes;
  for (const char* bad : {"0", "-1M", "12X", "2T"})
    EXPECT_EQ(run_racelab({"exec", "--max-log", bad, "--out", dir, "--", kHostile, "clean"}).exit_code, 2) << bad;
}

// A disk that fills up while the summaries are written: exit 3, and none of
// them is left (a tmpfs of 16 KiB; skipped where mounting is not allowed).
TEST_F(Hostile, AnIoFailureIsAnInfrastructureFailureAndLeavesNoSummary) {
  const std::string dir = make_temp_dir("racelab-hostile-tiny-");
  if (std::system(("mount -t tmpfs -o size=16k tmpfs " + dir + " 2>/dev/null").c_str()) != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here";
  struct Unmount {
    std::string dir;
    ~Unmount() { EXPECT_EQ(std::system(("umount " + dir).c_str()), 0); }
  } unmount{dir};
  const ChildResult r = run_racelab({"exec", "--runs", "1", "--out", dir + "/out", "--", kHostile, "race"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  for (const char* file : {"summary.json", "summary.md", "summary.html", "junit.xml", "results.sarif"})
    EXPECT_FALSE(fs::exists(dir + "/out/" + file)) << file;
  EXPECT_TRUE(gate_refuses(dir + "/out"));
}

// ---- merge ----------------------------------------------------------------------

TEST_F(Hostile, MergeOfUnrelatedSummariesWritesNothing) {
  const std::string a = make_temp_dir("racelab-hostile-a-");
  const std::string b = make_temp_dir("racelab-hostile-b-");
  const std::string out = make_temp_dir("racelab-hostile-out-");
  clean_summary(a);
  ASSERT_EQ(run_racelab({"exec", "--runs", "2", "--out", b, "--", kHostile, "race"}).exit_code, 1);
  ChildResult m = run_racelab({"merge", a + "/summary.json", b + "/summary.json", "--out", out});
  EXPECT_EQ(m.exit_code, 2) << m.out << m.err;
  EXPECT_NE(m.err.find("not shards of one campaign"), std::string::npos) << m.err;
  EXPECT_TRUE(fs::is_empty(out));
  // The same summary twice: whole summaries merge only when their results differ.
  m = run_racelab({"merge", a + "/summary.json", a + "/summary.json", "--out", out});
  EXPECT_EQ(m.exit_code, 2);
  EXPECT_NE(m.err.find("whole summaries merge only when they hold different results"), std::string::npos) << m.err;
  // A summary edited to contradict itself does not merge.
  json edited = summary_of(a);
  edited["results"][0]["runs"] = 30;
  write_file(out + "/../edited.json", edited.dump());
  m = run_racelab({"merge", out + "/../edited.json", "--out", out});
  EXPECT_EQ(m.exit_code, 2);
  EXPECT_NE(m.err.find("contradicts itself"), std::string::npos) << m.err;
  EXPECT_TRUE(fs::is_empty(out));
}

// ---- the small ones -----------------------------------------------------------------

TEST_F(Hostile, UsageMistakesAreNamedAndRefused) {
  const std::string dir = make_temp_dir("racelab-hostile-");
  ChildResult r = run_racelab({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'frobnicate' is not a command"), std::string::npos) << r.err;

  r = run_racelab({"--cases", kTestCases, "run", "99", "--time", "0s", "--out", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'0s' is zero"), std::string::npos) << r.err;
  r = run_racelab({"--cases", kTestCases, "run", "99", "--time=-5s", "--out", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'-5s' is negative"), std::string::npos) << r.err;

  r = run_racelab({"--cases", kTestCases, "run", "99", "--strategy", "yield", "--pct-depth", "4", "--out", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--pct-depth does nothing with --strategy yield"), std::string::npos) << r.err;

  write_file(dir + "/a-file", "x");
  r = run_racelab({"exec", "--out", dir + "/a-file", "--", kHostile, "clean"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("exists and is not a directory"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("filesystem error"), std::string::npos) << r.err;
  r = run_racelab({"exec", "--out", dir + "/a-file/below", "--", kHostile, "clean"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot create it"), std::string::npos) << r.err;

  clean_summary(dir);
  r = run_racelab({"gate", dir + "/summary.json", "--reason", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--update-baseline"), std::string::npos) << r.err;

  r = run_racelab({"exec", "--help"});
  EXPECT_NE(r.out.find("0 every run clean, with ThreadSanitizer seen in each"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("buggy variant"), std::string::npos) << r.out;
  r = run_racelab({"report", "--help"});
  EXPECT_NE(r.out.find("0 every log clean"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("buggy variant"), std::string::npos) << r.out;
}

// A shell script that runs the program as its child writes no TSan log of its
// own: the child's banner is the proof. A script around an uninstrumented
// program proves nothing.
TEST_F(Hostile, AWrapperScriptIsJudgedByTheProgramItRuns) {
  const std::string dir = make_temp_dir("racelab-hostile-");
  const std::string script = dir + "/wrap.sh";
  write_file(script, "#!/bin/sh\n\"$@\"\necho wrapped\n");
  fs::permissions(script, fs::perms::owner_all);
  ChildResult r = run_racelab({"exec", "--runs", "2", "--out", dir + "/tsan", "--", script, kHostile, "clean"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = run_racelab({"exec", "--runs", "2", "--out", dir + "/plain", "--", script, "/bin/true"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_TRUE(gate_refuses(dir + "/plain"));
}

// ---- evidence of a campaign --------------------------------------------------------

TEST_F(Hostile, ACampaignProvesTsanRanInEveryWorker) {
  const std::string dir = make_temp_dir("racelab-hostile-");
  const ChildResult r = run_racelab(
      {"--cases", kTestCases, "run", "99", "--variant", "fixed", "--runs", "20", "--jobs", "2", "--out", dir});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json evidence = summary_of(dir).at("results").at(0).at("evidence");
  EXPECT_EQ(evidence.at("processes"), 2) << evidence;
  EXPECT_EQ(evidence.at("tsan_seen"), 2) << evidence;
  EXPECT_EQ(gate(dir).exit_code, 0);
}

}  // namespace
