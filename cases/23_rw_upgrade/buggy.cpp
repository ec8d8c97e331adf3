// 23_rw_upgrade, buggy: a reader of a price cache takes the write lock while
// it still holds the read lock, to fill in a missing price.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <atomic>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include <racelab/racelab.h>

namespace racelab::cases::rw_upgrade {
namespace {

constexpr int kReaders = 2;
const std::vector<std::string> kProducts = {"apple", "pear", "plum"};

class PriceCache {
 public:
  int price(const std::string& product) {
    std::shared_lock read(mutex_);  // many readers at once
    if (auto it = prices_.find(product); it != prices_.end()) return it->second;
    racelab::interleave();
    std::unique_lock write(mutex_);  // BUG: "upgrades" while still holding the read lock
    int price = look_up(product);
    prices_.emplace(product, price);
    return price;
  }

  int lookups() const { return lookups_.load(); }

 private:
  int look_up(const std::string& product) {  // the slow price service
    lookups_.fetch_add(1);
    racelab::interleave();
    return static_cast<int>(product.size()) * 10;
  }

  racelab::shared_mutex mutex_;
  std::map<std::string, int> prices_;  // guarded by mutex_
  std::atomic<int> lookups_{0};
};

}  // namespace

void buggy(Run& run) {
  PriceCache cache;
  std::vector<racelab::thread> readers;
  std::atomic<int> wrong{0};
  for (int r = 0; r < kReaders; ++r)
    readers.emplace_back([&] {
      for (const std::string& product : kProducts) {
        if (cache.price(product) != static_cast<int>(product.size()) * 10) wrong.fetch_add(1);
        racelab::progress();
      }
    });
  for (auto& reader : readers) reader.join();
  run.check(wrong.load() == 0, std::to_string(wrong.load()) + " wrong prices read");
  run.check(cache.lookups() == static_cast<int>(kProducts.size()),
            std::to_string(cache.lookups()) + " price look-ups for " +
                std::to_string(kProducts.size()) + " products, expected one each");
}

}  // namespace racelab::cases::rw_upgrade
