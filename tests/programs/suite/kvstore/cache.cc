#include "kvstore/cache.h"

#include <cassert>
#include <functional>
#include <utility>

#include "kvstore/bugs.h"

namespace kv {

ShardedCache::ShardedCache(size_t capacity, int shard_bits)
    : capacity_(capacity), num_shards_(1 << shard_bits), shards_(new Shard[num_shards_]) {
  assert(shard_bits >= 0 && shard_bits <= 8);
  const size_t per_shard = (capacity + num_shards_ - 1) / num_shards_;
  for (int i = 0; i < num_shards_; ++i) {
    shards_[i].capacity = per_shard > 0 ? per_shard : 1;
  }
}

ShardedCache::~ShardedCache() = default;

int ShardedCache::ShardOf(const std::string& key) const {
  // The hash's high bits pick the shard (its low bits pick the bucket).
  const uint64_t h = std::hash<std::string>{}(key);
  return static_cast<int>((h >> 32) & static_cast<uint64_t>(num_shards_ - 1));
}

void ShardedCache::Shard::EraseLocked(std::unordered_map<std::string, std::list<Entry>::iterator>::iterator it) {
  usage -= it->second->charge;
  lru.erase(it->second);
  table.erase(it);
}

void ShardedCache::Shard::InsertLocked(Entry entry) {
  auto old = table.find(entry.key);
  if (old != table.end()) {
    EraseLocked(old);
  }
  usage += entry.charge;
  lru.push_front(std::move(entry));
  table.emplace(lru.front().key, lru.begin());
  // Evict from the cold end, but never the entry just inserted.
  while (usage > capacity && lru.size() > 1) {
    EraseLocked(table.find(lru.back().key));
  }
}

void ShardedCache::Insert(const std::string& key, const std::string& value, size_t charge) {
  Shard& shard = shards_[ShardOf(key)];
  MutexLock l(&shard.mu);
  shard.InsertLocked(Entry{key, value, charge});
}

std::optional<std::string> ShardedCache::Lookup(const std::string& key) {
  Shard& shard = shards_[ShardOf(key)];
  MutexLock l(&shard.mu);
  auto it = shard.table.find(key);
  if (it == shard.table.end()) {
    misses_.Add();
    return std::nullopt;
  }
  hits_.Add();
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  return it->second->value;
}

bool ShardedCache::Erase(const std::string& key) {
  Shard& shard = shards_[ShardOf(key)];
  MutexLock l(&shard.mu);
  auto it = shard.table.find(key);
  if (it == shard.table.end()) {
    return false;
  }
  shard.EraseLocked(it);
  return true;
}

bool ShardedCache::Rename(const std::string& from, const std::string& to) {
  const int from_index = ShardOf(from);
  const int to_index = ShardOf(to);
  Shard& source = shards_[from_index];
  Shard& target = shards_[to_index];
  if (from_index == to_index) {
    MutexLock l(&source.mu);
    auto it = source.table.find(from);
    if (it == source.table.end()) {
      return false;
    }
    Entry entry{to, it->second->value, it->second->charge};
    source.EraseLocked(it);
    source.InsertLocked(std::move(entry));
    return true;
  }
  // Two shards: lock them in index order, whichever way the rename goes.
  Shard* first = &source;
  Shard* second = &target;
#if KV_BUG != 5  // BUG(5) lock_order_reversal: without this line, shards are locked in argument order
  if (to_index < from_index) std::swap(first, second);
#endif
  MutexLock l1(&first->mu);
  MutexLock l2(&second->mu);
  auto it = source.table.find(from);
  if (it == source.table.end()) {
    return false;
  }
  Entry entry{to, it->second->value, it->second->charge};
  source.EraseLocked(it);
  target.InsertLocked(std::move(entry));
  return true;
}

void ShardedCache::Prune() {
  for (int i = 0; i < num_shards_; ++i) {
    MutexLock l(&shards_[i].mu);
    shards_[i].lru.clear();
    shards_[i].table.clear();
    shards_[i].usage = 0;
  }
}

size_t ShardedCache::Size() const {
  size_t total = 0;
  for (int i = 0; i < num_shards_; ++i) {
    MutexLock l(&shards_[i].mu);
    total += shards_[i].table.size();
  }
  return total;
}

size_t ShardedCache::TotalCharge() const {
  size_t total = 0;
  for (int i = 0; i < num_shards_; ++i) {
    MutexLock l(&shards_[i].mu);
    total += shards_[i].usage;
  }
  return total;
}

uint64_t ShardedCache::NewId() {
#if KV_BUG != 1  // BUG(1) missing_lock: without this line, last_id_ is bumped without id_mutex_
  MutexLock l(&id_mutex_);
#endif
  return ++last_id_;
}

}  // namespace kv
