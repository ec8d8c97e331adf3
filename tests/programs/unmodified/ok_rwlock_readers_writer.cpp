// expect: clean
// where: ok_rwlock_readers_writer.cpp
// runs: 50
// A price table behind a std::shared_mutex: three readers take shared
// locks to look prices up while one writer takes the exclusive lock to
// update them. Readers run concurrently with each other, never with the
// writer.
#include <cstdio>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

std::shared_mutex prices_mutex;
std::map<int, int> prices = {{1, 10}, {2, 20}, {3, 30}};

long reader() {
  long seen = 0;
  for (int i = 0; i < 200; ++i) {
    std::shared_lock<std::shared_mutex> lock(prices_mutex);
    seen += prices.at(1 + i % 3);
  }
  return seen;
}

void writer() {
  for (int i = 0; i < 50; ++i) {
    std::unique_lock<std::shared_mutex> lock(prices_mutex);
    prices[1 + i % 3] += 1;
  }
}

int main() {
  std::vector<long> seen(3);
  std::vector<std::thread> threads;
  for (int r = 0; r < 3; ++r)
    threads.emplace_back([&seen, r] { seen[r] = reader(); });
  threads.emplace_back(writer);
  for (auto& t : threads) t.join();
  std::printf("seen %ld %ld %ld\n", seen[0], seen[1], seen[2]);
  return prices[1] + prices[2] + prices[3] == 110 ? 0 : 1;
}
