// expect: lock_order_inversion|deadlock
// where: race_lock_order_potential.cpp
// runs: 5
// Two threads take the same two mutexes in opposite orders. The second one
// starts its work 20 ms later, so the two rarely overlap and the program
// usually finishes, but nothing orders them: on an unlucky day each holds
// one mutex and waits for the other. A potential deadlock that racelab
// must keep reporting (unlike a gate-locked or join-separated cycle).
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

std::mutex inventory, orders;
int stock = 10, pending = 0;

void restock() {
  std::lock_guard a(inventory);
  std::lock_guard b(orders);
  stock += pending;
  pending = 0;
}

void place_order() {
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::lock_guard b(orders);
  std::lock_guard a(inventory);
  if (stock > 0) --stock, ++pending;
}

int main() {
  std::thread t1(restock), t2(place_order);
  t1.join();
  t2.join();
  std::printf("stock %d pending %d\n", stock, pending);
  return 0;
}
