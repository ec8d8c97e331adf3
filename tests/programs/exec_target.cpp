// exec_target MODE — a program from outside the catalogue for `racelab exec`
// tests, built twice: with ThreadSanitizer (exec_target) and without
// (exec_target_plain).
//   race    two threads add to one counter without a lock: a data race
//   clean   the same with a mutex
//   fail    clean, but exits 3 (its own check failed)
//   sleep   sleeps for 60 s (a hang, for --timeout)
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

namespace {

int counter = 0;
std::mutex counter_mutex;
std::atomic<int> started{0};

int add_twice(bool locked) {
  auto add = [locked] {
    // Both threads alive at once: TSan gives a finished thread's slot to the
    // next one, and can miss a race with a thread that ended before the other
    // began (seen on a loaded machine). Relaxed: no happens-before.
    started.fetch_add(1, std::memory_order_relaxed);
    while (started.load(std::memory_order_relaxed) < 2) std::this_thread::yield();
    for (int i = 0; i < 1000; ++i) {
      if (locked) {
        std::lock_guard lock(counter_mutex);
        ++counter;
      } else {
        ++counter;  // races with the other thread
      }
    }
  };
  std::thread a(add);
  std::thread b(add);
  a.join();
  b.join();
  std::printf("counter = %d\n", counter);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  if (std::strcmp(mode, "race") == 0) return add_twice(false);
  if (std::strcmp(mode, "clean") == 0) return add_twice(true);
  if (std::strcmp(mode, "fail") == 0) return add_twice(true) + 3;
  if (std::strcmp(mode, "sleep") == 0) {
    std::this_thread::sleep_for(std::chrono::seconds(60));
    return 0;
  }
  std::fprintf(stderr, "usage: exec_target race|clean|fail|sleep\n");
  return 2;
}
