// 09_event_flag: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::event_flag {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::event_flag

racelab::Case racelab::define_case() {
  return {
      .id = "09_event_flag",
      .title = "Event flag: a plain bool polled for \"the flight has landed\"",
      .bug_class = "data race (unsynchronised flag)",
      .threads = 2,
      .invariant = "the passenger goes to the gate the tower announced",
      // Polling a flag steps without progress while the tower is still starting.
      .livelock_steps = 10'000'000,
      .buggy = {.body = cases::event_flag::buggy,
                .expected = {Verdict::data_race, Verdict::invariant_violated},
                .budget = 200,
                .first_failure_shows = {"cases/09_event_flag/buggy.cpp:24",
                                        "the passenger went to gate"}},
      .fixed = {.body = cases::event_flag::fixed, .expected = {Verdict::clean}},
  };
}
