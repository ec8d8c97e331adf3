// What an interleave() point does under each strategy.
#include <sched.h>
#include <unistd.h>

#include <algorithm>

#include "racelab/detail/thread_annotations.h"
#include "runtime.h"

namespace racelab::detail {

namespace {

// Initial priorities are at least the depth, so the d−1 change points
// (priorities d−1 … 1) put a thread below every other.
int initial_priority(const ActiveRun& run, ThreadState& thread) {
  return run.pct_depth + static_cast<int>(thread.rng.between(0, 1 << 20));
}

void raise_top(ActiveRun& run, int priority) {
  int top = run.pct_top.load(std::memory_order_relaxed);
  while (priority > top && !run.pct_top.compare_exchange_weak(top, priority, std::memory_order_relaxed)) {
  }
}

// The highest priority among the run's unfinished threads; under the run's mutex.
void recompute_top(ActiveRun& run) RACELAB_REQUIRES(run.mutex) {
  int top = 0;
  for (const auto& t : run.threads)
    if (!t->finished.load(std::memory_order_relaxed)) top = std::max(top, t->priority.load(std::memory_order_relaxed));
  run.pct_top.store(top, std::memory_order_relaxed);
}

void pct_step(ActiveRun& run, ThreadState& self) {
  const std::uint64_t step = run.pct_steps.fetch_add(1, std::memory_order_relaxed) + 1;
  std::size_t next = run.pct_next_change.load(std::memory_order_relaxed);
  if (next < run.pct_changes.size() && step >= run.pct_changes[next] &&
      run.pct_next_change.compare_exchange_strong(next, next + 1, std::memory_order_relaxed)) {
    // Change point i: the running thread drops to priority d−1−i.
    self.priority.store(run.pct_depth - 1 - static_cast<int>(next), std::memory_order_relaxed);
    QuietScope quiet;
    ScopedLock lock(run.mutex);
    recompute_top(run);
  }
  if (self.priority.load(std::memory_order_relaxed) < run.pct_top.load(std::memory_order_relaxed)) {
    sched_yield();
    if (self.rng.one_in(8)) usleep(20);
  }
}

}  // namespace

void perturb(ThreadState& self) noexcept {
  if (self.ordinal < 0) return;  // not a thread of the run
  ActiveRun& run = active_run();
  switch (run.strategy) {
    case Strategy::none:
    case Strategy::portfolio:   // never the concrete strategy of a run
    case Strategy::controlled:  // not run by case programs (their options refuse it)
      return;
    case Strategy::yield:
      if (self.rng.one_in(run.one_in)) sched_yield();
      return;
    case Strategy::sleep:
      if (self.rng.one_in(run.one_in)) usleep(static_cast<useconds_t>(self.rng.between(1, kMaxSleepUs)));
      return;
    case Strategy::pct:
      pct_step(run, self);
      return;
  }
}

void strategy_begin_run(ActiveRun& run, ThreadState& body) {
  run.pct_steps.store(0, std::memory_order_relaxed);
  run.pct_next_change.store(0, std::memory_order_relaxed);
  run.pct_top.store(0, std::memory_order_relaxed);
  run.pct_changes.clear();
  run.one_in = perturb_one_in(run.strategy, body.rng);
  if (run.strategy != Strategy::pct) return;
  for (int i = 1; i < run.pct_depth; ++i)
    run.pct_changes.push_back(body.rng.between(1, std::max<std::uint64_t>(run.pct_step_estimate, 1)));
  std::sort(run.pct_changes.begin(), run.pct_changes.end());
  strategy_thread_started(run, body);
}

void strategy_thread_started(ActiveRun& run, ThreadState& thread) {
  if (run.strategy != Strategy::pct) return;
  const int priority = initial_priority(run, thread);
  thread.priority.store(priority, std::memory_order_relaxed);
  raise_top(run, priority);
}

void strategy_thread_finished(ActiveRun& run) {
  if (run.strategy != Strategy::pct) return;
  QuietScope quiet;
  ScopedLock lock(run.mutex);
  recompute_top(run);
}

void strategy_end_run(ActiveRun& run, std::uint64_t total_steps) {
  // k grows to the longest run seen, so change points can land anywhere in it.
  run.pct_step_estimate = std::max(run.pct_step_estimate, total_steps);
}

}  // namespace racelab::detail
