// The harness runtime linked into every case program: per-run state, thread
// bookkeeping, strategies, the TSan report hook and the watchdog.
#include "runtime.h"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "racelab/case.h"
#include "valgrind.h"

// ThreadSanitizer's interface, when the program is built with it. Weak, so a
// plain build links and simply never calls them.
extern "C" {
void AnnotateIgnoreSyncBegin(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreSyncEnd(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreReadsBegin(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreReadsEnd(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreWritesBegin(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreWritesEnd(const char* file, int line) __attribute__((weak));
int __tsan_get_report_data(void* report, const char** description, int* count,
                           int* stack_count, int* mop_count, int* loc_count, int* mutex_count,
                           int* thread_count, int* unique_tid_count, void** sleep_trace,
                           unsigned long trace_size) __attribute__((weak));
}

namespace racelab::detail {

std::atomic<bool> g_perturbing{false};
bool g_plain = false;
thread_local ThreadState* t_self = nullptr;

namespace {
std::atomic<std::uint64_t> g_tsan_reports{0};
}  // namespace

ThreadState::ThreadState() noexcept { valgrind_ignore(this, sizeof *this); }
ThreadState::~ThreadState() { valgrind_unignore(this, sizeof *this); }

ThreadState& foreign_self() noexcept {
  thread_local ThreadState foreign;
  return foreign;
}

ActiveRun& active_run() noexcept {
  static ActiveRun* run = [] {
    auto* created = new ActiveRun;  // outlives every static racelab mutex
    valgrind_ignore(created, sizeof *created);
    valgrind_ignore(&g_perturbing, sizeof g_perturbing);
    valgrind_ignore(&g_tsan_reports, sizeof g_tsan_reports);
    return created;
  }();
  return *run;
}

RecordSink*& record_sink() noexcept {
  static RecordSink* sink = nullptr;
  return sink;
}

std::uint64_t tsan_reports() noexcept { return g_tsan_reports.load(std::memory_order_relaxed); }

std::uint64_t mix(std::uint64_t a, std::uint64_t b) noexcept {
  Rng rng(a ^ (b * 0xd1b54a32d192ed03ULL));
  rng.next();
  return rng.next();
}

std::uint64_t run_seed(std::uint64_t campaign, std::int64_t index) noexcept {
  return mix(campaign, static_cast<std::uint64_t>(index)) & ((1ULL << 53) - 1);
}

QuietScope::QuietScope() noexcept {
  if (AnnotateIgnoreSyncBegin == nullptr) return;
  AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
  AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
  AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
}

QuietScope::~QuietScope() {
  if (AnnotateIgnoreSyncEnd == nullptr) return;
  AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
  AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
  AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
}

ThreadState* register_thread() {
  ActiveRun& run = active_run();
  QuietScope quiet;
  std::lock_guard lock(run.mutex);
  auto state = std::make_unique<ThreadState>();
  state->ordinal = run.next_ordinal++;
  state->rng = Rng(mix(run.seed, static_cast<std::uint64_t>(state->ordinal)));
  strategy_thread_started(run, *state);
  run.threads.push_back(std::move(state));
  run.live_threads.fetch_add(1, std::memory_order_relaxed);
  return run.threads.back().get();
}

WaitScope::WaitScope(Wait wait, const void* object, const char* what, const char* file,
                     int line) noexcept
    : self_(self()) {
  self_.wait_what.store(what, std::memory_order_relaxed);
  self_.wait_file.store(file, std::memory_order_relaxed);
  self_.wait_line.store(line, std::memory_order_relaxed);
  self_.waiting_on.store(object, std::memory_order_relaxed);
  self_.wait.store(wait, std::memory_order_relaxed);
}

WaitScope::~WaitScope() {
  self_.wait.store(Wait::none, std::memory_order_relaxed);
  self_.waiting_on.store(nullptr, std::memory_order_relaxed);
  self_.wait_file.store(nullptr, std::memory_order_relaxed);
}

void open_start_gate() noexcept {
  if (self().ordinal == 0) active_run().gate_open.store(true, std::memory_order_relaxed);
}

void enter_thread(ThreadState* state) noexcept {
  t_self = state;
  if (g_plain) return;  // the start gate is racelab's help: a plain thread just runs
  ActiveRun& run = active_run();
  auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(2);
  while (!run.gate_open.load(std::memory_order_relaxed) &&
         std::chrono::steady_clock::now() < give_up)
    sched_yield();
}

void exit_thread() noexcept {
  ActiveRun& run = active_run();
  if (t_self != nullptr) t_self->finished.store(true, std::memory_order_relaxed);
  t_self = nullptr;
  strategy_thread_finished(run);
  run.live_threads.fetch_sub(1, std::memory_order_relaxed);
}

void note(Verdict verdict, const std::string& detail) noexcept {
  if (g_plain) return;  // every note is one of racelab's own checks
  ActiveRun& run = active_run();
  if (!run.active.load(std::memory_order_relaxed)) {
    std::fprintf(stderr, "racelab: %s: %s\n", std::string(to_string(verdict)).c_str(),
                 detail.c_str());
    return;
  }
  QuietScope quiet;
  std::lock_guard lock(run.mutex);
  if (!run.noted) {
    run.noted = verdict;
    run.noted_detail = detail;
  }
}

std::string describe_exception(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return fmt::format("std::exception: {}", e.what());
  } catch (...) {
  }
  return "an exception of unknown type";
}

void exception_escaped(std::exception_ptr error) noexcept {
  if (g_plain) std::terminate();  // what an exception escaping a std::thread does
  note(Verdict::exception_lost,
       fmt::format("{} escaped thread T{}", describe_exception(error), self().ordinal));
}

void thread_not_joined() noexcept {
  if (g_plain) std::terminate();  // what destroying a joinable std::thread does
  note(Verdict::thread_leak,
       fmt::format("a racelab::thread was destroyed while joinable (never joined) in thread T{}",
                   self().ordinal));
}

namespace {

// The active run's record up to now, verdict still clean.
Record record_so_far(const ActiveRun& run) {
  Record record;
  record.index = run.index;
  record.seed = run.seed;
  record.strategy = run.strategy;
  record.duration_us = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - run.start)
                           .count();
  record.tsan_first = run.tsan_first;
  record.tsan_count = tsan_reports() - run.tsan_first;
  record.valgrind_errors = valgrind_errors() - run.valgrind_first;
  return record;
}

}  // namespace

[[noreturn]] void end_run(Verdict verdict, const std::string& detail_in) noexcept {
  ActiveRun& run = active_run();
  // Without racelab's checks, a run that cannot finish is only seen not to.
  std::string detail = detail_in;
  if (g_plain && verdict != Verdict::hang) {
    detail = fmt::format("{} (racelab's diagnosis; with its checks off, a plain run is only seen "
                         "to hang)", detail);
    verdict = Verdict::hang;
  }
  if (!run.active.load(std::memory_order_relaxed) || record_sink() == nullptr) {
    std::fprintf(stderr, "racelab: %s: %s\n", std::string(to_string(verdict)).c_str(),
                 detail.c_str());
    std::abort();
  }
  // The first thread to end the run writes its record; any other waits for
  // the exit.
  static std::atomic<bool> ending{false};
  if (ending.exchange(true)) {
    for (;;) pause();
  }
  int code = 0;
  {
    // The scope must end before the exit: TSan refuses a thread that ends
    // with its ignores enabled.
    QuietScope quiet;
    Record record = record_so_far(run);
    record.verdict = verdict;
    record.detail = detail;
    record_sink()->run(record);
    code = record_sink()->ended_early(record);
  }
  // Past TSan's exit handling: with threads still blocked or spinning it can
  // take seconds, and there is nothing left to report.
  exit_with(code);
}

[[noreturn]] void exit_with(int code) noexcept {
  std::fflush(nullptr);
  syscall(SYS_exit_group, code);
  _exit(code);  // not reached
}

namespace {

Verdict verdict_for_tsan_kind(std::string_view kind) {
  if (kind == "lock-order-inversion") return Verdict::lock_order_inversion;
  if (kind == "thread-leak") return Verdict::thread_leak;
  if (kind == "mutex-double-lock") return Verdict::self_deadlock;
  if (kind.starts_with("mutex-") || kind == "locked-mutex-destroy") return Verdict::mutex_misuse;
  // data-race, data-race-vptr, heap-use-after-free(-vptr), external-race and
  // the signal-handler reports are all unsynchronised accesses.
  return Verdict::data_race;
}

}  // namespace

Record execute(Body body, Strategy requested, std::uint64_t seed, std::int64_t index) {
  ActiveRun& run = active_run();
  const Strategy strategy = concrete_strategy(requested, seed);
  ThreadState* main_state = nullptr;
  {
    QuietScope quiet;
    std::lock_guard lock(run.mutex);
    run.strategy = strategy;
    run.seed = seed;
    run.index = index;
    run.next_ordinal = 1;
    run.noted.reset();
    run.noted_detail.clear();
    run.tsan_verdict.store(-1, std::memory_order_relaxed);
    run.gate_open.store(false, std::memory_order_relaxed);
    run.tsan_first = tsan_reports();
    run.valgrind_first = valgrind_errors();
    run.threads.clear();
    auto state = std::make_unique<ThreadState>();
    state->ordinal = 0;
    state->rng = Rng(mix(seed, 0));
    main_state = state.get();
    strategy_begin_run(run, *main_state);
    run.threads.push_back(std::move(state));
    run.start = std::chrono::steady_clock::now();
    run.generation.fetch_add(1, std::memory_order_relaxed);
  }
  g_perturbing.store(strategy != Strategy::none, std::memory_order_relaxed);
  run.active.store(true, std::memory_order_relaxed);
  t_self = main_state;

  Run r = RunAccess::make(seed, index);
  try {
    body(r);
  } catch (...) {
    exception_escaped(std::current_exception());
  }

  main_state->finished.store(true, std::memory_order_relaxed);
  t_self = nullptr;
  run.gate_open.store(true, std::memory_order_relaxed);
  // A detached thread still running is a leak; wait for it to finish so the
  // next run starts quiet (the watchdog ends the process if it never does).
  std::string leaked;  // "T3, T4": the run's threads still running now
  int leaked_count = 0;
  if (run.live_threads.load(std::memory_order_relaxed) > 0) {
    QuietScope quiet;
    std::lock_guard lock(run.mutex);
    for (const auto& t : run.threads)
      if (t->ordinal > 0 && !t->finished.load(std::memory_order_relaxed))
        leaked += fmt::format("{}T{}", leaked_count++ == 0 ? "" : ", ", t->ordinal);
  }
  while (run.live_threads.load(std::memory_order_relaxed) > 0) std::this_thread::yield();
  run.active.store(false, std::memory_order_relaxed);
  g_perturbing.store(false, std::memory_order_relaxed);

  QuietScope quiet;
  Record record = record_so_far(run);
  std::lock_guard lock(run.mutex);
  std::uint64_t total_steps = 0;
  for (const auto& t : run.threads) total_steps += t->steps.load(std::memory_order_relaxed);
  strategy_end_run(run, total_steps);
  int tsan_verdict = run.tsan_verdict.load(std::memory_order_relaxed);
  if (tsan_verdict >= 0) record.tsan_verdict = static_cast<Verdict>(tsan_verdict);
  if (RunAccess::failed(r)) {
    record.verdict = Verdict::invariant_violated;
    record.detail = RunAccess::detail(r);
  } else if (run.noted) {
    record.verdict = *run.noted;
    record.detail = run.noted_detail;
  } else if (!leaked.empty() && !g_plain) {
    record.verdict = Verdict::thread_leak;
    record.detail = fmt::format("{} {} still running when the run's body returned "
                                "(detached, never joined)",
                                leaked, leaked_count > 1 ? "were" : "was");
  } else if (tsan_verdict >= 0) {
    record.verdict = static_cast<Verdict>(tsan_verdict);
    record.detail = fmt::format("ThreadSanitizer reported {} problem(s) during the run",
                                record.tsan_count);
  } else if (record.valgrind_errors > 0) {
    // Its kind is in valgrind's own output; a race is what helgrind and DRD
    // mostly report.
    record.verdict = Verdict::data_race;
    record.detail = fmt::format("valgrind reported {} error(s) during the run (see its output)",
                                record.valgrind_errors);
  }
  return record;
}

}  // namespace racelab::detail

namespace racelab {

void Run::check(bool holds, std::string_view what) {
  if (holds) return;
  detail::QuietScope quiet;
  std::lock_guard lock(detail::active_run().mutex);
  if (!failed_) detail_ = what;
  failed_ = true;
}

}  // namespace racelab

// Called by ThreadSanitizer after it printed a report: counts it (so the
// driver can attribute the n-th report of the log to its run) and keeps the
// kind of the run's first report.
extern "C" void __tsan_on_report(void* report) {
  using namespace racelab;
  detail::g_tsan_reports.fetch_add(1, std::memory_order_relaxed);
  Verdict verdict = Verdict::data_race;
  if (__tsan_get_report_data != nullptr) {
    const char* description = nullptr;
    int count = 0, stacks = 0, mops = 0, locs = 0, mutexes = 0, threads = 0, tids = 0;
    void* trace = nullptr;
    if (__tsan_get_report_data(report, &description, &count, &stacks, &mops, &locs, &mutexes,
                               &threads, &tids, &trace, 0) != 0 &&
        description != nullptr)
      verdict = detail::verdict_for_tsan_kind(description);
  }
  int none = -1;
  detail::active_run().tsan_verdict.compare_exchange_strong(none, static_cast<int>(verdict),
                                                            std::memory_order_relaxed);
}

// Symbolized stacks (file:line in reports) need the llvm-symbolizer that
// matches the compiler; the build found it. Equal reports are printed once
// per process; the second stack of a lock-order inversion is wanted.
extern "C" const char* __tsan_default_options() {
  return "second_deadlock_stack=1"
#ifdef RACELAB_SYMBOLIZER
         " external_symbolizer_path=" RACELAB_SYMBOLIZER
#endif
      ;
}
