// The property of 19_message_queue's MessageQueue, fixed variant — the
// catalogue's own class (cases/19_message_queue/fixed.cpp is compiled into
// this file): producers put numbered messages, consumers get them; every
// history must be linearizable against a FIFO queue (nothing lost,
// duplicated or reordered).
#include "cases/19_message_queue/fixed.cpp"

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

TEST(CatalogueProperty, MessageQueueFixedHoldsOver1000Histories) {
  EXPECT_GE((racelab::testing::expect_holds<Spec>({.programs = 100, .schedules = 10})), 1000);
}

}  // namespace
