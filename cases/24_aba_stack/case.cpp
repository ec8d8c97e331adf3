// 24_aba_stack: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::aba_stack {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::aba_stack

racelab::Case racelab::define_case() {
  return {
      .id = "24_aba_stack",
      .title = "ABA: a lock-free stack's compare-and-swap succeeds on a head that changed twice",
      .bug_class = "ABA (atomicity violation without a data race)",
      .threads = 3,
      .invariant = "no node is popped by two threads at once; every node ends on the stack once",
      // Threads retry their compare-and-swap without progress while others work.
      .livelock_steps = 10'000'000,
      .buggy = {.body = cases::aba_stack::buggy, .expected = {Verdict::invariant_violated},
                .budget = 200,
                .first_failure_shows = {"was popped by two threads at once",
                                        "times, expected once (top down:"}},
      .fixed = {.body = cases::aba_stack::fixed, .expected = {Verdict::clean}},
  };
}
