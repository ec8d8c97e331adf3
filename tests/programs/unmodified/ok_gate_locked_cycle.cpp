// expect: clean
// where: ok_gate_locked_cycle.cpp
// runs: 50
// note: (a gate lock)
// Two threads lock A then B and B then A - opposite orders - but every
// such acquisition happens while holding the outer `gate` mutex, so only
// one thread at a time can be inside the A/B section and no deadlock is
// possible. A lock-order detector that ignores the gate sees a cycle.
#include <cstdio>
#include <mutex>
#include <thread>

std::mutex gate, a, b;
int in_a = 0, in_b = 0;

void a_then_b() {
  for (int i = 0; i < 100; ++i) {
    std::lock_guard<std::mutex> g(gate);
    std::lock_guard<std::mutex> la(a);
    std::lock_guard<std::mutex> lb(b);
    ++in_a;
  }
}

void b_then_a() {
  for (int i = 0; i < 100; ++i) {
    std::lock_guard<std::mutex> g(gate);
    std::lock_guard<std::mutex> lb(b);
    std::lock_guard<std::mutex> la(a);
    ++in_b;
  }
}

int main() {
  std::thread t1(a_then_b), t2(b_then_a);
  t1.join();
  t2.join();
  if (in_a != 100 || in_b != 100) return 1;
  std::printf("%d %d\n", in_a, in_b);
  return 0;
}
