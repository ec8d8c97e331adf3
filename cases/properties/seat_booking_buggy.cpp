// The property of 07_seat_booking's Flight, buggy variant — the catalogue's
// own class: concurrent book_seat()s, then booked() and available(),
// against a model that never books more than the 10 seats.
#include "cases/07_seat_booking/buggy.cpp"

#include "registry.h"
#include "specs.h"

namespace {

struct Seats {
  int available = 10;
  int booked = 0;
};

struct Spec {
  using Object = racelab::cases::seat_booking::Flight;
  using State = Seats;
  enum class Op { book, booked, available };
  static State initial() { return {}; }
  static std::string apply(State& s, const Op& op) {
    if (op == Op::booked) return std::to_string(s.booked);
    if (op == Op::available) return std::to_string(s.available);
    if (s.available > 0) {
      --s.available;
      ++s.booked;
    }
    return "ok";
  }
  static std::string run(Object& flight, const Op& op) {
    if (op == Op::booked) return std::to_string(flight.booked());
    if (op == Op::available) return std::to_string(flight.available());
    flight.book_seat();
    return "ok";
  }
  static std::string describe(const Op& op) {
    return op == Op::book ? "book_seat()" : op == Op::booked ? "booked()" : "available()";
  }
  static std::string key(const State& s) { return std::to_string(s.available) + "/" + std::to_string(s.booked); }
  static std::vector<Op> probe() { return {Op::booked, Op::available}; }
  static rc::Gen<racelab::property::Program<Op>> programs() {
    return racelab::property::gen_program(rc::gen::just(Op::book), 2, 4, 5);
  }
};

const racelab::catalogue_properties::Register registered({
    .case_id = "07_seat_booking",
    .object = "Flight",
    .variant = racelab::Variant::buggy,
    .budget = {.programs = 30, .schedules = 5},
    .seeds = 5,
    .max_shrunk_ops = 0,
    .run = racelab::catalogue_properties::run_property<Spec>,
});

}  // namespace
