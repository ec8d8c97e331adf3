// The property of 01_lost_update's FakeDatabase, fixed variant — the catalogue's own class
// (cases/01_lost_update/fixed.cpp is compiled into this file; its Spec is in specs.h):
// concurrent update()s, then value(), against a model that counts them.
#include "cases/01_lost_update/fixed.cpp"

#include "registry.h"
#include "specs.h"

namespace {

const racelab::catalogue_properties::Register registered({
    .case_id = "01_lost_update",
    .object = "FakeDatabase",
    .variant = racelab::Variant::fixed,
    .budget = {.programs = 50, .schedules = 10},
    .seeds = 1,
    .max_shrunk_ops = 0,
    .run = racelab::catalogue_properties::run_property<
        racelab::catalogue_properties::CounterSpec<racelab::cases::lost_update::FakeDatabase>>,
});

}  // namespace
