// lock_heavy — the workload of intercept_bench: 4 threads that each take a
// std::mutex 50,000 times (with a few nested locks), bump std::atomic
// counters and hand items through a std::condition_variable queue. Written
// as users write it; built with TSan alone and with racelab's runtime.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace {

std::mutex counter_lock, outer;
long counter = 0;
std::atomic<long> hits{0};
std::mutex queue_lock;
std::condition_variable queue_ready;
std::deque<int> queue;
bool done = false;

void worker(int id) {
  for (int i = 0; i < 200000; ++i) {
    if (i % 16 == 0) {
      std::lock_guard a(outer);
      std::lock_guard b(counter_lock);
      ++counter;
    } else {
      std::lock_guard b(counter_lock);
      ++counter;
    }
    hits.fetch_add(1, std::memory_order_relaxed);
    if (i % 64 == 0) {
      std::lock_guard q(queue_lock);
      queue.push_back(id);
      queue_ready.notify_one();
    }
  }
}

void consumer() {
  std::unique_lock q(queue_lock);
  for (;;) {
    queue_ready.wait(q, [] { return !queue.empty() || done; });
    if (queue.empty() && done) return;
    queue.pop_front();
  }
}

}  // namespace

int main() {
  std::thread c(consumer);
  std::vector<std::thread> workers;
  for (int id = 0; id < 4; ++id) workers.emplace_back(worker, id);
  for (auto& w : workers) w.join();
  {
    std::lock_guard q(queue_lock);
    done = true;
  }
  queue_ready.notify_all();
  c.join();
  std::printf("%ld %ld\n", counter, hits.load());
  return counter == 800000 ? 0 : 1;
}
