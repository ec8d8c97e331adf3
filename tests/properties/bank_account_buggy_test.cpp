// The property of 06_bank_account's Account, buggy variant — the catalogue's
// own class (cases/06_bank_account/buggy.cpp is compiled into this file):
// concurrent deposits and withdrawals, then the balance, against a model
// that adds them up.
#include "cases/06_bank_account/buggy.cpp"

#include "catalogue_specs.h"
#include "property_support.h"

namespace {

struct Spec : racelab::testing::BalanceSpec<racelab::cases::bank_account::Account, 100> {
  using Object = racelab::cases::bank_account::Account;
  static std::string run(Object& account, const Op& op) {
    if (op.read) return std::to_string(account.balance());
    account.update(op.amount);
    return "ok";
  }
};

TEST(CatalogueProperty, BankAccountBuggyFailsInEachOf20SeedsAndShrinks) {
  const std::size_t most = racelab::testing::expect_fails_in_every_seed<Spec>(20, {.programs = 30, .schedules = 5});
  EXPECT_LE(most, 4u) << "a shrunk counterexample has a thread with more than 4 operations";
}

}  // namespace
