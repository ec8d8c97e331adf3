#include "kvstore/cache.h"

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace kv {
namespace {

std::string Key(int i) { return "key" + std::to_string(i); }
std::string ValueFor(const std::string& key) { return "value-of-" + key; }

// Two keys in different shards of `cache`.
std::pair<std::string, std::string> KeysInTwoShards(const ShardedCache& cache) {
  const std::string first = Key(0);
  for (int i = 1;; ++i) {
    if (cache.ShardOf(Key(i)) != cache.ShardOf(first)) return {first, Key(i)};
  }
}

// Starts `n` threads running body(thread index) once all of them are up, so
// that their work overlaps.
template <typename Body>
void RunTogether(int n, Body body) {
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < n; ++t) {
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < n) std::this_thread::yield();
      body(t);
    });
  }
  for (std::thread& t : threads) t.join();
}

TEST(ShardedCache, InsertThenLookup) {
  ShardedCache cache(100);
  cache.Insert("a", "1");
  EXPECT_EQ(cache.Lookup("a"), "1");
  EXPECT_EQ(cache.Size(), 1u);
}

TEST(ShardedCache, LookupOfAMissingKey) {
  ShardedCache cache(100);
  EXPECT_FALSE(cache.Lookup("nothing").has_value());
  EXPECT_EQ(cache.Misses(), 1u);
  EXPECT_EQ(cache.Hits(), 0u);
}

TEST(ShardedCache, InsertReplaces) {
  ShardedCache cache(100);
  cache.Insert("a", "1");
  cache.Insert("a", "2");
  EXPECT_EQ(cache.Lookup("a"), "2");
  EXPECT_EQ(cache.Size(), 1u);
  EXPECT_EQ(cache.TotalCharge(), 1u);
}

TEST(ShardedCache, EraseRemoves) {
  ShardedCache cache(100);
  cache.Insert("a", "1");
  EXPECT_TRUE(cache.Erase("a"));
  EXPECT_FALSE(cache.Lookup("a").has_value());
  EXPECT_EQ(cache.Size(), 0u);
}

TEST(ShardedCache, EraseOfAMissingKey) {
  ShardedCache cache(100);
  cache.Insert("a", "1");
  EXPECT_FALSE(cache.Erase("b"));
  EXPECT_EQ(cache.Size(), 1u);
}

TEST(ShardedCache, EvictsTheLeastRecentlyUsed) {
  ShardedCache cache(3, /*shard_bits=*/0);
  cache.Insert("a", "1");
  cache.Insert("b", "2");
  cache.Insert("c", "3");
  cache.Insert("d", "4");
  EXPECT_FALSE(cache.Lookup("a").has_value());
  EXPECT_EQ(cache.Lookup("b"), "2");
  EXPECT_EQ(cache.Lookup("d"), "4");
  EXPECT_EQ(cache.Size(), 3u);
}

TEST(ShardedCache, LookupMakesAnEntryRecent) {
  ShardedCache cache(3, /*shard_bits=*/0);
  cache.Insert("a", "1");
  cache.Insert("b", "2");
  cache.Insert("c", "3");
  ASSERT_TRUE(cache.Lookup("a").has_value());
  cache.Insert("d", "4");
  EXPECT_TRUE(cache.Lookup("a").has_value());
  EXPECT_FALSE(cache.Lookup("b").has_value());
}

TEST(ShardedCache, ChargesCountTowardTheCapacity) {
  ShardedCache cache(10, /*shard_bits=*/0);
  cache.Insert("a", "1", 4);
  cache.Insert("b", "2", 4);
  cache.Insert("c", "3", 4);
  EXPECT_EQ(cache.Size(), 2u);
  EXPECT_EQ(cache.TotalCharge(), 8u);
  EXPECT_FALSE(cache.Lookup("a").has_value());
}

TEST(ShardedCache, AnOversizedEntryStaysUntilTheNextInsert) {
  ShardedCache cache(2, /*shard_bits=*/0);
  cache.Insert("big", "x", 5);
  EXPECT_EQ(cache.Lookup("big"), "x");
  cache.Insert("small", "y", 1);
  EXPECT_FALSE(cache.Lookup("big").has_value());
  EXPECT_EQ(cache.Lookup("small"), "y");
}

TEST(ShardedCache, PruneEmptiesEveryShard) {
  ShardedCache cache(1000);
  for (int i = 0; i < 100; ++i) cache.Insert(Key(i), ValueFor(Key(i)));
  EXPECT_EQ(cache.Size(), 100u);
  cache.Prune();
  EXPECT_EQ(cache.Size(), 0u);
  EXPECT_EQ(cache.TotalCharge(), 0u);
  EXPECT_FALSE(cache.Lookup(Key(5)).has_value());
}

TEST(ShardedCache, SpreadsKeysOverItsShards) {
  ShardedCache cache(1000);
  EXPECT_EQ(cache.NumShards(), 16);
  std::set<int> shards;
  for (int i = 0; i < 1000; ++i) {
    const int shard = cache.ShardOf(Key(i));
    ASSERT_GE(shard, 0);
    ASSERT_LT(shard, cache.NumShards());
    shards.insert(shard);
  }
  EXPECT_GT(shards.size(), 8u);
}

TEST(ShardedCache, CountsHitsAndMisses) {
  ShardedCache cache(100);
  cache.Insert("a", "1");
  cache.Lookup("a");
  cache.Lookup("a");
  cache.Lookup("b");
  EXPECT_EQ(cache.Hits(), 2u);
  EXPECT_EQ(cache.Misses(), 1u);
}

TEST(ShardedCache, NewIdIncreases) {
  ShardedCache cache(10);
  const uint64_t first = cache.NewId();
  const uint64_t second = cache.NewId();
  EXPECT_GT(first, 0u);
  EXPECT_GT(second, first);
}

TEST(ShardedCache, NewIdIsUniqueAcrossThreads) {
  ShardedCache cache(10);
  constexpr int kThreads = 4;
  constexpr int kIds = 500;
  std::vector<std::vector<uint64_t>> ids(kThreads);
  RunTogether(kThreads, [&](int t) {
    for (int i = 0; i < kIds; ++i) ids[t].push_back(cache.NewId());
  });
  std::set<uint64_t> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kIds));
}

TEST(ShardedCache, RenameWithinAShard) {
  ShardedCache cache(100, /*shard_bits=*/0);
  cache.Insert("a", "1");
  EXPECT_TRUE(cache.Rename("a", "b"));
  EXPECT_FALSE(cache.Lookup("a").has_value());
  EXPECT_EQ(cache.Lookup("b"), "1");
}

TEST(ShardedCache, RenameAcrossShards) {
  ShardedCache cache(1000);
  const auto [a, b] = KeysInTwoShards(cache);
  cache.Insert(a, "moved", 3);
  EXPECT_TRUE(cache.Rename(a, b));
  EXPECT_FALSE(cache.Lookup(a).has_value());
  EXPECT_EQ(cache.Lookup(b), "moved");
  EXPECT_EQ(cache.TotalCharge(), 3u);
}

TEST(ShardedCache, RenameThereAndBack) {
  ShardedCache cache(1000);
  const auto [a, b] = KeysInTwoShards(cache);
  cache.Insert(a, "v");
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(cache.Rename(a, b));
    ASSERT_TRUE(cache.Rename(b, a));
  }
  EXPECT_EQ(cache.Lookup(a), "v");
  EXPECT_EQ(cache.Size(), 1u);
}

TEST(ShardedCache, RenameOfAMissingKeyFails) {
  ShardedCache cache(100);
  cache.Insert("b", "2");
  EXPECT_FALSE(cache.Rename("a", "b"));
  EXPECT_EQ(cache.Lookup("b"), "2");
}

TEST(ShardedCache, RenameReplacesTheTarget) {
  ShardedCache cache(1000);
  const auto [a, b] = KeysInTwoShards(cache);
  cache.Insert(a, "new");
  cache.Insert(b, "old");
  EXPECT_TRUE(cache.Rename(a, b));
  EXPECT_EQ(cache.Lookup(b), "new");
  EXPECT_EQ(cache.Size(), 1u);
}

TEST(ShardedCache, ConcurrentInsertsAndLookups) {
  ShardedCache cache(4000);
  constexpr int kThreads = 4;
  constexpr int kKeys = 300;
  std::atomic<int> mismatches{0};
  RunTogether(kThreads, [&](int t) {
    for (int i = 0; i < kKeys; ++i) {
      const std::string mine = Key(t * kKeys + i);
      cache.Insert(mine, ValueFor(mine));
      const std::string theirs = Key(((t + 1) % kThreads) * kKeys + i);
      if (std::optional<std::string> v = cache.Lookup(theirs); v && *v != ValueFor(theirs)) mismatches.fetch_add(1);
    }
  });
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(cache.Size(), static_cast<size_t>(kThreads * kKeys));
  EXPECT_EQ(cache.Lookup(Key(0)), ValueFor(Key(0)));
}

TEST(ShardedCache, ConcurrentEvictionKeepsTheCapacity) {
  ShardedCache cache(64);
  RunTogether(3, [&](int t) {
    for (int i = 0; i < 400; ++i) {
      const std::string key = Key(t * 1000 + i);
      cache.Insert(key, ValueFor(key));
      if (i % 3 == 0) cache.Erase(Key(t * 1000 + i / 2));
    }
  });
  // Each of the 16 shards holds at most its share, 4.
  EXPECT_LE(cache.Size(), 64u);
  EXPECT_EQ(cache.TotalCharge(), cache.Size());
}

}  // namespace
}  // namespace kv
