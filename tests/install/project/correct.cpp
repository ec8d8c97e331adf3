// The counter of racy.cpp behind a mutex: correct.
#include <cstdio>
#include <mutex>
#include <thread>

int hits = 0;
std::mutex hits_lock;

int main() {
  auto bump = [] {
    for (int i = 0; i < 1000; ++i) {
      std::lock_guard lock(hits_lock);
      ++hits;
    }
  };
  std::thread a(bump);
  std::thread b(bump);
  a.join();
  b.join();
  std::printf("%d\n", hits);
}
