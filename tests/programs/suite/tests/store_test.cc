#include "kvstore/store.h"

#include <atomic>
#include <cctype>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kvstore/background_queue.h"
#include "kvstore/port.h"

namespace kv {
namespace {

std::string Key(int i) { return "k" + std::to_string(i); }

// "000012.sst"
bool IsTableFileName(const std::string& name) {
  if (name.size() != 10 || name.compare(6, 4, ".sst") != 0) return false;
  for (int i = 0; i < 6; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return false;
  }
  return true;
}

// One background queue for every store here: like an Env, never destroyed.
BackgroundQueue* TestQueue() {
  static BackgroundQueue* const queue = new BackgroundQueue;
  return queue;
}

class StoreTest : public testing::Test {
 protected:
  StoreTest() {
    options_.write_buffer_entries = 16;
    options_.max_tables = 3;
    options_.queue = TestQueue();
  }

  Store& Open() {
    store_ = std::make_unique<Store>(options_);
    return *store_;
  }

  std::string Get(const std::string& key) {
    std::string value;
    return store_->Get(key, &value) ? value : "NOT_FOUND";
  }

  Options options_;
  std::unique_ptr<Store> store_;
};

// Counts compactions; checks what it is told against the store.
class CountingListener : public Listener {
 public:
  void OnCompaction(const Stats& stats) override {
    MutexLock l(&mu_);
    ++calls_;
    last_ = stats;
  }
  int calls() {
    MutexLock l(&mu_);
    return calls_;
  }
  Stats last() {
    MutexLock l(&mu_);
    return last_;
  }

 private:
  port::Mutex mu_;
  int calls_ = 0;
  Stats last_;
};

TEST_F(StoreTest, PutThenGet) {
  Store& store = Open();
  store.Put("a", "1");
  EXPECT_EQ(Get("a"), "1");
}

TEST_F(StoreTest, GetOfAMissingKey) {
  Open();
  EXPECT_EQ(Get("a"), "NOT_FOUND");
}

TEST_F(StoreTest, PutOverwrites) {
  Store& store = Open();
  store.Put("a", "1");
  store.Put("a", "2");
  EXPECT_EQ(Get("a"), "2");
}

TEST_F(StoreTest, DeleteHidesTheValue) {
  Store& store = Open();
  store.Put("a", "1");
  store.Delete("a");
  EXPECT_EQ(Get("a"), "NOT_FOUND");
}

TEST_F(StoreTest, DeleteOfAMissingKeyIsHarmless) {
  Store& store = Open();
  store.Delete("a");
  store.Put("b", "2");
  EXPECT_EQ(Get("a"), "NOT_FOUND");
  EXPECT_EQ(Get("b"), "2");
}

TEST_F(StoreTest, WriteAppliesTheWholeBatch) {
  Store& store = Open();
  store.Put("gone", "x");
  WriteBatch batch;
  batch.Put("a", "1");
  batch.Put("b", "2");
  batch.Delete("gone");
  EXPECT_EQ(batch.Count(), 3u);
  store.Write(batch);
  EXPECT_EQ(Get("a"), "1");
  EXPECT_EQ(Get("b"), "2");
  EXPECT_EQ(Get("gone"), "NOT_FOUND");
}

TEST_F(StoreTest, AClearedBatchWritesNothing) {
  Store& store = Open();
  WriteBatch batch;
  batch.Put("a", "1");
  batch.Clear();
  EXPECT_EQ(batch.Count(), 0u);
  store.Write(batch);
  EXPECT_EQ(Get("a"), "NOT_FOUND");
  EXPECT_EQ(store.LastSequence(), 0u);
}

TEST_F(StoreTest, SequenceCountsEveryUpdate) {
  Store& store = Open();
  store.Put("a", "1");
  store.Delete("a");
  WriteBatch batch;
  batch.Put("b", "2");
  batch.Put("c", "3");
  batch.Delete("b");
  store.Write(batch);
  EXPECT_EQ(store.LastSequence(), 5u);
  EXPECT_EQ(store.GetStats().sequence, 5u);
}

TEST_F(StoreTest, CompactionMovesTheMemtableToATable) {
  Store& store = Open();
  for (int i = 0; i < 5; ++i) store.Put(Key(i), "v");
  store.CompactAndWait();
  const Stats stats = store.GetStats();
  EXPECT_EQ(stats.memtable_entries, 0u);
  EXPECT_EQ(stats.tables, 1u);
  EXPECT_EQ(stats.table_entries, 5u);
  EXPECT_EQ(stats.compactions, 1u);
}

TEST_F(StoreTest, GetAfterCompaction) {
  Store& store = Open();
  store.Put("a", "1");
  store.CompactAndWait();
  EXPECT_EQ(Get("a"), "1");
}

TEST_F(StoreTest, ATombstoneHidesAnOlderTable) {
  Store& store = Open();
  store.Put("a", "1");
  store.CompactAndWait();
  store.Delete("a");
  EXPECT_EQ(Get("a"), "NOT_FOUND");
  store.CompactAndWait();
  EXPECT_EQ(Get("a"), "NOT_FOUND");
}

TEST_F(StoreTest, TheNewerTableWins) {
  Store& store = Open();
  store.Put("a", "old");
  store.CompactAndWait();
  store.Put("a", "new");
  store.CompactAndWait();
  EXPECT_EQ(store.GetStats().tables, 2u);
  EXPECT_EQ(Get("a"), "new");
}

TEST_F(StoreTest, TooManyTablesAreMerged) {
  Store& store = Open();
  for (int round = 0; round < 4; ++round) {
    store.Put("shared", std::to_string(round));
    store.Put(Key(round), "v");
    store.CompactAndWait();
  }
  const Stats stats = store.GetStats();
  EXPECT_EQ(stats.tables, 1u);
  EXPECT_EQ(stats.table_entries, 5u);
  EXPECT_EQ(Get("shared"), "3");
  EXPECT_EQ(Get(Key(0)), "v");
}

TEST_F(StoreTest, AMergeDropsTombstones) {
  Store& store = Open();
  store.Put("a", "1");
  store.Put("b", "2");
  store.CompactAndWait();
  store.Delete("a");
  store.CompactAndWait();
  store.Put("c", "3");
  store.CompactAndWait();
  EXPECT_EQ(store.GetStats().tables, 3u);
  store.Put("d", "4");
  store.CompactAndWait();  // a fourth table: all are merged
  const Stats stats = store.GetStats();
  EXPECT_EQ(stats.tables, 1u);
  EXPECT_EQ(stats.table_entries, 3u);
  EXPECT_EQ(Get("a"), "NOT_FOUND");
  EXPECT_EQ(Get("b"), "2");
  EXPECT_EQ(Get("d"), "4");
}

TEST_F(StoreTest, NamesTheNewestTable) {
  Store& store = Open();
  EXPECT_EQ(store.NewestTable(), "");
  store.Put("a", "1");
  store.CompactAndWait();
  EXPECT_EQ(store.NewestTable(), "000001.sst");
  store.Put("a", "2");
  store.CompactAndWait();
  EXPECT_EQ(store.NewestTable(), "000002.sst");
  EXPECT_TRUE(IsTableFileName(store.NewestTable()));
}

TEST_F(StoreTest, CompactingAnEmptyMemtableMakesNoTable) {
  Store& store = Open();
  store.CompactAndWait();
  const Stats stats = store.GetStats();
  EXPECT_EQ(stats.compactions, 1u);
  EXPECT_EQ(stats.tables, 0u);
  EXPECT_EQ(store.NewestTable(), "");
}

TEST_F(StoreTest, AFullMemtableIsCompactedInTheBackground) {
  Store& store = Open();
  for (int i = 0; i < 16; ++i) store.Put(Key(i), "v");
  TestQueue()->WaitIdle();
  const Stats stats = store.GetStats();
  EXPECT_EQ(stats.compactions, 1u);
  EXPECT_EQ(stats.memtable_entries, 0u);
  EXPECT_EQ(stats.table_entries, 16u);
  EXPECT_EQ(Get(Key(3)), "v");
}

TEST_F(StoreTest, ListenersAreToldOfCompactions) {
  Store& store = Open();
  CountingListener listener;
  store.AddListener(&listener);
  store.Put("a", "1");
  store.CompactAndWait();
  store.Put("b", "2");
  store.CompactAndWait();
  EXPECT_EQ(listener.calls(), 2);
  EXPECT_EQ(listener.last().tables, 2u);
  EXPECT_EQ(listener.last().sequence, 2u);
  store.RemoveListener(&listener);
}

// Reads the store from its compaction callback.
class ReadingListener : public Listener {
 public:
  explicit ReadingListener(Store* store) : store_(store) {}
  void OnCompaction(const Stats&) override {
    std::string v;
    found_ = store_->Get("a", &v) && v == "1";
    sequence_ = store_->LastSequence();
  }
  bool found_ = false;
  uint64_t sequence_ = 0;

 private:
  Store* const store_;
};

TEST_F(StoreTest, AListenerMayReadTheStore) {
  Store& store = Open();
  ReadingListener listener(&store);
  store.AddListener(&listener);
  store.Put("a", "1");
  store.CompactAndWait();
  store.RemoveListener(&listener);
  EXPECT_TRUE(listener.found_);
  EXPECT_EQ(listener.sequence_, 1u);
}

TEST_F(StoreTest, ARemovedListenerIsNotCalled) {
  Store& store = Open();
  CountingListener kept, removed;
  store.AddListener(&kept);
  store.AddListener(&removed);
  store.CompactAndWait();
  store.RemoveListener(&removed);
  store.CompactAndWait();
  EXPECT_EQ(kept.calls(), 2);
  EXPECT_EQ(removed.calls(), 1);
  store.RemoveListener(&kept);
}

TEST_F(StoreTest, TheRowCacheAnswersRepeatedGets) {
  Store& store = Open();
  store.Put("a", "1");
  EXPECT_EQ(Get("a"), "1");
  EXPECT_EQ(Get("a"), "1");
  EXPECT_EQ(Get("a"), "1");
  const Stats stats = store.GetStats();
  EXPECT_EQ(stats.gets, 3u);
  EXPECT_EQ(stats.cache_hits, 2u);
  EXPECT_EQ(stats.cache_entries, 1u);
}

TEST_F(StoreTest, AWriteInvalidatesTheRowCache) {
  Store& store = Open();
  store.Put("a", "1");
  EXPECT_EQ(Get("a"), "1");
  store.Put("a", "2");
  EXPECT_EQ(Get("a"), "2");
  store.Delete("a");
  EXPECT_EQ(Get("a"), "NOT_FOUND");
}

TEST_F(StoreTest, WorksWithoutARowCache) {
  options_.row_cache_entries = 0;
  Store& store = Open();
  store.Put("a", "1");
  EXPECT_EQ(Get("a"), "1");
  EXPECT_EQ(Get("a"), "1");
  EXPECT_EQ(store.GetStats().cache_hits, 0u);
}

TEST_F(StoreTest, CountsOperations) {
  Store& store = Open();
  store.Put("a", "1");
  store.Put("b", "2");
  store.Delete("a");
  Get("a");
  Get("b");
  const Stats stats = store.GetStats();
  EXPECT_EQ(stats.puts, 2u);
  EXPECT_EQ(stats.deletes, 1u);
  EXPECT_EQ(stats.gets, 2u);
}

TEST_F(StoreTest, DestructionWaitsForScheduledCompaction) {
  CountingListener listener;
  Store& store = Open();
  store.AddListener(&listener);
  store.Put("a", "1");
  store.CompactAndWait();
  EXPECT_EQ(listener.calls(), 1);
  for (int i = 0; i < 16; ++i) store.Put(Key(i), "v");  // schedules a compaction
  store_.reset();
  EXPECT_EQ(listener.calls(), 2);
}

TEST_F(StoreTest, UsesTheDefaultQueue) {
  options_.queue = nullptr;
  Store& store = Open();
  store.Put("a", "1");
  store.CompactAndWait();
  EXPECT_EQ(store.GetStats().tables, 1u);
  EXPECT_EQ(Get("a"), "1");
}

// ---- several threads ----

TEST_F(StoreTest, ConcurrentPuts) {
  Store& store = Open();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 150; ++i) store.Put(Key(t * 1000 + i), std::to_string(t));
    });
  }
  for (std::thread& t : threads) t.join();
  store.CompactAndWait();
  EXPECT_EQ(store.LastSequence(), 600u);
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(Get(Key(t * 1000)), std::to_string(t));
    EXPECT_EQ(Get(Key(t * 1000 + 149)), std::to_string(t));
  }
  EXPECT_GE(store.GetStats().compactions, 1u);
}

TEST_F(StoreTest, ConcurrentPutsAndGets) {
  Store& store = Open();
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 200; ++i) store.Put(Key(i % 50), "w" + std::to_string(t) + "-" + std::to_string(i));
    });
    threads.emplace_back([&store, &bad] {
      std::string value;
      for (int i = 0; i < 200; ++i) {
        if (store.Get(Key(i % 50), &value) && value[0] != 'w') bad.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(store.LastSequence(), 400u);
  store.CompactAndWait();
  EXPECT_EQ(store.GetStats().memtable_entries, 0u);
  EXPECT_NE(Get(Key(49)), "NOT_FOUND");
}

TEST_F(StoreTest, ConcurrentCompactAndWait) {
  Store& store = Open();
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 100; ++i) {
        store.Put(Key(t * 100 + i), "v");
        store.CompactAndWait();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const Stats stats = store.GetStats();
  EXPECT_EQ(stats.memtable_entries, 0u);
  EXPECT_LE(stats.tables, 3u);
  EXPECT_EQ(Get(Key(199)), "v");
}

TEST_F(StoreTest, ManyCompactions) {
  Store& store = Open();
  for (int i = 0; i < 500; ++i) {
    store.Put(Key(i % 20), std::to_string(i));
    store.CompactAndWait();
  }
  const Stats stats = store.GetStats();
  EXPECT_EQ(stats.compactions, 500u);
  EXPECT_LE(stats.tables, 3u);
  EXPECT_EQ(Get(Key(19)), "499");
}

TEST_F(StoreTest, ReadTheNewestTableWhileCompacting) {
  Store& store = Open();
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 300; ++i) {
      store.Put(Key(i), "v");
      store.CompactAndWait();
    }
    done.store(true);
  });
  int bad = 0;
  while (!done.load()) {
    if (!store.NewestTable().empty() && !IsTableFileName(store.NewestTable())) ++bad;
    std::this_thread::yield();
  }
  writer.join();
  EXPECT_EQ(bad, 0);
  EXPECT_GT(store.GetStats().compactions, 0u);
  EXPECT_TRUE(IsTableFileName(store.NewestTable()));
}

TEST_F(StoreTest, ListenerSeesEveryCompactionUnderLoad) {
  Store& store = Open();
  CountingListener listener;
  store.AddListener(&listener);
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 100; ++i) store.Put(Key(t * 1000 + i), "v");
    });
  }
  for (std::thread& t : threads) t.join();
  store.CompactAndWait();
  EXPECT_EQ(static_cast<uint64_t>(listener.calls()), store.GetStats().compactions);
  EXPECT_EQ(listener.last().memtable_entries, 0u);
  store.RemoveListener(&listener);
}

}  // namespace
}  // namespace kv
