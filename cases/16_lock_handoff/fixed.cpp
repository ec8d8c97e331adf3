// 16_lock_handoff, fixed: two semaphores carry the signals between the threads.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <string>
#include <vector>

#include <racelab/racelab.h>

namespace racelab::cases::lock_handoff {
namespace {

constexpr int kMessages = 3;

// The seeds' one-message Pipeline between a producer and a consumer.
class Pipeline {
 public:
  void set_message(int message) {
    slot_free_.acquire();      // FIX: wait until the slot is free...
    message_ = message;
    racelab::interleave();
    message_ready_.release();  // FIX: ...and signal the consumer: any thread may release
  }

  int get_message() {
    message_ready_.acquire();  // FIX: wait until there is a message...
    const int message = message_;
    racelab::interleave();
    slot_free_.release();      // FIX: ...and signal the producer
    return message;
  }

 private:
  int message_ = 0;
  racelab::counting_semaphore<1> slot_free_{1};      // FIX: signals, not locks
  racelab::counting_semaphore<1> message_ready_{0};  // FIX: (nothing to consume yet)
};

}  // namespace

void fixed(Run& run) {
  Pipeline pipeline;
  std::vector<int> received;
  racelab::thread producer([&] {
    for (int m = 1; m <= kMessages; ++m) pipeline.set_message(m);
  });
  racelab::thread consumer([&] {
    for (int m = 1; m <= kMessages; ++m) received.push_back(pipeline.get_message());
  });
  producer.join();
  consumer.join();
  run.check(received == std::vector<int>{1, 2, 3}, "the consumer received " +
                                                       std::to_string(received.size()) +
                                                       " messages, expected 1, 2, 3 in order");
}

}  // namespace racelab::cases::lock_handoff
