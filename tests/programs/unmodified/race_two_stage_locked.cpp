// expect: invariant_violated
// where: lost
// strategy: controlled
// runs: 100
// seeds: 20
// An atomicity violation in a two-stage update. Each worker reads the
// counter under the lock, computes the new value outside it (the lock is
// "held as briefly as possible") and writes it back under the lock again.
// When both read before either writes, one update is lost. Every access is
// under the mutex, so TSan is silent; the window is the gap between two
// critical sections.
#include <cstdio>
#include <mutex>
#include <thread>

std::mutex lock;
long hits = 0;

long read_hits() {
  std::lock_guard<std::mutex> hold(lock);
  return hits;
}

void write_hits(long value) {
  std::lock_guard<std::mutex> hold(lock);
  hits = value;
}

void record_hit() {
  const long next = read_hits() + 1;
  write_hits(next);
}

int main() {
  std::thread a(record_hit), b(record_hit);
  a.join();
  b.join();
  if (hits != 2) {
    std::fprintf(stderr, "an update was lost: %ld hits of 2\n", hits);
    return 1;
  }
  std::printf("%ld hits\n", hits);
  return 0;
}
