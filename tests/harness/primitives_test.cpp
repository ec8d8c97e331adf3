// The drop-in primitives used outside a run, as a plain program would.
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <racelab/racelab.h>

namespace {

TEST(Mutex, WorksWithTheStandardLockTypes) {
  racelab::mutex m;
  EXPECT_EQ(m.owner(), -1);
  {
    std::lock_guard lock(m);
    EXPECT_TRUE(m.held_by_me());
  }
  EXPECT_FALSE(m.held_by_me());
  {
    std::unique_lock lock(m);
    EXPECT_TRUE(m.held_by_me());
    lock.unlock();
    EXPECT_FALSE(m.held_by_me());
  }
  racelab::mutex other;
  {
    std::scoped_lock both(m, other);
    EXPECT_TRUE(m.held_by_me());
    EXPECT_TRUE(other.held_by_me());
  }
  EXPECT_FALSE(other.held_by_me());
}

TEST(Mutex, TryLockFailsWhileAnotherThreadHoldsIt) {
  racelab::mutex m;
  std::atomic<bool> locked{false};
  std::atomic<bool> release{false};
  std::thread holder([&] {
    std::lock_guard lock(m);
    locked = true;
    while (!release) std::this_thread::yield();
  });
  while (!locked) std::this_thread::yield();
  EXPECT_FALSE(m.try_lock());
  EXPECT_FALSE(m.held_by_me());
  release = true;
  holder.join();
  if (!m.try_lock()) FAIL() << "try_lock() of a free mutex failed";
  EXPECT_TRUE(m.held_by_me());
  m.unlock();
}

TEST(Mutex, TryLockByTheOwnerFailsInsteadOfDeadlocking) {
  racelab::mutex m;
  std::lock_guard lock(m);
  EXPECT_FALSE(m.try_lock());
}

TEST(Mutex, CountsItsWaiters) {
  racelab::mutex m;
  m.lock();
  std::thread waiter([&] { std::lock_guard lock(m); });
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (m.waiters() == 0 && std::chrono::steady_clock::now() < give_up)
    std::this_thread::yield();
  EXPECT_EQ(m.waiters(), 1);
  m.unlock();
  waiter.join();
  EXPECT_EQ(m.waiters(), 0);
}

TEST(Mutex, ExcludesMutually) {
  racelab::mutex m;
  long counter = 0;
  auto work = [&] {
    for (int i = 0; i < 2000; ++i) {
      std::lock_guard lock(m);
      long seen = counter;
      racelab::interleave();
      counter = seen + 1;
    }
  };
  std::thread a(work);
  std::thread b(work);
  a.join();
  b.join();
  EXPECT_EQ(counter, 4000);
}

TEST(RecursiveMutex, TheOwnerMayLockAgain) {
  racelab::recursive_mutex m;
  {
    std::lock_guard outer(m);
    std::lock_guard inner(m);
    EXPECT_EQ(m.depth(), 2);
    EXPECT_TRUE(m.held_by_me());
  }
  EXPECT_EQ(m.depth(), 0);
  EXPECT_EQ(m.owner(), -1);
  EXPECT_FALSE(m.held_by_me());
}

TEST(ConditionVariable, PredicateWaitSeesTheNotifiedState) {
  racelab::mutex m;
  racelab::condition_variable cv;
  bool ready = false;
  std::thread producer([&] {
    {
      std::lock_guard lock(m);
      ready = true;
    }
    cv.notify_one();
  });
  std::unique_lock lock(m);
  cv.wait(lock, [&] { return ready; });
  EXPECT_TRUE(ready);
  EXPECT_TRUE(m.held_by_me());
  lock.unlock();
  producer.join();
}

TEST(ConditionVariable, WaitForTimesOutAndReacquires) {
  racelab::mutex m;
  racelab::condition_variable cv;
  std::unique_lock lock(m);
  EXPECT_FALSE(cv.wait_for(lock, std::chrono::milliseconds(5), [] { return false; }));
  EXPECT_TRUE(m.held_by_me());
  EXPECT_EQ(cv.waiters(), 0);
}

TEST(Thread, RunsItsFunctionWithArguments) {
  int result = 0;
  racelab::thread t([](int a, int& out) { out = a * 2; }, 21, std::ref(result));
  ASSERT_TRUE(t.joinable());
  t.join();
  EXPECT_FALSE(t.joinable());
  EXPECT_EQ(result, 42);
}

TEST(Interleave, OutsideARunNeverPerturbsAndCountsSteps) {
  racelab::detail::ThreadState& self = racelab::detail::self();
  const auto before = self.steps.load();
  for (int i = 0; i < 100; ++i) racelab::interleave();
  racelab::progress();
  EXPECT_EQ(self.steps.load(), before + 100);
  EXPECT_GE(self.progress.load(), 1u);
  EXPECT_EQ(self.ordinal, -1);
}

TEST(Rng, TheSameSeedDrawsTheSameSequence) {
  racelab::detail::Rng a(7);
  racelab::detail::Rng b(7);
  racelab::detail::Rng c(8);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    auto x = a.next();
    EXPECT_EQ(x, b.next());
    differs = differs || x != c.next();
  }
  EXPECT_TRUE(differs);
}

}  // namespace

namespace {

TEST(Barrier, ReleasesEveryPhaseWhenAllHaveArrived) {
  racelab::barrier b(3);
  std::atomic<int> passed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&] {
      for (int phase = 0; phase < 5; ++phase) b.arrive_and_wait();
      passed.fetch_add(1);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(passed.load(), 3);
}

TEST(CountingSemaphore, CountsSlots) {
  racelab::counting_semaphore<2> slots(2);
  EXPECT_TRUE(slots.try_acquire());
  EXPECT_TRUE(slots.try_acquire());
  EXPECT_FALSE(slots.try_acquire());
  slots.release();
  EXPECT_TRUE(slots.try_acquire());
  slots.release(2);
  slots.acquire();
  slots.acquire();
  EXPECT_FALSE(slots.try_acquire());
}

TEST(CountingSemaphore, AcquireWaitsForARelease) {
  racelab::counting_semaphore<1> slot(0);
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    slot.acquire();
    got = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(got.load());
  slot.release();
  waiter.join();
  EXPECT_TRUE(got.load());
}

}  // namespace
