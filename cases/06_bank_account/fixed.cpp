// 06_bank_account, fixed: each update holds the account's lock from read to write.
//
// Compare with buggy.cpp: they differ only on the lines marked BUG / FIX.
#include <mutex>
#include <string>

#include <racelab/racelab.h>

namespace racelab::cases::bank_account {
namespace {

class Account {
 public:
  void update(int amount) {
    std::lock_guard lock(mutex_);  // FIX: one update at a time, from read to write
    int local_copy = balance_;
    local_copy += amount;
    racelab::interleave();      // (the seeds' time.sleep(1): "processing")
    balance_ = local_copy;
  }

  int balance() const { return balance_; }

 private:
  racelab::mutex mutex_;  // FIX: guards balance_
  int balance_ = 100;
};

}  // namespace

void fixed(Run& run) {
  Account account;
  racelab::thread deposit([&] { account.update(50); });
  racelab::thread withdrawal([&] { account.update(-150); });
  deposit.join();
  withdrawal.join();
  run.check(account.balance() == 0,
            "balance is " + std::to_string(account.balance()) + ", expected 0");
}

}  // namespace racelab::cases::bank_account
