// The property of 01_lost_update's FakeDatabase, fixed variant — the
// catalogue's own class: concurrent update()s, then value(), against a model
// that counts them.
#include "cases/01_lost_update/fixed.cpp"

#include "catalogue_specs.h"
#include "property_support.h"

namespace {

struct Spec : racelab::testing::BalanceSpec<racelab::cases::lost_update::FakeDatabase, 0> {
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

TEST(CatalogueProperty, LostUpdateFixedHoldsOver500Histories) {
  EXPECT_GE((racelab::testing::expect_holds<Spec>({.programs = 50, .schedules = 10})), 500);
}

}  // namespace
