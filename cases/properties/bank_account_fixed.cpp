// The property of 06_bank_account's Account, fixed variant — the catalogue's own class
// (cases/06_bank_account/fixed.cpp is compiled into this file; its Spec is in specs.h):
// concurrent deposits and withdrawals, then the balance, against a model
// that adds them up.
#include "cases/06_bank_account/fixed.cpp"

#include "registry.h"
#include "specs.h"

namespace {

const racelab::catalogue_properties::Register registered({
    .case_id = "06_bank_account",
    .object = "Account",
    .variant = racelab::Variant::fixed,
    .budget = {.programs = 100, .schedules = 10},
    .seeds = 1,
    .max_shrunk_ops = 0,
    .run = racelab::catalogue_properties::run_property<
        racelab::catalogue_properties::AccountSpec<racelab::cases::bank_account::Account>>,
});

}  // namespace
