// 13_thread_leak: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::thread_leak {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::thread_leak

racelab::Case racelab::define_case() {
  return {
      .id = "13_thread_leak",
      .title = "Thread leak: a background flusher nobody joins",
      .bug_class = "thread leak",
      .threads = 1,
      .invariant = "no thread of a request outlives it",
      .buggy = {.body = cases::thread_leak::buggy, .expected = {Verdict::thread_leak},
                .budget = 200,
                .first_failure_shows = {"T1 was still running when the run's body returned"}},
      .fixed = {.body = cases::thread_leak::fixed, .expected = {Verdict::clean}},
  };
}
