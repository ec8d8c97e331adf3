// The property of 19_message_queue's MessageQueue, buggy variant — the
// catalogue's own class (cases/19_message_queue/buggy.cpp is compiled into
// this file): producers put numbered messages, consumers get them; every
// history must be linearizable against a FIFO queue (nothing lost,
// duplicated or reordered).
#include "cases/19_message_queue/buggy.cpp"

#include "catalogue_specs.h"
#include "property_support.h"

namespace {

struct Spec : racelab::testing::MessageQueueSpec<racelab::cases::message_queue::MessageQueue> {
  using Object = racelab::cases::message_queue::MessageQueue;
  static std::string run(Object& queue, const Op& op) {
    if (op.put) {
      queue.put({op.producer, op.sequence});
      return "ok";
    }
    const auto m = queue.get();
    return m ? racelab::testing::message_text(m->producer, m->sequence) : "closed";
  }
};

TEST(CatalogueProperty, MessageQueueBuggyFailsInEachOf20SeedsAndShrinks) {
  const std::size_t most = racelab::testing::expect_fails_in_every_seed<Spec>(20, {.programs = 30, .schedules = 5});
  EXPECT_LE(most, 4u) << "a shrunk counterexample has a thread with more than 4 operations";
}

}  // namespace
