// 08_lazy_init: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::lazy_init {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::lazy_init

racelab::Case racelab::define_case() {
  return {
      .id = "08_lazy_init",
      .title = "Lazy initialization: double-checked locking on a plain pointer",
      .bug_class = "data race (unsafe publication)",
      .threads = 4,
      .invariant = "every thread sees the built configuration, built once",
      .buggy = {.body = cases::lazy_init::buggy,
                .expected = {Verdict::data_race, Verdict::invariant_violated},
                .budget = 200,
                .first_failure_shows = {"Service::config()",
                                        "the config was built",
                                        "saw retries ="}},
      .fixed = {.body = cases::lazy_init::fixed, .expected = {Verdict::clean}},
  };
}
