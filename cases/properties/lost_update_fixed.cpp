// The property of 01_lost_update's FakeDatabase, fixed variant — the
// catalogue's own class: concurrent update()s, then value(), against a model
// that counts them.
#include "cases/01_lost_update/fixed.cpp"

#include "registry.h"
#include "specs.h"

namespace {

struct Spec : racelab::catalogue_properties::BalanceSpec<racelab::cases::lost_update::FakeDatabase, 0> {
  using Object = racelab::cases::lost_update::FakeDatabase;
  static std::string run(Object& database, const Op& op) {
    if (op.read) return std::to_string(database.value());
    database.update();
    return "ok";
  }
  static std::string describe(const Op& op) { return op.read ? "value()" : "update()"; }
  static rc::Gen<racelab::property::Program<Op>> programs() {
    return racelab::property::gen_program(rc::gen::just(Op{1, false}), 1, 4, 6);
  }
};

const racelab::catalogue_properties::Register registered({
    .case_id = "01_lost_update",
    .object = "FakeDatabase",
    .variant = racelab::Variant::fixed,
    .budget = {.programs = 50, .schedules = 10},
    .seeds = 1,
    .max_shrunk_ops = 0,
    .run = racelab::catalogue_properties::run_property<Spec>,
});

}  // namespace
