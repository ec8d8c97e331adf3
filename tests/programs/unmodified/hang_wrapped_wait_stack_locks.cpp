// expect: hang
// where: lost wakeup
// where: ← hang_wrapped_wait_stack_locks.cpp:
// where: a local of
// A project's own Event wraps a mutex and a condition variable, as real
// code bases do. Two callers wait on two events; the bug: nobody ever sets
// the second one. Where the thread waits is not the wrapper's wait (every
// bug behind it would be in one place) but its caller, after the arrow; and
// the wrapper's mutex, a local of main's, is named by the frame it lives in.
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

class Event {
 public:
  void Set() {
    std::lock_guard lock(mutex_);
    set_ = true;
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return set_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool set_ = false;
};

void await_loaded(Event& loaded) { loaded.Wait(); }
void await_flushed(Event& flushed) { flushed.Wait(); }

int main() {
  Event loaded, flushed;
  std::thread loader([&] { loaded.Set(); });
  await_loaded(loaded);
  loader.join();
  await_flushed(flushed);  // BUG: nobody sets `flushed`
  std::printf("done\n");
  return 0;
}
