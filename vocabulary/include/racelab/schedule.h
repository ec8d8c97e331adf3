// racelab/schedule.h — the seeded choices every racelab runtime makes the
// same way: the generator, seed derivation, the portfolio's pick and the
// perturbation rates of strategies yield and sleep. Used by the catalogue's
// runtime (harness/src) and the runtime for unmodified code
// (harness/intercept), so that a seed means the same in both.
#pragma once

#include <cstdint>
#include <string_view>

#include "racelab/verdict.h"

namespace racelab {

// Rng — splitmix64: tiny, fast, and good enough to pick schedules.
class Rng {
 public:
  constexpr explicit Rng(std::uint64_t seed = 0) noexcept : state_(seed) {}
  constexpr std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// True with probability 1/n.
  constexpr bool one_in(std::uint64_t n) noexcept { return next() % n == 0; }
  /// Uniform in [lo, hi].
  constexpr std::uint64_t between(std::uint64_t lo, std::uint64_t hi) noexcept {
    return lo + next() % (hi - lo + 1);
  }

 private:
  std::uint64_t state_;
};

// fnv1a() — 64-bit FNV-1a of a text: a name into a seed (a property's
// program, a GoogleTest test's name).
constexpr std::uint64_t fnv1a(std::string_view text) noexcept {
  std::uint64_t hash = 0xcbf29ce484222325ULL;                         // offset basis
  for (unsigned char c : text) hash = (hash ^ c) * 0x100000001b3ULL;  // prime
  return hash;
}

// mix() — a well-spread 64-bit value from two inputs (seed derivation).
constexpr std::uint64_t mix(std::uint64_t a, std::uint64_t b) noexcept {
  Rng rng(a ^ (b * 0xd1b54a32d192ed03ULL));
  rng.next();
  return rng.next();
}

// run_seed() — the seed of run `index` of a campaign seeded with `campaign`.
// Kept below 2^53 so that every JSON reader holds it exactly.
constexpr std::uint64_t run_seed(std::uint64_t campaign, std::int64_t index) noexcept {
  return mix(campaign, static_cast<std::uint64_t>(index)) & ((1ULL << 53) - 1);
}

// concrete_strategy() — the strategy run `seed` uses: `s` itself unless s is
// portfolio, which picks from a fixed mix weighted toward what finds most
// (yield 4 in 10, pct 3, sleep 2, none 1).
constexpr Strategy concrete_strategy(Strategy s, std::uint64_t seed) noexcept {
  if (s != Strategy::portfolio) return s;
  constexpr Strategy kMix[10] = {Strategy::yield, Strategy::pct,  Strategy::yield, Strategy::sleep,
                                 Strategy::pct,   Strategy::yield, Strategy::none, Strategy::pct,
                                 Strategy::yield, Strategy::sleep};
  return kMix[mix(seed, 0x706f7274) % 10];
}

// perturb_one_in() — strategies yield and sleep perturb at one point in k,
// k drawn per run (some runs shake hard, others lightly: a window of one
// point needs a perturbation right there, a long loop needs only a few).
constexpr std::uint64_t perturb_one_in(Strategy s, Rng& rng) noexcept {
  constexpr std::uint64_t kYieldRates[] = {1, 2, 4, 16};
  constexpr std::uint64_t kSleepRates[] = {2, 4, 16, 64};
  const std::uint64_t pick = rng.between(0, 3);
  return s == Strategy::sleep ? kSleepRates[pick] : kYieldRates[pick];
}

/// The perturbation's time budget for programs linked with the runtime for
/// unmodified code: its delays may take this share (in percent) of the
/// process's time so far, and no more (RACELAB_BUDGET, `racelab exec --budget`).
inline constexpr std::uint64_t kDefaultBudgetPercent = 10;

/// Strategy sleep's pause, in microseconds: uniform in [1, kMaxSleepUs].
inline constexpr std::uint64_t kMaxSleepUs = 100;

}  // namespace racelab
