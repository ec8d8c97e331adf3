// 20_shutdown_race, buggy: the consumer decides whether to go on from a stop
// flag and an empty() check that the producer can change right after.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <racelab/racelab.h>

namespace racelab::cases::shutdown_race {
namespace {

constexpr std::size_t kCapacity = 4;
constexpr int kBeforeStop = 3;  // the main thread lets this many messages through

class Pipeline {
 public:
  void put(int message) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return items_.size() < kCapacity; });
    items_.push_back(message);
    not_empty_.notify_one();
  }

  // Blocks until a message arrives.
  std::optional<int> get() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return !items_.empty(); });  // BUG: nothing ends the wait
    int message = items_.front();
    items_.pop_front();
    not_full_.notify_one();
    return message;
  }

  bool empty() {
    std::lock_guard lock(mutex_);
    return items_.empty();
  }

  void close() {}  // BUG: a pipeline cannot say "no more messages"

 private:
  racelab::mutex mutex_;
  racelab::condition_variable not_empty_;
  racelab::condition_variable not_full_;
  std::deque<int> items_;
};

}  // namespace

void buggy(Run& run) {
  Pipeline pipeline;
  std::atomic<bool> stop{false};  // the seeds' threading.Event
  std::atomic<int> sent{0};
  std::vector<int> received;

  racelab::thread producer([&] {
    for (int next = 1; !stop.load(); ++next) {
      racelab::interleave();
      pipeline.put(next);
      sent.store(next);
      racelab::progress();
    }
    pipeline.close();
  });
  racelab::thread consumer([&] {
    while (!stop.load() || !pipeline.empty()) {  // BUG: checked, then acted on, without a lock
      racelab::interleave();
      std::optional<int> message = pipeline.get();  // may wait for a message that never comes
      received.push_back(*message);
      racelab::progress();
    }
  });

  while (sent.load() < kBeforeStop) racelab::interleave();
  stop.store(true);  // "Main: about to set event"
  producer.join();
  consumer.join();

  run.check(static_cast<int>(received.size()) == sent.load(),
            "the consumer stored " + std::to_string(received.size()) + " of " +
                std::to_string(sent.load()) + " messages sent");
}

}  // namespace racelab::cases::shutdown_race
