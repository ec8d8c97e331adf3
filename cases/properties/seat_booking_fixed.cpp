// The property of 07_seat_booking's Flight, fixed variant — the catalogue's own class
// (cases/07_seat_booking/fixed.cpp is compiled into this file; its Spec is in specs.h):
// concurrent book_seat()s, then booked() and available(), against a model
// that never books more than the 10 seats.
#include "cases/07_seat_booking/fixed.cpp"

#include "registry.h"
#include "specs.h"

namespace {

const racelab::catalogue_properties::Register registered({
    .case_id = "07_seat_booking",
    .object = "Flight",
    .variant = racelab::Variant::fixed,
    .budget = {.programs = 50, .schedules = 10},
    .seeds = 1,
    .max_shrunk_ops = 0,
    .run = racelab::catalogue_properties::run_property<
        racelab::catalogue_properties::SeatsSpec<racelab::cases::seat_booking::Flight>>,
});

}  // namespace
