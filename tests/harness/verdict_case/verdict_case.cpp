// verdict_case — a case program for the harness's own tests. Its buggy
// variant runs the scenario named by RACELAB_TEST_SCENARIO, each built to end
// in one verdict; its fixed variant is clean. Never part of the catalogue.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <csignal>
#include <vector>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include <racelab/racelab.h>

namespace {

using racelab::Run;

void clean(Run&) {
  racelab::mutex m;
  int shared = 0;
  racelab::thread a([&] { std::lock_guard lock(m); ++shared; });
  racelab::thread b([&] { std::lock_guard lock(m); ++shared; });
  a.join();
  b.join();
}

void self_deadlock(Run&) {
  racelab::mutex m;
  racelab::thread t([&] {
    std::lock_guard outer(m);  // site:outer-lock
    std::lock_guard inner(m);  // site:inner-lock (the same thread, the same non-recursive mutex)
  });
  t.join();
}

void recursive_is_fine(Run& run) {
  racelab::recursive_mutex m;
  int depth = 0;
  racelab::thread t([&] {
    std::lock_guard outer(m);
    std::lock_guard inner(m);
    depth = m.depth();
  });
  t.join();
  run.check(depth == 2, "depth is " + std::to_string(depth) + ", expected 2");
}

void hang(Run&) {
  racelab::mutex m;
  racelab::condition_variable cv;
  bool ready = false;
  racelab::thread waiter([&] {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return ready; });  // site:cv-wait (nobody ever sets ready)
  });
  waiter.join();  // site:join-waiter
}

void exception_lost(Run&) {
  racelab::thread t([] { throw std::runtime_error("disk full"); });
  t.join();
}

void thread_leak(Run&) {
  racelab::thread t([] {});
  // destroyed while joinable
}

void mutex_misuse(Run&) {
  racelab::mutex m;
  m.lock();  // site:main-lock
  racelab::thread t([&] { m.unlock(); });  // unlocked by a thread that does not own it
  t.join();
}

void invariant(Run& run) { run.check(false, "this invariant never holds"); }

void data_race(Run&) {
  int shared = 0;
  racelab::thread a([&] { shared = 1; });
  racelab::thread b([&] { shared = 2; });
  a.join();
  b.join();
}

// Each thread takes its first lock, waits until the other has too, then
// asks for the other's: a certain deadlock, of two threads or three.
void deadlock_ring(int n) {
  std::vector<racelab::mutex> locks(static_cast<std::size_t>(n));
  std::atomic<int> holding{0};
  std::vector<racelab::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      std::lock_guard first(locks[static_cast<std::size_t>(i)]);  // site:first-lock
      holding.fetch_add(1, std::memory_order_relaxed);
      // Waits for the others without counting steps: under load this wait
      // is long, and it is scaffolding, not what the scenario tests.
      while (holding.load(std::memory_order_relaxed) < n) std::this_thread::yield();
      std::lock_guard second(locks[static_cast<std::size_t>((i + 1) % n)]);  // site:second-lock
    });
  for (auto& t : threads) t.join();
}

void deadlock(Run&) { deadlock_ring(2); }
void deadlock3(Run&) { deadlock_ring(3); }

// Both orders, one after the other: never hangs, always inverted.
void lock_order(Run&) {
  racelab::mutex a;
  racelab::mutex b;
  racelab::thread first([&] { std::scoped_lock both(a, b); });
  first.join();
  racelab::thread one([&] {
    std::lock_guard la(a);
    std::lock_guard lb(b);
  });
  one.join();
  racelab::thread other([&] {
    std::lock_guard lb(b);  // site:other-b
    std::lock_guard la(a);
  });
  other.join();
}

void livelock(Run&) {
  racelab::thread busy([] {
    for (;;) racelab::interleave();  // steps forever, never progress()
  });
  busy.join();
}

// Spins slowly (a step per millisecond), so the time limit comes before
// the livelock bound.
void slow_spin(Run&) {
  racelab::thread busy([] {
    for (;;) {
      racelab::interleave();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  busy.join();
}

// Blocks for good in a way the watchdog cannot see (a plain sleep): only
// the time limit ends it.
void slow_sleep(Run&) {
  racelab::thread sleeper([] { std::this_thread::sleep_for(std::chrono::hours(1)); });
  sleeper.join();
}

// Freezes its whole process (watchdog included) in run 1 the first time,
// as a worker stuck outside the case would be; RACELAB_TEST_MARKER names the
// file that says it already did.
void freeze_once(Run& run) {
  const char* marker = std::getenv("RACELAB_TEST_MARKER");
  if (run.index() != 1 || marker == nullptr) return;
  if (std::FILE* seen = std::fopen(marker, "r")) {
    std::fclose(seen);
    return;
  }
  std::FILE* made = std::fopen(marker, "w");
  if (made != nullptr) std::fclose(made);
  std::raise(SIGSTOP);
}

void forgotten_unlock(Run&) {
  racelab::mutex m;
  racelab::thread leaves_it_locked([&] { m.lock(); });  // site:forgotten-lock
  leaves_it_locked.join();
  racelab::thread waits([&] { std::lock_guard lock(m); });
  waits.join();
}

void worker_exits(Run& run) {
  if (run.index() == 1) std::exit(7);  // the process ends without a signal
}

void crash(Run& run) {
  if (run.index() == 1) std::abort();
}

// A task's exception in a future nobody reads.
void dropped_future(Run&) {
  racelab::task_pool pool(2);
  pool.submit([] { throw std::runtime_error("card declined"); });  // its future is dropped
  pool.submit([] { return 1; });
}

// Every future read: a task's result, a task's exception, a void task.
void retrieved_futures(Run& run) {
  racelab::task_pool pool(2);
  racelab::future<int> value = pool.submit([] { return 42; });
  racelab::future<void> error = pool.submit([] { throw std::runtime_error("card declined"); });
  racelab::future<void> nothing = pool.submit([] {});
  std::string caught;
  try {
    error.get();
  } catch (const std::runtime_error& e) {
    caught = e.what();
  }
  nothing.get();
  run.check(value.get() == 42 && caught == "card declined" && !value.valid(),
            "get() gave the wrong result or exception: '" + caught + "'");
}

// A reader asks for the write lock while it still reads: it would wait for
// itself.
void shared_upgrade(Run&) {
  racelab::shared_mutex m;
  racelab::thread reader([&] {
    std::shared_lock read(m);  // site:shared-read
    std::unique_lock write(m);  // site:shared-upgrade
  });
  reader.join();
}

// Readers together, then each writes once.
void shared_readers(Run& run) {
  racelab::shared_mutex m;
  int value = 0;
  std::vector<racelab::thread> threads;
  for (int i = 0; i < 3; ++i)
    threads.emplace_back([&] {
      {
        std::shared_lock read(m);
        racelab::interleave();
        run.check(m.readers() >= 1, "a reader is not counted");
      }
      std::lock_guard write(m);
      ++value;
    });
  for (auto& t : threads) t.join();
  run.check(value == 3 && m.readers() == 0, "writes lost or readers left behind");
}

void shared_misuse(Run&) {
  racelab::shared_mutex m;
  m.unlock_shared();  // site:unlock-shared (never locked)
}

racelab::Body scenario() {
  const char* name = std::getenv("RACELAB_TEST_SCENARIO");
  const std::string s = name != nullptr ? name : "clean";
  if (s == "self_deadlock") return self_deadlock;
  if (s == "recursive") return recursive_is_fine;
  if (s == "hang") return hang;
  if (s == "exception_lost") return exception_lost;
  if (s == "thread_leak") return thread_leak;
  if (s == "mutex_misuse") return mutex_misuse;
  if (s == "invariant") return invariant;
  if (s == "data_race") return data_race;
  if (s == "crash") return crash;
  if (s == "exit") return worker_exits;
  if (s == "deadlock") return deadlock;
  if (s == "deadlock3") return deadlock3;
  if (s == "lock_order") return lock_order;
  if (s == "livelock") return livelock;
  if (s == "slow_spin") return slow_spin;
  if (s == "slow_sleep") return slow_sleep;
  if (s == "freeze_once") return freeze_once;
  if (s == "forgotten_unlock") return forgotten_unlock;
  if (s == "dropped_future") return dropped_future;
  if (s == "retrieved_futures") return retrieved_futures;
  if (s == "shared_upgrade") return shared_upgrade;
  if (s == "shared_readers") return shared_readers;
  if (s == "shared_misuse") return shared_misuse;
  return clean;
}

}  // namespace

racelab::Case racelab::define_case() {
  return {
      .id = "99_verdicts",
      .title = "Harness self-test: one scenario per verdict",
      .bug_class = "test",
      .threads = 2,
      .invariant = "depends on the scenario",
      .livelock_steps = 20000,
      .buggy = {.body = scenario(),
                .expected = {Verdict::self_deadlock, Verdict::hang, Verdict::exception_lost,
                             Verdict::thread_leak, Verdict::mutex_misuse,
                             Verdict::invariant_violated, Verdict::data_race, Verdict::crash,
                             Verdict::deadlock, Verdict::lock_order_inversion, Verdict::livelock},
                .runs = 3},
      .fixed = {.body = clean, .expected = {Verdict::clean}, .runs = 50},
  };
}
