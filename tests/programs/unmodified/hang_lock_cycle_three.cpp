// expect: deadlock|lock_order_inversion
// where: hang_lock_cycle_three.cpp
// runs: 5
// Three "philosophers" each pick up their left fork (a std::mutex) and then,
// after a 5 ms pause, their right fork: philosopher i locks fork[i] then
// fork[(i + 1) % 3]. All three hold their left fork while waiting for the
// right one: a three-thread lock cycle fork0 -> fork1 -> fork2 -> fork0.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

std::mutex fork_mutex[3];
int meals[3];

void dine(int i) {
  std::lock_guard<std::mutex> left(fork_mutex[i]);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::lock_guard<std::mutex> right(fork_mutex[(i + 1) % 3]);
  ++meals[i];
}

int main() {
  std::vector<std::thread> philosophers;
  for (int i = 0; i < 3; ++i) philosophers.emplace_back(dine, i);
  for (auto& t : philosophers) t.join();
  std::printf("meals %d %d %d\n", meals[0], meals[1], meals[2]);
  return 0;
}
