// 03_circular_wait: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::circular_wait {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::circular_wait

racelab::Case racelab::define_case() {
  return {
      .id = "03_circular_wait",
      .title = "Circular wait: transfers A→B and B→A lock in opposite orders",
      .bug_class = "deadlock (lock-order inversion, 2 threads)",
      .threads = 2,
      .invariant = "the two balances add up to 200",
      .buggy = {.body = cases::circular_wait::buggy,
                .expected = {Verdict::deadlock, Verdict::lock_order_inversion},
                // Each caught run ends its worker process: a small budget.
                .budget = 20,
                .first_failure_shows = {"a cycle of 2 threads, each waiting for the next",
                                        "a lock-order cycle of 2 mutexes"}},
      .fixed = {.body = cases::circular_wait::fixed, .expected = {Verdict::clean}},
  };
}
