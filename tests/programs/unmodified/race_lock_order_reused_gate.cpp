// expect: lock_order_inversion|deadlock
// where: race_lock_order_reused_gate.cpp
// runs: 5
// Each session has its own mutex, and a session's work takes `a` and `b`
// under it. Two sessions, two threads, opposite orders. The sessions live
// one after the other at the same address (an arena hands out the same
// slot), so their two mutexes share an address, but they are two mutexes:
// both threads can be inside at once, and the opposite orders deadlock.
// (Here the second thread waits until the first session is gone; an
// atomic's order is no proof for a lock-order checker.)
#include <atomic>
#include <cstdio>
#include <mutex>
#include <new>
#include <thread>

struct Session {
  std::mutex mutex;
  int requests = 0;
};

std::mutex a, b;
std::atomic<int> stage{0};

int main() {
  auto* arena = new unsigned char[sizeof(Session)];
  std::thread first([arena] {
    auto* s = new (arena) Session;
    {
      std::lock_guard gate(s->mutex);
      std::lock_guard la(a);
      std::lock_guard lb(b);
      ++s->requests;
    }
    s->~Session();
    stage.store(1, std::memory_order_release);
    while (stage.load(std::memory_order_relaxed) != 2) std::this_thread::yield();
  });
  std::thread second([arena] {
    while (stage.load(std::memory_order_acquire) != 1) std::this_thread::yield();
    auto* s = new (arena) Session;
    {
      std::lock_guard gate(s->mutex);
      std::lock_guard lb(b);
      std::lock_guard la(a);  // BUG: the opposite order, under another session's mutex
      ++s->requests;
    }
    s->~Session();
    stage.store(2, std::memory_order_relaxed);
  });
  first.join();
  second.join();
  delete[] arena;
  std::printf("done\n");
  return 0;
}
