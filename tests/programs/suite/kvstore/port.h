// Portability layer: a mutex, a condition variable over it, and scoped
// guards, in the style of LevelDB's port/port_stdcxx.h.
#ifndef KVSTORE_PORT_H_
#define KVSTORE_PORT_H_

#include <condition_variable>
#include <mutex>
#include <thread>

namespace kv {
namespace port {

class CondVar;

class Mutex {
 public:
  Mutex() = default;
  ~Mutex() = default;

  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock();
  void Unlock();
  // Aborts (in debug builds) unless the calling thread holds the mutex.
  void AssertHeld() const;

 private:
  friend class CondVar;
  std::mutex mu_;
  // The holder, written only by it while it holds mu_.
  std::thread::id owner_;
};

// A condition variable bound to one Mutex, which the caller holds around
// every call.
class CondVar {
 public:
  explicit CondVar(Mutex* mu);
  ~CondVar() = default;

  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  void Wait();
  // Waits at most `milliseconds`; false if the time ran out.
  bool WaitFor(int milliseconds);
  void Signal();
  void SignalAll();

 private:
  std::condition_variable cv_;
  Mutex* const mu_;
};

}  // namespace port

// Holds a mutex for its scope.
class MutexLock {
 public:
  explicit MutexLock(port::Mutex* mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() { mu_->Unlock(); }

  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  port::Mutex* const mu_;
};

// Releases a held mutex for its scope and takes it back at the end.
class MutexUnlock {
 public:
  explicit MutexUnlock(port::Mutex* mu) : mu_(mu) {
    mu_->AssertHeld();
    mu_->Unlock();
  }
  ~MutexUnlock() { mu_->Lock(); }

  MutexUnlock(const MutexUnlock&) = delete;
  MutexUnlock& operator=(const MutexUnlock&) = delete;

 private:
  port::Mutex* const mu_;
};

}  // namespace kv

#endif  // KVSTORE_PORT_H_
