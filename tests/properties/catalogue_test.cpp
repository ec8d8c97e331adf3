// The catalogue's properties (cases/properties) held to their contracts:
// a buggy object's property fails within its budget in each of its seeds,
// and its shrunk counterexample is small; a fixed object's property holds
// over every generated history.
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "registry.h"

namespace {

using racelab::catalogue_properties::Entry;
using racelab::catalogue_properties::entries;

std::string name(const Entry& e) { return e.case_id + "_" + std::string(racelab::to_string(e.variant)); }

class CatalogueProperty : public ::testing::TestWithParam<std::string> {
 protected:
  const Entry& entry() const {
    for (const Entry& e : entries())
      if (name(e) == GetParam()) return e;
    throw std::runtime_error("no property " + GetParam());
  }
};

TEST_P(CatalogueProperty, KeepsItsContract) {
  const Entry& e = entry();
  if (e.variant == racelab::Variant::buggy) {
    std::size_t most = 0;
    for (int seed = 1; seed <= e.seeds; ++seed) {
      const auto outcome = e.run(static_cast<std::uint64_t>(seed), e.budget);
      EXPECT_TRUE(outcome.failed) << name(e) << ": the property held in RapidCheck seed " << seed;
      most = std::max(most, outcome.most_ops);
      if (seed == 1) std::printf("%s, seed 1, shrunk:\n%s\n", name(e).c_str(), outcome.counterexample.c_str());
    }
    if (e.max_shrunk_ops > 0)
      EXPECT_LE(most, e.max_shrunk_ops) << "a shrunk counterexample has a thread with more operations";
  } else {
    const auto outcome = e.run(1, e.budget);
    EXPECT_FALSE(outcome.failed) << outcome.counterexample;
    EXPECT_EQ(outcome.executions, e.budget.programs * e.budget.schedules);
    std::printf("%s: %d histories, all linearizable, in %.1f s\n", name(e).c_str(), outcome.executions,
                outcome.seconds);
  }
}

std::vector<std::string> names() {
  std::vector<std::string> all;
  for (const Entry& e : entries()) all.push_back(name(e));
  std::sort(all.begin(), all.end());
  return all;
}

INSTANTIATE_TEST_SUITE_P(Cases, CatalogueProperty, ::testing::ValuesIn(names()),
                         [](const auto& info) { return info.param; });

// The acceptance's numbers: the bank account's and the message queue's
// buggy properties fail in 20 of 20 seeds and shrink to at most 4
// operations per thread; their fixed ones hold over at least 1,000 histories.
TEST(CatalogueProperties, BankAccountAndMessageQueueCarryTheAcceptanceBudgets) {
  int checked = 0;
  for (const Entry& e : entries()) {
    if (e.case_id != "06_bank_account" && e.case_id != "19_message_queue") continue;
    ++checked;
    if (e.variant == racelab::Variant::buggy) {
      EXPECT_GE(e.seeds, 20) << name(e);
      EXPECT_EQ(e.max_shrunk_ops, 4u) << name(e);
    } else {
      EXPECT_GE(e.budget.programs * e.budget.schedules, 1000) << name(e);
    }
  }
  EXPECT_EQ(checked, 4);
}

}  // namespace
