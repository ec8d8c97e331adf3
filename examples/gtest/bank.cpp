#include "bank.h"

void Account::deposit(long amount) { balance_ += amount; }

void transfer(Account& from, Account& to, long amount) {
  std::lock_guard first(from.mutex_);
  std::lock_guard second(to.mutex_);
  from.balance_ -= amount;
  to.balance_ += amount;
}

void Ledger::append(std::string entry) {
  std::lock_guard lock(mutex_);
  entries_.push_back(std::move(entry));
}

std::size_t Ledger::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}
