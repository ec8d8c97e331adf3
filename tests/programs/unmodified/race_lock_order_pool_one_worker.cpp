// expect: lock_order_inversion|deadlock
// where: race_lock_order_pool_one_worker.cpp
// runs: 5
// A pool of two workers takes tasks from one queue. One task locks
// `accounts` then `ledger`, another `ledger` then `accounts`. Usually the
// first worker is busy with a slow task and the second worker runs both of
// them, one after the other: one thread took both orders. But the other
// worker was alive all along, and on another day it takes one of the two
// while the second runs the other: a real deadlock. One thread taking both
// orders proves nothing while another thread could have taken either.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

std::mutex accounts, ledger;
int balance = 0, entries = 0;

class Pool {
 public:
  explicit Pool(int n) {
    for (int i = 0; i < n; ++i) workers_.emplace_back([this] { work(); });
  }
  ~Pool() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    ready_.notify_all();
    for (std::thread& w : workers_) w.join();
  }
  void submit(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    ready_.notify_one();
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return closing_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  bool closing_ = false;
  std::vector<std::thread> workers_;
};

int main() {
  {
    Pool pool(2);
    pool.submit([] { std::this_thread::sleep_for(std::chrono::milliseconds(30)); });
    pool.submit([] {
      std::lock_guard a(accounts);
      std::lock_guard l(ledger);
      ++balance;
    });
    pool.submit([] {
      std::lock_guard l(ledger);
      std::lock_guard a(accounts);  // BUG: the opposite order
      ++entries;
    });
  }
  std::printf("balance %d entries %d\n", balance, entries);
  return 0;
}
