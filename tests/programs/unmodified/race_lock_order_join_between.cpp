// expect: lock_order_inversion|deadlock
// where: race_lock_order_join_between.cpp
// runs: 5
// The main thread takes `a` then `b` three times: before it starts a
// helper, while the helper runs, and after it has joined the helper. The
// helper takes `b` then `a`. The first and the last of main's acquisitions
// are ordered with the helper by its creation and its join, but the middle
// one is not: on another day the two overlap and deadlock. (Here the
// helper waits, without synchronising, until main's middle acquisition is
// over, so this run finishes.)
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

std::mutex a, b;
std::atomic<bool> middle_done{false};
int total = 0;

void a_then_b() {
  std::lock_guard la(a);
  std::lock_guard lb(b);
  ++total;
}

int main() {
  a_then_b();
  std::thread helper([] {
    while (!middle_done.load(std::memory_order_relaxed)) std::this_thread::yield();
    std::lock_guard lb(b);
    std::lock_guard la(a);  // BUG: the opposite order
    ++total;
  });
  a_then_b();
  middle_done.store(true, std::memory_order_relaxed);
  helper.join();
  a_then_b();
  std::printf("total %d\n", total);
  return total == 4 ? 0 : 1;
}
