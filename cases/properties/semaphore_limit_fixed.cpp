// The property of 15_semaphore_limit's BookingSystem, fixed variant — the
// catalogue's own class: concurrent book()s must never have more than 3
// bookings in progress at once (its invariant, read from peak()).
#include "cases/15_semaphore_limit/fixed.cpp"

#include "registry.h"
#include "specs.h"

namespace {

struct Spec {
  using Object = racelab::cases::semaphore_limit::BookingSystem;
  using State = int;
  struct Op {};
  static State initial() { return 0; }
  static std::string apply(State& s, const Op&) {
    ++s;
    return "ok";
  }
  static std::string run(Object& system, const Op&) {
    system.book();
    return "ok";
  }
  static std::string describe(const Op&) { return "book()"; }
  static std::string key(const State& s) { return std::to_string(s); }
  static std::string invariant(const Object& system) {
    return system.peak() <= racelab::cases::semaphore_limit::kLimit
               ? ""
               : std::to_string(system.peak()) + " bookings at once, limit " +
                     std::to_string(racelab::cases::semaphore_limit::kLimit);
  }
  // Six users, each booking once or twice: more than the limit want in.
  static rc::Gen<racelab::property::Program<Op>> programs() {
    return rc::gen::container<racelab::property::Program<Op>>(
        6, rc::gen::map(rc::gen::element(1, 2), [](int n) { return std::vector<Op>(static_cast<std::size_t>(n)); }));
  }
};

const racelab::catalogue_properties::Register registered({
    .case_id = "15_semaphore_limit",
    .object = "BookingSystem",
    .variant = racelab::Variant::fixed,
    .budget = {.programs = 50, .schedules = 10},
    .seeds = 1,
    .max_shrunk_ops = 0,
    .run = racelab::catalogue_properties::run_property<Spec>,
});

}  // namespace
