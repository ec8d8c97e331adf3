// expect: hang
// where: hang_busy_flag.cpp
// where: busy
// runs: 3
// timeout: 2
// A worker busy-waits on a std::atomic<bool> `ready` before processing its
// input. The thread that fills the input was supposed to set ready = true
// at the end, but it returns early when the input is empty, so the flag is
// never set: the worker spins forever and main hangs joining it.
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

std::atomic<bool> ready{false};
std::vector<int> input;
long total = 0;

void fill(int n) {
  if (n == 0) return;  // nothing to do... and ready is never set
  for (int i = 0; i < n; ++i) input.push_back(i);
  ready.store(true);
}

void process() {
  while (!ready.load()) {
  }
  for (int v : input) total += v;
}

int main() {
  std::thread consumer(process);
  std::thread producer(fill, 0);
  producer.join();
  consumer.join();
  std::printf("total %ld\n", total);
  return 0;
}
