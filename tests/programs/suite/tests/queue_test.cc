#include "kvstore/background_queue.h"

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace kv {
namespace {

// Each test has its own queue. A queue's thread is detached and runs for the
// rest of the process, so the queue is never destroyed (as with LevelDB's Env).
class BackgroundQueueTest : public testing::Test {
 protected:
  BackgroundQueue* const queue_ = new BackgroundQueue;
};

void Increment(void* arg) { ++*static_cast<int*>(arg); }

TEST_F(BackgroundQueueTest, RunsAScheduledJob) {
  int runs = 0;
  queue_->Schedule(&Increment, &runs);
  queue_->WaitIdle();
  EXPECT_EQ(runs, 1);
}

TEST_F(BackgroundQueueTest, WaitIdleReturnsWhenNothingWasScheduled) {
  queue_->WaitIdle();
  EXPECT_EQ(queue_->JobsCompleted(), 0u);
}

struct Recorder {
  std::vector<int> order;
  int next = 0;
};

void RecordNext(void* arg) {
  Recorder* r = static_cast<Recorder*>(arg);
  r->order.push_back(r->next++);
}

TEST_F(BackgroundQueueTest, RunsJobsInTheOrderScheduled) {
  Recorder recorder;
  for (int i = 0; i < 100; ++i) queue_->Schedule(&RecordNext, &recorder);
  queue_->WaitIdle();
  ASSERT_EQ(recorder.order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(recorder.order[i], i);
}

struct ThreadIds {
  std::vector<std::thread::id> ids;
};

void RecordThread(void* arg) { static_cast<ThreadIds*>(arg)->ids.push_back(std::this_thread::get_id()); }

TEST_F(BackgroundQueueTest, RunsEveryJobOnOneBackgroundThread) {
  ThreadIds ids;
  for (int i = 0; i < 20; ++i) queue_->Schedule(&RecordThread, &ids);
  queue_->WaitIdle();
  ASSERT_EQ(ids.ids.size(), 20u);
  const std::set<std::thread::id> distinct(ids.ids.begin(), ids.ids.end());
  EXPECT_EQ(distinct.size(), 1u);
  EXPECT_NE(ids.ids[0], std::this_thread::get_id());
}

TEST_F(BackgroundQueueTest, CountsCompletedJobs) {
  int runs = 0;
  for (int i = 0; i < 10; ++i) queue_->Schedule(&Increment, &runs);
  queue_->WaitIdle();
  EXPECT_EQ(queue_->JobsCompleted(), 10u);
  EXPECT_EQ(runs, 10);
}

struct Chain {
  BackgroundQueue* queue;
  int remaining;
  int links = 0;
};

void NextLink(void* arg) {
  Chain* chain = static_cast<Chain*>(arg);
  ++chain->links;
  if (--chain->remaining > 0) chain->queue->Schedule(&NextLink, chain);
}

TEST_F(BackgroundQueueTest, AJobMayScheduleAnother) {
  Chain chain{queue_, 50};
  queue_->Schedule(&NextLink, &chain);
  queue_->WaitIdle();
  EXPECT_EQ(chain.links, 50);
  EXPECT_EQ(chain.remaining, 0);
}

TEST_F(BackgroundQueueTest, ManyHandOffs) {
  int value = 0;
  for (int i = 1; i <= 2000; ++i) {
    queue_->Schedule(&Increment, &value);
    queue_->WaitIdle();
    ASSERT_EQ(value, i);
  }
  EXPECT_EQ(queue_->JobsCompleted(), 2000u);
}

void AddOne(void* arg) { static_cast<std::atomic<int>*>(arg)->fetch_add(1); }

TEST_F(BackgroundQueueTest, ScheduleFromManyThreads) {
  std::atomic<int> runs{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) queue_->Schedule(&AddOne, &runs);
    });
  }
  for (std::thread& t : threads) t.join();
  queue_->WaitIdle();
  EXPECT_EQ(runs.load(), 600);
}

TEST_F(BackgroundQueueTest, WaitIdleFromTwoThreads) {
  std::atomic<int> runs{0};
  for (int i = 0; i < 200; ++i) queue_->Schedule(&AddOne, &runs);
  std::thread other([&] {
    queue_->WaitIdle();
    EXPECT_EQ(runs.load(), 200);
  });
  queue_->WaitIdle();
  EXPECT_EQ(runs.load(), 200);
  other.join();
}

TEST(BackgroundQueue, DefaultIsOneQueue) {
  BackgroundQueue* queue = BackgroundQueue::Default();
  EXPECT_EQ(queue, BackgroundQueue::Default());
  std::atomic<int> runs{0};
  queue->Schedule(&AddOne, &runs);
  queue->WaitIdle();
  EXPECT_EQ(runs.load(), 1);
}

}  // namespace
}  // namespace kv
