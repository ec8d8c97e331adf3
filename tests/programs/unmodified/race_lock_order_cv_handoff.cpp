// expect: lock_order_inversion
// where: race_lock_order_cv_handoff.cpp
// runs: 5
// A producer takes `a` then `b` and then hands over to a consumer through a
// condition variable; the consumer takes `b` then `a`. The hand-off orders
// the two in this program, but an order through a mutex or a condition
// variable is no proof a lock-order checker may rely on (the next change to
// the hand-off makes it a deadlock), and TSan alone reports the cycle:
// racelab keeps the report.
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

std::mutex a, b, m;
std::condition_variable handed;
bool ready = false;
int total = 0;

int main() {
  std::thread producer([] {
    {
      std::lock_guard la(a);
      std::lock_guard lb(b);
      ++total;
    }
    std::lock_guard lock(m);
    ready = true;
    handed.notify_one();
  });
  std::thread consumer([] {
    {
      std::unique_lock lock(m);
      handed.wait(lock, [] { return ready; });
    }
    std::lock_guard lb(b);
    std::lock_guard la(a);  // the opposite order, after the hand-off
    ++total;
  });
  producer.join();
  consumer.join();
  std::printf("total %d\n", total);
  return 0;
}
