// 03_circular_wait, buggy: two transfers lock the same two accounts in
// opposite orders.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <mutex>
#include <string>

#include <racelab/racelab.h>

namespace racelab::cases::circular_wait {
namespace {

constexpr int kTransfers = 5;

struct Account {
  racelab::mutex mutex;  // guards balance
  int balance = 100;
};

void transfer(Account& from, Account& to, int amount) {
  std::lock_guard lock_from(from.mutex);  // BUG: the source first, then the target:
  racelab::interleave();                  // a transfer the other way round holds the
  std::lock_guard lock_to(to.mutex);      // BUG: target and waits for this source
  from.balance -= amount;
  to.balance += amount;
  racelab::progress();
}

}  // namespace

void buggy(Run& run) {
  Account alice;
  Account bob;
  racelab::thread pays_bob([&] {
    for (int i = 0; i < kTransfers; ++i) transfer(alice, bob, 10);
  });
  racelab::thread pays_alice([&] {
    for (int i = 0; i < kTransfers; ++i) transfer(bob, alice, 7);
  });
  pays_bob.join();
  pays_alice.join();
  const int total = alice.balance + bob.balance;
  run.check(total == 200, "money in the bank: " + std::to_string(total) + ", expected 200");
}

}  // namespace racelab::cases::circular_wait
