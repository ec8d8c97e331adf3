// 16_lock_handoff: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::lock_handoff {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::lock_handoff

racelab::Case racelab::define_case() {
  return {
      .id = "16_lock_handoff",
      .title = "Lock handoff: a pipeline whose locks are unlocked by the other thread",
      .bug_class = "mutex misuse (a lock used as a signal, unlocked by a non-owner)",
      .threads = 2,
      .invariant = "the consumer receives 1, 2, 3 in order",
      .buggy = {.body = cases::lock_handoff::buggy,
                .expected = {Verdict::self_deadlock, Verdict::mutex_misuse},
                // Each caught run ends its worker process: a small budget.
                .budget = 20,
                .first_failure_shows =
                    {"but already holds it since cases/16_lock_handoff/buggy.cpp",
                     "unlocks racelab::mutex"}},
      .fixed = {.body = cases::lock_handoff::fixed, .expected = {Verdict::clean}},
  };
}
