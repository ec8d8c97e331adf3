// expect: clean
// where: ok_many_threads.cpp
// runs: 10
// 200 short-lived std::threads, 8 at a time, each taking a shared
// std::mutex a few times and bumping a counter, joined in batches: the
// runtime's thread records and mutex table under churn.
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

std::mutex m;
long total = 0;

int main() {
  for (int batch = 0; batch < 25; ++batch) {
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
      threads.emplace_back([] {
        for (int k = 0; k < 10; ++k) {
          std::lock_guard l(m);
          ++total;
        }
      });
    for (auto& t : threads) t.join();
  }
  std::printf("%ld\n", total);
  return total == 2000 ? 0 : 1;
}
