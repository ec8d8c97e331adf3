// 12_lost_wakeup: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::lost_wakeup {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::lost_wakeup

racelab::Case racelab::define_case() {
  return {
      .id = "12_lost_wakeup",
      .title = "Lost wakeup: a notify before the wait is lost for good",
      .bug_class = "hang (lost wakeup)",
      .threads = 2,
      .invariant = "the reader reads the letter",
      .buggy = {.body = cases::lost_wakeup::buggy,
                .expected = {Verdict::hang},
                // Each caught run ends its worker process: a small budget.
                .budget = 20,
                .first_failure_shows =
                    {"waits on a racelab::condition_variable at cases/12_lost_wakeup/buggy.cpp"}},
      .fixed = {.body = cases::lost_wakeup::fixed, .expected = {Verdict::clean}},
  };
}
