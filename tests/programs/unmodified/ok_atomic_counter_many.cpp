// expect: clean
// where: ok_atomic_counter_many.cpp
// runs: 50
// 32 std::threads each add 100 to a std::atomic<long> with fetch_add
// (relaxed is enough: only the final value matters, read after the
// joins). Many threads, heavy contention, no race.
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

std::atomic<long> requests{0};

int main() {
  std::vector<std::thread> threads;
  for (int i = 0; i < 32; ++i)
    threads.emplace_back([] {
      for (int j = 0; j < 100; ++j)
        requests.fetch_add(1, std::memory_order_relaxed);
    });
  for (auto& t : threads) t.join();
  std::printf("requests %ld\n", requests.load());
  return requests.load() == 3200 ? 0 : 1;
}
