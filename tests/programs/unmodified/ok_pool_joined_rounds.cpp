// expect: clean
// where: ok_pool_joined_rounds.cpp
// runs: 30
// note: was joined before
// A batch job runs in two rounds, each on a fresh pool of worker threads.
// Round one's workers lock `orders` then `stock`; the pool is joined, and
// only then are round two's workers created, which lock `stock` then
// `orders`. The join separates every acquisition of round one from every
// one of round two: no deadlock is possible.
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

std::mutex orders, stock;
int booked = 0, counted = 0;

template <class Work>
void run_round(Work work) {
  std::vector<std::thread> pool;
  for (int i = 0; i < 3; ++i) pool.emplace_back(work);
  for (std::thread& t : pool) t.join();
}

int main() {
  run_round([] {
    for (int i = 0; i < 20; ++i) {
      std::lock_guard o(orders);
      std::lock_guard s(stock);
      ++booked;
    }
  });
  run_round([] {
    for (int i = 0; i < 20; ++i) {
      std::lock_guard s(stock);
      std::lock_guard o(orders);
      ++counted;
    }
  });
  std::printf("booked %d counted %d\n", booked, counted);
  return booked == 60 && counted == 60 ? 0 : 1;
}
