// The property of 06_bank_account's Account, fixed variant — the catalogue's
// own class (cases/06_bank_account/fixed.cpp is compiled into this file):
// concurrent deposits and withdrawals, then the balance, against a model
// that adds them up.
#include "cases/06_bank_account/fixed.cpp"

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

TEST(CatalogueProperty, BankAccountFixedHoldsOver1000Histories) {
  EXPECT_GE((racelab::testing::expect_holds<Spec>({.programs = 100, .schedules = 10})), 1000);
}

}  // namespace
