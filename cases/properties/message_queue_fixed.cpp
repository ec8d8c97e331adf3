// The property of 19_message_queue's MessageQueue, fixed variant — the catalogue's own class
// (cases/19_message_queue/fixed.cpp is compiled into this file; its Spec is in specs.h):
// producers put numbered messages, consumers get them; every history must
// be linearizable against a FIFO queue (nothing lost, duplicated or
// reordered).
#include "cases/19_message_queue/fixed.cpp"

#include "registry.h"
#include "specs.h"

namespace {

const racelab::catalogue_properties::Register registered({
    .case_id = "19_message_queue",
    .object = "MessageQueue",
    .variant = racelab::Variant::fixed,
    .budget = {.programs = 100, .schedules = 10},
    .seeds = 1,
    .max_shrunk_ops = 0,
    .run = racelab::catalogue_properties::run_property<
        racelab::catalogue_properties::MessageQueueSpec<racelab::cases::message_queue::MessageQueue>>,
});

}  // namespace
