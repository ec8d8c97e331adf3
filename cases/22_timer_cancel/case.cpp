// 22_timer_cancel: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::timer_cancel {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::timer_cancel

racelab::Case racelab::define_case() {
  return {
      .id = "22_timer_cancel",
      .title = "Timer cancel: cancel() returns while the callback still draws on a freed widget",
      .bug_class = "use after free (cancel does not wait for a running callback)",
      .threads = 1,
      .invariant = "no callback runs after cancel() has returned",
      // The window waits for the timer's thread to arm by polling.
      .livelock_steps = 10'000'000,
      .buggy = {.body = cases::timer_cancel::buggy,
                .expected = {Verdict::data_race, Verdict::invariant_violated},
                .budget = 200,
                .first_failure_shows = {"timer_cancel::buggy(racelab::Run&)",
                                        "the refresh callback ran after cancel() had returned"}},
      .fixed = {.body = cases::timer_cancel::fixed, .expected = {Verdict::clean}},
  };
}
