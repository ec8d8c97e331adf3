// A fixed-size pool of worker threads over one task queue.
#ifndef KVSTORE_THREAD_POOL_H_
#define KVSTORE_THREAD_POOL_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "kvstore/port.h"

namespace kv {

class ThreadPool {
 public:
  explicit ThreadPool(int num_threads);
  // Runs the tasks still queued, then joins the workers.
  ~ThreadPool();

  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues task for a worker; a task may submit more.
  void Submit(std::function<void()> task);
  // Returns once no task is queued or running.
  void Wait();

  int NumThreads() const { return static_cast<int>(workers_.size()); }

 private:
  void WorkerMain();

  port::Mutex mu_;
  port::CondVar work_cv_;  // a task was queued, or shutting down
  port::CondVar idle_cv_;  // the pool went idle
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  int active_ = 0;                           // guarded by mu_
  bool shutting_down_ = false;               // guarded by mu_
  std::vector<std::thread> workers_;
};

}  // namespace kv

#endif  // KVSTORE_THREAD_POOL_H_
