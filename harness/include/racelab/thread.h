// racelab/thread.h — the threads of a case.
//
// This header defines:
//   racelab::thread   like std::thread, for the threads a case body starts
//
// A racelab::thread is what lets the harness seed, watch and judge a thread:
//   * it gets the next ordinal of the run (1, 2, … in creation order) and an
//     RNG seeded from the run seed and that ordinal, so interleave() draws
//     the same choices for the same seed;
//   * an exception that escapes its function does not terminate the process:
//     the run's verdict becomes `exception_lost` with the exception's message;
//   * threads started by a run's body begin together: each waits at a start
//     gate until the body first calls join() or detach() (or 2 ms pass), so
//     their work overlaps even though starting a thread is slow. The gate
//     adds no happens-before edge;
//   * destroying it while still joinable does not terminate the process
//     either: the run's verdict becomes `thread_leak`, and the destructor joins
//     so the next run starts from a quiet process.
//
// Memory ordering: as std::thread: the constructor's caller happens-before the
// thread's function, and the function happens-before join() returns.
#pragma once

#include <functional>
#include <source_location>
#include <thread>
#include <utility>

#include "racelab/detail/runtime.h"

namespace racelab {

class thread {
 public:
  // thread::thread()
  //
  // A thread object with no thread: not joinable.
  thread() noexcept = default;

  // thread::thread(f, args…)
  //
  // Starts `f(args…)` on a new thread of the run, with the run's next
  // ordinal. Arguments are moved or copied into the thread, as with
  // std::thread (use std::ref to pass a reference).
  // Guarantees: an exception escaping `f` is the run's `exception_lost`, not
  // std::terminate() (unless racelab's checks are off: a case's --plain).
  template <class F, class... Args>
  explicit thread(F&& f, Args&&... args) {
    detail::ThreadState* state = detail::register_thread();
    state_ = state;
    impl_ = std::thread(
        [state, fn = std::forward<F>(f), ... args = std::forward<Args>(args)]() mutable {
          detail::enter_thread(state);
          try {
            std::invoke(std::move(fn), std::move(args)...);
          } catch (...) {
            detail::exception_escaped(std::current_exception());
          }
          detail::exit_thread();
        });
  }

  // thread::thread(thread&&) / operator=(thread&&)
  //
  // Takes `other`'s thread; `other` is left not joinable. Assigning over a
  // joinable thread is a `thread_leak`, as destroying it is (it is joined
  // first).
  thread(thread&& other) noexcept
      : impl_(std::move(other.impl_)), state_(std::exchange(other.state_, nullptr)) {}
  thread& operator=(thread&& other) noexcept {
    if (impl_.joinable()) leaked();
    impl_ = std::move(other.impl_);
    state_ = std::exchange(other.state_, nullptr);
    return *this;
  }

  // thread::~thread()
  //
  // Requires: not joinable (else: `thread_leak`, and the destructor joins;
  // std::terminate() under --plain, as std::thread).
  ~thread() {
    if (impl_.joinable()) leaked();
  }

  // thread::joinable() / get_id()
  //
  // As std::thread's.
  bool joinable() const noexcept { return impl_.joinable(); }
  std::thread::id get_id() const noexcept { return impl_.get_id(); }

  // thread::join()
  //
  // Blocks until the thread has finished.
  // Requires: joinable(), and not the calling thread itself.
  // Guarantees: the thread's function happens-before join() returns; while
  // blocked, the caller is a joiner the watchdog puts in the wait-for graph.
  // (`where` is filled in by the compiler: the caller's line, for diagnoses.)
  void join(std::source_location where = std::source_location::current()) {
    detail::open_start_gate();
    detail::WaitScope waiting(detail::Wait::join, state_, "racelab::thread", where.file_name(),
                              static_cast<int>(where.line()));
    impl_.join();
  }

  // thread::detach()
  //
  // As std::thread::detach(). A detached thread still running when its run
  // ends makes the run a `thread_leak`.
  // Requires: joinable().
  void detach() {
    detail::open_start_gate();
    impl_.detach();
  }

 private:
  void leaked() noexcept {
    detail::thread_not_joined();
    detail::open_start_gate();
    impl_.join();
  }

  std::thread impl_;
  detail::ThreadState* state_ = nullptr;  ///< owned by the run
};

}  // namespace racelab
