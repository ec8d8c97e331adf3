// 19_message_queue, fixed: a bounded blocking queue with close().
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <racelab/racelab.h>

namespace racelab::cases::message_queue {
namespace {

constexpr int kProducers = 2;
constexpr int kConsumers = 2;
constexpr int kMessages = 5;  // per producer
constexpr std::size_t kCapacity = 4;

struct Message {
  int producer = 0;
  int sequence = 0;
};

class MessageQueue {
 public:
  void put(Message message) {
    racelab::interleave();
    std::unique_lock lock(mutex_);                                      // FIX: one lock for all state
    not_full_.wait(lock, [&] { return items_.size() < kCapacity; });  // FIX: bounded: wait for room
    items_.push_back(message);
    not_empty_.notify_one();  // FIX: wake a consumer
  }

  // The next message, or nothing once the queue is closed and empty.
  std::optional<Message> get() {
    std::unique_lock lock(mutex_);                                          // FIX
    not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });  // FIX: sleep, not poll
    if (items_.empty()) return std::nullopt;  // FIX: closed and drained
    racelab::interleave();
    Message message = items_.front();  // FIX: check and pop under one lock
    items_.pop_front();
    not_full_.notify_one();  // FIX: wake a producer
    return message;
  }

  void close() {
    std::lock_guard lock(mutex_);  // FIX
    closed_ = true;
    not_empty_.notify_all();  // FIX: every waiting consumer sees the end
  }

 private:
  racelab::mutex mutex_;                  // FIX: guards items_ and closed_
  racelab::condition_variable not_empty_;  // FIX
  racelab::condition_variable not_full_;   // FIX
  std::deque<Message> items_;
  bool closed_ = false;
};

}  // namespace

void fixed(Run& run) {
  MessageQueue queue;
  std::vector<std::vector<Message>> received(kConsumers);
  std::vector<racelab::thread> producers;
  std::vector<racelab::thread> consumers;
  for (int c = 0; c < kConsumers; ++c)
    consumers.emplace_back([&, c] {
      while (std::optional<Message> m = queue.get()) {
        received[static_cast<std::size_t>(c)].push_back(*m);
        racelab::progress();
      }
    });
  for (int p = 0; p < kProducers; ++p)
    producers.emplace_back([&, p] {
      for (int s = 1; s <= kMessages; ++s) queue.put({p, s});
    });
  for (auto& producer : producers) producer.join();
  queue.close();
  for (auto& consumer : consumers) consumer.join();

  // Nothing lost, nothing duplicated, and each producer's messages in order.
  std::map<std::pair<int, int>, int> copies;
  for (const auto& mine : received) {
    std::map<int, int> last;  // producer -> last sequence seen by this consumer
    for (const Message& m : mine) {
      ++copies[{m.producer, m.sequence}];
      run.check(m.sequence > last[m.producer],
                "message " + std::to_string(m.sequence) + " of producer " +
                    std::to_string(m.producer) + " came after " + std::to_string(last[m.producer]));
      last[m.producer] = m.sequence;
    }
  }
  for (int p = 0; p < kProducers; ++p)
    for (int s = 1; s <= kMessages; ++s)
      run.check(copies[{p, s}] == 1, "message " + std::to_string(s) + " of producer " +
                                         std::to_string(p) + " was received " +
                                         std::to_string(copies[{p, s}]) + " times, expected once");
}

}  // namespace racelab::cases::message_queue
