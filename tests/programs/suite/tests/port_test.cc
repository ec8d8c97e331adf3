#include "kvstore/port.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace kv {
namespace {

TEST(Mutex, LockUnlock) {
  port::Mutex mu;
  mu.Lock();
  mu.AssertHeld();
  mu.Unlock();
  mu.Lock();
  mu.Unlock();
}

TEST(Mutex, MutexLockReleasesAtScopeEnd) {
  port::Mutex mu;
  int value = 0;
  {
    MutexLock l(&mu);
    mu.AssertHeld();
    value = 1;
  }
  std::thread other([&] {
    MutexLock l(&mu);
    value = 2;
  });
  other.join();
  MutexLock l(&mu);
  EXPECT_EQ(value, 2);
}

TEST(Mutex, MutexUnlockReleasesAndRetakes) {
  port::Mutex mu;
  int value = 0;
  MutexLock l(&mu);
  {
    MutexUnlock unlock(&mu);
    std::thread other([&] {
      MutexLock inner(&mu);
      value = 7;
    });
    other.join();
  }
  mu.AssertHeld();
  EXPECT_EQ(value, 7);
}

TEST(Mutex, ProtectsACounterAcrossThreads) {
  port::Mutex mu;
  int counter = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        MutexLock l(&mu);
        ++counter;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(counter, 4000);
}

TEST(CondVar, SignalWakesTheWaiter) {
  port::Mutex mu;
  port::CondVar cv(&mu);
  bool ready = false;
  bool seen = false;
  std::thread waiter([&] {
    MutexLock l(&mu);
    while (!ready) cv.Wait();
    mu.AssertHeld();
    seen = true;
  });
  {
    MutexLock l(&mu);
    ready = true;
    cv.Signal();
  }
  waiter.join();
  EXPECT_TRUE(seen);
}

TEST(CondVar, SignalAllWakesEveryWaiter) {
  port::Mutex mu;
  port::CondVar cv(&mu);
  bool go = false;
  int woken = 0;
  std::vector<std::thread> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.emplace_back([&] {
      MutexLock l(&mu);
      while (!go) cv.Wait();
      ++woken;
    });
  }
  {
    MutexLock l(&mu);
    go = true;
    cv.SignalAll();
  }
  for (std::thread& t : waiters) t.join();
  EXPECT_EQ(woken, 3);
}

TEST(CondVar, WaitForTimesOutWithoutSignal) {
  port::Mutex mu;
  port::CondVar cv(&mu);
  MutexLock l(&mu);
  bool timed_out = false;
  // A spurious wakeup returns true; no signal ever comes, so one of these
  // waits runs out.
  for (int i = 0; i < 50 && !timed_out; ++i) {
    timed_out = !cv.WaitFor(1);
  }
  EXPECT_TRUE(timed_out);
  mu.AssertHeld();
}

TEST(CondVar, WaitForSeesTheCondition) {
  port::Mutex mu;
  port::CondVar cv(&mu);
  bool ready = false;
  std::thread signaller([&] {
    MutexLock l(&mu);
    ready = true;
    cv.SignalAll();
  });
  {
    MutexLock l(&mu);
    while (!ready) cv.WaitFor(100);
    EXPECT_TRUE(ready);
  }
  signaller.join();
}

TEST(CondVar, PingPong) {
  port::Mutex mu;
  port::CondVar cv(&mu);
  constexpr int kRounds = 2000;
  int turn = 0;  // even: ping's turn, odd: pong's
  int pings = 0, pongs = 0;
  auto player = [&](int parity, int* hits) {
    for (int i = 0; i < kRounds; ++i) {
      MutexLock l(&mu);
      while (turn % 2 != parity) cv.Wait();
      ++*hits;
      ++turn;
      cv.Signal();
    }
  };
  std::thread ping(player, 0, &pings);
  std::thread pong(player, 1, &pongs);
  ping.join();
  pong.join();
  EXPECT_EQ(turn, 2 * kRounds);
  EXPECT_EQ(pings, kRounds);
  EXPECT_EQ(pongs, kRounds);
}

}  // namespace
}  // namespace kv
