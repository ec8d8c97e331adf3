// A small key-value store in the style of LevelDB's DBImpl: writes go to a
// memtable under the store's mutex; a background compaction, scheduled on a
// BackgroundQueue, turns the memtable into an immutable table and merges
// tables when there are too many. Reads look in the memtable, then in the
// tables from newest to oldest, with a row cache in front.
#ifndef KVSTORE_STORE_H_
#define KVSTORE_STORE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kvstore/bugs.h"
#include "kvstore/port.h"
#include "kvstore/stats.h"

namespace kv {

class BackgroundQueue;
class ShardedCache;

struct Options {
  // The memtable is compacted in the background once it has this many entries.
  size_t write_buffer_entries = 256;
  // More tables than this are merged into one.
  size_t max_tables = 4;
  // The row cache's capacity, in entries; 0: no row cache.
  size_t row_cache_entries = 1024;
  // Where compactions run; nullptr: BackgroundQueue::Default().
  BackgroundQueue* queue = nullptr;
};

// Updates applied together, with consecutive sequence numbers.
class WriteBatch {
 public:
  void Put(const std::string& key, const std::string& value);
  void Delete(const std::string& key);
  void Clear() { ops_.clear(); }
  size_t Count() const { return ops_.size(); }

 private:
  friend class Store;
  struct Op {
    bool is_delete;
    std::string key;
    std::string value;
  };
  std::vector<Op> ops_;
};

class Store {
 public:
  explicit Store(const Options& options = Options());
  // Waits for the background work scheduled for this store.
  ~Store();

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  void Put(const std::string& key, const std::string& value);
  void Delete(const std::string& key);
  void Write(const WriteBatch& batch);
  // False if key has no value.
  bool Get(const std::string& key, std::string* value);

  // Schedules a compaction and waits until one that started after this call
  // has finished.
  void CompactAndWait();

  // Listeners are told of each compaction (stats.h), on the background
  // thread. Once RemoveListener returns, the listener is not called again;
  // a listener must not remove itself.
  void AddListener(Listener* listener);
  void RemoveListener(Listener* listener);

  Stats GetStats();
  uint64_t LastSequence() const;

  // The file name of the newest table ("000012.sst"), or "" before the first
  // compaction.
#if KV_BUG == 4  // BUG(4) reference_outside_lock: the caller reads the string after mu_ is released
  const std::string& NewestTable() const {
#else
  std::string NewestTable() const {
#endif
    MutexLock l(&mu_);
    return newest_table_;
  }

 private:
  struct Entry {
    bool deleted;
    std::string value;
  };
  using Table = std::map<std::string, Entry>;

  static void BackgroundCall(void* store);
  void BackgroundCompaction();  // mu_ held
  void MaybeScheduleCompaction();  // mu_ held
  void ApplyLocked(bool is_delete, const std::string& key, const std::string& value);  // mu_ held
  Stats StatsLocked() const;  // mu_ held
  const Entry* FindLocked(const std::string& key) const;  // mu_ held

  const Options options_;
  BackgroundQueue* const queue_;
  const std::unique_ptr<ShardedCache> row_cache_;  // nullptr: no row cache

  mutable port::Mutex mu_;
  port::CondVar background_work_finished_;
  Table mem_;                                     // guarded by mu_
  std::vector<std::unique_ptr<Table>> tables_;    // guarded by mu_; oldest first
  std::string newest_table_;                      // guarded by mu_
  uint64_t last_sequence_ = 0;                    // guarded by mu_
  uint64_t next_file_number_ = 1;                 // guarded by mu_
  bool background_compaction_scheduled_ = false;  // guarded by mu_
  bool shutting_down_ = false;                    // guarded by mu_
  uint64_t compactions_requested_ = 0;            // guarded by mu_
  uint64_t compactions_finished_ = 0;             // guarded by mu_; requests served
  uint64_t compactions_ = 0;                      // guarded by mu_; compactions run
  bool notifying_listeners_ = false;              // guarded by mu_
  std::vector<Listener*> listeners_;              // guarded by mu_

  Counter puts_;
  Counter deletes_;
  Counter gets_;
  Counter cache_hits_;
};

}  // namespace kv

#endif  // KVSTORE_STORE_H_
