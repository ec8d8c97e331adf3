// racelab/detail/thread_annotations.h — clang's thread-safety annotations
// (-Wthread-safety), and the annotated locks racelab's own code takes.
// Not part of the API: cases use racelab/racelab.h.
//
// racelab::mutex, recursive_mutex and shared_mutex are capabilities, so code
// that annotates its data with these macros (or its own) is checked against
// them. std::lock_guard and std::unique_lock are not scoped capabilities in
// libstdc++: the analysis does not see what they hold, so racelab's code
// holds locks with ScopedLock and UniqueLock below. Every macro is empty for
// compilers other than clang.
#pragma once

#include <mutex>

#if defined(__clang__)
#define RACELAB_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define RACELAB_THREAD_ANNOTATION(x)
#endif

// A type whose objects are locks; `name` appears in the warnings.
#define RACELAB_CAPABILITY(name) RACELAB_THREAD_ANNOTATION(capability(name))
// A type whose objects hold a lock from construction to destruction.
#define RACELAB_SCOPED_CAPABILITY RACELAB_THREAD_ANNOTATION(scoped_lockable)
// A member read and written only with lock `x` held.
#define RACELAB_GUARDED_BY(x) RACELAB_THREAD_ANNOTATION(guarded_by(x))
// A function called with the locks held, exclusively or shared.
#define RACELAB_REQUIRES(...) RACELAB_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define RACELAB_REQUIRES_SHARED(...) RACELAB_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
// A function that takes the locks (none named: `this`), exclusively or shared.
#define RACELAB_ACQUIRE(...) RACELAB_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RACELAB_ACQUIRE_SHARED(...) RACELAB_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
// A function that gives the locks up; RELEASE_GENERIC whichever way they are held.
#define RACELAB_RELEASE(...) RACELAB_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RACELAB_RELEASE_SHARED(...) RACELAB_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define RACELAB_RELEASE_GENERIC(...) RACELAB_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
// A function that takes the locks when it returns `result` (true or false).
#define RACELAB_TRY_ACQUIRE(...) RACELAB_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define RACELAB_TRY_ACQUIRE_SHARED(...) RACELAB_THREAD_ANNOTATION(try_acquire_shared_capability(__VA_ARGS__))
// A function that must not be called with the locks held (it takes them).
#define RACELAB_EXCLUDES(...) RACELAB_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// A function the analysis skips: a lock's own implementation.
#define RACELAB_NO_THREAD_SAFETY_ANALYSIS RACELAB_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace racelab::detail {

// HarnessMutex — a std::mutex the analysis knows, for the harness's own
// bookkeeping (a racelab::mutex would be watched by the harness it serves).
class RACELAB_CAPABILITY("mutex") HarnessMutex {
 public:
  void lock() RACELAB_ACQUIRE() { m_.lock(); }
  void unlock() RACELAB_RELEASE() { m_.unlock(); }

 private:
  std::mutex m_;
};

// ScopedLock — holds `m` (a capability type) for the scope, as std::lock_guard.
template <class Mutex>
class RACELAB_SCOPED_CAPABILITY ScopedLock {
 public:
  explicit ScopedLock(Mutex& m) RACELAB_ACQUIRE(m) : m_(m) { m.lock(); }
  ~ScopedLock() RACELAB_RELEASE() { m_.unlock(); }
  ScopedLock(const ScopedLock&) = delete;
  ScopedLock& operator=(const ScopedLock&) = delete;

 private:
  Mutex& m_;
};

// UniqueLock — holds `m` for the scope as a std::unique_lock, for a
// condition variable's wait(), which lets it go and takes it back before it
// returns: to the analysis it is held throughout.
template <class Mutex>
class RACELAB_SCOPED_CAPABILITY UniqueLock {
 public:
  explicit UniqueLock(Mutex& m) RACELAB_ACQUIRE(m) : lock_(m) {}
  ~UniqueLock() RACELAB_RELEASE() = default;
  UniqueLock(const UniqueLock&) = delete;
  UniqueLock& operator=(const UniqueLock&) = delete;

  // UniqueLock::waitable()
  //
  // The std::unique_lock, for condition_variable::wait() and wait_for().
  // Requires: it owns the mutex again when the wait returns (every wait does).
  std::unique_lock<Mutex>& waitable() noexcept { return lock_; }

 private:
  std::unique_lock<Mutex> lock_;
};

}  // namespace racelab::detail
