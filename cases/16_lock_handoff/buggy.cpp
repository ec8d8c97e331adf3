// 16_lock_handoff, buggy: two locks used as signals, each released by the
// other thread.
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
  Pipeline() { consumer_lock_.lock(); }  // BUG: "nothing to consume yet", as a held lock

  void set_message(int message) {
    producer_lock_.lock();    // BUG: wait until the slot is free...
    message_ = message;
    racelab::interleave();
    consumer_lock_.unlock();  // BUG: ...and wake the consumer by unlocking ITS lock
  }

  int get_message() {
    consumer_lock_.lock();    // BUG: wait until there is a message...
    const int message = message_;
    racelab::interleave();
    producer_lock_.unlock();  // BUG: ...and free the slot by unlocking the PRODUCER's lock
    return message;
  }

 private:
  int message_ = 0;
  racelab::mutex producer_lock_;
  racelab::mutex consumer_lock_;
};

}  // namespace

void buggy(Run& run) {
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
