// 23_rw_upgrade: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::rw_upgrade {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::rw_upgrade

racelab::Case racelab::define_case() {
  return {
      .id = "23_rw_upgrade",
      .title = "Read-to-write upgrade: cache readers ask for the write lock while they read",
      .bug_class = "self-deadlock (upgrade of a shared lock)",
      .threads = 2,
      .invariant = "every reader gets the right price, each price is looked up once",
      .buggy = {.body = cases::rw_upgrade::buggy,
                .expected = {Verdict::self_deadlock},
                // Each caught run ends its worker process: a small budget.
                .budget = 20,
                .first_failure_shows = {"a shared lock cannot be upgraded"}},
      .fixed = {.body = cases::rw_upgrade::fixed, .expected = {Verdict::clean}},
  };
}
