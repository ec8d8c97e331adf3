// gtest_suite — a GoogleTest suite in plain std:: code, for `racelab exec`'s
// per-test judging: built with racelab's listener (gtest_suite) and without
// the runtime at all (gtest_suite_alone). One test of each kind:
//   Suite.Correct   two threads, one mutex: clean
//   Suite.Racy      two threads, one plain counter: a data race
//   Suite.Fails     GoogleTest's own failure: invariant_violated
//   Suite.Dies      a death test: its child aborts, as it should: clean
//   Suite.Deadlock  two threads take two mutexes in opposite orders: deadlock
// Deadlock is last: the runtime ends the process there, so no test after it
// runs. Two more run only when asked for (--gtest_also_run_disabled_tests):
//   Suite.DISABLED_Spins    a busy loop that never ends: a hang at --timeout
//   Suite.DISABLED_Aborts   abort(): a crash
//   Suite.DISABLED_OrderOne, Suite.DISABLED_OrderTwo  a thread of each takes
//       two mutexes, in opposite orders: joined, but in different tests,
//       which may run in any order or at once: lock_order_inversion
//   Suite.DISABLED_GatedOrders  the same opposite orders in one test, each
//       under a global gate: clean, and the note says why
//   Suite.DISABLED_LostUpdate  two threads read a balance under a mutex and
//       write it back under it again: a deposit lost in one interleaving,
//       which strategy controlled finds
// With GTEST_SUITE_ABORT_FIRST set, a global environment aborts before the
// first test starts: a run that tested nothing.
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

// External linkage: nothing here stores to it, but the compiler must not
// conclude that nothing can (an internal one, it did, and dropped the loop).
std::atomic<bool> spinning{true};

namespace {

// Both threads are under way before either touches the counter (relaxed: no
// happens-before for TSan), so that their accesses overlap in time.
void side_by_side(void (*work)()) {
  static std::atomic<int> arrived{0};
  arrived.store(0);
  auto body = [work] {
    arrived.fetch_add(1, std::memory_order_relaxed);
    while (arrived.load(std::memory_order_relaxed) < 2) std::this_thread::yield();
    work();
  };
  std::thread a(body), b(body);
  a.join();
  b.join();
}

long guarded = 0;
std::mutex guard;
long unguarded = 0;

TEST(Suite, Correct) {
  guarded = 0;
  side_by_side([] {
    for (int i = 0; i < 1000; ++i) {
      std::lock_guard lock(guard);
      ++guarded;
    }
  });
  EXPECT_EQ(guarded, 2000);
}

// The two writes take turns (relaxed: still a race to TSan), the first
// thread alive until the second has written: TSan may miss a race with a
// thread that has ended, or two writes at the same instant.
std::atomic<int> turn{0};

TEST(Suite, Racy) {
  turn.store(0);
  std::thread a([] {
    ++unguarded;
    turn.store(1, std::memory_order_relaxed);
    while (turn.load(std::memory_order_relaxed) < 2) std::this_thread::yield();
  });
  std::thread b([] {
    while (turn.load(std::memory_order_relaxed) < 1) std::this_thread::yield();
    ++unguarded;
    turn.store(2, std::memory_order_relaxed);
  });
  a.join();
  b.join();
  SUCCEED();
}

TEST(Suite, Fails) { EXPECT_EQ(2 + 2, 5) << "arithmetic"; }

TEST(Suite, Dies) { EXPECT_DEATH(std::abort(), ""); }

std::mutex first, second;
std::atomic<int> holding{0};

TEST(Suite, Deadlock) {
  holding.store(0);
  auto take = [](std::mutex& a, std::mutex& b) {
    std::lock_guard one(a);
    holding.fetch_add(1, std::memory_order_relaxed);
    while (holding.load(std::memory_order_relaxed) < 2) std::this_thread::yield();
    std::lock_guard two(b);
  };
  std::thread x(take, std::ref(first), std::ref(second));
  std::thread y(take, std::ref(second), std::ref(first));
  x.join();
  y.join();
}

std::mutex account;
long balance = 0;

TEST(Suite, DISABLED_LostUpdate) {
  balance = 0;
  auto deposit = [] {
    long seen;
    {
      std::lock_guard lock(account);
      seen = balance;
    }
    std::lock_guard lock(account);
    balance = seen + 1;
  };
  std::thread x(deposit), y(deposit);
  x.join();
  y.join();
  EXPECT_EQ(balance, 2) << "a deposit was lost";
}

TEST(Suite, DISABLED_Spins) {
  while (spinning.load(std::memory_order_relaxed)) {
  }
}

TEST(Suite, DISABLED_Aborts) { std::abort(); }

std::mutex first_lock, second_lock;

TEST(Suite, DISABLED_OrderOne) {
  std::thread([] {
    std::lock_guard a(first_lock);
    std::lock_guard b(second_lock);
  }).join();
}

TEST(Suite, DISABLED_OrderTwo) {
  std::thread([] {
    std::lock_guard b(second_lock);
    std::lock_guard a(first_lock);
  }).join();
}

std::mutex gate;

TEST(Suite, DISABLED_GatedOrders) {
  auto gated = [](std::mutex& a, std::mutex& b) {
    std::lock_guard g(gate);
    std::lock_guard x(a);
    std::lock_guard y(b);
  };
  std::thread one([&] { gated(first_lock, second_lock); });
  std::thread two([&] { gated(second_lock, first_lock); });
  one.join();
  two.join();
}

class AbortsFirst : public ::testing::Environment {
 public:
  void SetUp() override {
    if (std::getenv("GTEST_SUITE_ABORT_FIRST") != nullptr) std::abort();
  }
};

[[maybe_unused]] ::testing::Environment* const aborts_first = ::testing::AddGlobalTestEnvironment(new AbortsFirst);

}  // namespace
