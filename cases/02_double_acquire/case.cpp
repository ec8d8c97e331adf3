// 02_double_acquire: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::double_acquire {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::double_acquire

racelab::Case racelab::define_case() {
  return {
      .id = "02_double_acquire",
      .title = "Double acquire: a locked method calls a helper that locks again",
      .bug_class = "self-deadlock (non-recursive mutex locked twice)",
      .threads = 2,
      .invariant = "stock is 10 + 3 deliveries × 5 − 3 sales × 2 = 19",
      .buggy = {.body = cases::double_acquire::buggy, .expected = {Verdict::self_deadlock},
                // Each caught run ends its worker process: a small campaign. Every
                // run shows the bug: a budget of one.
                .runs = 20, .budget = 1,
                .first_failure_shows =
                    {"but already holds it since cases/02_double_acquire/buggy.cpp"}},
      .fixed = {.body = cases::double_acquire::fixed, .expected = {Verdict::clean}},
  };
}
