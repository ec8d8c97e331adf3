// 03_circular_wait, fixed: a transfer takes both locks at once, deadlock-free.
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
  racelab::interleave();
  std::scoped_lock both(from.mutex, to.mutex);  // FIX: both or neither, never one while waiting
  from.balance -= amount;
  to.balance += amount;
  racelab::progress();
}

}  // namespace

void fixed(Run& run) {
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
