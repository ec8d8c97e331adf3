// 18_iterator_invalidation: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::iterator_invalidation {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::iterator_invalidation

racelab::Case racelab::define_case() {
  return {
      .id = "18_iterator_invalidation",
      .title = "Iterator invalidation: a reader walks a vector while a writer appends",
      .bug_class = "data race / use after free (iterator invalidated by a concurrent writer)",
      .threads = 2,
      .invariant = "the best score read is a score that was added",
      // Undefined behaviour: iterating a freed buffer between torn begin/end
      // pointers can also crash, or run on for ever (a livelock or a hang).
      .buggy = {.body = cases::iterator_invalidation::buggy,
                .expected = {Verdict::data_race, Verdict::use_after_free, Verdict::invariant_violated, Verdict::crash,
                             Verdict::livelock, Verdict::hang},
                .budget = 200,
                .first_failure_shows = {"Leaderboard::best()", "but no score exceeds"}},
      .fixed = {.body = cases::iterator_invalidation::fixed, .expected = {Verdict::clean}},
  };
}
