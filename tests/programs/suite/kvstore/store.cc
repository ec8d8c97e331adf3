#include "kvstore/store.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <utility>

#include "kvstore/background_queue.h"
#include "kvstore/cache.h"

namespace kv {

namespace {

std::string TableFileName(uint64_t number) {
  char name[32];
  std::snprintf(name, sizeof(name), "%06llu.sst", static_cast<unsigned long long>(number));
  return name;
}

}  // namespace

void WriteBatch::Put(const std::string& key, const std::string& value) { ops_.push_back(Op{false, key, value}); }

void WriteBatch::Delete(const std::string& key) { ops_.push_back(Op{true, key, std::string()}); }

Store::Store(const Options& options)
    : options_(options),
      queue_(options.queue != nullptr ? options.queue : BackgroundQueue::Default()),
      row_cache_(options.row_cache_entries > 0 ? new ShardedCache(options.row_cache_entries) : nullptr),
      background_work_finished_(&mu_) {}

Store::~Store() {
  MutexLock l(&mu_);
  shutting_down_ = true;
  while (background_compaction_scheduled_) {
    background_work_finished_.Wait();
  }
}

void Store::ApplyLocked(bool is_delete, const std::string& key, const std::string& value) {
  mu_.AssertHeld();
  ++last_sequence_;
  mem_[key] = Entry{is_delete, is_delete ? std::string() : value};
  if (row_cache_ != nullptr) {
    row_cache_->Erase(key);
  }
  (is_delete ? deletes_ : puts_).Add();
}

void Store::Put(const std::string& key, const std::string& value) {
  MutexLock l(&mu_);
  ApplyLocked(false, key, value);
  MaybeScheduleCompaction();
}

void Store::Delete(const std::string& key) {
  MutexLock l(&mu_);
  ApplyLocked(true, key, std::string());
  MaybeScheduleCompaction();
}

void Store::Write(const WriteBatch& batch) {
  MutexLock l(&mu_);
  for (const WriteBatch::Op& op : batch.ops_) {
    ApplyLocked(op.is_delete, op.key, op.value);
  }
  MaybeScheduleCompaction();
}

const Store::Entry* Store::FindLocked(const std::string& key) const {
  mu_.AssertHeld();
  auto it = mem_.find(key);
  if (it != mem_.end()) {
    return &it->second;
  }
  for (auto table = tables_.rbegin(); table != tables_.rend(); ++table) {
    auto found = (*table)->find(key);
    if (found != (*table)->end()) {
      return &found->second;
    }
  }
  return nullptr;
}

bool Store::Get(const std::string& key, std::string* value) {
  gets_.Add();
  if (row_cache_ != nullptr) {
    if (std::optional<std::string> cached = row_cache_->Lookup(key)) {
      cache_hits_.Add();
      *value = std::move(*cached);
      return true;
    }
  }
  MutexLock l(&mu_);
  const Entry* entry = FindLocked(key);
  if (entry == nullptr || entry->deleted) {
    return false;
  }
  *value = entry->value;
  // Under mu_, so that no write of key can come between the read and the
  // insert (a write erases key from the cache under mu_).
  if (row_cache_ != nullptr) {
    row_cache_->Insert(key, entry->value);
  }
  return true;
}

void Store::CompactAndWait() {
  MutexLock l(&mu_);
  const uint64_t target = ++compactions_requested_;
  while (compactions_finished_ < target) {
    // A compaction running now may have started before this request: then
    // this one is scheduled once it finishes.
    MaybeScheduleCompaction();
    background_work_finished_.Wait();
  }
}

void Store::MaybeScheduleCompaction() {
  mu_.AssertHeld();
  if (background_compaction_scheduled_ || shutting_down_) {
    return;
  }
  if (mem_.size() < options_.write_buffer_entries && compactions_requested_ == compactions_finished_) {
    return;  // no work to do
  }
  background_compaction_scheduled_ = true;
  queue_->Schedule(&Store::BackgroundCall, this);
}

void Store::BackgroundCall(void* arg) {
  Store* store = static_cast<Store*>(arg);
  MutexLock l(&store->mu_);
  assert(store->background_compaction_scheduled_);
  const uint64_t serving = store->compactions_requested_;
  store->BackgroundCompaction();
  if (!store->listeners_.empty()) {
    const std::vector<Listener*> listeners = store->listeners_;
    const Stats stats = store->StatsLocked();
    store->notifying_listeners_ = true;
    {
      MutexUnlock unlock(&store->mu_);
      for (Listener* listener : listeners) {
        listener->OnCompaction(stats);
      }
    }
    store->notifying_listeners_ = false;
  }
  store->compactions_finished_ = std::max(store->compactions_finished_, serving);
  store->background_compaction_scheduled_ = false;
  // More work (a full memtable, a newer request) is scheduled by the thread
  // that waits for it: Put, Write, CompactAndWait.
#if KV_BUG != 2  // BUG(2) missing_signal: without this line, waiters are not woken
  store->background_work_finished_.SignalAll();
#endif
}

void Store::BackgroundCompaction() {
  mu_.AssertHeld();
  ++compactions_;
  if (!mem_.empty()) {
    tables_.push_back(std::make_unique<Table>(std::move(mem_)));
    mem_.clear();
    newest_table_ = TableFileName(next_file_number_++);
  }
  if (tables_.size() > options_.max_tables) {
    // Merge every table into one, newest entries winning; tombstones are
    // dropped, as nothing older remains for them to hide.
    auto merged = std::make_unique<Table>();
    for (auto table = tables_.rbegin(); table != tables_.rend(); ++table) {
      for (auto& [key, entry] : **table) {
        merged->emplace(key, std::move(entry));
      }
    }
    std::erase_if(*merged, [](const auto& item) { return item.second.deleted; });
    tables_.clear();
    tables_.push_back(std::move(merged));
    newest_table_ = TableFileName(next_file_number_++);
  }
}

void Store::AddListener(Listener* listener) {
  MutexLock l(&mu_);
  listeners_.push_back(listener);
}

void Store::RemoveListener(Listener* listener) {
  MutexLock l(&mu_);
  std::erase(listeners_, listener);
  // A compaction may be calling it from its copy of listeners_.
  while (notifying_listeners_) {
    background_work_finished_.Wait();
  }
}

Stats Store::StatsLocked() const {
  mu_.AssertHeld();
  Stats stats;
  stats.sequence = last_sequence_;
  stats.memtable_entries = mem_.size();
  stats.tables = tables_.size();
  for (const auto& table : tables_) {
    stats.table_entries += table->size();
  }
  stats.compactions = compactions_;
  stats.puts = puts_.Get();
  stats.deletes = deletes_.Get();
  stats.gets = gets_.Get();
  stats.cache_hits = cache_hits_.Get();
  stats.cache_entries = row_cache_ != nullptr ? row_cache_->Size() : 0;
  return stats;
}

Stats Store::GetStats() {
  MutexLock l(&mu_);
  return StatsLocked();
}

uint64_t Store::LastSequence() const {
  MutexLock l(&mu_);
  return last_sequence_;
}

}  // namespace kv
