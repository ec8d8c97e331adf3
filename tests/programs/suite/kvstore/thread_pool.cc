#include "kvstore/thread_pool.h"

#include <cassert>
#include <utility>

namespace kv {

ThreadPool::ThreadPool(int num_threads) : work_cv_(&mu_), idle_cv_(&mu_) {
  assert(num_threads > 0);
  workers_.reserve(num_threads);
  for (int i = 0; i < num_threads; ++i) {
    workers_.emplace_back(&ThreadPool::WorkerMain, this);
  }
}

ThreadPool::~ThreadPool() {
  {
    MutexLock l(&mu_);
    shutting_down_ = true;
    work_cv_.SignalAll();
  }
  for (std::thread& worker : workers_) {
    worker.join();
  }
}

void ThreadPool::Submit(std::function<void()> task) {
  MutexLock l(&mu_);
  tasks_.push_back(std::move(task));
  work_cv_.Signal();
}

void ThreadPool::Wait() {
  MutexLock l(&mu_);
  while (!tasks_.empty() || active_ > 0) {
    idle_cv_.Wait();
  }
}

void ThreadPool::WorkerMain() {
  MutexLock l(&mu_);
  while (true) {
    while (tasks_.empty() && !shutting_down_) {
      work_cv_.Wait();
    }
    if (tasks_.empty()) {
      return;  // shutting down, nothing left to run
    }
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    ++active_;
    {
      MutexUnlock unlock(&mu_);
      task();
    }
    --active_;
    if (tasks_.empty() && active_ == 0) {
      idle_cv_.SignalAll();
    }
  }
}

}  // namespace kv
