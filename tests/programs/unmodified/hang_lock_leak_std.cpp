// expect: hang
// where: hang_lock_leak_std.cpp
// where: lock leak
// runs: 3
// A C++ job queue locked by hand with m.lock()/m.unlock() instead of a
// lock_guard. The worker's "queue empty" early return skips the unlock, so
// the worker thread ends holding the std::mutex. main then calls submit(),
// which locks the mutex, and blocks forever.
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

std::mutex queue_mutex;
std::deque<int> jobs;
int done = 0;

void drain_one() {
  queue_mutex.lock();
  if (jobs.empty()) return;  // forgot queue_mutex.unlock()
  jobs.pop_front();
  ++done;
  queue_mutex.unlock();
}

void submit(int job) {
  queue_mutex.lock();
  jobs.push_back(job);
  queue_mutex.unlock();
}

int main() {
  std::thread worker(drain_one);  // the queue is still empty
  worker.join();
  submit(1);
  std::thread again(drain_one);
  again.join();
  std::printf("done %d\n", done);
  return 0;
}
