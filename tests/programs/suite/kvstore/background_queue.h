// A queue of background work run by one thread, like LevelDB's
// Env::Schedule: the thread starts with the first job and is never joined,
// so a BackgroundQueue must outlive every job and is never destroyed (use
// Default(), or allocate one and keep it).
#ifndef KVSTORE_BACKGROUND_QUEUE_H_
#define KVSTORE_BACKGROUND_QUEUE_H_

#include <cstdint>
#include <deque>

#include "kvstore/port.h"

namespace kv {

class BackgroundQueue {
 public:
  BackgroundQueue();
  BackgroundQueue(const BackgroundQueue&) = delete;
  BackgroundQueue& operator=(const BackgroundQueue&) = delete;

  // The process's queue, never destroyed.
  static BackgroundQueue* Default();

  // Runs fn(arg) on the background thread, after the jobs scheduled before.
  void Schedule(void (*fn)(void*), void* arg);

  // Returns once no job is queued or running.
  void WaitIdle();

  // Jobs finished so far.
  uint64_t JobsCompleted();

 private:
  // Never destroyed: its thread would outlive it (aborts if it is).
  ~BackgroundQueue();

  struct Job {
    void (*fn)(void*);
    void* arg;
  };

  static void ThreadEntry(BackgroundQueue* queue) { queue->ThreadMain(); }
  void ThreadMain();

  port::Mutex mu_;
  port::CondVar work_cv_;  // signalled when a job is queued
  port::CondVar idle_cv_;  // signalled when the queue goes idle
  bool started_ = false;
  bool running_ = false;
  uint64_t completed_ = 0;
  std::deque<Job> queue_;
};

}  // namespace kv

#endif  // KVSTORE_BACKGROUND_QUEUE_H_
