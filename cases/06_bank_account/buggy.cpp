// 06_bank_account, buggy: a deposit and a withdrawal update one balance
// without a lock.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <string>

#include <racelab/racelab.h>

namespace racelab::cases::bank_account {
namespace {

class Account {
 public:
  void update(int amount) {
    int local_copy = balance_;  // BUG: read the balance with no lock held,
    local_copy += amount;
    racelab::interleave();      // (the seeds' time.sleep(1): "processing")
    balance_ = local_copy;      // BUG: and write it back over whatever happened meanwhile
  }

  int balance() const { return balance_; }

 private:
  int balance_ = 100;
};

}  // namespace

void buggy(Run& run) {
  Account account;
  racelab::thread deposit([&] { account.update(50); });
  racelab::thread withdrawal([&] { account.update(-150); });
  deposit.join();
  withdrawal.join();
  run.check(account.balance() == 0,
            "balance is " + std::to_string(account.balance()) + ", expected 0");
}

}  // namespace racelab::cases::bank_account
