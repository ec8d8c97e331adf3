// expect: hang
// where: hang_join_cond_waiter.cpp
// where: join
// runs: 3
// A background flusher thread sleeps on a std::condition_variable until
// `stop` is set, then does a final flush of the pending records. At
// shutdown main adds its last records, but the "stop = true;
// cv.notify_all()" lines were lost in a refactoring while the join
// stayed: main joins a thread that waits forever on a condition nobody
// will ever signal.
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

std::mutex m;
std::condition_variable cv;
bool stop = false;
int pending = 0;
int flushed = 0;

void flusher() {
  std::unique_lock<std::mutex> lock(m);
  cv.wait(lock, [] { return stop; });
  flushed += pending;  // final flush
  pending = 0;
}

int main() {
  std::thread background(flusher);
  {
    std::lock_guard<std::mutex> lock(m);
    pending += 3;
    // stop = true; cv.notify_all();  <- lost in a refactoring
  }
  background.join();
  std::printf("flushed %d\n", flushed);
  return 0;
}
