// expect: clean
// where: ok_trylock_poll_holder.cpp
// runs: 50
// A "saver" thread holds the document mutex for 20 ms while it writes the
// file. The UI thread must not block, so it polls with try_lock() and a
// 1 ms sleep between attempts until the saver is done. Many failed
// try_locks in a row, but the holder is making progress: not a livelock.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

std::mutex document;
std::atomic<bool> saver_has_lock{false};
int version = 0;

int main() {
  std::thread saver([] {
    std::lock_guard<std::mutex> lock(document);
    saver_has_lock = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // write file
    ++version;
  });
  while (!saver_has_lock) std::this_thread::yield();
  int polls = 0;
  while (!document.try_lock()) {
    ++polls;  // redraw the UI, then try again
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  int seen = version;
  document.unlock();
  saver.join();
  std::printf("version %d after %d polls\n", seen, polls);
  return seen == 1 ? 0 : 1;
}
