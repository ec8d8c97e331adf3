// The property of 19_message_queue's MessageQueue, buggy variant — the catalogue's own class
// (cases/19_message_queue/buggy.cpp is compiled into this file; its Spec is in specs.h):
// producers put numbered messages, consumers get them; every history must
// be linearizable against a FIFO queue (nothing lost, duplicated or
// reordered).
#include "cases/19_message_queue/buggy.cpp"

#include "registry.h"
#include "specs.h"

namespace {

const racelab::catalogue_properties::Register registered({
    .case_id = "19_message_queue",
    .object = "MessageQueue",
    .variant = racelab::Variant::buggy,
    .budget = {.programs = 30, .schedules = 5},
    .seeds = 20,
    .max_shrunk_ops = 4,
    .run = racelab::catalogue_properties::run_property<
        racelab::catalogue_properties::MessageQueueSpec<racelab::cases::message_queue::MessageQueue>>,
});

}  // namespace
