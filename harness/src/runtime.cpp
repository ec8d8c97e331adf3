// The run: its state, how it starts and ends, and the verdict it ends in
// (of all that apply, the one of highest precedence: racelab/verdict.h).
#include "runtime.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "racelab/case.h"
#include "racelab/wire.h"
#include "valgrind.h"

namespace racelab::detail {

std::atomic<bool> g_perturbing{false};
bool g_plain = false;
thread_local ThreadState* t_self = nullptr;

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

void note(Verdict verdict, const std::string& detail) noexcept {
  if (g_plain) return;  // every note is one of racelab's own checks
  ActiveRun& run = active_run();
  if (!run.active.load(std::memory_order_relaxed)) {
    std::fprintf(stderr, "racelab: %s: %s\n", std::string(to_string(verdict)).c_str(),
                 detail.c_str());
    return;
  }
  QuietScope quiet;
  ScopedLock lock(run.mutex);
  if (!run.noted || outranks(verdict, *run.noted)) {
    run.noted = verdict;
    run.noted_detail = detail;
  }
}

namespace {

// The active run's record up to now, verdict still clean.
RunRecord record_so_far(const ActiveRun& run) {
  RunRecord record;
  record.index = run.index;
  record.seed = run.seed;
  record.strategy = std::string(to_string(run.strategy));
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
    RunRecord record = record_so_far(run);
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

RunRecord execute(Body body, Strategy requested, std::uint64_t seed, std::int64_t index) {
  ActiveRun& run = active_run();
  const Strategy strategy = concrete_strategy(requested, seed);
  ThreadState* main_state = nullptr;
  {
    QuietScope quiet;
    ScopedLock lock(run.mutex);
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
    ScopedLock lock(run.mutex);
    for (const auto& t : run.threads)
      if (t->ordinal > 0 && !t->finished.load(std::memory_order_relaxed))
        leaked += fmt::format("{}T{}", leaked_count++ == 0 ? "" : ", ", t->ordinal);
  }
  while (run.live_threads.load(std::memory_order_relaxed) > 0) std::this_thread::yield();
  run.active.store(false, std::memory_order_relaxed);
  g_perturbing.store(false, std::memory_order_relaxed);

  QuietScope quiet;
  RunRecord record = record_so_far(run);
  ScopedLock lock(run.mutex);
  std::uint64_t total_steps = 0;
  for (const auto& t : run.threads) total_steps += t->steps.load(std::memory_order_relaxed);
  strategy_end_run(run, total_steps);
  // Every verdict that applies; the one of highest precedence is the run's.
  auto consider = [&](Verdict verdict, std::string detail) {
    if (record.verdict == Verdict::clean || outranks(verdict, record.verdict)) {
      record.verdict = verdict;
      record.detail = std::move(detail);
    }
  };
  const int tsan_verdict = run.tsan_verdict.load(std::memory_order_relaxed);
  if (tsan_verdict >= 0) record.tsan_verdict = static_cast<Verdict>(tsan_verdict);
  if (RunAccess::failed(r)) consider(Verdict::invariant_violated, RunAccess::detail(r));
  if (run.noted) consider(*run.noted, run.noted_detail);
  if (!leaked.empty() && !g_plain)
    consider(Verdict::thread_leak, fmt::format("{} {} still running when the run's body returned "
                                               "(detached, never joined)",
                                               leaked, leaked_count > 1 ? "were" : "was"));
  if (record.tsan_verdict)
    consider(*record.tsan_verdict, fmt::format("ThreadSanitizer reported {} problem(s) during the run",
                                               record.tsan_count));
  // Its kind is in valgrind's own output; a race is what helgrind and DRD
  // mostly report.
  if (record.valgrind_errors > 0)
    consider(Verdict::data_race, fmt::format("valgrind reported {} error(s) during the run (see its output)",
                                             record.valgrind_errors));
  return record;
}

}  // namespace racelab::detail

namespace racelab {

void Run::check(bool holds, std::string_view what) {
  if (holds) return;
  detail::QuietScope quiet;
  detail::ScopedLock lock(detail::active_run().mutex);
  if (!failed_) detail_ = what;
  failed_ = true;
}

}  // namespace racelab
