// expect: deadlock
// where: hang_join_holding_mutex.cpp
// where: join
// runs: 3
// main takes the registry mutex to "keep the registry stable while the
// worker runs", starts a worker and joins it while still holding the lock.
// The worker must register itself, which needs the same mutex: main waits
// for the worker (join) and the worker waits for main's mutex, a wait-for
// cycle through a join and a mutex.
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

std::mutex registry_mutex;
std::vector<int> registry;

void worker(int id) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  registry.push_back(id);
}

int main() {
  std::lock_guard<std::mutex> lock(registry_mutex);
  std::thread t(worker, 7);
  t.join();  // holds registry_mutex, which the worker needs
  std::printf("%zu registered\n", registry.size());
  return 0;
}
