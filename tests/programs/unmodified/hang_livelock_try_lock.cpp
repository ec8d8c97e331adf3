// expect: livelock
// where: hang_livelock_try_lock.cpp
// runs: 3
// Two "polite" threads each need both mutexes. Each locks its own first,
// then try_lock()s the other; on failure it unlocks its own and retries at
// once (no random back-off). A small spin barrier (the author's "start the
// attempt together" step, and "both tried" before backing off) makes both
// threads hold their own mutex when they try the other's, so every attempt
// fails for both, forever: a livelock.
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

std::mutex left, right;
std::atomic<int> arrived{0};
int work_done = 0;

void rendezvous(int& round) {  // both threads pass each round together
  round += 2;
  arrived.fetch_add(1);
  while (arrived.load() < round) std::this_thread::yield();
}

void polite(std::mutex& mine, std::mutex& other) {
  int round = 0;
  for (;;) {
    rendezvous(round);
    mine.lock();
    rendezvous(round);
    if (other.try_lock()) break;
    rendezvous(round);
    mine.unlock();  // "after you" - and try again right away
  }
  ++work_done;
  other.unlock();
  mine.unlock();
}

int main() {
  std::thread a(polite, std::ref(left), std::ref(right));
  std::thread b(polite, std::ref(right), std::ref(left));
  a.join();
  b.join();
  std::printf("work %d\n", work_done);
  return 0;
}
