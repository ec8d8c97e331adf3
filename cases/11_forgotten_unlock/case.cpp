// 11_forgotten_unlock: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::forgotten_unlock {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::forgotten_unlock

racelab::Case racelab::define_case() {
  return {
      .id = "11_forgotten_unlock",
      .title = "Forgotten unlock: an early return leaves the warehouse locked",
      .bug_class = "leaked lock (hang or self-deadlock)",
      .threads = 2,
      .invariant = "stock + reserved is always the 5 units there were",
      .buggy = {.body = cases::forgotten_unlock::buggy,
                .expected = {Verdict::hang, Verdict::self_deadlock},
                // Each caught run ends its worker process: a small budget.
                .budget = 20,
                .first_failure_shows =
                    {"racelab::mutex M1 at cases/11_forgotten_unlock/buggy.cpp:16"}},
      .fixed = {.body = cases::forgotten_unlock::fixed, .expected = {Verdict::clean}},
  };
}
