// expect: clean
// where: ok_producer_consumer_cv.cpp
// runs: 50
// A bounded queue between one producer and one consumer, with two
// std::condition_variables waited on with predicates (not_full, not_empty)
// and a `closed` flag for the end of the stream. Textbook and correct.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

std::mutex m;
std::condition_variable not_full, not_empty;
std::deque<int> queue;
bool closed = false;
const std::size_t capacity = 4;

void producer() {
  for (int i = 1; i <= 100; ++i) {
    std::unique_lock<std::mutex> lock(m);
    not_full.wait(lock, [] { return queue.size() < capacity; });
    queue.push_back(i);
    not_empty.notify_one();
  }
  std::lock_guard<std::mutex> lock(m);
  closed = true;
  not_empty.notify_one();
}

long consumer() {
  long sum = 0;
  for (;;) {
    std::unique_lock<std::mutex> lock(m);
    not_empty.wait(lock, [] { return !queue.empty() || closed; });
    if (queue.empty()) return sum;
    sum += queue.front();
    queue.pop_front();
    not_full.notify_one();
  }
}

int main() {
  long sum = 0;
  std::thread p(producer);
  std::thread c([&sum] { sum = consumer(); });
  p.join();
  c.join();
  std::printf("sum %ld\n", sum);
  return sum == 5050 ? 0 : 1;
}
