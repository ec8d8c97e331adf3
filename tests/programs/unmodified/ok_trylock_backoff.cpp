// expect: clean
// where: ok_trylock_backoff.cpp
// runs: 50
// Thread 1 locks A then B normally. Thread 2 needs B then A, the opposite
// order, but takes A with try_lock(): if A is busy it releases B, yields
// and starts again. Thread 2 never waits for A while holding B, so the
// opposite orders cannot deadlock (and thread 1 never backs off, so it is
// no livelock either).
#include <cstdio>
#include <mutex>
#include <thread>

std::mutex a, b;
int shared_value = 0;

void forward() {
  for (int i = 0; i < 200; ++i) {
    std::lock_guard<std::mutex> la(a);
    std::lock_guard<std::mutex> lb(b);
    ++shared_value;
  }
}

void backward() {
  for (int i = 0; i < 200; ++i) {
    for (;;) {
      std::unique_lock<std::mutex> lb(b);
      std::unique_lock<std::mutex> la(a, std::try_to_lock);
      if (la.owns_lock()) {
        ++shared_value;
        break;
      }
      lb.unlock();
      std::this_thread::yield();
    }
  }
}

int main() {
  std::thread t1(forward), t2(backward);
  t1.join();
  t2.join();
  std::printf("%d\n", shared_value);
  return shared_value == 400 ? 0 : 1;
}
