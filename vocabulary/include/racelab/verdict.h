// racelab/verdict.h — the vocabulary every layer of racelab shares.
//
// This header defines, each as an enum with one table beside it:
//   Verdict    how one run ended (exactly one per run), and what each verdict
//              implies (precedence, whether it ends the process, whether only
//              TSan decides it, whether its runs may wait for a time limit)
//   Strategy   how a run perturbs the schedule
//   Variant    which version of a case runs: buggy or fixed
// and, for each, to_string() / parse_*() with one spelling everywhere: in code,
// on the command line, in JSON records and summaries, in SARIF rule ids.
// expected_text() and counts_text() are the one way people read a list of
// expected verdicts and a count of verdicts.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace racelab {

// Verdict
//
// Decided by the harness runtime for each run (`crash` and `process_leak` by
// the driver, which sees the process). When several apply to one run, the one
// with the lowest `precedence` in kVerdicts wins.
enum class Verdict {
  clean,
  invariant_violated,
  data_race,
  lock_order_inversion,
  deadlock,
  self_deadlock,
  livelock,
  hang,
  crash,
  exception_lost,
  thread_leak,
  mutex_misuse,
  process_leak,
  infra_error,
  use_after_free,
};

struct VerdictInfo {
  Verdict verdict;
  std::string_view name;
  /// Lower wins when several verdicts apply to one run.
  int precedence;
  /// A worker ends its process on purpose after it: a thread is blocked (or
  /// spinning) for good, so no further run can start there.
  bool ends_process;
  /// Only ThreadSanitizer decides it: its findings are gated by signature.
  bool from_tsan;
  /// A run may take until the worker's time limit to end in it.
  bool may_wait;
  std::string_view meaning;
  /// Who decides it, and how: for the catalogue's cases (harness/src) and for
  /// a user's program linked with the runtime for unmodified code
  /// (harness/intercept, judged by `racelab exec`). docs/verdicts.md is made
  /// from this table (`racelab help verdicts --markdown`).
  std::string_view catalogue;
  std::string_view own_code;
};

// The verdicts, in enum order.
inline constexpr VerdictInfo kVerdicts[] = {
    // verdict                      name                  prec ends  tsan   wait
    {Verdict::clean,                "clean",                 99, false, false, false,
     "nothing went wrong",
     "no check failed, TSan reported nothing",
     "the program exited 0, TSan reported nothing, the runtime diagnosed nothing"},
    {Verdict::invariant_violated,   "invariant_violated",     6, false, false, false,
     "the case's own check failed (lost update, overbooking, …)",
     "the case's check() after the run",
     "the program exited non-zero with no report; a GoogleTest test failed its assertion"},
    {Verdict::data_race,            "data_race",             12, false, true,  false,
     "TSan reported a data race (or an errno or signal race)",
     "TSan's report",
     "TSan's report"},
    {Verdict::lock_order_inversion, "lock_order_inversion",  11, false, true,  false,
     "two locks taken in both orders: a potential deadlock",
     "TSan's report, or the harness's lock-order graph",
     "TSan's report, dropped only on proof: a gate lock, or a join between the two orders"},
    {Verdict::deadlock,             "deadlock",               1, true,  false, true,
     "a wait-for cycle among threads",
     "the watchdog: a wait-for cycle among the case's threads",
     "the runtime, as the cycle closes: mutexes, rwlocks and joins; the process ends at once"},
    {Verdict::self_deadlock,        "self_deadlock",          0, true,  false, false,
     "a thread re-acquired a non-recursive mutex it owns",
     "the harness's mutex: its owner locks it again",
     "the runtime: a normal mutex or rwlock locked again by its owner"},
    {Verdict::livelock,             "livelock",               2, true,  false, true,
     "threads kept stepping without progress()",
     "no progress() mark within the step bound",
     "the runtime: 10,000 retries in a row (failed try-locks of mutexes others took and released, explicit scheduling points) with no progress"},
    {Verdict::hang,                 "hang",                   3, true,  false, true,
     "blocked with no cycle: lost wakeup, leaked lock, time limit",
     "the watchdog: blocked with no cycle, or the time limit",
     "the runtime: every thread waits and none can wake another (what waits on what); else the time limit"},
    {Verdict::crash,                "crash",                  4, false, false, false,
     "the run's process died of a signal",
     "the driver: the process died of a signal",
     "the driver: the process died of a signal, or TSan reported its crash"},
    {Verdict::exception_lost,       "exception_lost",         7, false, false, false,
     "an exception escaped a case thread (and would have been lost)",
     "the harness's thread: an exception escaped it",
     "not decided: an uncaught exception is a crash"},
    {Verdict::thread_leak,          "thread_leak",            8, false, false, false,
     "a case thread was still running, or never joined, at the end of a run",
     "the harness's thread: running or unjoined at the run's end",
     "not decided: TSan's thread-leak report is a finding of the result"},
    {Verdict::mutex_misuse,         "mutex_misuse",           9, false, false, false,
     "unlock by a non-owner, destroy while locked, invalid mutex",
     "the harness's mutex",
     "the runtime: unlock by a non-owner, destroy while locked, a lock leak (a note)"},
    {Verdict::process_leak,         "process_leak",          13, false, false, false,
     "a process the run started was still alive when the run ended",
     "the driver's keeper: a process of the run still alive",
     "the driver's keeper: a process of the run still alive"},
    {Verdict::infra_error,          "infra_error",            5, false, false, false,
     "the harness could not run the case: never counted as clean",
     "the driver: the case program could not run",
     "the driver: the program could not start, TSan did not run, nothing was tested"},
    {Verdict::use_after_free,       "use_after_free",        10, false, true,  false,
     "TSan saw a freed heap block used (by a thread that raced with the free)",
     "TSan's report",
     "TSan's report"},
};

static_assert([] {
  for (std::size_t i = 0; i < std::size(kVerdicts); ++i)
    if (static_cast<std::size_t>(kVerdicts[i].verdict) != i) return false;
  return true;
}(), "kVerdicts lists every verdict, in enum order");

inline constexpr std::array kAllVerdicts = [] {
  std::array<Verdict, std::size(kVerdicts)> all{};
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = kVerdicts[i].verdict;
  return all;
}();

constexpr const VerdictInfo& info(Verdict v) noexcept {
  return kVerdicts[static_cast<std::size_t>(v) < std::size(kVerdicts) ? static_cast<std::size_t>(v)
                                                                       : std::size(kVerdicts) - 1];
}

constexpr std::string_view to_string(Verdict v) noexcept { return info(v).name; }

constexpr std::optional<Verdict> parse_verdict(std::string_view text) noexcept {
  for (const VerdictInfo& i : kVerdicts)
    if (i.name == text) return i.verdict;
  return std::nullopt;
}

/// Whether `a` wins over `b` when both apply to one run.
constexpr bool outranks(Verdict a, Verdict b) noexcept {
  return info(a).precedence < info(b).precedence;
}

// Strategy
//
// What an interleave() point does in a run. Every strategy draws from a
// per-run, per-thread RNG seeded from the run seed, so a run is named by
// (case, variant, strategy, seed).
enum class Strategy { none, yield, sleep, pct, portfolio, controlled };

struct StrategyInfo {
  Strategy strategy;
  std::string_view name;
  /// --pct-depth changes what it does.
  bool uses_pct_depth;
  /// The catalogue's case programs run it (else only programs linked with
  /// the runtime for unmodified code: racelab exec).
  bool catalogue;
  std::string_view meaning;
};

// The strategies, in enum order.
inline constexpr StrategyInfo kStrategies[] = {
    {Strategy::none, "none", false, true, "plain stress: interleave() only counts steps"},
    {Strategy::yield, "yield", false, true,
     "sched_yield() at 1 in k interleave points, k drawn per run from {1, 2, 4, 16}"},
    {Strategy::sleep, "sleep", false, true,
     "a random 1–100 µs sleep at 1 in k points, k per run from {2, 4, 16, 64}"},
    // After Burckhardt et al. 2010: each thread gets a random priority; a
    // thread below the highest live priority yields at its interleave points;
    // at d−1 random steps of the run the running thread drops below every other.
    {Strategy::pct, "pct", true, true, "priority-based delays with d−1 priority change points (depth d)"},
    {Strategy::portfolio, "portfolio", true, true,
     "each run picks one of the others from its seed (yield 4 in 10, pct 3, sleep 2, none 1)"},
    // After CHESS and Shuttle: the program's threads run one at a time, and a
    // seeded random walk or PCT picks which goes on at each scheduling point;
    // a run is replayed exactly from its recorded schedule.
    {Strategy::controlled, "controlled", true, false,
     "one thread at a time; at every point a seeded random walk (2 runs in 3) or PCT's priorities (1 in 3, depth d) "
     "pick the next; replayable (exec only)"},
};

static_assert([] {
  for (std::size_t i = 0; i < std::size(kStrategies); ++i)
    if (static_cast<std::size_t>(kStrategies[i].strategy) != i) return false;
  return true;
}(), "kStrategies lists every strategy, in enum order");

inline constexpr std::array kAllStrategies = [] {
  std::array<Strategy, std::size(kStrategies)> all{};
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = kStrategies[i].strategy;
  return all;
}();

constexpr const StrategyInfo& info(Strategy s) noexcept {
  return kStrategies[static_cast<std::size_t>(s) < std::size(kStrategies) ? static_cast<std::size_t>(s) : 0];
}

constexpr std::string_view to_string(Strategy s) noexcept { return info(s).name; }

constexpr std::optional<Strategy> parse_strategy(std::string_view text) noexcept {
  for (const StrategyInfo& i : kStrategies)
    if (i.name == text) return i.strategy;
  return std::nullopt;
}

/// "none, yield, sleep, pct or portfolio": for help texts and messages; with
/// `catalogue`, only the strategies the catalogue's case programs run.
inline std::string strategy_names(bool catalogue = false) {
  std::vector<std::string_view> names;
  for (const StrategyInfo& s : kStrategies)
    if (s.catalogue || !catalogue) names.push_back(s.name);
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i)
    text += std::string(i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + std::string(names[i]);
  return text;
}

// Variant — the two versions of every case, a minimal diff apart; and
// `program`, any program outside the catalogue (`racelab exec`, `racelab
// report`), judged like a fixed variant: expected clean.
enum class Variant { buggy, fixed, program };

inline constexpr std::array kAllVariants = {Variant::buggy, Variant::fixed, Variant::program};

constexpr std::string_view to_string(Variant v) noexcept {
  switch (v) {
    case Variant::buggy: return "buggy";
    case Variant::fixed: return "fixed";
    case Variant::program: return "program";
  }
  return "program";
}

constexpr std::optional<Variant> parse_variant(std::string_view text) noexcept {
  for (Variant v : kAllVariants)
    if (to_string(v) == text) return v;
  return std::nullopt;
}

// expected_text()
//
// What a result was expected to end in, for people: "invariant_violated or
// data_race"; "nothing" for an empty list.
inline std::string expected_text(std::span<const Verdict> expected) {
  std::string text;
  for (Verdict v : expected) text += (text.empty() ? "" : " or ") + std::string(to_string(v));
  return text.empty() ? "nothing" : text;
}

// counts_text()
//
// Verdict counts for people, in enum order, zeros left out: "clean 180,
// data_race 20"; "none" when nothing is counted.
inline std::string counts_text(const std::map<Verdict, std::int64_t>& counts) {
  std::string text;
  for (const auto& [verdict, n] : counts)
    if (n != 0) text += (text.empty() ? "" : ", ") + std::string(to_string(verdict)) + " " + std::to_string(n);
  return text.empty() ? "none" : text;
}

}  // namespace racelab
