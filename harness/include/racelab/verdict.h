// racelab/verdict.h — the vocabulary every layer of racelab shares.
//
// This header defines:
//   Verdict    how one run ended (exactly one per run)
//   Strategy   how a run perturbs the schedule
//   Variant    which version of a case runs: buggy or fixed
// and, for each, to_string() / parse_*() with one spelling everywhere: in code,
// on the command line, in JSON records and summaries, in SARIF rule ids.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace racelab {

// Verdict
//
// Decided by the harness runtime for each run. When several things go wrong
// in one run, the verdict is the first that applies in this order: the
// run-ending ones (self_deadlock, deadlock, livelock, hang, crash), then
// invariant_violated, exception_lost, thread_leak, then what TSan reported
// during the run (data_race, lock_order_inversion, mutex_misuse).
enum class Verdict {
  clean,                 ///< nothing went wrong.
  invariant_violated,    ///< the case's own check failed (lost update, overbooking, …).
  data_race,             ///< TSan reported a data race (or use-after-free, or errno/signal race).
  lock_order_inversion,  ///< two locks taken in both orders: a potential deadlock.
  deadlock,              ///< a wait-for cycle among threads.
  self_deadlock,         ///< a thread re-acquired a non-recursive mutex it owns.
  livelock,              ///< threads kept stepping without progress().
  hang,                  ///< blocked with no cycle: lost wakeup, leaked lock, time limit.
  crash,                 ///< the run's process died of a signal.
  exception_lost,        ///< an exception escaped a case thread (and would have been lost).
  thread_leak,           ///< a case thread was still running, or never joined, at the end of a run.
  mutex_misuse,          ///< unlock by a non-owner, destroy while locked, invalid mutex.
  process_leak,          ///< a process the run started was still alive when the run ended.
  infra_error,           ///< the harness could not run the case: never counted as clean.
};

inline constexpr std::array kAllVerdicts = {
    Verdict::clean,         Verdict::invariant_violated, Verdict::data_race,
    Verdict::lock_order_inversion, Verdict::deadlock,    Verdict::self_deadlock,
    Verdict::livelock,      Verdict::hang,               Verdict::crash,
    Verdict::exception_lost, Verdict::thread_leak,       Verdict::mutex_misuse,
    Verdict::process_leak,  Verdict::infra_error,
};

constexpr std::string_view to_string(Verdict v) noexcept {
  switch (v) {
    case Verdict::clean: return "clean";
    case Verdict::invariant_violated: return "invariant_violated";
    case Verdict::data_race: return "data_race";
    case Verdict::lock_order_inversion: return "lock_order_inversion";
    case Verdict::deadlock: return "deadlock";
    case Verdict::self_deadlock: return "self_deadlock";
    case Verdict::livelock: return "livelock";
    case Verdict::hang: return "hang";
    case Verdict::crash: return "crash";
    case Verdict::exception_lost: return "exception_lost";
    case Verdict::thread_leak: return "thread_leak";
    case Verdict::mutex_misuse: return "mutex_misuse";
    case Verdict::process_leak: return "process_leak";
    case Verdict::infra_error: return "infra_error";
  }
  return "infra_error";
}

constexpr std::optional<Verdict> parse_verdict(std::string_view text) noexcept {
  for (Verdict v : kAllVerdicts)
    if (to_string(v) == text) return v;
  return std::nullopt;
}

// Strategy
//
// What an interleave() point does in a run. Every strategy draws from a
// per-run, per-thread RNG seeded from the run seed, so a run is named by
// (case, variant, strategy, seed).
enum class Strategy {
  none,       ///< plain stress: interleave() only counts steps.
  yield,      ///< sched_yield() at 1 in k interleave points, k drawn per run from {1, 2, 4, 16}.
  sleep,      ///< a random 1–100 µs sleep at 1 in k points, k per run from {2, 4, 16, 64}.
  pct,        ///< priority-based delays with d−1 priority change points
              ///< (after Burckhardt et al. 2010): each thread gets a random
              ///< priority; a thread below the highest live priority yields at
              ///< its interleave points; at d−1 random steps of the run the
              ///< running thread drops below every other. Depth d: --pct-depth.
  portfolio,  ///< each run picks one of the above from its seed (yield 4 in
              ///< 10, pct 3, sleep 2, none 1); records name the one it used.
};

inline constexpr std::array kAllStrategies = {Strategy::none, Strategy::yield, Strategy::sleep,
                                              Strategy::pct, Strategy::portfolio};

constexpr std::string_view to_string(Strategy s) noexcept {
  switch (s) {
    case Strategy::none: return "none";
    case Strategy::yield: return "yield";
    case Strategy::sleep: return "sleep";
    case Strategy::pct: return "pct";
    case Strategy::portfolio: return "portfolio";
  }
  return "none";
}

constexpr std::optional<Strategy> parse_strategy(std::string_view text) noexcept {
  for (Strategy s : kAllStrategies)
    if (to_string(s) == text) return s;
  return std::nullopt;
}

// Variant — the two versions of every case, a minimal diff apart; and
// `program`, any program outside the catalogue (`racelab exec`, `racelab
// report`), judged like a fixed variant: expected clean.
enum class Variant { buggy, fixed, program };

constexpr std::string_view to_string(Variant v) noexcept {
  switch (v) {
    case Variant::buggy: return "buggy";
    case Variant::fixed: return "fixed";
    case Variant::program: return "program";
  }
  return "program";
}

constexpr std::optional<Variant> parse_variant(std::string_view text) noexcept {
  for (Variant v : {Variant::buggy, Variant::fixed, Variant::program})
    if (to_string(v) == text) return v;
  return std::nullopt;
}

}  // namespace racelab
