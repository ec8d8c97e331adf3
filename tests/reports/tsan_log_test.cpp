// The TSan log parser and finding signatures, on logs that real programs
// (tests/programs/tsan_report_kinds) print at test time.
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <csignal>
#include <set>
#include <string>
#include <vector>

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

using racelab::report::Frame;
using racelab::report::Stack;

// Where the program's own frames point.
const std::string kProgramSource = "tests/programs/tsan_report_kinds.cpp";

// A function of the program, as TSan names it.
std::string anon(const std::string& name) { return "(anonymous namespace)::" + name; }

std::string titles_of(const Finding& f) {
  std::string titles;
  for (const auto& s : f.stacks) titles += "\n  [" + s.title + "] " + std::to_string(s.frames.size()) + " frames";
  return titles;
}

std::string frames_of(const Stack& s) {
  std::string text;
  for (const auto& f : s.frames) text += "\n  #" + std::to_string(f.index) + " " + f.function + " @ " + f.file;
  return text;
}

// `stack` has a frame of the program's source named `function` (among its
// user frames; `top`: the first of them), with a line number.
void expect_user_frame(const Stack* stack, const std::string& function, bool top = false) {
  ASSERT_NE(stack, nullptr) << function;
  const std::vector<Frame> frames = user_frames(*stack);
  for (std::size_t i = 0; i < frames.size() && (!top || i == 0); ++i) {
    if (frames[i].function != function) continue;
    EXPECT_TRUE(frames[i].file.ends_with(kProgramSource)) << frames[i].file;
    EXPECT_GT(frames[i].line, 0) << function;
    return;
  }
  ADD_FAILURE() << function << (top ? " is not the top user frame" : " is not a user frame") << " of ["
                << stack->title << "]:" << frames_of(*stack);
}

void expect_top_user_frame(const Stack* stack, const std::string& function) {
  expect_user_frame(stack, function, true);
}

// The stack's innermost frame (an interceptor, operator new, …) is `function`.
void expect_first_frame(const Stack* stack, const std::string& function) {
  ASSERT_NE(stack, nullptr) << function;
  ASSERT_FALSE(stack->frames.empty()) << stack->title;
  EXPECT_EQ(stack->frames[0].index, 0);
  EXPECT_EQ(stack->frames[0].function, function) << frames_of(*stack);
}

// "<headline> <where> in <function>".
void expect_summary(const Finding& f, const std::string& function) {
  EXPECT_TRUE(f.summary.starts_with(f.headline + " ")) << f.summary;
  EXPECT_TRUE(f.summary.ends_with(" in " + function)) << f.summary;
}

// A "Thread T1 (tid=…, running|finished) created by <parent> at" block with
// pthread_create on top.
void expect_thread_block(const Finding& f, const std::string& thread, const std::string& parent) {
  const Stack* s = stack_titled(f, thread + " (tid=");
  ASSERT_NE(s, nullptr) << thread << titles_of(f);
  EXPECT_TRUE(s->title.ends_with(") created by " + parent + " at")) << s->title;
  EXPECT_TRUE(s->title.find(", running)") != std::string::npos ||
              s->title.find(", finished)") != std::string::npos)
      << s->title;
  expect_first_frame(s, "pthread_create");
}

// "Mutex M0 (0x…) created at" whose stack holds `creator` (a program function).
void expect_mutex_block(const Finding& f, const std::string& init, const std::string& creator) {
  const Stack* s = stack_titled(f, "Mutex M0 (0x");
  ASSERT_NE(s, nullptr) << titles_of(f);
  EXPECT_TRUE(s->title.ends_with(") created at")) << s->title;
  expect_first_frame(s, init);
  expect_user_frame(s, creator);
}

bool starts_and_ends(const std::string& s, const std::string& prefix, const std::string& suffix) {
  return s.starts_with(prefix) && s.ends_with(suffix);
}

// The same expectations for a log of this build's runtime and for the
// clang-14 golden logs (tests/reports/golden/clang14-*.log).

void expect_data_race_on_a_global(const TsanLog& log, const std::string& module) {
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "data-race");
  EXPECT_EQ(f.headline, "data race");
  EXPECT_FALSE(f.truncated);
  EXPECT_TRUE(log.warnings.empty());
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
  EXPECT_EQ(top.module, module);
  expect_summary(f, top.function);
  expect_thread_block(f, "Thread T1", "main thread");
  expect_thread_block(f, "Thread T2", "main thread");
  EXPECT_EQ(f.stacks.size(), 4u) << titles_of(f);
}

// Returns the finding's signature in `*sig`.
void expect_lock_order_inversion(const TsanLog& log, bool second_deadlock_stack, std::string* sig) {
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "lock-order-inversion");
  EXPECT_EQ(f.headline, "lock-order-inversion (potential deadlock)");
  EXPECT_FALSE(f.truncated);
  int acquired = 0;
  std::set<std::string> functions;
  for (const auto& s : f.stacks) {
    if (s.title.find("acquired") == std::string::npos) continue;
    ++acquired;
    EXPECT_FALSE(s.frames.empty()) << s.title;
    for (const auto& frame : user_frames(s)) functions.insert(frame.function);
  }
  // With second_deadlock_stack, each edge also has the holder's stack.
  EXPECT_EQ(acquired, second_deadlock_stack ? 4 : 2) << titles_of(f);
  EXPECT_NE(stack_titled(f, "Mutex M1 acquired here while holding mutex M0 in thread T1"), nullptr)
      << titles_of(f);
  EXPECT_NE(stack_titled(f, "Mutex M0 acquired here while holding mutex M1 in thread T2"), nullptr)
      << titles_of(f);
  if (second_deadlock_stack)
    EXPECT_NE(stack_titled(f, "Mutex M0 previously acquired by the same thread here"), nullptr)
        << titles_of(f);
  EXPECT_TRUE(functions.contains("(anonymous namespace)::lock_first_then_second()"));
  EXPECT_TRUE(functions.contains("(anonymous namespace)::lock_second_then_first()"));
  expect_thread_block(f, "Thread T1", "main thread");
  expect_thread_block(f, "Thread T2", "main thread");
  EXPECT_TRUE(f.summary.starts_with("lock-order-inversion (potential deadlock) (")) << f.summary;
  EXPECT_TRUE(f.summary.ends_with(" in pthread_mutex_lock") ||
              f.summary.ends_with(" in __interceptor_pthread_mutex_lock"))
      << f.summary;
  EXPECT_TRUE(signature(f).starts_with("lock-order-inversion|"));
  *sig = signature(f);
}

void expect_heap_use_after_free(const TsanLog& log) {
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "heap-use-after-free");
  EXPECT_EQ(f.headline, "heap-use-after-free");
  EXPECT_FALSE(f.truncated);
  const auto* read = stack_titled(f, "Read of size 8");
  ASSERT_NE(read, nullptr);
  EXPECT_TRUE(read->title.ends_with(" by thread T1")) << read->title;
  expect_top_user_frame(read, anon("use_after_free_reader((anonymous namespace)::Account*)"));
  const auto* previous = stack_titled(f, "Previous write of size 8");
  ASSERT_NE(previous, nullptr);
  EXPECT_TRUE(previous->title.ends_with(" by main thread")) << previous->title;
  ASSERT_FALSE(previous->frames.empty());
  EXPECT_TRUE(previous->frames[0].function.starts_with("operator delete(void*")) << frames_of(*previous);
  expect_user_frame(previous, anon("use_after_free()"));
  expect_thread_block(f, "Thread T1", "main thread");
  expect_summary(f, anon("use_after_free_reader((anonymous namespace)::Account*)"));
}

void expect_thread_leak(const TsanLog& log) {
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "thread-leak");
  EXPECT_EQ(f.headline, "thread leak");
  EXPECT_EQ(f.more_similar, 0);
  ASSERT_EQ(f.stacks.size(), 1u) << titles_of(f);
  EXPECT_TRUE(starts_and_ends(f.stacks[0].title, "Thread T1 (tid=", ", finished) created by main thread at"))
      << f.stacks[0].title;
  expect_first_frame(&f.stacks[0], "pthread_create");
  expect_user_frame(&f.stacks[0], anon("thread_leak()"));
  EXPECT_TRUE(f.summary.starts_with("thread leak (")) << f.summary;
  EXPECT_TRUE(f.summary.ends_with(" in pthread_create") ||
              f.summary.ends_with(" in __interceptor_pthread_create"))
      << f.summary;
}

class TsanLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RACELAB_TSAN) GTEST_SKIP() << "needs the tsan build";
  }
};

TEST_F(TsanLogTest, DataRaceOnAGlobal) {
  expect_data_race_on_a_global(parse_tsan_log(log_of("data-race")), "tsan_report_kinds");
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
    SCOPED_TRACE(options);
    std::string sig;
    expect_lock_order_inversion(parse_tsan_log(log_of("lock-order-inversion", options)), !options.empty(), &sig);
    signatures.insert(sig);
  }
  // The option adds stacks, not a different bug.
  EXPECT_EQ(signatures.size(), 1u);
}

TEST_F(TsanLogTest, HeapUseAfterFree) { expect_heap_use_after_free(parse_tsan_log(log_of("heap-use-after-free"))); }

TEST_F(TsanLogTest, ThreadLeak) { expect_thread_leak(parse_tsan_log(log_of("thread-leak"))); }

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

// --- Every report kind TSan prints, each from a program that prints it.

TEST_F(TsanLogTest, AtomicWriteAgainstAPlainRead) {
  const TsanLog log = parse_tsan_log(log_of("atomic-race"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "data-race");
  EXPECT_EQ(f.headline, "data race");
  EXPECT_FALSE(f.truncated);
  ASSERT_EQ(f.stacks.size(), 4u) << titles_of(f);
  EXPECT_TRUE(starts_and_ends(f.stacks[0].title, "Atomic write of size 4 at 0x", " by thread T2"))
      << f.stacks[0].title;
  EXPECT_TRUE(starts_and_ends(f.stacks[1].title, "Previous read of size 4 at 0x", " by thread T1"))
      << f.stacks[1].title;
  expect_top_user_frame(&f.stacks[0], anon("atomic_writer()"));
  expect_top_user_frame(&f.stacks[1], anon("plain_reader()"));
  EXPECT_TRUE(f.location.starts_with("Location is global 'atomic_target' of size 4 at 0x")) << f.location;
  expect_summary(f, anon("atomic_writer()"));
  expect_thread_block(f, "Thread T1", "main thread");
  expect_thread_block(f, "Thread T2", "main thread");
}

TEST_F(TsanLogTest, DataRaceOnVptr) {
  const TsanLog log = parse_tsan_log(log_of("data-race-vptr"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "data-race-vptr");
  EXPECT_EQ(f.headline, "data race on vptr (ctor/dtor vs virtual call)");
  ASSERT_EQ(f.stacks.size(), 4u) << titles_of(f);
  // The destructor's vptr store, then the virtual call's vptr load.
  EXPECT_TRUE(starts_and_ends(f.stacks[0].title, "Write of size 8 at 0x", " by main thread")) << f.stacks[0].title;
  expect_top_user_frame(&f.stacks[0], anon("Shape::~Shape()"));
  expect_user_frame(&f.stacks[0], anon("destroy_shape((anonymous namespace)::Shape*)"));
  EXPECT_TRUE(starts_and_ends(f.stacks[1].title, "Previous read of size 8 at 0x", " by thread T1"))
      << f.stacks[1].title;
  expect_top_user_frame(&f.stacks[1], anon("call_virtual((anonymous namespace)::Shape const*)"));
  EXPECT_TRUE(starts_and_ends(f.location, "Location is heap block of size 8 at 0x", " allocated by main thread"))
      << f.location;
  const Stack* allocated = stack_titled(f, "Location is heap block");
  expect_first_frame(allocated, "operator new(unsigned long)");
  expect_user_frame(allocated, anon("vptr_race()"));
  expect_thread_block(f, "Thread T1", "main thread");
  expect_summary(f, anon("Shape::~Shape()"));
  EXPECT_TRUE(signature(f).starts_with("data-race-vptr|")) << signature(f);
}

TEST_F(TsanLogTest, HeapUseAfterFreeOnVptr) {
  const TsanLog log = parse_tsan_log(log_of("heap-use-after-free-vptr"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "heap-use-after-free-vptr");
  EXPECT_EQ(f.headline, "heap-use-after-free (virtual call vs free)");
  ASSERT_EQ(f.stacks.size(), 3u) << titles_of(f);
  EXPECT_TRUE(starts_and_ends(f.stacks[0].title, "Read of size 8 at 0x", " by thread T1")) << f.stacks[0].title;
  expect_top_user_frame(&f.stacks[0], anon("call_virtual((anonymous namespace)::Shape const*)"));
  EXPECT_TRUE(starts_and_ends(f.stacks[1].title, "Previous write of size 8 at 0x", " by main thread"))
      << f.stacks[1].title;
  ASSERT_FALSE(f.stacks[1].frames.empty());
  EXPECT_TRUE(f.stacks[1].frames[0].function.starts_with("operator delete(void*")) << frames_of(f.stacks[1]);
  expect_user_frame(&f.stacks[1], anon("destroy_shape((anonymous namespace)::Shape*)"));
  expect_user_frame(&f.stacks[1], anon("vptr_use_after_free()"));
  // A freed block has no location.
  EXPECT_EQ(f.location, "");
  expect_thread_block(f, "Thread T1", "main thread");
  expect_summary(f, anon("call_virtual((anonymous namespace)::Shape const*)"));
}

TEST_F(TsanLogTest, MutexDoubleLock) {
  const TsanLog log = parse_tsan_log(log_of("mutex-double-lock"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "mutex-double-lock");
  EXPECT_EQ(f.headline, "double lock of a mutex");
  ASSERT_EQ(f.stacks.size(), 2u) << titles_of(f);
  // The locking stack, untitled, then the mutex's creation.
  EXPECT_EQ(f.stacks[0].title, "");
  expect_first_frame(&f.stacks[0], "pthread_mutex_lock");
  expect_top_user_frame(&f.stacks[0], anon("double_lock()"));
  EXPECT_TRUE(f.location.starts_with("Location is global '(anonymous namespace)::reused_mutex' of size 40 at 0x"))
      << f.location;
  expect_mutex_block(f, "pthread_mutex_init", anon("double_lock()"));
  EXPECT_TRUE(f.summary.starts_with("double lock of a mutex (")) << f.summary;
  expect_summary(f, "pthread_mutex_lock");
}

TEST_F(TsanLogTest, MutexInvalidAccess) {
  const TsanLog log = parse_tsan_log(log_of("mutex-invalid-access"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "mutex-invalid-access");
  EXPECT_EQ(f.headline, "use of an invalid mutex (e.g. uninitialized or destroyed)");
  ASSERT_EQ(f.stacks.size(), 2u) << titles_of(f);
  EXPECT_EQ(f.stacks[0].title, "");
  expect_first_frame(&f.stacks[0], "pthread_mutex_lock");
  expect_top_user_frame(&f.stacks[0], anon("invalid_access()"));
  EXPECT_EQ(f.location, "Location is stack of main thread.");
  // The destroyed mutex's creation stack is gone: "[failed to restore the stack]".
  const Stack* mutex = stack_titled(f, "Mutex M0 (0x");
  ASSERT_NE(mutex, nullptr);
  EXPECT_TRUE(mutex->title.ends_with(") created at")) << mutex->title;
  EXPECT_TRUE(mutex->failed_to_restore);
  EXPECT_TRUE(mutex->frames.empty());
  EXPECT_FALSE(f.stacks[0].failed_to_restore);
  expect_summary(f, "pthread_mutex_lock");
}

TEST_F(TsanLogTest, MutexBadReadLock) {
  const TsanLog log = parse_tsan_log(log_of("mutex-bad-read-lock"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "mutex-bad-read-lock");
  EXPECT_EQ(f.headline, "read lock of a write locked mutex");
  ASSERT_EQ(f.stacks.size(), 2u) << titles_of(f);
  EXPECT_EQ(f.stacks[0].title, "");
  expect_first_frame(&f.stacks[0], "pthread_rwlock_rdlock");
  expect_top_user_frame(&f.stacks[0], anon("bad_read_lock()"));
  EXPECT_EQ(f.location, "Location is stack of main thread.");
  expect_mutex_block(f, "pthread_rwlock_init", anon("bad_read_lock()"));
  expect_summary(f, "pthread_rwlock_rdlock");
}

TEST_F(TsanLogTest, MutexBadReadUnlock) {
  const TsanLog log = parse_tsan_log(log_of("mutex-bad-read-unlock"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "mutex-bad-read-unlock");
  EXPECT_EQ(f.headline, "read unlock of a write locked mutex");
  ASSERT_EQ(f.stacks.size(), 2u) << titles_of(f);
  EXPECT_EQ(f.stacks[0].title, "");
  expect_first_frame(&f.stacks[0], "__tsan_mutex_pre_unlock");
  expect_top_user_frame(&f.stacks[0], anon("SpinRwLock::unlock_shared()"));
  expect_user_frame(&f.stacks[0], anon("release_as_reader((anonymous namespace)::SpinRwLock*)"));
  EXPECT_EQ(f.location, "Location is stack of main thread.");
  expect_mutex_block(f, "__tsan_mutex_create", anon("SpinRwLock::SpinRwLock()"));
  expect_summary(f, "__tsan_mutex_pre_unlock");
}

TEST_F(TsanLogTest, MutexHeldInTheWrongContext) {
  const TsanLog log = parse_tsan_log(log_of("mutex-held-wrong-context"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "mutex-held-in-wrong-context");
  EXPECT_EQ(f.headline, "mutex held in the wrong context");
  ASSERT_EQ(f.stacks.size(), 2u) << titles_of(f);
  EXPECT_EQ(f.stacks[0].title, "");
  expect_first_frame(&f.stacks[0], "__tsan_check_no_mutexes_held");
  expect_top_user_frame(&f.stacks[0], anon("held_in_wrong_context()"));
  expect_mutex_block(f, "pthread_mutex_init", anon("held_in_wrong_context()"));
  expect_summary(f, "__tsan_check_no_mutexes_held");
}

TEST_F(TsanLogTest, SignalUnsafeCall) {
  const TsanLog log = parse_tsan_log(log_of("signal-unsafe-call"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "signal-unsafe-call");
  EXPECT_EQ(f.headline, "signal-unsafe call inside of a signal");
  ASSERT_EQ(f.stacks.size(), 1u) << titles_of(f);
  EXPECT_EQ(f.stacks[0].title, "");
  expect_first_frame(&f.stacks[0], "malloc");
  expect_top_user_frame(&f.stacks[0], "allocating_handler");
  expect_user_frame(&f.stacks[0], anon("signal_unsafe()"));
  // TSan's own frame between the handler and the program names an object
  // file, not a source line ("… tsan_interceptors_posix.cpp.o"): it is the
  // frame's file, not part of its function.
  for (const auto& frame : f.stacks[0].frames) EXPECT_FALSE(frame.function.ends_with(".o")) << frame.function;
  EXPECT_EQ(f.location, "");
  expect_summary(f, "malloc");
}

TEST_F(TsanLogTest, ErrnoSpoiledInASignalHandler) {
  const TsanLog log = parse_tsan_log(log_of("errno-in-signal-handler"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "errno-in-signal-handler");
  EXPECT_EQ(f.headline, "signal handler spoils errno");
  ASSERT_EQ(f.stacks.size(), 1u) << titles_of(f);
  EXPECT_EQ(f.stacks[0].title, "Signal " + std::to_string(SIGUSR1) + " handler invoked at");
  expect_top_user_frame(&f.stacks[0], "errno_spoiling_handler");
  expect_user_frame(&f.stacks[0], anon("errno_in_handler()"));
  expect_summary(f, "errno_spoiling_handler");
}

TEST_F(TsanLogTest, ExternalRace) {
  const TsanLog log = parse_tsan_log(log_of("external-race"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "external-race");
  // Without a registered header, TSan names the tag's object type.
  EXPECT_EQ(f.headline, "race on Registry");
  ASSERT_EQ(f.stacks.size(), 5u) << titles_of(f);
  EXPECT_TRUE(starts_and_ends(f.stacks[0].title, "Read-only access of Registry at 0x", " by thread T2"))
      << f.stacks[0].title;
  expect_top_user_frame(&f.stacks[0], anon("registry_size((anonymous namespace)::Registry*)"));
  EXPECT_TRUE(starts_and_ends(f.stacks[1].title, "Previous modifying access of Registry at 0x", " by thread T1"))
      << f.stacks[1].title;
  expect_top_user_frame(&f.stacks[1], anon("registry_insert((anonymous namespace)::Registry*)"));
  // A heap block with the tag is named after its object type.
  EXPECT_TRUE(starts_and_ends(f.location, "Location is Registry of size 16 at 0x", " allocated by main thread"))
      << f.location;
  expect_user_frame(stack_titled(f, "Location is Registry"), anon("external_race(char const*)"));
  expect_thread_block(f, "Thread T1", "main thread");
  expect_thread_block(f, "Thread T2", "main thread");
  expect_summary(f, anon("registry_size((anonymous namespace)::Registry*)"));
  const std::string sig = signature(f);
  EXPECT_TRUE(sig.starts_with("external-race|")) << sig;
  EXPECT_NE(sig.find("registry_insert"), std::string::npos) << sig;
  EXPECT_NE(sig.find("registry_size"), std::string::npos) << sig;
}

TEST_F(TsanLogTest, ExternalRaceWithARegisteredHeader) {
  // The headline is whatever the library registered; the access blocks still
  // say what the report is.
  const TsanLog log = parse_tsan_log(log_of("external-race-header"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.headline, "unsynchronized Registry use");
  EXPECT_EQ(f.kind, "external-race");
  expect_top_user_frame(stack_titled(f, "Read-only access of Registry"),
                        anon("registry_size((anonymous namespace)::Registry*)"));
  expect_summary(f, anon("registry_size((anonymous namespace)::Registry*)"));
}

// --- Locations: global and heap are above; stack, TLS and file descriptor.

TEST_F(TsanLogTest, LocationIsTheStackOfAThread) {
  const TsanLog log = parse_tsan_log(log_of("stack-race"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "data-race");
  EXPECT_EQ(f.location, "Location is stack of thread T1.");
  // A one-line location: no stack of its own.
  EXPECT_EQ(stack_titled(f, "Location is"), nullptr) << titles_of(f);
  ASSERT_EQ(f.stacks.size(), 4u) << titles_of(f);
  EXPECT_TRUE(starts_and_ends(f.stacks[0].title, "Write of size 8 at 0x", " by thread T1")) << f.stacks[0].title;
  expect_top_user_frame(&f.stacks[0], anon("record(long*, long)"));
  expect_user_frame(&f.stacks[0], anon("stack_owner()"));
  EXPECT_TRUE(starts_and_ends(f.stacks[1].title, "Previous write of size 8 at 0x", " by thread T2"))
      << f.stacks[1].title;
  expect_top_user_frame(&f.stacks[1], anon("record(long*, long)"));
  expect_thread_block(f, "Thread T1", "main thread");
  expect_thread_block(f, "Thread T2", "thread T1");
  expect_summary(f, anon("record(long*, long)"));
}

TEST_F(TsanLogTest, LocationIsTheTlsOfAThread) {
  const TsanLog log = parse_tsan_log(log_of("tls-race"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "data-race");
  EXPECT_EQ(f.location, "Location is TLS of thread T1.");
  ASSERT_EQ(f.stacks.size(), 4u) << titles_of(f);
  EXPECT_TRUE(starts_and_ends(f.stacks[0].title, "Write of size 8 at 0x", " by thread T1")) << f.stacks[0].title;
  expect_top_user_frame(&f.stacks[0], anon("record(long*, long)"));
  expect_user_frame(&f.stacks[0], anon("tls_owner()"));
  EXPECT_TRUE(starts_and_ends(f.stacks[1].title, "Previous write of size 8 at 0x", " by thread T2"))
      << f.stacks[1].title;
  expect_thread_block(f, "Thread T2", "thread T1");
  expect_summary(f, anon("record(long*, long)"));
}

TEST_F(TsanLogTest, LocationIsAFileDescriptor) {
  const TsanLog log = parse_tsan_log(log_of("fd-race"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "data-race");
  EXPECT_TRUE(starts_and_ends(f.location, "Location is file descriptor ", " created by main thread at"))
      << f.location;
  ASSERT_EQ(f.stacks.size(), 5u) << titles_of(f);
  // close() against read() of the same descriptor.
  EXPECT_TRUE(starts_and_ends(f.stacks[0].title, "Write of size 8 at 0x", " by thread T2")) << f.stacks[0].title;
  expect_first_frame(&f.stacks[0], "close");
  expect_top_user_frame(&f.stacks[0], anon("close_fd(int)"));
  EXPECT_TRUE(starts_and_ends(f.stacks[1].title, "Previous read of size 8 at 0x", " by thread T1"))
      << f.stacks[1].title;
  expect_first_frame(&f.stacks[1], "read");
  expect_top_user_frame(&f.stacks[1], anon("read_fd(int)"));
  // The descriptor's creation is a stack, titled with the location.
  EXPECT_EQ(f.stacks[2].title, f.location);
  expect_first_frame(&f.stacks[2], "open");
  expect_user_frame(&f.stacks[2], anon("fd_race()"));
  expect_thread_block(f, "Thread T1", "main thread");
  expect_thread_block(f, "Thread T2", "main thread");
  expect_summary(f, "close");
}

TEST_F(TsanLogTest, FileDescriptorLocationOfNewerRuntimes) {
  // LLVM 20's PrintLocation ends the descriptor's line with "at::" (two
  // colons); this runtime prints one. The same log with two parses the same.
  const std::string one = log_of("fd-race");
  std::string two = one;
  const auto at = two.find(" created by main thread at:\n");
  ASSERT_NE(at, std::string::npos);
  two.insert(at + std::string(" created by main thread at:").size(), ":");
  const TsanLog a = parse_tsan_log(one);
  const TsanLog b = parse_tsan_log(two);
  ASSERT_EQ(b.findings.size(), 1u);
  EXPECT_EQ(b.findings[0].location, a.findings[0].location);
  ASSERT_EQ(b.findings[0].stacks.size(), a.findings[0].stacks.size());
  EXPECT_EQ(b.findings[0].stacks[2].title, a.findings[0].stacks[2].title);
  EXPECT_EQ(b.findings[0].stacks[2].frames.size(), a.findings[0].stacks[2].frames.size());
}

// --- Mutex and thread blocks, the sleep block, folded thread leaks.

TEST_F(TsanLogTest, MutexAndThreadCreationBlocksAreStacks) {
  const TsanLog log = parse_tsan_log(log_of("mutex-race"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "data-race");
  ASSERT_EQ(f.stacks.size(), 5u) << titles_of(f);
  EXPECT_TRUE(starts_and_ends(f.stacks[0].title, "Write of size 8 at 0x", " by thread T2")) << f.stacks[0].title;
  expect_top_user_frame(&f.stacks[0], anon("unlocked_hit()"));
  // The previous access held M0.
  EXPECT_TRUE(starts_and_ends(f.stacks[1].title, "Previous write of size 8 at 0x",
                              " by thread T1 (mutexes: write M0)"))
      << f.stacks[1].title;
  expect_top_user_frame(&f.stacks[1], anon("locked_hit()"));
  EXPECT_TRUE(f.location.starts_with("Location is global 'guarded_hits' of size 8 at 0x")) << f.location;
  EXPECT_TRUE(f.stacks[2].title.starts_with("Mutex M0 (0x")) << f.stacks[2].title;
  expect_mutex_block(f, "pthread_mutex_init", anon("mutex_race()"));
  EXPECT_TRUE(f.stacks[3].title.starts_with("Thread T2 (tid=")) << f.stacks[3].title;
  EXPECT_TRUE(f.stacks[4].title.starts_with("Thread T1 (tid=")) << f.stacks[4].title;
  expect_thread_block(f, "Thread T1", "main thread");
  expect_thread_block(f, "Thread T2", "main thread");
  expect_summary(f, anon("unlocked_hit()"));
  // Mutex and thread blocks say where things were made, not what raced.
  const std::string sig = signature(f);
  EXPECT_EQ(sig.find("mutex_race"), std::string::npos) << sig;
  EXPECT_EQ(sig.find("pthread_create"), std::string::npos) << sig;
}

TEST_F(TsanLogTest, AsIfSynchronizedViaSleep) {
  const TsanLog log = parse_tsan_log(log_of("sleep-race"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "data-race");
  const Stack* sleep = stack_titled(f, "As if synchronized via sleep");
  ASSERT_NE(sleep, nullptr) << titles_of(f);
  EXPECT_EQ(sleep->title, "As if synchronized via sleep");
  expect_first_frame(sleep, "usleep");
  expect_top_user_frame(sleep, anon("sleepy_writer()"));
  expect_user_frame(stack_titled(f, "Write of size 8"), anon("sleepy_writer()"));
  expect_user_frame(stack_titled(f, "Previous write of size 8"), anon("early_writer()"));
  EXPECT_TRUE(f.location.starts_with("Location is global 'napping_value'")) << f.location;
  // The sleep block is a hint, not part of the bug's identity.
  Finding without = f;
  std::erase_if(without.stacks, [](const Stack& s) { return s.title.starts_with("As if"); });
  EXPECT_EQ(signature(without), signature(f));
}

TEST_F(TsanLogTest, SimilarThreadLeaksAreFoldedIntoOneReport) {
  const TsanLog log = parse_tsan_log(log_of("thread-leaks"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "thread-leak");
  EXPECT_EQ(f.more_similar, 2);
  ASSERT_EQ(f.stacks.size(), 1u) << titles_of(f);
  expect_thread_block(f, "Thread T1", "main thread");
  expect_user_frame(&f.stacks[0], anon("thread_leaks()"));
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

TEST_F(TsanLogTest, AReportCutOffMidStackIsKeptWithAWarning) {
  // The log ends inside the previous access's stack, in the middle of frame #1.
  const std::string full = log_of("data-race");
  const auto previous = full.find("  Previous write of size 4");
  ASSERT_NE(previous, std::string::npos);
  const auto frame1 = full.find("    #1 ", previous);
  ASSERT_NE(frame1, std::string::npos);
  const TsanLog log = parse_tsan_log(full.substr(0, frame1 + 20));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_TRUE(f.truncated);
  EXPECT_EQ(f.kind, "data-race");
  EXPECT_EQ(f.summary, "");
  ASSERT_EQ(log.warnings.size(), 1u);
  EXPECT_NE(log.warnings[0].find("truncated"), std::string::npos) << log.warnings[0];
  EXPECT_NE(log.warnings[0].find("cut off"), std::string::npos) << log.warnings[0];
  ASSERT_EQ(f.stacks.size(), 2u) << titles_of(f);
  // Frame #0 was printed whole; the half line of #1 is left out.
  ASSERT_EQ(f.stacks[1].frames.size(), 1u) << frames_of(f.stacks[1]);
  EXPECT_FALSE(f.stacks[1].frames[0].function.empty());

  // Cut at the end of a line: every frame printed is there, nothing is cut off.
  const auto line_end = full.find('\n', frame1);
  const TsanLog whole_lines = parse_tsan_log(full.substr(0, line_end + 1));
  ASSERT_EQ(whole_lines.findings.size(), 1u);
  EXPECT_TRUE(whole_lines.findings[0].truncated);
  ASSERT_EQ(whole_lines.findings[0].stacks.size(), 2u);
  EXPECT_EQ(whole_lines.findings[0].stacks[1].frames.size(), 2u);
  ASSERT_EQ(whole_lines.warnings.size(), 1u);
  EXPECT_EQ(whole_lines.warnings[0].find("cut off"), std::string::npos) << whole_lines.warnings[0];
}

TEST_F(TsanLogTest, ATruncatedReportFollowedByAnotherIsNotMergedIntoIt) {
  // A process died mid-report; the next run's log follows in the same text.
  const std::string race = log_of("data-race");
  const std::string leak = log_of("thread-leak");
  const std::string cut = race.substr(0, race.find("  Previous write"));
  const TsanLog log = parse_tsan_log(cut + leak);
  ASSERT_EQ(log.findings.size(), 2u);
  EXPECT_TRUE(log.findings[0].truncated);
  EXPECT_EQ(log.findings[0].stacks.size(), 1u) << titles_of(log.findings[0]);
  EXPECT_FALSE(log.findings[1].truncated);
  EXPECT_EQ(log.findings[1].kind, "thread-leak");
  EXPECT_EQ(log.findings[1].stacks.size(), 1u) << titles_of(log.findings[1]);
  ASSERT_EQ(log.warnings.size(), 1u);
  EXPECT_NE(log.warnings[0].find("report 1 (data-race)"), std::string::npos) << log.warnings[0];
}

TEST_F(TsanLogTest, ProgramOutputBetweenAReportsLinesIsSkipped) {
  // Other threads keep printing while TSan prints a report; their lines land
  // between the report's. Put a line of program output after every line of
  // a real report, including lines shaped like TSan's.
  const std::string clean = log_of("mutex-race");
  const std::vector<std::string> noise = {
      "worker 3 says hello",
      "",
      "  progress: 50%:",                  // indented and ending in ':' like a title
      "#1 winner is thread 2",              // '#' and a digit at the margin
      "==================",                // a separator before the SUMMARY line
      "WARNING: low disk space",
      "status:",
  };
  std::string noisy;
  bool inside = false;
  std::size_t n = 0;
  std::size_t start = 0;
  while (start < clean.size()) {
    const std::size_t end = clean.find('\n', start);
    const std::string line = clean.substr(start, end - start);
    start = end + 1;
    noisy += line + "\n";
    if (line.starts_with("WARNING: ThreadSanitizer")) inside = true;
    if (line.starts_with("SUMMARY: ")) inside = false;
    if (inside) noisy += noise[n++ % noise.size()] + "\n";
  }
  ASSERT_GT(n, 20u);
  const TsanLog a = parse_tsan_log(clean);
  const TsanLog b = parse_tsan_log(noisy);
  ASSERT_EQ(a.findings.size(), 1u);
  ASSERT_EQ(b.findings.size(), 1u);
  EXPECT_TRUE(b.warnings.empty());
  EXPECT_FALSE(b.findings[0].truncated);
  EXPECT_EQ(b.findings[0].location, a.findings[0].location);
  EXPECT_EQ(b.findings[0].summary, a.findings[0].summary);
  EXPECT_EQ(signature(b.findings[0]), signature(a.findings[0]));
  ASSERT_EQ(b.findings[0].stacks.size(), a.findings[0].stacks.size()) << titles_of(b.findings[0]);
  for (std::size_t i = 0; i < a.findings[0].stacks.size(); ++i) {
    const Stack& x = a.findings[0].stacks[i];
    const Stack& y = b.findings[0].stacks[i];
    EXPECT_EQ(y.title, x.title);
    ASSERT_EQ(y.frames.size(), x.frames.size()) << x.title << frames_of(y);
    for (std::size_t j = 0; j < x.frames.size(); ++j) {
      EXPECT_EQ(y.frames[j].function, x.frames[j].function);
      EXPECT_EQ(y.frames[j].line, x.frames[j].line);
    }
  }
}

TEST_F(TsanLogTest, AnsiColourFromTheRuntime) {
  // color=always: TSan colours the headline and every block title.
  auto r = run_child({kProgram, "mutex-race"}, {{"TSAN_OPTIONS", "color=always"}});
  ASSERT_NE(r.err.find("\x1b["), std::string::npos) << "no colour in:\n" << r.err;
  const TsanLog coloured = parse_tsan_log(r.err);
  const TsanLog plain = parse_tsan_log(log_of("mutex-race"));
  ASSERT_EQ(coloured.findings.size(), 1u);
  ASSERT_EQ(plain.findings.size(), 1u);
  const Finding& c = coloured.findings[0];
  const Finding& p = plain.findings[0];
  EXPECT_EQ(c.kind, "data-race");
  EXPECT_EQ(c.headline, "data race");
  EXPECT_EQ(signature(c), signature(p));
  EXPECT_EQ(c.summary, p.summary);
  ASSERT_EQ(c.stacks.size(), p.stacks.size()) << titles_of(c);
  for (std::size_t i = 0; i < c.stacks.size(); ++i) {
    EXPECT_EQ(c.stacks[i].frames.size(), p.stacks[i].frames.size()) << c.stacks[i].title;
    EXPECT_EQ(c.stacks[i].title.find('\x1b'), std::string::npos) << c.stacks[i].title;
  }
  EXPECT_TRUE(c.stacks[1].title.ends_with("(mutexes: write M0)")) << c.stacks[1].title;
  EXPECT_TRUE(c.location.starts_with("Location is global 'guarded_hits'")) << c.location;
}

// TSan refuses to start in the legacy (ADDR_COMPAT_LAYOUT) address-space
// layout: the program's stderr is TSan's FATAL error and a memory map.
std::string fatal_start_up_output() {
  struct utsname machine {};
  if (uname(&machine) != 0) return "";
  for (const char* setarch : {"/usr/bin/setarch", "/bin/setarch"}) {
    if (access(setarch, X_OK) != 0) continue;
    return run_child({setarch, machine.machine, "-L", kProgram, "data-race"}).err;
  }
  return "";
}

TEST_F(TsanLogTest, FatalErrorFromTheRuntime) {
  const std::string err = fatal_start_up_output();
  if (err.find("FATAL: ThreadSanitizer") == std::string::npos)
    GTEST_SKIP() << "no setarch -L, or TSan starts in that layout here:\n" << err;
  const TsanLog log = parse_tsan_log(err);
  EXPECT_TRUE(log.findings.empty());
  ASSERT_GE(log.fatal_errors.size(), 1u);
  EXPECT_TRUE(log.fatal_errors[0].starts_with("FATAL: ThreadSanitizer: ")) << log.fatal_errors[0];
  EXPECT_TRUE(log.warnings.empty());
}

TEST_F(TsanLogTest, AFatalErrorEndsTheReportItInterrupts) {
  // TSan dies while printing a report: the report is kept as far as it got,
  // and what follows the FATAL line (a memory map, a CHECK's stack) is not
  // added to it.
  const std::string fatal = fatal_start_up_output();
  if (fatal.find("FATAL: ThreadSanitizer") == std::string::npos)
    GTEST_SKIP() << "no FATAL output to splice in:\n" << fatal;
  const std::string race = log_of("data-race");
  const std::string head = race.substr(0, race.find("  Previous write"));
  const std::string check_stack =
      "    #0 __tsan::CheckUnwind() tsan_rtl.cpp:671 (tsan_report_kinds+0x1234)\n"
      "    #1 __sanitizer::CheckFailed(char const*, int, char const*, unsigned long long, unsigned long long) "
      "sanitizer_termination.cpp:86 (tsan_report_kinds+0x5678)\n";
  const TsanLog log = parse_tsan_log(head + fatal + check_stack);
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_TRUE(f.truncated);
  ASSERT_EQ(f.stacks.size(), 1u) << titles_of(f);
  const TsanLog whole = parse_tsan_log(race);
  EXPECT_EQ(f.stacks[0].frames.size(), whole.findings.at(0).stacks.at(0).frames.size());
  ASSERT_GE(log.fatal_errors.size(), 1u);
  EXPECT_TRUE(log.fatal_errors[0].starts_with("FATAL: ThreadSanitizer")) << log.fatal_errors[0];
  ASSERT_EQ(log.warnings.size(), 1u);
}

TEST_F(TsanLogTest, AThreadWithoutACreationStack) {
  // When TSan has no creation stack for a thread it prints the thread's line
  // without " at:" and "[failed to restore the stack]" under it. Rewrite a
  // real report's Thread T1 block that way.
  std::string text = log_of("mutex-race");
  const auto title = text.find("  Thread T1 (tid=");
  ASSERT_NE(title, std::string::npos);
  const auto title_end = text.find(" at:\n", title);
  const auto block_end = text.find("\n\n", title_end);
  ASSERT_NE(block_end, std::string::npos);
  text.replace(title_end, block_end - title_end, "\n    [failed to restore the stack]");
  const TsanLog log = parse_tsan_log(text);
  ASSERT_EQ(log.findings.size(), 1u);
  const Stack* t1 = stack_titled(log.findings[0], "Thread T1 (tid=");
  ASSERT_NE(t1, nullptr) << titles_of(log.findings[0]);
  EXPECT_TRUE(t1->title.ends_with(") created by main thread")) << t1->title;
  EXPECT_TRUE(t1->frames.empty());
  EXPECT_TRUE(t1->failed_to_restore);
  EXPECT_EQ(log.findings[0].stacks.size(), 5u) << titles_of(log.findings[0]);
  EXPECT_FALSE(log.findings[0].truncated);
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

// 1,000 runs of four kinds, each kind's log taken from two separate
// processes (other pids, addresses, thread ids), concatenated in a seeded
// random order: one signature per kind, counted exactly.
TEST_F(TsanLogTest, ThousandRunsOfFourKindsAreCountedPerSignature) {
  const std::vector<std::string> kinds = {"data-race", "heap-race", "lock-order-inversion", "thread-leak"};
  std::vector<std::vector<std::string>> logs;
  for (const std::string& kind : kinds) logs.push_back({log_of(kind), log_of(kind)});
  std::map<std::string, int> expected;  // kind -> runs
  std::string all;
  std::uint64_t state = 42;
  for (int run = 0; run < 1000; ++run) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const std::size_t k = (state >> 33) % kinds.size();
    all += "worker output of run " + std::to_string(run) + "\n" + logs[k][(state >> 40) % 2];
    ++expected[kinds[k]];
  }
  const TsanLog log = parse_tsan_log(all);
  ASSERT_EQ(log.findings.size(), 1000u);
  EXPECT_TRUE(log.warnings.empty());
  std::map<std::string, int> per_signature;
  for (const auto& f : log.findings) ++per_signature[signature(f)];
  ASSERT_EQ(per_signature.size(), kinds.size());
  // Match each signature to its kind by parsing one log of that kind alone.
  for (std::size_t k = 0; k < kinds.size(); ++k) {
    const std::string sig = signature(parse_tsan_log(logs[k][0]).findings.at(0));
    EXPECT_EQ(signature(parse_tsan_log(logs[k][1]).findings.at(0)), sig) << kinds[k];
    EXPECT_EQ(per_signature[sig], expected[kinds[k]]) << kinds[k] << ": " << sig;
  }
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

TEST(TsanLog, ACountIsNeverNegative) {
  // Found by the fuzzer: a minus sign where TSan prints a count.
  EXPECT_EQ(parse_tsan_log("ThreadSanitizer: reported -2 warnings\n").reported_warnings, 0);
  EXPECT_EQ(parse_tsan_log("ThreadSanitizer: reported 2 warnings\n").reported_warnings, 2);
  const TsanLog log = parse_tsan_log(
      "==================\n"
      "WARNING: ThreadSanitizer: thread leak (pid=1)\n"
      "  Thread T1 (tid=2, finished) created by main thread at:\n"
      "    #0 pthread_create <null> (a+0x1)\n"
      "\n"
      "  And -3 more similar thread leaks.\n"
      "\n"
      "SUMMARY: ThreadSanitizer: thread leak (a+0x1) in pthread_create\n"
      "==================\n");
  ASSERT_EQ(log.findings.size(), 1u);
  EXPECT_EQ(log.findings[0].more_similar, 0);
}

TEST(TsanLog, FatalErrorsAreKept) {
  const TsanLog log = parse_tsan_log(
      "FATAL: ThreadSanitizer: unexpected memory mapping 0x7f0000000000-0x7f0000001000\n");
  ASSERT_EQ(log.fatal_errors.size(), 1u);
  EXPECT_TRUE(log.findings.empty());
}

// A crash inside TSan's own reporting: no report, no ERROR line, and the
// process exits with TSan's exit code. Never clean.
TEST(TsanLog, ACrashInsideTsanIsAFatalError) {
  const TsanLog log = parse_tsan_log(
      "==12==Installed the sigaction for signal 11\nThreadSanitizer:DEADLYSIGNAL\n"
      "ThreadSanitizer: nested bug in the same thread, aborting.\n");
  ASSERT_EQ(log.fatal_errors.size(), 1u);
  EXPECT_TRUE(log.findings.empty());
}

// --- Golden logs of an older runtime: clang 14's TSan (LLVM 14.0.6), captured
// from tests/programs/tsan_report_kinds.cpp (see tests/reports/golden/README.md).
// The same expectations as for this build's runtime.

std::string golden(const std::string& name) {
  return read_file(std::string(RACELAB_SOURCE_DIR) + "/tests/reports/golden/" + name);
}

TEST(TsanLogGolden, Clang14DataRace) {
  const std::string text = golden("clang14-data-race.log");
  ASSERT_FALSE(text.empty());
  expect_data_race_on_a_global(parse_tsan_log(text), "tsan_report_kinds14");
}

TEST(TsanLogGolden, Clang14LockOrderInversionWithAndWithoutTheSecondStack) {
  std::string first;
  std::string second;
  const std::string plain = golden("clang14-lock-order-inversion.log");
  const std::string with_second = golden("clang14-lock-order-inversion-second-stack.log");
  ASSERT_FALSE(plain.empty());
  ASSERT_FALSE(with_second.empty());
  {
    SCOPED_TRACE("plain");
    expect_lock_order_inversion(parse_tsan_log(plain), false, &first);
  }
  {
    SCOPED_TRACE("second_deadlock_stack=1");
    expect_lock_order_inversion(parse_tsan_log(with_second), true, &second);
  }
  EXPECT_EQ(first, second);
}

TEST(TsanLogGolden, Clang14HeapUseAfterFree) {
  const std::string text = golden("clang14-heap-use-after-free.log");
  ASSERT_FALSE(text.empty());
  expect_heap_use_after_free(parse_tsan_log(text));
}

TEST(TsanLogGolden, Clang14ThreadLeak) {
  const std::string text = golden("clang14-thread-leak.log");
  ASSERT_FALSE(text.empty());
  expect_thread_leak(parse_tsan_log(text));
}

TEST(TsanLogGolden, Clang14ErrnoInSignalHandlerHasAnUntitledStack) {
  // Before LLVM 15 the errno report had no "Signal N handler invoked at:" line.
  const TsanLog log = parse_tsan_log(golden("clang14-errno-in-signal-handler.log"));
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(f.kind, "errno-in-signal-handler");
  EXPECT_EQ(f.headline, "signal handler spoils errno");
  ASSERT_EQ(f.stacks.size(), 1u) << titles_of(f);
  EXPECT_EQ(f.stacks[0].title, "");
  expect_top_user_frame(&f.stacks[0], "errno_spoiling_handler");
  expect_user_frame(&f.stacks[0], anon("errno_in_handler()"));
  expect_summary(f, "errno_spoiling_handler");
}

TEST(TsanLogGolden, Clang14FatalUnexpectedMemoryMapping) {
  // clang 14's runtime started in the legacy address-space layout (setarch -L).
  const TsanLog log = parse_tsan_log(golden("clang14-fatal-unexpected-memory-mapping.log"));
  EXPECT_TRUE(log.findings.empty());
  ASSERT_EQ(log.fatal_errors.size(), 1u);
  EXPECT_TRUE(log.fatal_errors[0].starts_with("FATAL: ThreadSanitizer: unexpected memory mapping 0x"))
      << log.fatal_errors[0];
}

TEST(TsanLog, HandBuiltLogUnknownBlocksNeedAFrameZero) {
  // A hand-built log (no runtime prints this): a future runtime's new block
  // ("Some new block at:" + frames) is kept; an indented
  // line ending in ':' with no frames under it is not.
  const TsanLog log = parse_tsan_log(
      "==================\n"
      "WARNING: ThreadSanitizer: data race (pid=1)\n"
      "  Write of size 4 at 0x10 by thread T1:\n"
      "    #0 f() /src/a.cpp:1:2 (a+0x1)\n"
      "  Some new block at:\n"
      "    #0 g() /src/a.cpp:3:4 (a+0x2)\n"
      "    #1 h() /src/a.cpp:5:6 (a+0x3)\n"
      "\n"
      "  Not a block:\n"
      "\n"
      "SUMMARY: ThreadSanitizer: data race /src/a.cpp:1:2 in f()\n"
      "==================\n");
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  ASSERT_EQ(f.stacks.size(), 2u) << titles_of(f);
  EXPECT_EQ(f.stacks[1].title, "Some new block at");
  EXPECT_EQ(f.stacks[1].frames.size(), 2u);
  EXPECT_FALSE(f.truncated);
}

}  // namespace

namespace {

// Which runtime's frames are not the program's is the caller's to say: the
// parser knows TSan, libc and the C++ library, nothing of racelab.
TEST(TsanLog, ARuntimesFramesAreLeftOutOnlyWhenTheCallerNamesThem) {
  const TsanLog log = parse_tsan_log(
      "==================\n"
      "WARNING: ThreadSanitizer: data race (pid=7)\n"
      "  Write of size 4 at 0x1 by thread T1:\n"
      "    #0 racelab::mutex::unlock() /src/harness/src/mutex.cpp:40:3 (case+0x10)\n"
      "    #1 Account::deposit(int) /src/cases/06/buggy.cpp:12:5 (case+0x20)\n\n"
      "  Previous write of size 4 at 0x1 by thread T2:\n"
      "    #0 Account::deposit(int) /src/cases/06/buggy.cpp:12:5 (case+0x20)\n\n"
      "SUMMARY: ThreadSanitizer: data race /src/harness/src/mutex.cpp:40:3 in racelab::mutex::unlock()\n"
      "==================\n");
  ASSERT_EQ(log.findings.size(), 1u);
  const Finding& f = log.findings[0];
  EXPECT_EQ(user_frames(f.stacks.at(0)).at(0).function, "racelab::mutex::unlock()");
  const racelab::report::FrameFilter by_name{.functions = {"racelab::mutex::"}, .files = {}};
  const racelab::report::FrameFilter by_file{.functions = {}, .files = {"/harness/src/"}};
  EXPECT_EQ(user_frames(f.stacks.at(0), by_name).at(0).function, "Account::deposit(int)");
  EXPECT_EQ(user_frames(f.stacks.at(0), by_file).at(0).function, "Account::deposit(int)");
  EXPECT_NE(signature(f), signature(f, by_name));
  EXPECT_EQ(signature(f, by_name), signature(f, by_file));
  EXPECT_EQ(signature(f, by_name), "data-race|Account::deposit(int)@buggy.cpp|Account::deposit(int)@buggy.cpp");
}

// One missing lock in a template: one finding, whatever the template was
// instantiated on (a header-only pool printed one race per task type).
TEST(TsanLog, TemplateInstantiationsOfOneFunctionShareASignature) {
  auto race = [](const std::string& task) {
    Finding f;
    f.kind = "data-race";
    for (const char* title : {"Write of size 8 at 0x7b04 by thread T2", "Previous read of size 8 at 0x7b04 by main thread"})
      f.stacks.push_back({title,
                          {{0, "void Pool::submit<" + task + ">(" + task + "&&)::'lambda'()::operator()() const",
                            "/src/pool.h", 40, 7, "tests"},
                           {1, "Pool::run_one()", "/src/pool.h", 61, 3, "tests"}}});
    return f;
  };
  EXPECT_EQ(signature(race("main::$_0")), signature(race("Report::Writer<int, std::vector<int>>")));
  EXPECT_EQ(signature(race("main::$_0")),
            "data-race|void Pool::submit::'lambda'::operator() const@pool.h;Pool::run_one()@pool.h"
            "|void Pool::submit::'lambda'::operator() const@pool.h;Pool::run_one()@pool.h");
  // An operator keeps its symbol; a function that is no template keeps its parameters.
  Finding op = race("int");
  op.stacks[0].frames[0].function = "bool Key::operator< <int>(Key const&) const";
  EXPECT_NE(signature(op).find("bool Key::operator< const@pool.h"), std::string::npos) << signature(op);
}

}  // namespace
