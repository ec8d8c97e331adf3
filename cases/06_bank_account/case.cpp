// 06_bank_account: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::bank_account {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::bank_account

racelab::Case racelab::define_case() {
  return {
      .id = "06_bank_account",
      .title = "Bank account: a deposit and a withdrawal overwrite each other",
      .bug_class = "data race (read-modify-write, one update each)",
      .threads = 2,
      .invariant = "100 + 50 − 150 = 0",
      .buggy = {.body = cases::bank_account::buggy,
                .expected = {Verdict::invariant_violated, Verdict::data_race},
                .budget = 200,
                .first_failure_shows = {"Account::update(int)", "balance is"}},
      .fixed = {.body = cases::bank_account::fixed, .expected = {Verdict::clean}},
  };
}
