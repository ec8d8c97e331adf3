#include "kvstore/thread_pool.h"

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "kvstore/port.h"
#include "kvstore/store.h"

namespace kv {
namespace {

TEST(ThreadPool, HasItsThreads) {
  ThreadPool pool(3);
  EXPECT_EQ(pool.NumThreads(), 3);
}

TEST(ThreadPool, WaitWithoutTasksReturns) {
  ThreadPool pool(2);
  pool.Wait();
}

TEST(ThreadPool, RunsEveryTask) {
  std::atomic<int> runs{0};
  ThreadPool pool(2);
  for (int i = 0; i < 100; ++i) pool.Submit([&] { runs.fetch_add(1); });
  pool.Wait();
  EXPECT_EQ(runs.load(), 100);
}

TEST(ThreadPool, DestructorRunsQueuedTasks) {
  std::atomic<int> runs{0};
  {
    ThreadPool pool(2);
    for (int i = 0; i < 50; ++i) pool.Submit([&] { runs.fetch_add(1); });
  }
  EXPECT_EQ(runs.load(), 50);
}

TEST(ThreadPool, TasksMaySubmitTasks) {
  std::atomic<int> runs{0};
  ThreadPool pool(3);
  for (int i = 0; i < 10; ++i) {
    pool.Submit([&] {
      runs.fetch_add(1);
      for (int j = 0; j < 10; ++j) pool.Submit([&] { runs.fetch_add(1); });
    });
  }
  pool.Wait();
  EXPECT_EQ(runs.load(), 110);
}

TEST(ThreadPool, ManySmallTasks) {
  ThreadPool pool(4);
  port::Mutex mu;
  long sum = 0;
  for (int i = 1; i <= 2000; ++i) {
    pool.Submit([&, i] {
      MutexLock l(&mu);
      sum += i;
    });
  }
  pool.Wait();
  MutexLock l(&mu);
  EXPECT_EQ(sum, 2000L * 2001 / 2);
}

TEST(ThreadPool, TasksRunOnWorkerThreads) {
  ThreadPool pool(2);
  port::Mutex mu;
  std::set<std::thread::id> ids;
  for (int i = 0; i < 40; ++i) {
    pool.Submit([&] {
      MutexLock l(&mu);
      ids.insert(std::this_thread::get_id());
    });
  }
  pool.Wait();
  MutexLock l(&mu);
  EXPECT_GE(ids.size(), 1u);
  EXPECT_LE(ids.size(), 2u);
  EXPECT_EQ(ids.count(std::this_thread::get_id()), 0u);
}

TEST(ThreadPool, WaitIsReusable) {
  ThreadPool pool(2);
  int value = 0;
  for (int round = 1; round <= 50; ++round) {
    pool.Submit([&] { ++value; });
    pool.Wait();
    ASSERT_EQ(value, round);
  }
}

TEST(ThreadPool, DrivesAStore) {
  Options options;
  options.write_buffer_entries = 32;
  auto store = std::make_unique<Store>(options);
  {
    ThreadPool pool(3);
    for (int t = 0; t < 3; ++t) {
      pool.Submit([&store, t] {
        for (int i = 0; i < 100; ++i) store->Put("t" + std::to_string(t) + "-" + std::to_string(i), std::to_string(i));
      });
    }
    pool.Wait();
  }
  store->CompactAndWait();
  std::string value;
  for (int t = 0; t < 3; ++t) {
    ASSERT_TRUE(store->Get("t" + std::to_string(t) + "-99", &value));
    EXPECT_EQ(value, "99");
  }
  EXPECT_EQ(store->LastSequence(), 300u);
}

}  // namespace
}  // namespace kv
