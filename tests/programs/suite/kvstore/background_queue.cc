#include "kvstore/background_queue.h"

#include <cstdio>
#include <cstdlib>
#include <new>
#include <thread>

#include "kvstore/bugs.h"

namespace kv {

BackgroundQueue::BackgroundQueue() : work_cv_(&mu_), idle_cv_(&mu_) {}

BackgroundQueue::~BackgroundQueue() {
  std::fprintf(stderr, "kv::BackgroundQueue destroyed: its thread is still running\n");
  std::abort();
}

BackgroundQueue* BackgroundQueue::Default() {
  // Constructed in place and never destroyed, like LevelDB's NoDestructor.
  alignas(BackgroundQueue) static unsigned char storage[sizeof(BackgroundQueue)];
  static BackgroundQueue* const queue = new (storage) BackgroundQueue();
  return queue;
}

void BackgroundQueue::Schedule(void (*fn)(void*), void* arg) {
  MutexLock l(&mu_);
  if (!started_) {
    started_ = true;
    std::thread(ThreadEntry, this).detach();
  }
  // If the queue is empty, the background thread may be waiting for work.
  if (queue_.empty()) {
    work_cv_.Signal();
  }
  queue_.push_back(Job{fn, arg});
}

void BackgroundQueue::ThreadMain() {
  MutexLock l(&mu_);
  while (true) {
    while (queue_.empty()) {
      work_cv_.Wait();
    }
    const Job job = queue_.front();
    queue_.pop_front();
    running_ = true;
    {
#if KV_BUG != 3  // BUG(3) lock_held_across_callback: without this line, the job runs holding mu_
      MutexUnlock unlock(&mu_);
#endif
      job.fn(job.arg);
    }
    running_ = false;
    ++completed_;
    if (queue_.empty()) {
      idle_cv_.SignalAll();
    }
  }
}

void BackgroundQueue::WaitIdle() {
  MutexLock l(&mu_);
  while (!queue_.empty() || running_) {
    idle_cv_.Wait();
  }
}

uint64_t BackgroundQueue::JobsCompleted() {
  MutexLock l(&mu_);
  return completed_;
}

}  // namespace kv
