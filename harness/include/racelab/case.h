// racelab/case.h — how a case is defined.
//
// This header defines:
//   racelab::Run          what a variant's body gets: the run's seed and check()
//   racelab::VariantSpec  one variant: its body, its expected verdicts, its
//                         runs; for the buggy one, its contract
//   racelab::Case         a case's metadata and its two variants
//   racelab::define_case  the one function every case program provides
//
// A case is one folder, cases/NN_name/ (cases/README.md says how to add
// one): buggy.cpp and fixed.cpp (a minimal diff apart, `// BUG:` and `// FIX:`
// on the lines that differ), README.md, and case.cpp, which returns the
// metadata, the buggy variant's contract included:
//
//   racelab::Case racelab::define_case() {
//     return {
//         .id = "01_lost_update",
//         .title = "Lost update on a shared counter",
//         .bug_class = "data race (read-modify-write)",
//         .threads = 4,
//         .invariant = "the final count equals threads × increments",
//         .buggy = {.body = cases::lost_update::buggy,
//                   .expected = {Verdict::invariant_violated, Verdict::data_race},
//                   .budget = 200,
//                   .first_failure_shows = {", expected 200", "FakeDatabase::update()"}},
//         .fixed = {.body = cases::lost_update::fixed, .expected = {Verdict::clean}},
//     };
//   }
//
// The harness links main() in: the program runs a variant many times in one
// process (`--variant buggy --runs N --seed S --strategy yield`), prints its
// metadata (`--describe`), and serves as the racelab driver's worker.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "racelab/verdict.h"

namespace racelab {

// Run — one execution of a variant's body, with fresh state.
class Run {
 public:
  /// The run's seed: derived from the campaign seed and the run's index.
  std::uint64_t seed() const noexcept { return seed_; }
  /// The run's index in its campaign (0-based).
  std::int64_t index() const noexcept { return index_; }

  // Run::check()
  //
  // The case's invariant. When `holds` is false the run's verdict becomes
  // `invariant_violated` and `what` (say what was seen and what was
  // expected: "balance is -50, expected 0") is its detail. The first failed
  // check of a run is kept; the body goes on.
  void check(bool holds, std::string_view what);

 private:
  friend class RunAccess;
  Run(std::uint64_t seed, std::int64_t index) noexcept : seed_(seed), index_(index) {}
  std::uint64_t seed_;
  std::int64_t index_;
  bool failed_ = false;
  std::string detail_;
};

/// A variant's body: sets up fresh state, runs its threads, joins them and
/// checks the invariant. Called once per run, on the same thread each time.
using Body = void (*)(Run&);

// VariantSpec — one variant of a case.
struct VariantSpec {
  Body body = nullptr;
  /// The verdicts this variant is expected to end in. For a buggy variant:
  /// the verdict class its bug shows as (first) and any others it may also
  /// show (a lost update is both `invariant_violated` and a `data_race`); it
  /// is caught when some run ends in one of them and no run ends in another.
  /// For a fixed variant: {Verdict::clean}.
  std::vector<Verdict> expected;
  /// Default number of runs in a campaign (`--runs` overrides); 0 means the
  /// budget for a buggy variant that has one, else the harness default: 200
  /// for a buggy variant, 2,000 for a fixed one.
  int runs = 0;

  // The contract (buggy variant only; the fixed variant's is `clean over
  // 2,000 runs`), checked for every case folder by
  // tests/cases/catalogue_test.cpp, where a buggy variant without one fails.
  // cases/README.md says how to find it.

  /// Requires: > 0. Guarantees (tested): `racelab run <id> --variant buggy
  /// --seed S --runs <budget> --stop-on-first` catches the bug, with an
  /// expected verdict and no other, for each seed S in 1..20.
  int budget = 0;
  /// Requires: at least one text, one per way the bug shows (an invariant's
  /// words, TSan's report, a harness diagnosis naming the primitive), each
  /// at least 8 characters with a letter, and saying what is wrong in this
  /// case: not "): " or a verdict's name, which every failure shows.
  /// Guarantees (tested): the console's report of the first failing run
  /// contains one of them, in each of those 20 seeds (in the tsan preset's
  /// build, whose reports include TSan's).
  std::vector<std::string> first_failure_shows{};
};

// Case — one case of the catalogue.
struct Case {
  std::string id;         ///< Folder name, e.g. `01_lost_update`.
  std::string title;      ///< One line for people.
  std::string bug_class;  ///< e.g. `data race (read-modify-write)`, `self-deadlock`.
  int threads = 0;        ///< Case threads per run (not counting the body's).
  std::string invariant;  ///< What check() asserts, in words.
  /// Steps (interleave() points, failed try_locks) the run's threads may take
  /// together without any progress() before the run is a `livelock`;
  /// 0 means the harness default, 50,000.
  std::uint64_t livelock_steps = 0;
  VariantSpec buggy;
  VariantSpec fixed;
};

// define_case()
//
// Every case program defines this; the harness's main() calls it once.
Case define_case();

}  // namespace racelab
