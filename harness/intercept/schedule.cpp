// The seeded strategies at the scheduling points of unmodified code: every
// synchronisation call and every atomic operation. They mean what they mean
// in the catalogue (racelab/verdict.h's kStrategies, racelab/schedule.h).
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "intercept.h"
#include "racelab/unmodified.h"

namespace racelab::intercept {

namespace {

// Set at start, and again at each GoogleTest test's start (a test has its
// own seed): relaxed atomics, since threads of an earlier test may still run.
Strategy g_requested = Strategy::none;
std::atomic<Strategy> g_strategy{Strategy::none};  // the concrete one
std::atomic<std::uint64_t> g_seed{0};
std::uint64_t g_process_seed = 0;  // the run's, before any test's
std::atomic<std::uint64_t> g_one_in{4};
std::uint64_t g_pct_steps = 1000;
int g_depth = 3;
// pct: d−1 step numbers, ascending.
constexpr int kMaxDepth = 16;
std::atomic<std::uint64_t> g_changes[kMaxDepth];
std::atomic<std::size_t> g_change_count{0};
std::atomic<std::size_t> g_next_change{0};
// Scheduling points passed: pct counts them all (its change points are
// step numbers of the run); the others count per thread and add up at exit,
// a shared counter on every lock and atomic being most of the runtime's cost.
std::atomic<std::uint64_t> g_steps{0};
thread_local std::uint64_t t_steps = 0;
std::atomic<std::uint64_t> g_finished_steps{0};
std::atomic<int> g_top{0};  // pct: the highest priority among enabled threads
std::atomic<int> g_enabled{0};  // threads started, not finished, not in a wait

thread_local Thread* t_thread = nullptr;  // the calling thread's record, for point()

// The start gate (see intercept.h): closed since this steady-clock time, 0 when open.
std::atomic<std::int64_t> g_gate_closed_at{0};
constexpr std::int64_t kGateNs = 2'000'000;

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// The time budget (as TSan's adaptive delay): a delay is spent only while
// the delays so far took less than g_budget_percent of the process's time
// (plus kAllowanceNs, so that a short program is perturbed too). A test with
// thousands of hand-offs would otherwise run many times slower than under
// TSan alone, and a whole suite not at all.
std::int64_t g_started_ns = 0;
std::uint64_t g_budget_percent = kDefaultBudgetPercent;
constexpr std::int64_t kAllowanceNs = 2'000'000;
std::atomic<std::int64_t> g_delay_ns{0};
std::atomic<std::uint64_t> g_delays{0};
std::atomic<std::uint64_t> g_over_budget{0};  // refusals of finished threads (t_over_budget below)

// Once over budget, a thread refuses its next kRecheck delays without
// reading the clock (a lock-heavy program chooses one at nearly every point).
constexpr int kRecheck = 64;
thread_local int t_refusing = 0;
// Refusals count per thread and add up when it finishes (as the points do).
thread_local std::uint64_t t_over_budget = 0;

bool within_budget() {
  if (t_refusing > 0) {
    --t_refusing;
    ++t_over_budget;
    return false;
  }
  const std::int64_t spent = g_delay_ns.load(std::memory_order_relaxed);
  const std::int64_t allowed =
      kAllowanceNs + (now_ns() - g_started_ns) / 100 * static_cast<std::int64_t>(g_budget_percent);
  if (spent < allowed) return true;
  t_refusing = kRecheck;
  ++t_over_budget;
  return false;
}

// Spends one delay, when the budget allows, and counts its time.
template <class Delay>
void delay(Delay&& pause) {
  if (!within_budget()) return;
  const std::int64_t t0 = now_ns();
  pause();
  g_delay_ns.fetch_add(now_ns() - t0, std::memory_order_relaxed);
  g_delays.fetch_add(1, std::memory_order_relaxed);
}


// Under the model's lock. A thread in a wait is not enabled: were it
// counted, a thread of lower priority holding what it waits for would yield
// at each of its points for nothing (and crawl on a loaded machine).
void recompute_top() {
  int top = 0;
  for (const Thread* t : model().threads)
    if (!t->finished && t->wait == Wait::none) top = std::max(top, t->priority.load(std::memory_order_relaxed));
  g_top.store(top, std::memory_order_relaxed);
}

void pct_step(Thread& self) {
  const std::uint64_t step = g_steps.load(std::memory_order_relaxed);
  std::size_t next = g_next_change.load(std::memory_order_relaxed);
  if (next < g_change_count.load(std::memory_order_relaxed) &&
      step >= g_changes[next].load(std::memory_order_relaxed) &&
      g_next_change.compare_exchange_strong(next, next + 1, std::memory_order_relaxed)) {
    // Change point i: the running thread drops to priority d−1−i, below every other.
    self.priority.store(g_depth - 1 - static_cast<int>(next), std::memory_order_relaxed);
    ScopedModel scoped;
    recompute_top();
  }
  if (self.priority.load(std::memory_order_relaxed) < g_top.load(std::memory_order_relaxed))
    delay([&] {
      sched_yield();
      if (self.rng.one_in(8)) usleep(20);
    });
}

// The strategy's choices for `seed`: the concrete strategy, how often it
// perturbs, pct's change points (counted from step 0).
void choose(std::uint64_t seed) {
  const Strategy concrete = concrete_strategy(g_requested, seed);
  Rng rng(mix(seed, 0x7363686564));
  g_one_in.store(perturb_one_in(concrete, rng), std::memory_order_relaxed);
  std::uint64_t points[kMaxDepth] = {};
  const std::size_t n = static_cast<std::size_t>(g_depth - 1);
  for (std::size_t i = 0; i < n; ++i) points[i] = rng.between(1, g_pct_steps);
  std::sort(points, points + n);
  g_change_count.store(0, std::memory_order_relaxed);
  for (std::size_t i = 0; i < n; ++i) g_changes[i].store(points[i], std::memory_order_relaxed);
  g_steps.store(0, std::memory_order_relaxed);
  g_next_change.store(0, std::memory_order_relaxed);
  g_change_count.store(n, std::memory_order_relaxed);
  g_seed.store(seed, std::memory_order_relaxed);
  g_strategy.store(concrete, std::memory_order_relaxed);
}

}  // namespace

std::uint64_t parse_u64(const char* text, std::uint64_t fallback) {
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  return *end == '\0' ? value : fallback;
}

void schedule_init(const char* strategy, const char* seed, const char* depth, const char* steps, const char* budget) {
  g_started_ns = now_ns();
  g_budget_percent = std::min<std::uint64_t>(parse_u64(budget, kDefaultBudgetPercent), 1000000);
  const auto requested = strategy != nullptr ? parse_strategy(strategy) : std::optional<Strategy>(Strategy::none);
  g_requested = requested.value_or(Strategy::none);
  g_depth = static_cast<int>(std::clamp<std::uint64_t>(parse_u64(depth, 3), 1, kMaxDepth));
  g_pct_steps = std::max<std::uint64_t>(parse_u64(steps, 1000), 1);
  g_process_seed = parse_u64(seed, 1);
  choose(g_process_seed);
}

void schedule_reseed(std::uint64_t seed) {
  choose(seed);
  control_reseed(seed);
  if (g_strategy.load(std::memory_order_relaxed) != Strategy::pct) return;
  ScopedModel scoped;
  for (Thread* t : model().threads)
    if (!t->finished)
      t->priority.store(g_depth + static_cast<int>(t->rng.between(0, 1 << 20)), std::memory_order_relaxed);
  recompute_top();
}

Strategy strategy() noexcept { return g_strategy.load(std::memory_order_relaxed); }
int pct_depth() noexcept { return g_depth; }
std::uint64_t pct_steps() noexcept { return g_pct_steps; }
std::uint64_t seed() noexcept { return g_seed.load(std::memory_order_relaxed); }
std::uint64_t process_seed() noexcept { return g_process_seed; }
std::uint64_t steps() noexcept {
  return g_steps.load(std::memory_order_relaxed) + g_finished_steps.load(std::memory_order_relaxed) + t_steps;
}

void schedule_thread_started(Thread& thread) {
  g_enabled.fetch_add(1, std::memory_order_relaxed);
  control_thread_started(thread);
  if (strategy() != Strategy::pct) return;
  // At least the depth, so that the d−1 change points put a thread below every other.
  const int priority = g_depth + static_cast<int>(thread.rng.between(0, 1 << 20));
  thread.priority.store(priority, std::memory_order_relaxed);
  recompute_top();
}

void schedule_wait_changed(bool started) {
  g_enabled.fetch_add(started ? -1 : 1, std::memory_order_relaxed);
  if (strategy() == Strategy::pct) recompute_top();
}

void schedule_thread_finished() {
  g_enabled.fetch_sub(1, std::memory_order_relaxed);
  g_finished_steps.fetch_add(t_steps, std::memory_order_relaxed);
  t_steps = 0;
  g_over_budget.fetch_add(t_over_budget, std::memory_order_relaxed);
  t_over_budget = 0;
  if (strategy() == Strategy::pct) recompute_top();
}

void gate_close() noexcept {
  // (Under control the threads take turns: nothing to gate.)
  if (strategy() != Strategy::none && strategy() != Strategy::controlled) g_gate_closed_at.store(now_ns(), std::memory_order_relaxed);
}

void gate_open() noexcept { g_gate_closed_at.store(0, std::memory_order_relaxed); }

void gate_wait() noexcept {
  if (g_gate_closed_at.load(std::memory_order_relaxed) == 0) return;
  delay([] {
    for (;;) {
      const std::int64_t since = g_gate_closed_at.load(std::memory_order_relaxed);
      if (since == 0 || now_ns() - since > kGateNs) return;
      sched_yield();
    }
  });
}

Perturbation perturbation() noexcept {
  return {g_budget_percent, g_delays.load(std::memory_order_relaxed),
          static_cast<std::uint64_t>(g_delay_ns.load(std::memory_order_relaxed)),
          g_over_budget.load(std::memory_order_relaxed) + t_over_budget};
}

void point() noexcept {
  const Strategy now = strategy();
  if (now == Strategy::pct)
    g_steps.fetch_add(1, std::memory_order_relaxed);
  else
    ++t_steps;
  if (now == Strategy::controlled) {
    if (active()) control_point();
    return;
  }
  if (now == Strategy::none || g_enabled.load(std::memory_order_relaxed) < 2 || !active()) return;
  if (t_thread == nullptr) {
    ScopedModel scoped;
    t_thread = &me_locked();
  }
  Thread& self = *t_thread;
  switch (now) {
    case Strategy::none:
    case Strategy::portfolio:   // never the concrete strategy
    case Strategy::controlled:  // control_point()
      return;
    case Strategy::yield:
      if (self.rng.one_in(g_one_in.load(std::memory_order_relaxed))) delay([] { sched_yield(); });
      return;
    case Strategy::sleep:
      if (self.rng.one_in(g_one_in.load(std::memory_order_relaxed)))
        delay([&] { usleep(static_cast<useconds_t>(self.rng.between(1, kMaxSleepUs))); });
      return;
    case Strategy::pct:
      pct_step(self);
      return;
  }
}

}  // namespace racelab::intercept

// racelab/unmodified.h's explicit scheduling point and progress mark.
extern "C" void racelab_interleave(void) {
  using namespace racelab::intercept;
  if (!active()) return;
  {
    ScopedModel scoped;
    interleave_retry(me_locked(), RACELAB_SITE());  // a livelock ends the process here
  }
  if (controlled()) control_point();
  else point();
}

extern "C" void racelab_progress(void) {
  using namespace racelab::intercept;
  if (!active()) return;
  ScopedModel scoped;
  progress();
}
