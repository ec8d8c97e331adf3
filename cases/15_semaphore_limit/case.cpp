// 15_semaphore_limit: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::semaphore_limit {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::semaphore_limit

racelab::Case racelab::define_case() {
  return {
      .id = "15_semaphore_limit",
      .title = "Semaphore limit: a check-and-increment counter lets a fourth booking in",
      .bug_class = "check-then-act on an atomic (atomicity violation)",
      .threads = 6,
      .invariant = "never more than 3 bookings at once",
      // Users waiting for a free slot step without progress for a while.
      .livelock_steps = 10'000'000,
      .buggy = {.body = cases::semaphore_limit::buggy, .expected = {Verdict::invariant_violated},
                .budget = 200,
                .first_failure_shows = {"bookings at once, limit 3"}},
      .fixed = {.body = cases::semaphore_limit::fixed, .expected = {Verdict::clean}},
  };
}
