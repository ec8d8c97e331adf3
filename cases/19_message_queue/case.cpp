// 19_message_queue: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::message_queue {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::message_queue

racelab::Case racelab::define_case() {
  return {
      .id = "19_message_queue",
      .title = "Message queue: an unguarded deque read by \"if not empty, pop\"",
      .bug_class = "data race + check-then-act on a container",
      .threads = 4,
      .invariant = "every message received exactly once, each producer's in order",
      // Consumers poll while the producers start.
      .livelock_steps = 10'000'000,
      // Undefined behaviour: a corrupted deque may also crash the process or
      // leave a consumer spinning for ever (a livelock) or stuck (a hang).
      .buggy = {.body = cases::message_queue::buggy,
                .expected = {Verdict::data_race, Verdict::invariant_violated, Verdict::crash,
                             Verdict::livelock, Verdict::hang},
                .budget = 50,
                .first_failure_shows = {"MessageQueue::", "of producer"}},
      .fixed = {.body = cases::message_queue::fixed, .expected = {Verdict::clean}},
  };
}
