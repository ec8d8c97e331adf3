// A sharded LRU cache of strings, after LevelDB's ShardedLRUCache: each
// shard is a mutex, a recency list and a hash table, and holds an equal part
// of the capacity.
#ifndef KVSTORE_CACHE_H_
#define KVSTORE_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "kvstore/port.h"
#include "kvstore/stats.h"

namespace kv {

class ShardedCache {
 public:
  static constexpr int kDefaultShardBits = 4;

  // `capacity`: the total charge the cache holds, split evenly between its
  // 2^shard_bits shards (each holds at least 1).
  explicit ShardedCache(size_t capacity, int shard_bits = kDefaultShardBits);
  ~ShardedCache();

  ShardedCache(const ShardedCache&) = delete;
  ShardedCache& operator=(const ShardedCache&) = delete;

  // Inserts or replaces key's value; evicts least recently used entries of
  // the key's shard while the shard is over its capacity.
  void Insert(const std::string& key, const std::string& value, size_t charge = 1);
  // A copy of key's value, which becomes the shard's most recently used.
  std::optional<std::string> Lookup(const std::string& key);
  // False if key was not cached.
  bool Erase(const std::string& key);
  // Moves from's entry to `to`, replacing to's entry if any; false (and no
  // change) if from is not cached.
  bool Rename(const std::string& from, const std::string& to);
  // Drops every entry.
  void Prune();

  size_t Size() const;
  size_t TotalCharge() const;
  size_t Capacity() const { return capacity_; }
  int NumShards() const { return num_shards_; }
  // The shard key belongs to.
  int ShardOf(const std::string& key) const;

  // A new id, distinct from every other this cache returned: for clients
  // sharing the cache to partition its key space.
  uint64_t NewId();

  uint64_t Hits() const { return hits_.Get(); }
  uint64_t Misses() const { return misses_.Get(); }

 private:
  struct Entry {
    std::string key;
    std::string value;
    size_t charge;
  };
  struct Shard {
    mutable port::Mutex mu;
    size_t capacity = 0;
    size_t usage = 0;             // guarded by mu
    std::list<Entry> lru;         // guarded by mu; most recently used first
    std::unordered_map<std::string, std::list<Entry>::iterator> table;  // guarded by mu

    void EraseLocked(std::unordered_map<std::string, std::list<Entry>::iterator>::iterator it);
    void InsertLocked(Entry entry);
  };

  const size_t capacity_;
  const int num_shards_;
  std::unique_ptr<Shard[]> shards_;

  port::Mutex id_mutex_;
  uint64_t last_id_ = 0;  // guarded by id_mutex_

  Counter hits_;
  Counter misses_;
};

}  // namespace kv

#endif  // KVSTORE_CACHE_H_
