// Counters, a store's statistics, and the listener interface.
#ifndef KVSTORE_STATS_H_
#define KVSTORE_STATS_H_

#include <atomic>
#include <cstdint>

namespace kv {

// A statistics counter any thread may bump. Relaxed: a counter orders
// nothing, it only counts.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Get() const { return value_.load(std::memory_order_relaxed); }
  // Sets the counter to 0 and returns what it was.
  uint64_t Reset() { return value_.exchange(0, std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A snapshot of a Store's state and counters.
struct Stats {
  uint64_t sequence = 0;           // the last sequence number written
  uint64_t memtable_entries = 0;   // entries (tombstones too) in the memtable
  uint64_t tables = 0;             // immutable tables
  uint64_t table_entries = 0;      // entries in all tables
  uint64_t compactions = 0;        // background compactions finished
  uint64_t puts = 0;               // Put()s and batch puts
  uint64_t deletes = 0;            // Delete()s and batch deletes
  uint64_t gets = 0;               // Get()s
  uint64_t cache_hits = 0;         // Get()s answered by the row cache
  uint64_t cache_entries = 0;      // entries in the row cache
};

// Told of a Store's events. Called on the background thread, without any of
// the Store's locks held: a listener may call back into the Store.
class Listener {
 public:
  virtual ~Listener();
  // After each background compaction, with the Store's stats at its end.
  virtual void OnCompaction(const Stats& stats) = 0;
};

}  // namespace kv

#endif  // KVSTORE_STATS_H_
