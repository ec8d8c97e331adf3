// 04_livelock: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::livelock {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::livelock

racelab::Case racelab::define_case() {
  return {
      .id = "04_livelock",
      .title = "Livelock: two polite diners pass one spoon back and forth",
      .bug_class = "livelock (symmetric politeness)",
      .threads = 2,
      .invariant = "both diners eat",
      .buggy = {.body = cases::livelock::buggy, .expected = {Verdict::livelock},
                // Each caught run ends its worker process: a small campaign. Every
                // run shows the bug: a budget of one.
                .runs = 20, .budget = 1,
                .first_failure_shows = {"threads keep trying and none gets anything done"}},
      .fixed = {.body = cases::livelock::fixed, .expected = {Verdict::clean}},
  };
}
