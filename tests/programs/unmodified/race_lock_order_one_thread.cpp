// expect: lock_order_inversion
// where: race_lock_order_one_thread.cpp
// runs: 3
// The main thread loads a configuration, taking `config` then `cache`,
// before it starts any thread; a loader thread then fills a table (it
// takes neither mutex) and is joined; only after that does main reload,
// taking `cache` then `config`. This run cannot deadlock, but the code
// takes the two mutexes in both orders: the day a second thread reloads
// while another loads, it does (as when a test suite exercises a library
// one call at a time). racelab keeps TSan's report.
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

std::mutex config, cache;
int loads = 0;

int main() {
  {
    std::lock_guard c(config);
    std::lock_guard k(cache);
    ++loads;
  }
  std::vector<int> table;
  std::thread loader([&table] {
    for (int i = 0; i < 100; ++i) table.push_back(i);
  });
  loader.join();
  {
    std::lock_guard k(cache);
    std::lock_guard c(config);
    ++loads;
  }
  std::printf("loads %d rows %zu\n", loads, table.size());
  return loads == 2 && table.size() == 100 ? 0 : 1;
}
