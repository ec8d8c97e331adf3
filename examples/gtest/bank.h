// A small bank, written as such code is written: an account with a balance,
// transfers between two accounts, and a ledger of what happened.
#pragma once

#include <mutex>
#include <string>
#include <vector>

class Account {
 public:
  void deposit(long amount);  // a bug: the balance is not guarded
  long balance() const { return balance_; }

 private:
  friend void transfer(Account& from, Account& to, long amount);
  long balance_ = 0;
  std::mutex mutex_;
};

// Moves `amount`, holding both accounts' mutexes: a bug, it takes them in
// argument order, so two opposite transfers at once can deadlock.
void transfer(Account& from, Account& to, long amount);

class Ledger {
 public:
  void append(std::string entry);
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> entries_;
};
