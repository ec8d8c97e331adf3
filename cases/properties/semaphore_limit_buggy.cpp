// The property of 15_semaphore_limit's BookingSystem, buggy variant — the catalogue's own class
// (cases/15_semaphore_limit/buggy.cpp is compiled into this file; its Spec is in specs.h):
// concurrent book()s never have more than 3 bookings in progress at once
// (the invariant, read from peak()).
#include "cases/15_semaphore_limit/buggy.cpp"

#include "registry.h"
#include "specs.h"

namespace {

const racelab::catalogue_properties::Register registered({
    .case_id = "15_semaphore_limit",
    .object = "BookingSystem",
    .variant = racelab::Variant::buggy,
    .budget = {.programs = 40, .schedules = 10},
    .seeds = 5,
    .max_shrunk_ops = 0,
    .run = racelab::catalogue_properties::run_property<
        racelab::catalogue_properties::LimitSpec<racelab::cases::semaphore_limit::BookingSystem, racelab::cases::semaphore_limit::kLimit>>,
});

}  // namespace
