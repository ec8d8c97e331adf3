// 01_lost_update: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::lost_update {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::lost_update

racelab::Case racelab::define_case() {
  return {
      .id = "01_lost_update",
      .title = "Lost update: workers add to a shared value without a lock",
      .bug_class = "data race (read-modify-write)",
      .threads = 4,
      .invariant = "after 4 workers × 50 updates the value is 200",
      .buggy = {.body = cases::lost_update::buggy,
                .expected = {Verdict::invariant_violated, Verdict::data_race},
                .budget = 200,
                .first_failure_shows = {", expected 200", "FakeDatabase::update()"}},
      .fixed = {.body = cases::lost_update::fixed, .expected = {Verdict::clean}},
  };
}
