// 20_shutdown_race: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::shutdown_race {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::shutdown_race

racelab::Case racelab::define_case() {
  return {
      .id = "20_shutdown_race",
      .title = "Shutdown race: \"while not stopped or not empty\" ends a consumer too late or too soon",
      .bug_class = "lost message / hang (check-then-act on shutdown)",
      .threads = 2,
      .invariant = "every message sent is stored, and both threads finish",
      // The main thread waits for the first messages by polling.
      .livelock_steps = 10'000'000,
      .buggy = {.body = cases::shutdown_race::buggy,
                .expected = {Verdict::invariant_violated, Verdict::hang},
                .budget = 200,
                .first_failure_shows =
                    {"the consumer stored",
                     "racelab::condition_variable at cases/20_shutdown_race/buggy.cpp"}},
      .fixed = {.body = cases::shutdown_race::fixed, .expected = {Verdict::clean}},
  };
}
