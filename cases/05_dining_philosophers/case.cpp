// 05_dining_philosophers: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::dining_philosophers {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::dining_philosophers

racelab::Case racelab::define_case() {
  return {
      .id = "05_dining_philosophers",
      .title = "Dining philosophers: five threads, five forks, a cycle of five",
      .bug_class = "deadlock (lock-order cycle of N threads)",
      .threads = 5,
      .invariant = "every philosopher eats 3 meals",
      .buggy = {.body = cases::dining_philosophers::buggy,
                .expected = {Verdict::deadlock, Verdict::lock_order_inversion},
                // Each caught run ends its worker process: a small budget.
                .budget = 20,
                .first_failure_shows = {"a cycle of 5 threads, each waiting for the next",
                                        "a lock-order cycle of 5 mutexes"}},
      .fixed = {.body = cases::dining_philosophers::fixed, .expected = {Verdict::clean}},
  };
}
