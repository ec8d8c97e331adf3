// 21_pool_swallowed_exception: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::pool_swallowed_exception {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::pool_swallowed_exception

racelab::Case racelab::define_case() {
  return {
      .id = "21_pool_swallowed_exception",
      .title = "Pool swallows an exception: a task fails and its dropped future says nothing",
      .bug_class = "lost exception (fire-and-forget task)",
      .threads = 3,
      .invariant = "every valid order is imported and every failed one is reported",
      .buggy = {.body = cases::pool_swallowed_exception::buggy,
                .expected = {Verdict::exception_lost},
                .budget = 200,
                .first_failure_shows =
                    {"order 7: quantity 'x' is not a number) and nobody retrieved it"}},
      .fixed = {.body = cases::pool_swallowed_exception::fixed, .expected = {Verdict::clean}},
  };
}
