// 17_detached_lifetime: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::detached_lifetime {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::detached_lifetime

racelab::Case racelab::define_case() {
  return {
      .id = "17_detached_lifetime",
      .title = "Detached lifetime: a daemon thread audits a session that is already freed",
      .bug_class = "use after free (detached thread outlives its data)",
      .threads = 1,
      .invariant = "no thread uses the session after it is freed",
      .buggy = {.body = cases::detached_lifetime::buggy,
                .expected = {Verdict::thread_leak, Verdict::data_race, Verdict::use_after_free},
                .budget = 200,
                // The harness's leak, or TSan's report of the detached thread
                // reaching the session after the body freed it.
                .first_failure_shows =
                    {"was still running when the run's body returned (detached, never joined)",
                     "start_audit("}},
      .fixed = {.body = cases::detached_lifetime::fixed, .expected = {Verdict::clean}},
  };
}
