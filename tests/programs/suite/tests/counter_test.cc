#include <iterator>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kvstore/bugs.h"
#include "kvstore/stats.h"

namespace kv {
namespace {

TEST(Counter, StartsAtZero) {
  Counter c;
  EXPECT_EQ(c.Get(), 0u);
}

TEST(Counter, Adds) {
  Counter c;
  c.Add();
  c.Add(41);
  EXPECT_EQ(c.Get(), 42u);
}

TEST(Counter, ResetReturnsTheOldValue) {
  Counter c;
  c.Add(5);
  EXPECT_EQ(c.Reset(), 5u);
  EXPECT_EQ(c.Get(), 0u);
}

TEST(Counter, ConcurrentAddsAreNotLost) {
  Counter c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) c.Add();
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(c.Get(), 4000u);
}

TEST(Stats, DefaultsToZero) {
  Stats s;
  EXPECT_EQ(s.sequence, 0u);
  EXPECT_EQ(s.tables, 0u);
  EXPECT_EQ(s.compactions, 0u);
  EXPECT_EQ(s.cache_entries, 0u);
}

TEST(Bugs, NamesCoverEveryBug) {
  EXPECT_STREQ(bugs::kNames[bugs::kNone], "none");
  EXPECT_STREQ(bugs::kNames[bugs::kLockOrderReversal], "lock_order_reversal");
  EXPECT_EQ(std::size(bugs::kNames), static_cast<std::size_t>(bugs::kLockOrderReversal) + 1);
}

}  // namespace
}  // namespace kv
