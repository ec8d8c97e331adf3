// 11_forgotten_unlock, buggy: an early return leaves the lock held.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <string>

#include <racelab/racelab.h>

namespace racelab::cases::forgotten_unlock {
namespace {

constexpr int kOrders = 3;

class Warehouse {
 public:
  bool reserve(int units) {
    mutex_.lock();           // BUG: a manual lock...
    racelab::interleave();
    if (stock_ < units) return false;  // BUG: ...and a way out that never unlocks it
    stock_ -= units;
    reserved_ += units;
    mutex_.unlock();
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

void buggy(Run& run) {
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
