// expect: lock_order_inversion|deadlock
// where: race_lock_order_lazy_worker.cpp
// runs: 5
// A job queue starts its background worker lazily, on the first schedule()
// (under the queue's mutex), and detaches it. The bug: the worker runs each
// job while still holding the queue's mutex, and the job takes the store's
// mutex, which the main thread holds while it schedules. Store then queue on
// one side, queue then store on the other: a real deadlock as soon as a
// second job is scheduled while one runs. In this run the store's mutex was
// taken before the worker existed, which proves nothing: the main thread
// lives on and schedules again.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

class Queue {
 public:
  void schedule(std::function<void()> job) {
    std::lock_guard lock(mutex_);
    if (!started_) {
      started_ = true;
      std::thread([this] { work(); }).detach();
    }
    jobs_.push_back(std::move(job));
    ready_.notify_one();
  }

 private:
  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      ready_.wait(lock, [this] { return !jobs_.empty(); });
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      job();  // BUG: runs the job holding the queue's mutex
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool started_ = false;
};

struct Store {
  std::mutex mutex;
  std::condition_variable compacted;
  int compactions = 0;
};

int main() {
  static Queue* queue = new Queue;  // lives as long as the process, as its worker does
  Store store;
  {
    std::lock_guard lock(store.mutex);
    queue->schedule([&store] {
      std::lock_guard job_lock(store.mutex);
      ++store.compactions;
      store.compacted.notify_all();
    });
  }
  std::unique_lock lock(store.mutex);
  store.compacted.wait(lock, [&] { return store.compactions == 1; });
  std::printf("compactions %d\n", store.compactions);
  return 0;
}
