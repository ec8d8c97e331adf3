// expect: clean
// where: ok_double_checked_locking.cpp
// runs: 50
// Lazily created singleton with double-checked locking done right: the
// fast path is an acquire load of a std::atomic<Logger*>; the slow path
// takes the mutex, checks again and publishes with a release store. Eight
// threads race to get the instance; exactly one Logger is constructed.
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

struct Logger {
  int level = 3;
  static inline std::atomic<int> constructed{0};
  Logger() { constructed.fetch_add(1); }
};

std::atomic<Logger*> instance{nullptr};
std::mutex instance_mutex;

Logger* get_logger() {
  Logger* p = instance.load(std::memory_order_acquire);
  if (p == nullptr) {
    std::lock_guard<std::mutex> lock(instance_mutex);
    p = instance.load(std::memory_order_relaxed);
    if (p == nullptr) {
      p = new Logger;
      instance.store(p, std::memory_order_release);
    }
  }
  return p;
}

int main() {
  std::atomic<int> level_sum{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&level_sum] { level_sum += get_logger()->level; });
  for (auto& t : threads) t.join();
  std::printf("constructed %d, level sum %d\n", Logger::constructed.load(),
              level_sum.load());
  bool ok = Logger::constructed == 1 && level_sum == 24;
  delete instance.load();
  return ok ? 0 : 1;
}
