// expect: clean
// where: ok_thread_pool.cpp
// runs: 50
// A small fixed thread pool: 3 workers take std::function jobs from a
// queue guarded by a mutex and a condition_variable (with a predicate);
// the destructor sets `stopping`, notifies everyone and joins. Jobs add to
// an atomic total. Shutdown drains the queue first.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

class ThreadPool {
 public:
  explicit ThreadPool(int n) {
    for (int i = 0; i < n; ++i) workers_.emplace_back([this] { run(); });
  }
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(m_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
  }
  void submit(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> lock(m_);
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
  }

 private:
  void run() {
    for (;;) {
      std::unique_lock<std::mutex> lock(m_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping and drained
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
    }
  }
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

int main() {
  std::atomic<int> total{0};
  {
    ThreadPool pool(3);
    for (int i = 1; i <= 20; ++i) pool.submit([&total, i] { total += i; });
  }
  std::printf("total %d\n", total.load());
  return total == 210 ? 0 : 1;
}
