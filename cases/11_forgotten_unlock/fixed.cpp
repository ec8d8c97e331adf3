// 11_forgotten_unlock, fixed: the lock is a scope (RAII), released on every way out.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <mutex>
#include <string>

#include <racelab/racelab.h>

namespace racelab::cases::forgotten_unlock {
namespace {

constexpr int kOrders = 3;

class Warehouse {
 public:
  bool reserve(int units) {
    std::lock_guard lock(mutex_);  // FIX: unlocked when the scope ends, however it ends
    racelab::interleave();
    if (stock_ < units) return false;
    stock_ -= units;
    reserved_ += units;
    return true;
  }

  int stock() const { return stock_; }
  int reserved() const { return reserved_; }

 private:
  racelab::mutex mutex_;  // guards stock_ and reserved_
  int stock_ = 5;
  int reserved_ = 0;
};

}  // namespace

void fixed(Run& run) {
  Warehouse warehouse;
  // Demand (2 × 3 × 2 = 12) exceeds the stock (5): some reservation fails.
  racelab::thread shop([&] {
    for (int i = 0; i < kOrders; ++i) warehouse.reserve(2);
  });
  racelab::thread web([&] {
    for (int i = 0; i < kOrders; ++i) warehouse.reserve(2);
  });
  shop.join();
  web.join();
  run.check(warehouse.stock() + warehouse.reserved() == 5,
            "stock " + std::to_string(warehouse.stock()) + " + reserved " +
                std::to_string(warehouse.reserved()) + ", expected 5 in all");
}

}  // namespace racelab::cases::forgotten_unlock
