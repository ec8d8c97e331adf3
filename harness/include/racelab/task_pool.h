// racelab/task_pool.h — a fixed-size thread pool whose futures keep
// exceptions from vanishing.
//
// This header defines:
//   racelab::task_pool   N worker threads running submitted tasks in order
//   racelab::future<R>   the result of one task: get() returns it or rethrows
//
// A task that throws stores its exception in its future, as
// std::packaged_task does; get() rethrows it. The difference is what happens
// when nobody calls get(): when the last reference to a task's result goes
// (the future dropped, the task done) and its exception was never retrieved,
// the run's verdict becomes `exception_lost` with the exception's message —
// where a std::future would have discarded it without a trace.
//
// Workers are racelab::threads and waits use racelab primitives, so a task
// that blocks for good is diagnosed like any other hang.
//
// Memory ordering: submit() happens-before the task runs; the task's end
// happens-before get() or wait() returns, as with std::async.
#pragma once

#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "racelab/condition_variable.h"
#include "racelab/detail/thread_annotations.h"
#include "racelab/mutex.h"
#include "racelab/thread.h"

namespace racelab {

namespace detail {

// A task's exception that nobody retrieved: notes `exception_lost`.
void exception_dropped(std::exception_ptr error) noexcept;

// The shared state of one task: its result or exception, and whether get()
// took it.
template <class R>
struct TaskResult {
  using Value = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

  TaskResult() = default;
  TaskResult(const TaskResult&) = delete;
  TaskResult& operator=(const TaskResult&) = delete;
  ~TaskResult() {
    if (error && !retrieved) exception_dropped(error);
  }

  racelab::mutex mutex;
  racelab::condition_variable finished;
  bool done RACELAB_GUARDED_BY(mutex) = false;
  bool retrieved RACELAB_GUARDED_BY(mutex) = false;
  std::optional<Value> value RACELAB_GUARDED_BY(mutex);
  std::exception_ptr error RACELAB_GUARDED_BY(mutex);
};

}  // namespace detail

template <class R>
class future {
 public:
  // future::future()
  //
  // A future with no task: not valid().
  future() noexcept = default;

  // future::valid()
  //
  // True from submit() until get() has taken the result.
  bool valid() const noexcept { return state_ != nullptr; }

  // future::wait()
  //
  // Blocks until the task has finished.
  // Requires: valid().
  // Guarantees: the task's end happens-before wait() returns.
  void wait() const {
    detail::UniqueLock lock(state_->mutex);
    while (!state_->done) state_->finished.wait(lock.waitable());
  }

  // future::get()
  //
  // Blocks until the task has finished; returns its result or rethrows its
  // exception.
  // Requires: valid(). Afterwards valid() is false.
  // Guarantees: the task's end happens-before get() returns; an exception
  // it rethrows is retrieved, so it is no `exception_lost`.
  R get() {
    std::shared_ptr<detail::TaskResult<R>> state = std::move(state_);
    detail::UniqueLock lock(state->mutex);
    while (!state->done) state->finished.wait(lock.waitable());
    state->retrieved = true;
    // Moved out, so this thread drops the exception's last reference:
    // libstdc++ counts those where ThreadSanitizer cannot see it.
    if (std::exception_ptr error = std::exchange(state->error, nullptr))
      std::rethrow_exception(error);
    if constexpr (!std::is_void_v<R>) return std::move(*state->value);
  }

 private:
  friend class task_pool;
  explicit future(std::shared_ptr<detail::TaskResult<R>> state) : state_(std::move(state)) {}
  std::shared_ptr<detail::TaskResult<R>> state_;
};

class task_pool {
 public:
  // task_pool::task_pool(workers)
  //
  // Starts `workers` racelab::threads (at least 1).
  explicit task_pool(int workers);
  task_pool(const task_pool&) = delete;
  task_pool& operator=(const task_pool&) = delete;

  // task_pool::~task_pool()
  //
  // Runs every task already submitted, then joins the workers.
  ~task_pool();

  // task_pool::submit(f)
  //
  // Queues `f()` to run on a worker; returns its future. `f` is copied or
  // moved into the pool and must be copy-constructible.
  // Guarantees: tasks start in submission order; submit() happens-before
  // the task runs.
  template <class F>
  future<std::invoke_result_t<F&>> submit(F f) RACELAB_EXCLUDES(mutex_) {
    using R = std::invoke_result_t<F&>;
    auto state = std::make_shared<detail::TaskResult<R>>();
    enqueue([state, f = std::move(f)]() mutable {
      std::optional<typename detail::TaskResult<R>::Value> value;
      std::exception_ptr error;
      try {
        if constexpr (std::is_void_v<R>) {
          f();
          value.emplace();
        } else {
          value.emplace(f());
        }
      } catch (...) {
        error = std::current_exception();
      }
      {
        detail::ScopedLock lock(state->mutex);
        state->value = std::move(value);
        state->error = std::move(error);
        state->done = true;
      }
      state->finished.notify_all();
    });
    return future<R>(std::move(state));
  }

 private:
  void enqueue(std::function<void()> task) RACELAB_EXCLUDES(mutex_);
  void work() RACELAB_EXCLUDES(mutex_);

  racelab::mutex mutex_;
  racelab::condition_variable ready_;
  std::deque<std::function<void()>> tasks_ RACELAB_GUARDED_BY(mutex_);
  bool closing_ RACELAB_GUARDED_BY(mutex_) = false;
  std::vector<racelab::thread> workers_;
};

}  // namespace racelab
