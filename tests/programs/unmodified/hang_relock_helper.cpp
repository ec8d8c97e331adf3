// expect: self_deadlock
// where: hang_relock_helper.cpp
// runs: 3
// A thread-safe Inventory class where every public member takes the
// std::mutex. restock() holds the lock and calls the public count(), which
// locks the same std::mutex again: the thread re-locks a mutex it owns and
// blocks on itself forever (a typical refactoring slip).
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>

class Inventory {
 public:
  int count(const std::string& item) {
    std::lock_guard<std::mutex> lock(m_);
    auto it = stock_.find(item);
    return it == stock_.end() ? 0 : it->second;
  }
  void restock(const std::string& item, int minimum) {
    std::lock_guard<std::mutex> lock(m_);
    if (count(item) < minimum) stock_[item] = minimum;  // locks m_ again
  }

 private:
  std::mutex m_;
  std::map<std::string, int> stock_;
};

int main() {
  Inventory inv;
  std::thread worker([&inv] { inv.restock("apples", 10); });
  worker.join();
  std::printf("apples: %d\n", inv.count("apples"));
  return 0;
}
