// 14_barrier_count: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::barrier_count {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::barrier_count

racelab::Case racelab::define_case() {
  return {
      .id = "14_barrier_count",
      .title = "Barrier count: the tour waits for a traveller who does not exist",
      .bug_class = "hang (barrier participant count off by one)",
      .threads = 4,
      .invariant = "the guide and all 3 travellers start the tour",
      .buggy = {.body = cases::barrier_count::buggy,
                .expected = {Verdict::hang},
                // Each caught run ends its worker process: a small budget.
                .budget = 20,
                .first_failure_shows =
                    {"waits on a racelab::barrier at cases/14_barrier_count/buggy.cpp"}},
      .fixed = {.body = cases::barrier_count::fixed, .expected = {Verdict::clean}},
  };
}
