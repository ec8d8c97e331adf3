// 10_relaxed_publish: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::relaxed_publish {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::relaxed_publish

racelab::Case racelab::define_case() {
  return {
      .id = "10_relaxed_publish",
      .title = "Relaxed publish: a reading handed over behind a relaxed flag",
      .bug_class = "data race (missing release/acquire)",
      .threads = 2,
      .invariant = "the display shows the reading the sensor wrote",
      // Polling a flag steps without progress while the sensor is still starting.
      .livelock_steps = 10'000'000,
      .buggy = {.body = cases::relaxed_publish::buggy,
                .expected = {Verdict::data_race, Verdict::invariant_violated},
                .budget = 200,
                .first_failure_shows = {"cases/10_relaxed_publish/buggy.cpp:31",
                                        "the display showed sensor"}},
      .fixed = {.body = cases::relaxed_publish::fixed, .expected = {Verdict::clean}},
  };
}
