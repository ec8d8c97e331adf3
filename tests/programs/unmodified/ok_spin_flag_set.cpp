// expect: clean
// where: ok_spin_flag_set.cpp
// runs: 50
// A worker spins (with yield) on a std::atomic<bool> `ready` that main sets
// with a release store after 5 ms of setup; the acquire load then makes the
// setup data visible. A busy wait, but one that ends.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

std::atomic<bool> ready{false};
int setting = 0;

int main() {
  int seen = 0;
  std::thread worker([&seen] {
    while (!ready.load(std::memory_order_acquire)) std::this_thread::yield();
    seen = setting;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // setup
  setting = 42;
  ready.store(true, std::memory_order_release);
  worker.join();
  std::printf("seen %d\n", seen);
  return seen == 42 ? 0 : 1;
}
