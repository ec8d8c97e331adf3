// expect: lock_order_inversion|deadlock
// where: race_lock_order_shared_gate.cpp
// runs: 5
// Both threads take `config` for reading before they take `a` and `b` in
// opposite orders. A lock held for reading is no gate: both threads hold it
// at once, so the opposite orders can still deadlock. (Here the second
// thread waits, without synchronising, until the first is through.)
#include <atomic>
#include <cstdio>
#include <mutex>
#include <shared_mutex>
#include <thread>

std::shared_mutex config;
std::mutex a, b;
std::atomic<bool> first_done{false};
int total = 0;

int main() {
  std::thread first([] {
    std::shared_lock gate(config);
    std::lock_guard la(a);
    std::lock_guard lb(b);
    ++total;
    first_done.store(true, std::memory_order_relaxed);
  });
  std::thread second([] {
    while (!first_done.load(std::memory_order_relaxed)) std::this_thread::yield();
    std::shared_lock gate(config);
    std::lock_guard lb(b);
    std::lock_guard la(a);  // BUG: the opposite order, under a shared lock
    ++total;
  });
  first.join();
  second.join();
  std::printf("total %d\n", total);
  return 0;
}
