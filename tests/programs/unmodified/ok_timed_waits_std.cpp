// expect: clean
// where: ok_timed_waits_std.cpp
// runs: 3
// A std:: service whose threads wait with deadlines, correctly, and check
// on std::chrono::steady_clock that each wait lasted its time:
// - a poller sleeps in 5 ms steps (sleep_for) until a loader, 200 ms in,
//   sets a flag;
// - a watchdog's condition_variable::wait_for(300 ms) times out: nobody
//   notifies, there is nothing to report;
// - a std::timed_mutex: try_lock_for(100 ms) gives up while a saver holds
//   it for 250 ms; try_lock_for(2 s) then gets it;
// - a std::future's wait_for(50 ms) says timeout before its task's 150 ms
//   are up, and get() then has the value.
// A timeout that came early, or a clock that went back, fails the program.
// About half a second of waiting in all.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <mutex>
#include <thread>

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::atomic<int> failures{0};

void expect_at_least(Clock::time_point since, Clock::duration wanted, const char* what) {
  if (Clock::now() - since < wanted) {
    std::printf("%s ended early\n", what);
    failures.fetch_add(1);
  }
}

int main() {
  std::atomic<bool> loaded{false};
  std::thread loader([&] {
    std::this_thread::sleep_for(200ms);
    loaded.store(true);
  });
  std::thread poller([&] {
    const auto start = Clock::now();
    int polls = 0;
    while (!loaded.load()) {
      std::this_thread::sleep_for(5ms);
      ++polls;
    }
    if (polls == 0) failures.fetch_add(1);
    expect_at_least(start, 190ms, "the poller's wait for the loader");  // the loader started first
  });

  std::mutex m;
  std::condition_variable report;
  bool something_to_report = false;
  std::thread watchdog([&] {
    std::unique_lock lock(m);
    const auto start = Clock::now();
    if (report.wait_for(lock, 300ms, [&] { return something_to_report; })) failures.fetch_add(1);
    expect_at_least(start, 300ms, "condition_variable::wait_for");
  });

  std::timed_mutex file;
  std::atomic<bool> saving{false};
  std::thread saver([&] {
    std::lock_guard hold(file);
    saving.store(true);
    std::this_thread::sleep_for(250ms);
  });
  std::thread impatient([&] {
    while (!saving.load()) std::this_thread::sleep_for(1ms);
    const auto start = Clock::now();
    if (file.try_lock_for(100ms)) {
      std::printf("try_lock_for got a lock that was held\n");
      failures.fetch_add(1);
      file.unlock();
    }
    expect_at_least(start, 100ms, "try_lock_for");
    if (!file.try_lock_for(2s)) failures.fetch_add(1);
    else file.unlock();
  });

  auto answer = std::async(std::launch::async, [] {
    std::this_thread::sleep_for(150ms);
    return 42;
  });
  const auto asked = Clock::now();
  if (answer.wait_for(50ms) != std::future_status::timeout) failures.fetch_add(1);
  expect_at_least(asked, 50ms, "future::wait_for");
  const int value = answer.get();

  for (std::thread* t : {&loader, &poller, &watchdog, &saver, &impatient}) t->join();
  std::printf("answer %d, %d failure(s)\n", value, failures.load());
  return value == 42 && failures.load() == 0 ? 0 : 1;
}
