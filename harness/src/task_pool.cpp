// racelab::task_pool's workers, and the verdict of a task's lost exception.
#include "racelab/task_pool.h"

#include <algorithm>

#include <fmt/format.h>

#include "runtime.h"

namespace racelab {

namespace detail {

void exception_dropped(std::exception_ptr error) noexcept {
  note(Verdict::exception_lost,
       fmt::format("a task threw ({}) and nobody retrieved it: its future was dropped without get()",
                   describe_exception(error)));
}

}  // namespace detail

task_pool::task_pool(int workers) {
  for (int i = 0; i < std::max(workers, 1); ++i) workers_.emplace_back([this] { work(); });
}

task_pool::~task_pool() {
  {
    detail::ScopedLock lock(mutex_);
    closing_ = true;
  }
  ready_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void task_pool::enqueue(std::function<void()> task) {
  {
    detail::ScopedLock lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  ready_.notify_one();
}

void task_pool::work() {
  for (;;) {
    std::function<void()> task;
    {
      detail::UniqueLock lock(mutex_);
      while (tasks_.empty() && !closing_) ready_.wait(lock.waitable());
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
    task = nullptr;  // drops the task's reference to its result here, on the worker
  }
}

}  // namespace racelab
