// The cache's capacity rules over many sizes and shard counts, as a real
// suite's parameterised tests are: one test per (capacity, shard bits).
#include "kvstore/cache.h"

#include <string>
#include <tuple>

#include <gtest/gtest.h>

namespace kv {
namespace {

class CacheCapacity : public ::testing::TestWithParam<std::tuple<int, int>> {
 protected:
  size_t capacity() const { return static_cast<size_t>(std::get<0>(GetParam())); }
  int shard_bits() const { return std::get<1>(GetParam()); }
};

// Inserting twice the capacity keeps the cache within what its shards hold,
// and the entry inserted last is always there.
TEST_P(CacheCapacity, HoldsNoMoreThanItsShardsAllowAndKeepsTheNewest) {
  ShardedCache cache(capacity(), shard_bits());
  const size_t shards = static_cast<size_t>(cache.NumShards());
  const size_t per_shard = (capacity() + shards - 1) / shards;
  const size_t bound = std::max<size_t>(per_shard, 1) * shards;
  for (size_t i = 0; i < 2 * capacity(); ++i) {
    const std::string key = "k" + std::to_string(i);
    cache.Insert(key, "v" + std::to_string(i));
    ASSERT_EQ(cache.Lookup(key), "v" + std::to_string(i)) << key;
  }
  EXPECT_LE(cache.TotalCharge(), bound);
  EXPECT_EQ(cache.Size(), cache.TotalCharge());
  cache.Prune();
  EXPECT_EQ(cache.Size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Sizes, CacheCapacity,
                         ::testing::Combine(::testing::Range(1, 41), ::testing::Values(0, 2, 4)));

}  // namespace
}  // namespace kv
