// racelab/condition_variable.h — a condition variable for racelab::mutex.
//
// This header defines:
//   racelab::condition_variable   like std::condition_variable, waiting with
//                                 a std::unique_lock<racelab::mutex>
//
// While a thread waits, the runtime knows what it waits on, so a run that
// stops with threads parked here (a lost wakeup, an `if` where a `while`
// belongs) is diagnosed as a hang with the waiters named.
//
// Memory ordering: as the standard's: the mutex is released and re-acquired
// around the wait, and a notify that wakes a waiter happens-before its return.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <source_location>

#include "racelab/interleave.h"
#include "racelab/mutex.h"

namespace racelab {

class condition_variable {
 public:
  condition_variable() = default;
  condition_variable(const condition_variable&) = delete;
  condition_variable& operator=(const condition_variable&) = delete;

  // condition_variable::notify_one() / notify_all()
  //
  // Wakes one / every thread waiting here. An interleaving point comes
  // first, so a perturbing strategy can move the notify before or after a
  // waiter's check.
  void notify_one() noexcept {
    interleave();
    cv_.notify_one();
  }
  void notify_all() noexcept {
    interleave();
    cv_.notify_all();
  }

  // condition_variable::wait()
  //
  // Releases `lock`'s mutex, blocks until notified, and takes the mutex
  // again before it returns. May wake spuriously: prefer the predicate form,
  // which loops until `ready()` holds.
  // Requires: `lock` owns its mutex.
  // Guarantees: `lock` owns its mutex again on return; while blocked, the
  // thread is a waiter the watchdog names in a `hang`.
  // (`where` is filled in by the compiler: the caller's line, for diagnoses.)
  void wait(std::unique_lock<mutex>& lock,
            std::source_location where = std::source_location::current()) {
    Waiting waiting(*this, detail::Wait::condition, where);
    cv_.wait(lock);
  }
  template <class Predicate>
  void wait(std::unique_lock<mutex>& lock, Predicate ready,
            std::source_location where = std::source_location::current()) {
    while (!ready()) wait(lock, where);
  }

  // condition_variable::wait_for()
  //
  // As wait(), but gives up after `limit`: returns std::cv_status::timeout
  // then (the predicate form: ready()'s value at that point). A timed waiter
  // is never blocked for good in the watchdog's eyes.
  // Requires: `lock` owns its mutex.
  // Guarantees: `lock` owns its mutex again on return.
  template <class Rep, class Period>
  std::cv_status wait_for(std::unique_lock<mutex>& lock,
                          const std::chrono::duration<Rep, Period>& limit,
                          std::source_location where = std::source_location::current()) {
    Waiting waiting(*this, detail::Wait::timed, where);
    return cv_.wait_for(lock, limit);
  }
  template <class Rep, class Period, class Predicate>
  bool wait_for(std::unique_lock<mutex>& lock, const std::chrono::duration<Rep, Period>& limit,
                Predicate ready, std::source_location where = std::source_location::current()) {
    Waiting waiting(*this, detail::Wait::timed, where);
    return cv_.wait_for(lock, limit, std::move(ready));
  }

  // condition_variable::waiters()
  //
  // The threads waiting here right now. A snapshot: no synchronisation.
  int waiters() const noexcept { return waiters_.load(std::memory_order_relaxed); }

 private:
  // Marks the calling thread as waiting on this variable for the scope.
  class Waiting {
   public:
    Waiting(condition_variable& cv, detail::Wait wait, const std::source_location& where) noexcept
        : cv_(cv),
          scope_(wait, &cv, "racelab::condition_variable", where.file_name(),
                 static_cast<int>(where.line())) {
      cv_.waiters_.fetch_add(1, std::memory_order_relaxed);
    }
    ~Waiting() { cv_.waiters_.fetch_sub(1, std::memory_order_relaxed); }
    Waiting(const Waiting&) = delete;
    Waiting& operator=(const Waiting&) = delete;

   private:
    condition_variable& cv_;
    detail::WaitScope scope_;
  };

  std::condition_variable_any cv_;
  std::atomic<int> waiters_{0};
};

}  // namespace racelab
