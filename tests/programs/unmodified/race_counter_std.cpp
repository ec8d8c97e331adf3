// expect: data_race
// where: race_counter_std.cpp
// runs: 5
// Four std::threads count words into one plain `int` without a lock: the
// author thought `++total` was "too small to race". The increments are a
// data race and updates get lost; the program only prints the total.
#include <cstdio>
#include <thread>
#include <vector>

int total = 0;

void count_words(int words) {
  for (int i = 0; i < words; ++i) ++total;
}

int main() {
  std::vector<std::thread> counters;
  for (int i = 0; i < 4; ++i) counters.emplace_back(count_words, 1000);
  for (auto& t : counters) t.join();
  std::printf("total %d (expected 4000)\n", total);
  return 0;
}
