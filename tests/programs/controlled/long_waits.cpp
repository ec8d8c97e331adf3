// Minutes of waiting, correct, for strategy controlled's logical time: a
// reloader sleeps 20 s between two reloads; main waits for the second with
// condition_variable::wait_for in 1 s slices; a std::future's task sleeps
// 30 s and main polls it with wait_for(5 s); a std::timed_mutex is tried
// for 10 s while a saver holds it for 15 s. Each wait checks on
// std::chrono::steady_clock that it lasted its time. In real time this
// takes about 50 s; under control, about as long as its steps.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <mutex>
#include <thread>

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int main() {
  int failures = 0;
  std::mutex m;
  std::condition_variable reloaded;
  int reloads = 0;
  std::thread reloader([&] {
    for (int i = 0; i < 2; ++i) {
      if (i > 0) std::this_thread::sleep_for(20s);
      std::lock_guard lock(m);
      ++reloads;
      reloaded.notify_all();
    }
  });
  const auto start = Clock::now();
  {
    std::unique_lock lock(m);
    int slices = 0;
    while (!reloaded.wait_for(lock, 1s, [&] { return reloads == 2; })) ++slices;
    if (Clock::now() - start < 20s || slices < 15) ++failures;
  }

  std::timed_mutex file;
  std::promise<void> holding;
  std::thread saver([&] {
    std::lock_guard hold(file);
    holding.set_value();
    std::this_thread::sleep_for(15s);
  });
  holding.get_future().wait();
  const auto tried = Clock::now();
  if (file.try_lock_for(10s)) ++failures;
  if (Clock::now() - tried < 10s) ++failures;

  auto answer = std::async(std::launch::async, [] {
    std::this_thread::sleep_for(30s);
    return 42;
  });
  int polls = 0;
  while (answer.wait_for(5s) == std::future_status::timeout) ++polls;
  if (answer.get() != 42 || polls < 5) ++failures;

  reloader.join();
  saver.join();
  const auto took = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start);
  std::printf("%lld s on the program's clock, %d failure(s)\n", static_cast<long long>(took.count()), failures);
  return failures == 0 ? 0 : 1;
}
