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
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "racelab/condition_variable.h"
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
  bool done = false;             ///< guarded by mutex
  bool retrieved = false;        ///< guarded by mutex
  std::optional<Value> value;    ///< guarded by mutex
  std::exception_ptr error;      ///< guarded by mutex
};

}  // namespace detail

template <class R>
class future {
 public:
  future() noexcept = default;

  /// True until get() has taken the result.
  bool valid() const noexcept { return state_ != nullptr; }

  // future::wait()
  //
  // Blocks until the task has finished.
  void wait() const {
    std::unique_lock lock(state_->mutex);
    state_->finished.wait(lock, [&] { return state_->done; });
  }

  // future::get()
  //
  // Blocks until the task has finished; returns its result or rethrows its
  // exception. Requires: valid(). Afterwards valid() is false.
  R get() {
    std::shared_ptr<detail::TaskResult<R>> state = std::move(state_);
    std::unique_lock lock(state->mutex);
    state->finished.wait(lock, [&] { return state->done; });
    state->retrieved = true;
    // Taken out of the state, so that the thread rethrowing it holds its last
    // reference: the worker dropping the state must not be the one to free
    // an exception this thread has read (libstdc++ counts exception
    // references where ThreadSanitizer cannot see it).
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
  /// Starts `workers` threads (at least 1).
  explicit task_pool(int workers);
  task_pool(const task_pool&) = delete;
  task_pool& operator=(const task_pool&) = delete;

  // ~task_pool()
  //
  // Runs every task already submitted, then joins the workers (as Python's
  // `with ThreadPoolExecutor() as executor:` does on leaving the block).
  ~task_pool();

  // task_pool::submit(f)
  //
  // Queues `f()` to run on a worker; returns its future. `f` is copied or
  // moved into the pool and must be copy-constructible.
  template <class F>
  future<std::invoke_result_t<F&>> submit(F f) {
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
        std::lock_guard lock(state->mutex);
        state->value = std::move(value);
        state->error = std::move(error);
        state->done = true;
      }
      state->finished.notify_all();
    });
    return future<R>(std::move(state));
  }

 private:
  void enqueue(std::function<void()> task);
  void work();

  racelab::mutex mutex_;
  racelab::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;  ///< guarded by mutex_
  bool closing_ = false;                     ///< guarded by mutex_
  std::vector<racelab::thread> workers_;
};

}  // namespace racelab
