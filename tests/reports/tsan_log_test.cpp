// The TSan log parser and finding signatures, on logs that real programs
// (tests/programs/tsan_report_kinds) print at test time.
#include <chrono>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "child.h"
#include "racelab/report/tsan.h"

namespace {

using racelab::report::Finding;
using racelab::report::parse_tsan_log;
using racelab::report::signature;
using racelab::report::TsanLog;
using racelab::report::user_frames;
using racelab::testing::make_temp_dir;
using racelab::testing::read_file;
using racelab::testing::run_child;

const std::string kProgram = RACELAB_TEST_PROGRAMS_DIR "/tsan_report_kinds";

// The log of one run of the program, through TSan's log_path.
std::string log_of(const std::string& kind, const std::string& options = "") {
  const std::string dir = make_temp_dir("racelab-tsan-");
  auto r = run_child({kProgram, kind}, {{"TSAN_OPTIONS", options + " log_path=" + dir + "/log"}});
  EXPECT_FALSE(r.timed_out);
  return read_file(dir + "/log." + std::to_string(r.pid));
}

// The stack whose title starts with `prefix`, or nullptr.
const racelab::report::Stack* stack_titled(const Finding& f, const std::string& prefix) {
  for (const auto& s : f.stacks)
    if (s.title.starts_with(prefix)) return &s;
  return nullptr;
}

class TsanLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RACELAB_TSAN) GTEST_SKIP() << "needs the tsan build";
  }
};

TEST_F(TsanLogTest, DataRaceOnAGlobal) {
  const TsanLog log = parse_tsan_log(log_of("data-race"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "data-race");
  EXPECT_EQ(f.headline, "data race");
  EXPECT_FALSE(f.truncated);
  EXPECT_TRUE(f.location.starts_with("Location is global 'global_counter'")) << f.location;
  EXPECT_NE(f.summary.find("data race"), std::string::npos);
  EXPECT_EQ(log.reported_warnings, 1);
  const auto* write = stack_titled(f, "Write of size 4");
  const auto* previous = stack_titled(f, "Previous write of size 4");
  ASSERT_NE(write, nullptr);
  ASSERT_NE(previous, nullptr);
  std::set<std::string> writers = {user_frames(*write).at(0).function,
                                   user_frames(*previous).at(0).function};
  EXPECT_TRUE(writers.contains("(anonymous namespace)::writer_thread()"));
  EXPECT_TRUE(writers.contains("(anonymous namespace)::other_writer_thread()"));
  const racelab::report::Frame top = user_frames(*write).at(0);
  EXPECT_TRUE(top.file.ends_with("tests/programs/tsan_report_kinds.cpp")) << top.file;
  EXPECT_GT(top.line, 0);
  EXPECT_GT(top.column, 0);
  EXPECT_EQ(top.module, "tsan_report_kinds");
  EXPECT_NE(stack_titled(f, "Thread T1"), nullptr);
}

TEST_F(TsanLogTest, DataRaceOnTheHeapReadFromStderr) {
  // Without log_path the report goes to stderr, between the program's output.
  auto r = run_child({kProgram, "heap-race"});
  const TsanLog log = parse_tsan_log(r.err);
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "data-race");
  EXPECT_TRUE(f.location.starts_with("Location is heap block of size 8")) << f.location;
  const auto* alloc = stack_titled(f, "Location is heap block");
  ASSERT_NE(alloc, nullptr);
  EXPECT_FALSE(alloc->frames.empty());
  // Kind, then each access's top user frames (a thread's stack ends at its
  // function), sorted: no addresses, lines, pids or thread numbers.
  EXPECT_EQ(signature(f), "data-race|(anonymous namespace)::deposit((anonymous namespace)::Account*)"
                          "@tsan_report_kinds.cpp"
                          "|(anonymous namespace)::withdraw((anonymous namespace)::Account*)"
                          "@tsan_report_kinds.cpp")
      << signature(f);
}

TEST_F(TsanLogTest, LockOrderInversionWithAndWithoutTheSecondStack) {
  std::set<std::string> signatures;
  for (const std::string options : {"", "second_deadlock_stack=1"}) {
    const TsanLog log = parse_tsan_log(log_of("lock-order-inversion", options));
    ASSERT_EQ(log.findings.size(), 1u) << options;
    const Finding& f = log.findings[0];
    EXPECT_EQ(f.kind, "lock-order-inversion");
    EXPECT_EQ(f.headline, "lock-order-inversion (potential deadlock)");
    int acquired = 0;
    std::set<std::string> functions;
    for (const auto& s : f.stacks) {
      if (s.title.find("acquired") == std::string::npos) continue;
      ++acquired;
      for (const auto& frame : user_frames(s)) functions.insert(frame.function);
    }
    // With second_deadlock_stack, each edge also has the holder's stack.
    EXPECT_EQ(acquired, options.empty() ? 2 : 4) << options;
    EXPECT_TRUE(functions.contains("(anonymous namespace)::lock_first_then_second()")) << options;
    EXPECT_TRUE(functions.contains("(anonymous namespace)::lock_second_then_first()")) << options;
    EXPECT_TRUE(signature(f).starts_with("lock-order-inversion|"));
    signatures.insert(signature(f));
  }
  // The option adds stacks, not a different bug.
  EXPECT_EQ(signatures.size(), 1u);
}

TEST_F(TsanLogTest, HeapUseAfterFree) {
  const TsanLog log = parse_tsan_log(log_of("heap-use-after-free"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "heap-use-after-free");
  const auto* read = stack_titled(f, "Read of size 8");
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(user_frames(*read).at(0).function,
            "(anonymous namespace)::use_after_free_reader((anonymous namespace)::Account*)");
  ASSERT_NE(stack_titled(f, "Previous write"), nullptr);
}

TEST_F(TsanLogTest, ThreadLeak) {
  const TsanLog log = parse_tsan_log(log_of("thread-leak"));
  ASSERT_EQ(log.findings.size(), 1u);
  EXPECT_EQ(log.findings[0].kind, "thread-leak");
  const auto* created = stack_titled(log.findings[0], "Thread T1");
  ASSERT_NE(created, nullptr);
  bool in_program = false;
  for (const auto& frame : user_frames(*created)) in_program = in_program || frame.function == "(anonymous namespace)::thread_leak()";
  EXPECT_TRUE(in_program);
}

TEST_F(TsanLogTest, MutexMisuse) {
  const TsanLog unlock = parse_tsan_log(log_of("mutex-bad-unlock"));
  ASSERT_EQ(unlock.findings.size(), 1u);
  EXPECT_EQ(unlock.findings[0].kind, "mutex-bad-unlock");
  EXPECT_EQ(unlock.findings[0].location, "Location is stack of main thread.");
  // The report opens with the unlocking stack itself, untitled.
  ASSERT_FALSE(unlock.findings[0].stacks.empty());
  EXPECT_EQ(unlock.findings[0].stacks[0].title, "");
  EXPECT_EQ(user_frames(unlock.findings[0].stacks[0]).at(0).function, "(anonymous namespace)::bad_unlock()");

  const TsanLog destroy = parse_tsan_log(log_of("locked-mutex-destroy"));
  ASSERT_EQ(destroy.findings.size(), 1u);
  EXPECT_EQ(destroy.findings[0].kind, "locked-mutex-destroy");
  EXPECT_NE(stack_titled(destroy.findings[0], "and"), nullptr);
  EXPECT_NE(stack_titled(destroy.findings[0], "Mutex M0"), nullptr);
}

TEST_F(TsanLogTest, ProgramOutputAroundAndInsideReportsIsIgnored) {
  auto r = run_child({kProgram, "noisy-race"});
  const TsanLog noisy = parse_tsan_log(r.out + r.err);
  ASSERT_EQ(noisy.findings.size(), 1u);
  EXPECT_EQ(noisy.findings[0].kind, "data-race");
  EXPECT_FALSE(noisy.findings[0].truncated);
  EXPECT_TRUE(noisy.warnings.empty());
}

TEST_F(TsanLogTest, AnsiColourIsIgnored) {
  const std::string plain = log_of("heap-race");
  std::string coloured;
  for (std::size_t i = 0; i < plain.size(); ++i) {
    if (i % 40 == 0) coloured += "\x1b[1m\x1b[31m";
    coloured += plain[i];
    if (plain[i] == '\n') coloured += "\x1b[0m";
  }
  const TsanLog a = parse_tsan_log(plain);
  const TsanLog b = parse_tsan_log(coloured);
  ASSERT_EQ(b.findings.size(), 1u);
  EXPECT_EQ(signature(a.findings[0]), signature(b.findings[0]));
  EXPECT_EQ(a.findings[0].location, b.findings[0].location);
  EXPECT_EQ(a.findings[0].stacks.size(), b.findings[0].stacks.size());
}

TEST_F(TsanLogTest, ATruncatedReportIsKeptWithAWarning) {
  const std::string full = log_of("heap-race");
  const std::string cut = full.substr(0, full.find("Location is"));
  const TsanLog log = parse_tsan_log(cut);
  ASSERT_EQ(log.findings.size(), 1u);
  EXPECT_TRUE(log.findings[0].truncated);
  EXPECT_EQ(log.findings[0].kind, "data-race");
  ASSERT_EQ(log.warnings.size(), 1u);
  EXPECT_NE(log.warnings[0].find("truncated"), std::string::npos);
  // The part that was printed is all there.
  EXPECT_EQ(log.findings[0].stacks.size(), 2u);
}

TEST_F(TsanLogTest, CrLfAndMissingFinalNewline) {
  const std::string lf = log_of("data-race");
  std::string crlf;
  for (char c : lf) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  crlf.pop_back();
  crlf.pop_back();
  const TsanLog a = parse_tsan_log(lf);
  const TsanLog b = parse_tsan_log(crlf);
  ASSERT_EQ(b.findings.size(), 1u);
  EXPECT_EQ(signature(a.findings[0]), signature(b.findings[0]));
  EXPECT_EQ(b.findings[0].stacks[0].frames[0].line, a.findings[0].stacks[0].frames[0].line);
}

TEST_F(TsanLogTest, ThousandRunsOfOneRaceAreOneSignature) {
  const std::string one = log_of("heap-race");
  std::string many;
  for (int i = 0; i < 1000; ++i) many += one;
  const auto start = std::chrono::steady_clock::now();
  const TsanLog log = parse_tsan_log(many);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(log.findings.size(), 1000u);
  std::set<std::string> signatures;
  for (const auto& f : log.findings) signatures.insert(signature(f));
  EXPECT_EQ(signatures.size(), 1u);
  RecordProperty("parse_seconds", std::to_string(seconds));
}

TEST_F(TsanLogTest, ARaceSeenFromEitherSideHasOneSignature) {
  Finding f = parse_tsan_log(log_of("heap-race")).findings.at(0);
  const std::string before = signature(f);
  std::swap(f.stacks[0], f.stacks[1]);
  EXPECT_EQ(signature(f), before);
}

TEST(TsanLog, TextWithoutReportsHasNoFindings) {
  EXPECT_TRUE(parse_tsan_log("").findings.empty());
  const TsanLog log = parse_tsan_log("hello\nworld\n==================\n");
  EXPECT_TRUE(log.findings.empty());
  EXPECT_TRUE(log.warnings.empty());
  EXPECT_EQ(log.reported_warnings, -1);
}

TEST(TsanLog, FatalErrorsAreKept) {
  const TsanLog log = parse_tsan_log(
      "FATAL: ThreadSanitizer: unexpected memory mapping 0x7f0000000000-0x7f0000001000\n");
  ASSERT_EQ(log.fatal_errors.size(), 1u);
  EXPECT_TRUE(log.findings.empty());
}

}  // namespace
