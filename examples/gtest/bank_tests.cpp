// The bank's tests, in plain GoogleTest and std::thread: racelab adds
// nothing to them. Two find the bank's bugs under racelab; one is correct.
#include <thread>

#include <gtest/gtest.h>

#include "bank.h"

TEST(Account, ConcurrentDepositsAllCount) {
  Account account;
  std::thread a([&] {
    for (int i = 0; i < 1000; ++i) account.deposit(1);
  });
  std::thread b([&] {
    for (int i = 0; i < 1000; ++i) account.deposit(1);
  });
  a.join();
  b.join();
  EXPECT_LE(account.balance(), 2000);
}

TEST(Transfer, BothWaysAtOnce) {
  Account alice, bob;
  std::thread a([&] {
    for (int i = 0; i < 1000; ++i) transfer(alice, bob, 1);
  });
  std::thread b([&] {
    for (int i = 0; i < 1000; ++i) transfer(bob, alice, 1);
  });
  a.join();
  b.join();
  EXPECT_EQ(alice.balance() + bob.balance(), 0);
}

TEST(Ledger, AppendsFromManyThreads) {
  Ledger ledger;
  std::vector<std::thread> clerks;
  for (int c = 0; c < 4; ++c)
    clerks.emplace_back([&ledger, c] {
      for (int i = 0; i < 100; ++i) ledger.append("clerk " + std::to_string(c) + " entry " + std::to_string(i));
    });
  for (std::thread& t : clerks) t.join();
  EXPECT_EQ(ledger.size(), 400u);
}
