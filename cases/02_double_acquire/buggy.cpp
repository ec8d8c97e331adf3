// 02_double_acquire, buggy: a method calls a helper that takes the same lock.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <mutex>
#include <string>

#include <racelab/racelab.h>

namespace racelab::cases::double_acquire {
namespace {

constexpr int kOrders = 3;

// A shop's stock ledger, shared by the till and the delivery desk.
class Ledger {
 public:
  void restock(int units) {
    std::lock_guard lock(mutex_);
    stock_ += units;
    racelab::interleave();
    last_count_ = count();  // BUG: count() locks mutex_, which this thread already holds
  }

  void sell(int units) {
    std::lock_guard lock(mutex_);
    stock_ -= units;
  }

  // For callers outside the ledger: takes the lock.
  int count() {
    std::lock_guard lock(mutex_);
    return stock_;
  }

 private:
  racelab::mutex mutex_;  // guards stock_ and last_count_
  int stock_ = 10;
  int last_count_ = 0;
};

}  // namespace

void buggy(Run& run) {
  Ledger ledger;
  racelab::thread delivery([&] {
    for (int i = 0; i < kOrders; ++i) ledger.restock(5);
  });
  racelab::thread till([&] {
    for (int i = 0; i < kOrders; ++i) ledger.sell(2);
  });
  delivery.join();
  till.join();
  const int expected = 10 + kOrders * 5 - kOrders * 2;
  run.check(ledger.count() == expected,
            "stock is " + std::to_string(ledger.count()) + ", expected " + std::to_string(expected));
}

}  // namespace racelab::cases::double_acquire
